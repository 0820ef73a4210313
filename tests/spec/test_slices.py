"""A scenario's ``slices`` (TPU Multislice): the pod tier cut into slices joined over the
data-centre network, with MaxText's hybrid sharding inside each slice."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim.errors import SpecError
from dojosim.perf.estimate import estimate

V5P = {
    "model": "maxtext-32b",
    "system": "tpu-v5p-pod",
    "chips": 128,
    "parallelism": {
        "tensor": 4,
        "data": 32,
        "global_batch": 1024,
        "micro_batch": 32,
        "recompute": "selective",
        "zero": 3,
    },
}


def test_two_slices_shard_inside_a_slice_and_reduce_over_the_dcn() -> None:
    one = estimate(V5P, interval=False)
    two = estimate({**V5P, "slices": 2}, interval=False)
    # ZeRO-3 shards over the 16 data ranks of a slice, not all 32: twice the states per chip
    for part in ("weights", "gradients", "optimizer"):
        assert two.memory[part] == pytest.approx(2 * one.memory[part])
    assert "dcn" not in (one.network or {})
    assert (two.network or {}).get("dcn", 0.0) > 0.0
    assert two.step_time_s > one.step_time_s


def _refused(scenario: dict[str, Any], match: str) -> None:
    with pytest.raises(SpecError, match=match) as err:
        estimate(scenario, interval=False)
    assert err.value.field == "slices"


def test_slices_that_do_not_fit_the_pod_tier_are_refused() -> None:
    v5e = {**V5P, "system": "tpu-v5e-pod", "chips": 512}
    v5e["parallelism"] = {**V5P["parallelism"], "data": 128}
    _refused({**v5e, "slices": 1}, "exceed one ici unit of 256 chips")
    _refused({**V5P, "slices": 3}, "do not divide 128 chips")


def test_the_estimate_reports_its_slices() -> None:
    from rich.console import Console

    from dojosim.report.tables import estimate_table

    two = estimate({**V5P, "slices": 2}, interval=False)
    assert two.slices == 2 and two.as_dict()["slices"] == 2
    assert estimate(V5P, interval=False).slices == 1
    out = Console(width=200)
    with out.capture() as cap:
        out.print(estimate_table(two))
    assert "2, data-parallel across them" in cap.get()
    # a GPU job's nodes are not slices: nothing is cut, nothing is printed
    gpu = estimate("gpt3-175b-1024-h100", interval=False)
    assert gpu.slices == 1


def test_slice_sharding_fsdp_shards_over_every_slice() -> None:
    """MaxText's dcn_fsdp_parallelism: ZeRO-3 over all 32 data ranks of both slices, so the
    states per chip are the one-slice job's, and each layer's gathers cross the DCN."""
    one = estimate(V5P, interval=False)
    fsdp = estimate({**V5P, "slices": 2, "slice_sharding": "fsdp"}, interval=False)
    data = estimate({**V5P, "slices": 2}, interval=False)
    for part in ("weights", "gradients", "optimizer"):
        assert fsdp.memory[part] == pytest.approx(one.memory[part])
        assert data.memory[part] == pytest.approx(2 * fsdp.memory[part])
    assert (fsdp.network or {}).get("dcn", 0.0) > 0.0


def test_slice_sharding_fsdp_needs_a_framework_that_shards_inside_a_slice() -> None:
    bad = {**V5P, "framework": "fsdp", "slices": 2, "slice_sharding": "fsdp"}
    with pytest.raises(SpecError, match="dcn_fsdp_parallelism") as err:
        estimate(bad, interval=False)
    assert err.value.field == "slice_sharding"
