"""The Dojo model: mesh collectives, the Z-plane, SRAM backed by DIP HBM, spatial layouts."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.hardware.collectives import collective_time, fabric, p2p_time, tier_bandwidth
from dojosim.mapping.hierarchy import Hierarchy, place
from dojosim.mapping.memory import MemoryBreakdown
from dojosim.mapping.spatial import rectangle
from dojosim.perf.estimate import estimate
from dojosim.spec.resolve import hierarchy as hierarchy_of

GB = 1e9


def _scenario(system: str, chips: int, model: str = "gpt3-13b", **par: Any) -> dict[str, Any]:
    knobs = {
        "tensor": "auto",
        "pipeline": "auto",
        "data": "auto",
        "micro_batch": "auto",
        "recompute": "auto",
        "zero": "auto",
        "interleave": "auto",
        "sequence_parallel": "auto",
        "global_batch": 200,
    }
    knobs.update(par)
    return {"model": model, "system": system, "chips": chips, "parallelism": knobs}


def test_exapod_peaks_match_tesla() -> None:
    """Hot Chips 34: 1.1 EFLOPS BF16/CFP8 per ExaPOD; 13 TB of DIP DRAM."""
    pod = catalog.resolved("system", "dojo-exapod")
    assert pod["chip_count"] == 3000
    assert pod["peak_flops"]["bf16"] == pytest.approx(1.086e18, rel=1e-3)
    h = hierarchy_of(catalog.get("system", "dojo-exapod"), catalog.get("chip", "d1"))
    assert h is not None
    assert h.offchip * 3000 == pytest.approx(13e12, rel=0.02)
    assert h.offchip_bandwidth == pytest.approx(400 * 800 * GB / 3000)


def test_tile_edge_is_shared_by_the_tile() -> None:
    """9 TB/s per tile edge carries all 25 dies' traffic: 1/25 each, per link."""
    pod = catalog.get("system", "dojo-exapod")
    edge = pod.network[1]
    assert tier_bandwidth(edge, 2) == pytest.approx(9e12 * 0.8 / 25 * 2 / 2)
    alone = edge.model_copy(update={"shared_by": 1})
    assert tier_bandwidth(alone, 2) == pytest.approx(25 * tier_bandwidth(edge, 2))


def test_data_parallel_across_tiles_is_slower_than_inside_a_tile() -> None:
    fab = fabric(catalog.get("system", "dojo-exapod"), 3000)
    inside = collective_time(fab, "all_reduce", 1 * GB, 25, 1)
    across = collective_time(fab, "all_reduce", 1 * GB, 25, 25)
    assert across > 3 * inside


def test_mesh_latency_counts_ring_steps() -> None:
    """A tiny all-reduce on a 5-die row takes 2 x 4 steps at the per-step latency."""
    fab = fabric(catalog.get("system", "dojo-tile"), 25)
    t = collective_time(fab, "all_reduce", 1.0, 5, 1)
    assert t == pytest.approx(8 * 1e-6, rel=1e-3)


def _pod_with_zplane_latency(latency: float) -> Any:
    pod = catalog.get("system", "dojo-exapod")
    net = [t.model_copy(update={"latency": latency}) if t.shortcut else t for t in pod.network]
    return pod.model_copy(update={"network": net})


def test_z_plane_carries_small_messages_across_the_pod() -> None:
    """The shortcut wins latency-bound phases when its hops are cheap, the mesh bandwidth-bound ones.

    A 120-tile ring on the 8 x 15 tile mesh takes 2 x (7 + 14) = 42 steps; the
    switched Z-plane takes 2 x ceil(log2 120) = 14.
    """
    fast = fabric(_pod_with_zplane_latency(1e-6), 3000).recording()
    collective_time(fast, "all_reduce", 64.0, 120, 25)
    assert set(fast.record or {}) == {"z-plane"}
    big = fabric(_pod_with_zplane_latency(1e-6), 3000).recording()
    collective_time(big, "all_reduce", 10 * GB, 120, 25)
    assert set(big.record or {}) == {"mesh edge"}
    # with the catalog's assumed 5 us per Ethernet hop the mesh wins even small messages
    slow = fabric(catalog.get("system", "dojo-exapod"), 3000).recording()
    collective_time(slow, "all_reduce", 64.0, 120, 25)
    assert set(slow.record or {}) == {"mesh edge"}
    assert p2p_time(fast, 1.0, 25) == pytest.approx(1e-6, rel=1e-3)


def test_rectangles_inside_a_tile() -> None:
    assert rectangle(6, [5, 5]) == (2, 3)
    assert rectangle(16, [5, 5]) == (4, 4)
    assert rectangle(7, [5, 5]) is None
    assert rectangle(30, [5, 5]) is None


def _mem(**kw: float) -> MemoryBreakdown:
    base = dict(weights=0.0, gradients=0.0, optimizer=0.0, activations=0.0, transient=0.0)
    base.update(kw)
    return MemoryBreakdown(stage=0, **base)


H = Hierarchy(onchip=440e6, offchip=4e9, offchip_bandwidth=100e9, device="dip-v1")


