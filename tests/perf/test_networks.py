"""Networks (conv nets, video models) through the estimator; video ingest; the demo's Dojo section."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from dojosim.cli import app
from dojosim.errors import SpecError
from dojosim.mapping.layout import balanced_split as partition
from dojosim.perf.estimate import estimate


def _sc(system: str, chips: int, model: str, batch: int, **extra: Any) -> dict[str, Any]:
    par: dict[str, Any] = dict.fromkeys(
        ("tensor", "pipeline", "data", "micro_batch", "recompute", "zero"), "auto"
    )
    par["global_batch"] = batch
    return {"model": model, "system": system, "chips": chips, "parallelism": par, **extra}


def test_partition_balances_contiguous_stages() -> None:
    assert partition([1, 1, 1, 1], 2) == (2, 2)
    assert partition([3, 1, 1, 1], 2) == (1, 3)
    assert sum(partition([1.0] * 10, 3)) == 10
    assert min(partition([5, 0, 0, 0, 0], 4)) >= 1


def test_resnet50_on_one_dgx_a100_is_data_parallel_and_counts_its_flops() -> None:
    est = estimate(_sc("dgx-a100-80g", 8, "resnet50-224", 256))
    assert est.layout["pipeline"] == 1 and est.layout["data"] == 8
    # 3 x forward FLOPs x batch: the traced 4.09 G multiply-adds per image
    assert est.model_flops_per_step == pytest.approx(3 * 2 * 4.089e9 * 256, rel=0.01)
    assert 0.05 < est.mfu < 0.8
    assert est.samples_per_s == pytest.approx(256 / est.step_time_s)


def test_more_chips_more_clips_per_second() -> None:
    one = estimate(_sc("dgx-a100-80g", 8, "fsd-multicam-8cam", 8))
    many = estimate(_sc("dgx-a100-80g", 64, "fsd-multicam-8cam", 64))
    assert many.samples_per_s > 6 * one.samples_per_s


def test_fsd_network_on_a_tile_splits_or_recomputes_to_fit() -> None:
    """8 cameras at 1280 x 960 do not fit one D1's SRAM and DIP share as they are: the search
    splits the feature maps over dies or checkpoints segments of layers."""
    est = estimate(_sc("dojo-tile", 25, "fsd-multicam-8cam", 25))
    assert est.fits_in_memory
    assert est.layout["spatial_split"] > 1 or est.layout["recompute"] == "full"
    one = estimate(
        _sc("dojo-tile", 25, "fsd-multicam-8cam", 25)
        | {"parallelism": {"tensor": 1, "pipeline": 1, "global_batch": 25, "recompute": "none"}}
    )
    assert not one.fits_in_memory
    assert one.bottleneck == "SRAM capacity"
    split = estimate(
        _sc("dojo-tile", 25, "fsd-multicam-8cam", 25)
        | {
            "parallelism": {
                "tensor": "auto",
                "pipeline": 1,
                "global_batch": 25,
                "recompute": "none",
            }
        }
    )
    assert split.fits_in_memory and split.layout["slice"]["tensor_region"] is not None
    assert split.layout["spatial_split"] > 1


def test_ingest_can_set_the_step() -> None:
    """10 M fleet clips through 80 Dojo hosts decode at 900 clips/s, slower than the ExaPOD computes."""
    base = _sc("dojo-exapod", 3000, "fsd-multicam-8cam", 3000)
    fast = estimate(base)
    fed = estimate(base | {"data": {"ingest": "dojo-exapod-ingest", "epochs": 2}})
    assert fed.ingest is not None
    assert fed.step_time_s == pytest.approx(3000 / fed.ingest["samples_per_s"])
    assert fed.step_time_s > fast.step_time_s
    assert fed.bottleneck.startswith("ingest")
    assert fed.ingest["time_to_train_s"] == pytest.approx(2 * fed.ingest["epoch_s"])


def test_unknown_ingest_is_a_clear_error() -> None:
    sc = _sc("dgx-a100-80g", 8, "resnet50-224", 256) | {"data": {"ingest": "no-such-ingest"}}
    with pytest.raises(SpecError) as exc:
        estimate(sc)
    assert "no-such-ingest" in str(exc.value)


def test_bad_network_batch_names_the_field() -> None:
    with pytest.raises(SpecError) as exc:
        estimate(
            _sc("dgx-a100-80g", 8, "resnet50-224", 7)
            | {"parallelism": {"pipeline": 1, "data": 8, "global_batch": 7}}
        )
    assert exc.value.field is not None and exc.value.field.startswith("parallelism")


def test_tesla_claim_rows_are_scored() -> None:
    from dojosim.validate import claim_scores

    rows = {
        s.run: s for s in claim_scores({"dojo-claims": "dojosim.validate.tesla_claims:COMPUTE"})
    }
    assert set(rows) == {
        "dojo-tile-vs-dgx-a100",
        "exapod-vs-a100-cluster-performance-per-cost",
        "exapod-vs-a100-cluster-performance-per-watt",
    }
    assert all(r.predicted > 0 and r.source for r in rows.values())


def test_demo_json_has_the_dojo_section() -> None:
    import json

    r = CliRunner().invoke(app, ["demo", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    machines = doc["dojo"]["machines"]
    assert [m["system"] for m in machines] == ["dojo-exapod", "dgx-a100-80g", "dgx-h100"]
    for m in machines:
        assert m["video"]["epoch_s"] > 0 and m["gpt3"]["step_time_s"] > 0


def test_a_networks_backward_matmuls_run_at_the_backward_gemm_rate() -> None:
    """The array timing charges each matmul's two backward copies at ``backward_ratio`` of the
    forward rate, as the op-by-op timing does (``ComputeModel.matmul_efficiency_of``): with the
    ratio halved, a matmul layer's backward time grows by its compute-bound matmul time and its
    forward time stays."""
    import dataclasses

    import numpy as np

    from dojosim import catalog
    from dojosim.mapping.policy import precision_of
    from dojosim.perf.compute import ComputeModel
    from dojosim.perf.network_units import OpTable
    from dojosim.workload.networks import network

    chip = catalog.get("chip", "a100-sxm4-80g")
    cm = ComputeModel.of(chip, precision_of("bf16"), catalog.get("calibration", chip.calibration))
    assert cm.backward_ratio == 1.0  # Ampere: no measured pass ratio
    table = OpTable.of(network("resnet50-224"))
    f1, b1, _ = table.times(cm, 256, 1)
    f2, b2, _ = table.times(dataclasses.replace(cm, backward_ratio=0.5), 256, 1)
    np.testing.assert_allclose(f2, f1)
    assert (b2 >= b1).all() and (b2 > b1).any()
    # a layer of one compute-bound GEMM: forward = t + launch, backward = 2 t / ratio + 2
    # launches, so halving the ratio adds 2 t; never more, as a thin GEMM that the vector units
    # run instead keeps their rate
    t = f1 - cm.kernel_overhead
    assert (b2 - b1 <= 2 * t * (1 + 1e-9)).all()
    one_gemm = np.isclose(b1, 2 * t + 2 * cm.kernel_overhead)
    assert one_gemm.any()
    assert (one_gemm & np.isclose(b2 - b1, 2 * t)).sum() >= 10
