"""The 80% interval's residual bounds are split-conformal order statistics (Lei et al. 2018,
JASA 113(523), Section 2.2): checked by hand on small samples, and for their promise that a
new exchangeable row falls inside at least 80% of the time, where plain percentiles do not."""

from __future__ import annotations

import math
import random
from types import SimpleNamespace

import pytest

from dojosim.perf.interval import MIN_CONFORMAL_ROWS, quantiles, step_interval
from dojosim.spec.calibration import Residuals


def test_bounds_are_the_conformal_order_statistics() -> None:
    xs = [float(i) for i in range(1, 20)]  # n = 19: floor(0.1 x 20) = 2, ceil(0.9 x 20) = 18
    res = quantiles(list(reversed(xs)))
    assert res is not None
    assert (res.rows, res.p10, res.median, res.p90) == (19, 2.0, 10.0, 18.0)
    nine = quantiles([float(i) for i in range(9)])  # n = 9: the extremes
    assert nine is not None and (nine.p10, nine.p90) == (0.0, 8.0)


def test_too_few_rows_for_finite_bounds_give_none() -> None:
    assert MIN_CONFORMAL_ROWS == 9
    assert quantiles([0.1] * 8) is None
    assert quantiles([]) is None


def test_a_new_row_falls_inside_at_least_80_percent_of_the_time() -> None:
    """Skewed residuals (a shifted lognormal), 20 rows per family, 4,000 trials."""
    rng = random.Random(7)
    inside = plain = 0
    trials = 4000
    for _ in range(trials):
        rows = [math.exp(rng.gauss(0, 0.8)) - 1 for _ in range(20)]
        new = math.exp(rng.gauss(0, 0.8)) - 1
        res = quantiles(rows)
        assert res is not None
        inside += res.p10 <= new <= res.p90
        xs = sorted(rows)  # linear-interpolated sample percentiles, as a spreadsheet gives
        lo, hi = xs[1] + 0.9 * (xs[2] - xs[1]), xs[17] + 0.1 * (xs[18] - xs[17])
        plain += lo <= new <= hi
    assert inside / trials >= 0.79  # promised: 17 / 21 = 0.81 for continuous residuals
    assert plain / trials < 0.79  # (17.1 - 1.9) / 21 = 0.72: why the bounds are not percentiles


def test_interval_follows_lopsided_bounds() -> None:
    res = Residuals(rows=20, p10=-0.4, median=-0.1, p90=0.2)
    sc = SimpleNamespace(calibration=SimpleNamespace(name="family", residuals=res, ranges={}))
    (low, high), how = step_interval(sc, SimpleNamespace(step_time_s=2.0))
    # measured = predicted x e^-r for r in [p10, p90]
    assert low == pytest.approx(2.0 * math.exp(-0.2))
    assert high == pytest.approx(2.0 * math.exp(0.4))
    assert how is not None and how["log_error_bounds"] == [-0.4, 0.2]


def test_no_residuals_no_interval() -> None:
    sc = SimpleNamespace(calibration=SimpleNamespace(name="family", residuals=None, ranges={}))
    interval, how = step_interval(sc, SimpleNamespace(step_time_s=2.0))
    assert interval is None and how is not None and how["method"] == "none"
