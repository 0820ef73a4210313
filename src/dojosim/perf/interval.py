"""An 80% interval next to every step time.

Two sources of uncertainty are combined in log space:

* **How the family missed its check rows.** A chip's calibration stores the 10th,
  50th and 90th percentiles of ``r = log(predicted step / measured step)`` over the
  check rows of chips that use it (``residuals``, written by ``python
  scripts/calibrate.py --residuals``). A measured step is then ``predicted x e^-r``:
  the median shifts the centre, the spread sets the width. A family with no check
  rows takes every family's rows together (``pooled``) and says so.
* **Assumptions.** Every constant the catalog gives as a range (``{value, low,
  high}``; the what-if D1's, the attention kernels of newer stacks) is set to its
  low and its high end in turn, the chosen layout re-timed, and the spread of each
  read as the 10th to 90th percentile of a normal in log space; these spreads add
  in quadrature, with the residual spread, to one normal.

The interval is ``predicted x exp(-median -+ 1.2816 sigma)``. ``dojosim validate``
reports its coverage: the share of check rows whose measured step falls inside
the interval built from the other rows (leave one out).
"""

from __future__ import annotations

import math
from typing import Any

from dojosim.spec.calibration import Calibration, Residuals

Z80 = 1.2815515655446004  # the 90th percentile of a standard normal


def residual_sigma(res: Residuals) -> float:
    """The spread of the residuals as a normal's sigma (from their 10th-90th percentiles)."""
    return max(res.p90 - res.p10, 0.0) / (2 * Z80)


def _assumption_spreads(sc: Any, lay: Any, base: float) -> dict[str, float]:
    """Each ranged constant's spread of log(step), as a sigma, with the layout held."""
    from dojosim.perf.context import context
    from dojosim.perf.step import evaluate

    cal: Calibration = sc.calibration
    out = {}
    for name, (lo, hi) in cal.ranges.items():
        steps = []
        for value in (lo, hi):
            probe = cal.model_copy(update={name: value})
            steps.append(evaluate(context(sc, probe), lay).times.step)
        out[name] = abs(math.log(steps[1] / steps[0])) / (2 * Z80) if min(steps) > 0 else 0.0
    return out


def step_interval(
    sc: Any, est: Any, layout: Any = None
) -> tuple[tuple[float, float] | None, dict[str, Any] | None]:
    """The 80% interval of ``est.step_time_s`` (s) and how it was made."""
    cal: Calibration = sc.calibration
    res = cal.residuals
    if res is None:
        return None, {"method": "none", "note": f"calibration {cal.name!r} has no residuals"}
    spreads = _assumption_spreads(sc, layout, est.step_time_s) if layout is not None else {}
    sigma_res = residual_sigma(res)
    sigma = math.sqrt(sigma_res**2 + sum(s * s for s in spreads.values()))
    step = est.step_time_s
    low = step * math.exp(-res.median - Z80 * sigma)
    high = step * math.exp(-res.median + Z80 * sigma)
    how: dict[str, Any] = {
        "method": "check-row residuals and catalog ranges (docs/estimator.md, Intervals)",
        "calibration": cal.name,
        "check_rows": res.rows,
        "pooled": res.pooled,
        "median_log_error": res.median,
        "sigma_residuals": sigma_res,
        "sigma_assumptions": spreads,
    }
    if res.pooled:
        how["note"] = (
            f"no check rows use calibration {cal.name!r}: the interval takes every family's "
            "rows together, widened by its assumption ranges"
        )
    return (low, high), how


def quantiles(values: list[float], pooled: bool = False) -> Residuals | None:
    """The residual percentiles of ``values`` (log errors), or None when there are none."""
    if not values:
        return None
    xs = sorted(values)

    def q(p: float) -> float:
        k = (len(xs) - 1) * p
        i = math.floor(k)
        j = min(i + 1, len(xs) - 1)
        return xs[i] + (xs[j] - xs[i]) * (k - i)

    return Residuals(rows=len(xs), p10=q(0.1), median=q(0.5), p90=q(0.9), pooled=pooled)


__all__ = ["Z80", "quantiles", "residual_sigma", "step_interval"]
