"""The points of a sweep: grid order, seeded random and Latin-hypercube draws, cases, references."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from dojosim.explore.points import Plan, batches
from dojosim.explore.spec import load_sweep


def _columns(plan: Plan) -> list[dict]:  # type: ignore[type-arg]
    return [plan.point(i)[1] for i in range(len(plan))]


def test_grid_is_the_product_with_the_last_axis_fastest(spec) -> None:  # type: ignore[no-untyped-def]
    plan = Plan(load_sweep(spec))
    assert len(plan) == 2 * 3 * 2
    cols = _columns(plan)
    assert [c["system.chip.memory_bandwidth"] for c in cols[:2]] == [1.5e12, 2e12]
    assert [c["parallelism.global_batch"] for c in cols[:6:2]] == [64, 128, 256]
    assert [c["chips"] for c in (cols[0], cols[6])] == [64, 128]
    assign, _ = plan.point(7)
    assert assign == {
        "chips": 128,
        "parallelism.global_batch": 64,
        "system.chip.memory_bandwidth": 2e12,
    }


def test_grid_ranges_take_num_points_evenly_or_log_spaced(spec) -> None:  # type: ignore[no-untyped-def]
    spec["axes"] = {
        "system.chip.memory_bandwidth": {"low": "1 TB/s", "high": "4 TB/s", "log": True, "num": 3},
        "parallelism.global_batch": {"low": 64, "high": 256, "num": 4},
    }
    cols = _columns(Plan(load_sweep(spec)))
    assert sorted({c["system.chip.memory_bandwidth"] for c in cols}) == pytest.approx(
        [1e12, 2e12, 4e12]
    )
    assert sorted({c["parallelism.global_batch"] for c in cols}) == [64, 128, 192, 256]


def _sampled(spec, mode: str, seed: int = 0) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    s = copy.deepcopy(spec)
    s.update(mode=mode, samples=20, seed=seed)
    s["axes"] = {
        "system.chip.memory_bandwidth": {"low": "1 TB/s", "high": "8 TB/s", "log": True},
        "parallelism.global_batch": {"low": 64, "high": 512},
        "chips": [64, 128],
    }
    return _columns(Plan(load_sweep(s)))


def test_random_and_lhs_draws_are_seeded_and_in_range(spec) -> None:  # type: ignore[no-untyped-def]
    for mode in ("random", "lhs"):
        a, b, c = _sampled(spec, mode), _sampled(spec, mode), _sampled(spec, mode, seed=1)
        assert a == b and a != c and len(a) == 20
        for row in a:
            assert 1e12 <= row["system.chip.memory_bandwidth"] <= 8e12
            assert isinstance(row["parallelism.global_batch"], int)
            assert 64 <= row["parallelism.global_batch"] <= 512
            assert row["chips"] in (64, 128)


def test_lhs_puts_one_draw_in_each_stratum_of_each_axis(spec) -> None:  # type: ignore[no-untyped-def]
    rows = _sampled(spec, "lhs")
    u = [math.log(r["system.chip.memory_bandwidth"] / 1e12) / math.log(8) for r in rows]
    strata = np.minimum((np.array(u) * 20).astype(int), 19)
    assert sorted(strata.tolist()) == list(range(20))
    assert sorted(r["chips"] for r in rows) == [64] * 10 + [128] * 10


def test_cases_cross_the_draws_and_references_follow(spec) -> None:  # type: ignore[no-untyped-def]
    spec.update(mode="random", samples=3)
    spec["axes"] = {
        "workload": {
            "small": {"parallelism.global_batch": 64},
            "large": {"parallelism.global_batch": 256},
        },
        "system.chip.memory_bandwidth": {"low": "1 TB/s", "high": "2 TB/s"},
        "vars.usd_per_chip": {"low": "1000 USD", "high": "2000 USD"},
    }
    spec["references"] = {"h100": {"system": "dgx-h100", "vars.usd_per_chip": "24875 USD"}}
    plan = Plan(load_sweep(spec))
    assert len(plan) == 2 * 3 + 1 * 2
    cols = _columns(plan)
    assert [c["workload"] for c in cols] == ["small"] * 3 + ["large"] * 3 + ["small", "large"]
    # the same draws for each case: the cases are compared on the same chips
    assert [c["system.chip.memory_bandwidth"] for c in cols[:3]] == [
        c["system.chip.memory_bandwidth"] for c in cols[3:6]
    ]
    ref_assign, ref_cols = plan.point(7)
    assert ref_cols["reference"] == "h100" and ref_cols["workload"] == "large"
    assert ref_cols["vars.usd_per_chip"] == 24875.0
    assert ref_cols["system.chip.memory_bandwidth"] is None
    assert ref_assign["system"] == "dgx-h100" and ref_assign["parallelism.global_batch"] == 256


def test_hash_follows_the_spec_and_its_base(spec) -> None:  # type: ignore[no-untyped-def]
    h = load_sweep(spec).hash
    assert load_sweep(copy.deepcopy(spec)).hash == h
    spec["axes"]["chips"] = [64, 256]
    assert load_sweep(spec).hash != h
    spec["axes"]["chips"] = [64, 128]
    spec["base"]["parallelism"]["zero"] = 1
    assert load_sweep(spec).hash != h


def test_batches_are_consecutive_runs() -> None:
    assert batches([1, 2, 3, 5, 8], 2) == [[1, 2], [3, 5], [8]]
    assert batches(range(0), 3) == []