def test_what_fits_in_sram_streams_nothing() -> None:
    p = place(_mem(weights=100e6, activations=100e6, optimizer=100e6), H, 8, 2, "none")
    assert p.fits_onchip and p.fits and p.stream_bytes == 0
    assert p.optimizer_offchip_fraction == 0


def test_spill_order_optimizer_first_weights_last() -> None:
    p = place(_mem(weights=300e6, optimizer=600e6), H, 4, 1, "none")
    assert p.offchip["weights"] == 0 and p.offchip["optimizer"] == pytest.approx(460e6)
    assert p.stream_bytes == 0  # optimizer state is charged to the update, not the stream
    assert p.optimizer_offchip_fraction == pytest.approx(460 / 600)


def test_streamed_weights_cost_every_micro_batch_and_need_a_buffer() -> None:
    p = place(_mem(weights=1e9), H, 4, 1, "none", matrix_weight_bytes=50e6)
    assert p.onchip["stream_buffer"] == pytest.approx(100e6)
    assert p.offchip["weights"] == pytest.approx(1e9 - 340e6)
    assert p.stream_bytes == pytest.approx(2 * 4 * (1e9 - 340e6))
    full = place(_mem(weights=1e9), H, 4, 1, "full", matrix_weight_bytes=50e6)
    assert full.stream_bytes == pytest.approx(1.5 * p.stream_bytes)


def test_too_big_for_sram_and_dip() -> None:
    assert not place(_mem(weights=5e9), H, 1, 1, "none").fits
    chunked = place(_mem(transient=500e6), H, 3, 1, "none")
    assert chunked.fits and chunked.stream_bytes == pytest.approx(2 * 3 * 60e6)


def test_auto_layout_on_a_tile_names_a_slice_and_a_bottleneck() -> None:
    est = estimate(_scenario("dojo-tile", 25, model="gpt3-2.7b", global_batch=100))
    assert est.fits_in_memory
    assert set(est.chosen) >= {"tensor", "pipeline", "data", "micro_batch"}
    sl = est.layout["slice"]
    assert sl["dies"] * sl["replicas"] == est.chips_used <= 25  # data: auto may leave dies idle
    assert est.chips_used + est.idle_chips == 25
    assert est.bottleneck in {"compute", "pipeline bubble", "dip-v1 bandwidth", "mesh"}
    assert sum(est.limits.values()) == pytest.approx(est.step_time_s, rel=1e-9)
    assert est.memory_placement is not None


def test_gpt3_175b_on_an_exapod_fits_by_streaming_from_the_dips() -> None:
    est = estimate(_scenario("dojo-exapod", 3000, model="gpt3-175b", global_batch=1500))
    assert est.fits_in_memory
    assert est.memory_placement is not None
    assert not est.memory_placement["fits_onchip"]  # 175 B parameters exceed 1.3 TB of SRAM
    assert 0.2 < est.mfu < 0.7


def test_slow_dips_make_dip_bandwidth_the_bottleneck(monkeypatch: pytest.MonkeyPatch) -> None:
    """A what-if DIP 1000x slower leaves the streamed weights exposed."""
    real = catalog.get
    slow = real("device", "dip-v1").model_copy(
        update={"memory_bandwidth": 0.8e9, "link_bandwidth": 0.9e9}
    )

    def get(kind: str, name: str) -> Any:
        return slow if (kind, name) == ("device", "dip-v1") else real(kind, name)

    monkeypatch.setattr(catalog, "get", get)
    est = estimate(_scenario("dojo-exapod", 3000, model="gpt3-175b", global_batch=1500))
    assert est.bottleneck == "dip-v1 bandwidth"


def test_a_model_too_big_for_a_tile_is_limited_by_sram_capacity() -> None:
    est = estimate(_scenario("dojo-tile", 25, model="gpt3-175b", global_batch=100))
    assert not est.fits_in_memory
    assert est.bottleneck == "SRAM capacity"


def test_gpu_bottleneck_names_its_network_tier() -> None:
    from dojosim import scenarios

    est = estimate(scenarios.ROOT / "gpt3-175b-1024-a100.yaml")
    assert est.bottleneck == "compute"
    assert est.memory_placement is None
    assert all(not k.startswith("dip") for k in est.limits)


@pytest.mark.parametrize(
    ("par", "field", "words"),
    [
        ({"tensor": 7}, "parallelism.tensor", "rectangle"),
        ({"tensor": 5, "pipeline": 10}, "parallelism.pipeline", "larger than the mesh"),
    ],
)
def test_bad_slices_name_the_field(par: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(SpecError) as exc:
        estimate(_scenario("dojo-tile", 25, global_batch=100, **par))
    assert exc.value.field == field and words in str(exc.value)


def test_tile_mesh_that_does_not_match_the_chip_count() -> None:
    sc = _scenario("dojo-tile", 25)
    sc["system"] = {
        "base": "dojo-tile",
        "network": [
            {
                "name": "m",
                "topology": "mesh",
                "size": 25,
                "dims": [4, 5],
                "bandwidth": "1 TB/s",
                "latency": "1 us",
            }
        ],
    }
    with pytest.raises(SpecError, match=r"dims: \[4, 5\] hold 20 chips"):
        estimate(sc)
