"""An 80% interval next to every step time.

Two sources of uncertainty are combined in log space:

* **How the family missed its check rows.** A chip's calibration stores, over the
  check rows of chips that use it, the residuals ``r = log(predicted step / measured
  step)``: their median and the split-conformal 80% bounds ``p10`` and ``p90``, the
  ``floor(0.1 (n + 1))``-th and ``ceil(0.9 (n + 1))``-th smallest of the ``n``
  (``residuals``, written by ``python scripts/calibrate.py --residuals``). A new row
  exchangeable with those falls between them with probability at least 80% for any
  distribution of the residuals (Lei et al. 2018, "Distribution-Free Predictive
  Inference for Regression", JASA 113(523), Section 2.2); plain sample percentiles
  cover less than that in samples this small. A measured step is ``predicted x
  e^-r``, so the bounds give the interval, and they may be lopsided. A family with
  fewer than 9 check rows (too few for finite 80% bounds) takes every family's rows
  together (``pooled``) and says so.
* **Assumptions.** Every constant the catalog gives as a range (``{value, low,
  high}``; the what-if D1's, the attention kernels of newer stacks) that can move the
  step (FlashAttention-1's ratio only where the scenario runs it) is set to its
  low and its high end in turn, the chosen layout re-timed, and the spread of each
  read as the 10th to 90th percentile of a normal in log space. These spreads add in
  quadrature to each other and to each side of the residual bounds (measured from
  the median).

The interval is ``predicted x exp(-median - upper)`` to ``predicted x exp(-median +
lower)``, ``upper`` and ``lower`` being the widened distances from the median to
``p90`` and ``p10``. ``dojosim validate`` reports its coverage: the share of check
rows whose measured step falls inside the interval built from the other rows (leave
one out).
"""

from __future__ import annotations

import math
from typing import Any

from dojosim.spec.calibration import Calibration, Residuals

Z80 = 1.2815515655446004  # the 90th percentile of a standard normal


#: Fewest residuals with finite split-conformal 80% bounds: ceil(0.9 (n + 1)) <= n.
MIN_CONFORMAL_ROWS = 9


def residual_sigma(res: Residuals) -> float:
    """Half the width of the residual bounds, as a normal's sigma (a summary for reports)."""
    return max(res.p90 - res.p10, 0.0) / (2 * Z80)


def _applies(name: str, sc: Any, lay: Any) -> bool:
    """Whether a ranged constant can move this scenario's step with layout ``lay`` (a kernel
    or schedule it does not run cannot, and re-timing it would only cost time)."""
    kernel = getattr(sc, "attention_kernel", "auto")
    if name.startswith("flash_attention_1_"):
        return kernel == "flash-attention-1"
    if name == "flash_attention_efficiency":  # a named kernel has its own measured curve
        return kernel == "auto"
    if name == "combined_1f1b_hidden_share":
        return bool(getattr(lay, "overlap_expert_parallel", False))
    return True


def _assumption_spreads(sc: Any, lay: Any, base: float) -> dict[str, float]:
    """Each ranged constant's spread of log(step), as a sigma, with the layout held."""
    from dojosim.perf.context import context
    from dojosim.perf.step import evaluate

    cal: Calibration = sc.calibration
    out = {}
    for name, (lo, hi) in cal.ranges.items():
        if not _applies(name, sc, lay):
            continue
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
    assumed = sum((Z80 * v) ** 2 for v in spreads.values())
    lower = math.sqrt(max(res.median - res.p10, 0.0) ** 2 + assumed)
    upper = math.sqrt(max(res.p90 - res.median, 0.0) ** 2 + assumed)
    step = est.step_time_s
    low = step * math.exp(-res.median - upper)
    high = step * math.exp(-res.median + lower)
    how: dict[str, Any] = {
        "method": "check-row residuals and catalog ranges (docs/estimator.md, Intervals)",
        "calibration": cal.name,
        "check_rows": res.rows,
        "pooled": res.pooled,
        "median_log_error": res.median,
        "log_error_bounds": [res.p10, res.p90],
        "sigma_residuals": residual_sigma(res),
        "sigma_assumptions": spreads,
    }
    if res.pooled:
        how["note"] = (
            f"no check rows use calibration {cal.name!r}: the interval takes every family's "
            "rows together, widened by its assumption ranges"
        )
    return (low, high), how


def quantiles(values: list[float], pooled: bool = False) -> Residuals | None:
    """The median and split-conformal 80% bounds of ``values`` (log errors), or None when
    there are too few (fewer than :data:`MIN_CONFORMAL_ROWS`) for finite bounds."""
    n = len(values)
    if n < MIN_CONFORMAL_ROWS:
        return None
    xs = sorted(values)
    lo = math.floor(0.1 * (n + 1))  # 1-based order statistics
    hi = math.ceil(0.9 * (n + 1))
    mid = (xs[(n - 1) // 2] + xs[n // 2]) / 2
    return Residuals(rows=n, p10=xs[lo - 1], median=mid, p90=xs[hi - 1], pooled=pooled)


__all__ = ["MIN_CONFORMAL_ROWS", "Z80", "quantiles", "residual_sigma", "step_interval"]
