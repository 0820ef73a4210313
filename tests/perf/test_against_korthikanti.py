"""The estimator against Korthikanti et al. 2022 (arXiv 2205.05198) Table 5: the 8 measured iterations.

Target from the estimator issue: mean |error| <= 3% and max <= 6% (Calculon, the
best open analytical model, gets 3.65% mean and 8.87% max on the same rows).
"""

from __future__ import annotations

from dojosim import catalog
from dojosim.validate import summary, validate

ROWS = {
    "korthikanti22-22b-full-recompute": 1.42,
    "korthikanti22-22b-selective": 1.10,
    "korthikanti22-175b-full-recompute": 18.13,
    "korthikanti22-175b-selective": 13.75,
    "korthikanti22-530b-full-recompute": 49.05,
    "korthikanti22-530b-selective": 37.83,
    "korthikanti22-1t-full-recompute": 94.42,
    "korthikanti22-1t-selective": 71.49,
}


def test_catalog_holds_table5() -> None:
    for name, seconds in ROWS.items():
        run = catalog.get("run", name)
        assert run.role == "calibration"
        assert run.metric == "step_time_s"
        assert run.measured == seconds


def test_error_budget() -> None:
    scores = [s for s in validate(["calibration"]) if s.run in ROWS]
    assert len(scores) == 8
    st = summary(scores)["calibration"]
    assert st["mean_abs_error"] <= 0.03, st
    assert st["max_abs_error"] <= 0.06, st


def test_selective_recompute_is_faster_as_measured() -> None:
    """Sequence parallelism + selective recompute beats full recompute by 23-30% in Table 5."""
    by = {s.run: s.predicted for s in validate(["calibration"])}
    for size in ("22b", "175b", "530b", "1t"):
        full = by[f"korthikanti22-{size}-full-recompute"]
        sel = by[f"korthikanti22-{size}-selective"]
        assert 0.70 < sel / full < 0.80


def test_mfu_of_175b_matches_paper() -> None:
    """The paper's 175B selective row is 51.4% MFU by its own FLOP formula (Table 5 text, [R])."""
    from dojosim import estimate

    est = estimate(catalog.get("run", "korthikanti22-175b-selective").scenario)
    # our model FLOPs follow the paper's formula, so MFU at the measured time is the paper's
    mfu_at_measured = est.mfu * est.step_time_s / 13.75
    assert abs(mfu_at_measured - 0.514) < 0.005
