"""Residuals of the step estimate on the check rows, by calibration family, and the coverage
of the 80% interval (leave one out): the evidence behind every interval dojosim prints.

A row's residual is ``r = log(predicted step / measured step)``; a throughput metric
(tokens/s, TFLOP/s per chip, MFU) is the inverse of a step, so ``r = -log(predicted /
measured)`` there. A family is a chip calibration (``nvidia-hopper``); a family with
fewer than :data:`MIN_ROWS` rows (too few for finite split-conformal 80% bounds; see
:mod:`dojosim.perf.interval`) adds the rows of its variants (calibrations that name it, or a
variant of it, as ``base:``: ``nvidia-blackwell`` and the GB200 and GB300 parts' own
calibrations), and failing that borrows every family's rows (pooled).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from typing import Any

from dojosim.perf.interval import MIN_CONFORMAL_ROWS, quantiles
from dojosim.spec.calibration import Residuals

MIN_ROWS = MIN_CONFORMAL_ROWS
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


@functools.cache
def variants(family: str) -> tuple[str, ...]:
    """Calibrations built on ``family``: those naming it as ``base:``, and theirs in turn
    (cached, as :func:`dojosim.catalog.raw` caches the entries it reads)."""
    from dojosim import catalog

    bases = {n: catalog.raw("calibration", n).get("base") for n in catalog.names("calibration")}
    out: list[str] = []
    todo = [family]
    while todo:
        parent = todo.pop()
        children = sorted(n for n, b in bases.items() if b == parent and n not in out)
        out += children
        todo += children
    return tuple(out)


def family_residuals(
    by_family: dict[str, list[tuple[str, float]]], family: str, leave_out: str | None = None
) -> Residuals | None:
    """The residual percentiles a family's intervals use (pooled when it has too few rows)."""
    own = [r for run, r in by_family.get(family, []) if run != leave_out]
    if len(own) >= MIN_ROWS:
        return quantiles(own)
    kin = [r for f in variants(family) for run, r in by_family.get(f, []) if run != leave_out]
    if len(own) + len(kin) >= MIN_ROWS:
        return quantiles(own + kin)
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
            total += 1
            if res.p10 <= r <= res.p90:
                inside += 1
            else:
                missed.append(run)
    return {
        "rows": total,
        "inside": inside,
        "coverage": inside / total if total else None,
        "outside": sorted(missed),
        "scale": scale_trend(scores),
    }


#: Chip-count bands of :func:`scale_trend` (inclusive upper bounds).
SCALE_BANDS = ((64, "1-64"), (512, "65-512"), (4096, "513-4,096"), (10**9, "over 4,096"))


def scale_trend(scores: Iterable[Any]) -> dict[str, Any]:
    """Does the error trend with the job's size? The check runs' signed step error
    (``exp(r) - 1``: positive when the predicted step is slower than measured) by band of
    chip count, and the least-squares slope of ``r`` against ``log10(chips)``."""
    rows = [
        (s.chips, log_step_error(s.metric, s.measured, s.predicted))
        for s in scores
        if s.role == "check" and s.kind == "run" and s.chips > 0
    ]
    bands = []
    low = 0
    for high, label in SCALE_BANDS:
        rs = [r for c, r in rows if low < c <= high]
        low = high
        if rs:
            mean = sum(rs) / len(rs)
            bands.append({"chips": label, "rows": len(rs), "mean_step_error": math.expm1(mean)})
    slope = None
    if len(rows) > 2:
        xs = [math.log10(c) for c, _ in rows]
        mx, my = sum(xs) / len(xs), sum(r for _, r in rows) / len(rows)
        sxx = sum((x - mx) ** 2 for x in xs)
        if sxx > 0:
            slope = sum((x - mx) * (r - my) for x, (_, r) in zip(xs, rows, strict=True)) / sxx
    return {"bands": bands, "slope_per_decade": slope}


__all__ = [
    "coverage",
    "family_residuals",
    "log_step_error",
    "residuals_by_family",
    "scale_trend",
    "variants",
]
