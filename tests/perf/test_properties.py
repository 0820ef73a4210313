"""Properties of the estimator (hypothesis): monotone in hardware, memory monotone in micro-batch,
deterministic."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dojosim import catalog, estimate
from dojosim.spec.resolve import load_scenario

SMALL: dict[str, Any] = {
    "name": "prop",
    "model": {
        "name": "m",
        "layers": 8,
        "hidden": 1024,
        "heads": 16,
        "vocab": 32000,
        "seq_len": 1024,
    },
    "system": "dgx-a100-80g",
    "chips": 16,
    "precision": "bf16",
    "parallelism": {"tensor": 2, "pipeline": 2, "global_batch": 64, "micro_batch": 1},
}

layouts = st.fixed_dictionaries(
    {
        "tensor": st.sampled_from([1, 2, 4]),
        "pipeline": st.sampled_from([1, 2, 4]),
        "micro_batch": st.sampled_from([1, 2, 4]),
        "recompute": st.sampled_from(["none", "selective", "full"]),
        "sequence_parallel": st.booleans(),
        "zero": st.sampled_from([0, 1, 2, 3]),
        "flash": st.booleans(),
    }
)


def build(lay: dict[str, Any]) -> dict[str, Any]:
    sc = copy.deepcopy(SMALL)
    flash = lay.pop("flash")
    sc["flash_attention"] = flash
    # Megatron runs ZeRO 0 and 1; FSDP runs 2 and 3 (with pipelines too)
    sc["framework"] = "megatron" if lay["zero"] <= 1 else "fsdp"
    sc["parallelism"].update(lay)
    return sc


def scaled_system(sc_map: dict[str, Any], flops: float = 1.0, bw: float = 1.0, net: float = 1.0):  # type: ignore[no-untyped-def]
    sc = load_scenario(sc_map)
    chip = sc.chip.model_copy(
        update={
            "peak_flops": {k: v * flops for k, v in sc.chip.peak_flops.items()},
            "memory_bandwidth": sc.chip.memory_bandwidth * bw,
        }
    )
    tiers = [t.model_copy(update={"bandwidth": t.bandwidth * net}) for t in sc.system.network]
    system = sc.system.model_copy(update={"network": tiers})
    return sc.model_copy(update={"chip": chip, "system": system})


common = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@common
@given(layouts, st.floats(1.0, 4.0), st.sampled_from(["flops", "bw", "net"]))
def test_more_hardware_never_slower(lay: dict[str, Any], factor: float, which: str) -> None:
    sc_map = build(lay)
    base = estimate(scaled_system(sc_map)).step_time_s
    faster = estimate(scaled_system(sc_map, **{which: factor})).step_time_s
    assert faster <= base * (1 + 1e-12)


@common
@given(layouts)
def test_memory_never_shrinks_as_micro_batch_grows(lay: dict[str, Any]) -> None:
    mems = []
    for b in (1, 2, 4):
        sc_map = build(dict(lay))
        sc_map["parallelism"]["micro_batch"] = b
        mems.append(estimate(sc_map).memory_per_chip_bytes)
    assert mems[0] <= mems[1] <= mems[2]


@common
@given(layouts)
def test_deterministic(lay: dict[str, Any]) -> None:
    sc_map = build(lay)
    assert estimate(copy.deepcopy(sc_map)).as_dict() == estimate(copy.deepcopy(sc_map)).as_dict()


def test_auto_picks_a_fitting_layout() -> None:
    sc = copy.deepcopy(SMALL)
    sc["parallelism"] = {
        k: "auto"
        for k in (
            "tensor",
            "pipeline",
            "micro_batch",
            "interleave",
            "recompute",
            "sequence_parallel",
            "zero",
        )
    }
    sc["parallelism"]["global_batch"] = 64
    est = estimate(sc)
    assert est.fits_in_memory
    assert set(est.chosen) >= {
        "tensor",
        "pipeline",
        "data",
        "micro_batch",
        "interleave",
        "recompute",
    }
    lay = est.layout
    assert lay["tensor"] * lay["pipeline"] * lay["data"] == 16
    # the chosen layout is at least as fast as any explicit one we try
    for t, p in ((1, 1), (2, 2), (4, 4), (2, 8)):
        explicit = copy.deepcopy(SMALL)
        explicit["parallelism"] = {"tensor": t, "pipeline": p, "global_batch": 64, "micro_batch": 1}
        other = estimate(explicit)
        if other.fits_in_memory:
            assert est.step_time_s <= other.step_time_s * (1 + 1e-9)


def test_every_catalog_run_estimates() -> None:
    for name in catalog.names("run"):
        run = catalog.get("run", name)
        est = estimate(run.scenario)
        assert est.step_time_s > 0
        assert 0 < est.mfu < 1
        assert abs(sum(est.breakdown.values()) - est.step_time_s) < 1e-9 * est.step_time_s
