"""Residuals of the step estimate on the check rows, by calibration family, and the coverage
of the 80% interval (leave one out): the evidence behind every interval dojosim prints.

A row's residual is ``r = log(predicted step / measured step)``; a throughput metric
(tokens/s, TFLOP/s per chip, MFU) is the inverse of a step, so ``r = -log(predicted /
measured)`` there. A family is a chip calibration (``nvidia-hopper``); a family with
fewer than :data:`MIN_ROWS` rows borrows every family's rows (pooled).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from dojosim.perf.interval import Z80, quantiles, residual_sigma
from dojosim.spec.calibration import Residuals

MIN_ROWS = 3
STEP_METRICS = ("step_time_s",)


def log_step_error(metric: str, measured: float, predicted: float) -> float:
    """``log(predicted step / measured step)`` of a row scored on ``metric``."""
    r = math.log(predicted / measured)
    return r if metric in STEP_METRICS else -r


def family_of(run_name: str) -> str:
    """The calibration family of a catalog run (its chip's calibration)."""
    from dojosim import catalog
    from dojosim.spec.resolve import load_any

    run = catalog.get("run", run_name)
    return str(load_any(run.scenario).calibration.name)


def residuals_by_family(scores: Iterable[Any]) -> dict[str, list[tuple[str, float]]]:
    """Check rows' residuals grouped by calibration family: {family: [(run, r), ...]}."""
    out: dict[str, list[tuple[str, float]]] = {}
    for s in scores:
        if s.role != "check" or s.kind != "run":
            continue
        r = log_step_error(s.metric, s.measured, s.predicted)
        out.setdefault(family_of(s.run), []).append((s.run, r))
    return out


def family_residuals(
    by_family: dict[str, list[tuple[str, float]]], family: str, leave_out: str | None = None
) -> Residuals | None:
    """The residual percentiles a family's intervals use (pooled when it has too few rows)."""
    own = [r for run, r in by_family.get(family, []) if run != leave_out]
    if len(own) >= MIN_ROWS:
        return quantiles(own)
    every = [r for rows in by_family.values() for run, r in rows if run != leave_out]
    return quantiles(every, pooled=True)


def coverage(scores: Iterable[Any]) -> dict[str, Any]:
    """The share of check rows whose measured step lies in the interval the other rows give."""
    by_family = residuals_by_family(scores)
    inside = total = 0
    missed = []
    for family, rows in by_family.items():
        for run, r in rows:
            res = family_residuals(by_family, family, leave_out=run)
            if res is None:
                continue
            sigma = residual_sigma(res)
            total += 1
            if abs(r - res.median) <= Z80 * sigma:
                inside += 1
            else:
                missed.append(run)
    return {
        "rows": total,
        "inside": inside,
        "coverage": inside / total if total else None,
        "outside": sorted(missed),
    }


__all__ = ["coverage", "family_residuals", "log_step_error", "residuals_by_family"]
