"""The step estimate's error on the published runs, grouped: by system, chip, model,
precision, framework, workload class, calibration family or chip count.

A group's figures are those of :func:`dojosim.validate.summary` (mean, median and max
|error| of each row's own metric) plus its bias: ``mean_step_error = exp(mean r) - 1`` with
``r = log(predicted step / measured step)`` (:func:`~dojosim.validate.coverage.log_step_error`),
negative when dojosim predicts shorter steps than were measured (optimistic). A group's
``worst`` row is the one with the largest |error|; ``not_fitting`` names its runs that ran
although the estimate says they would not fit in memory (as :func:`dojosim.validate.summary`). Only runs are grouped (claims measure other
quantities); ``input`` rows never are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from dojosim.errors import nearest
from dojosim.validate import abs_error_stats, not_fitting
from dojosim.validate.coverage import SCALE_BANDS, family_of, log_step_error

#: What ``dojosim validate --by`` groups the runs by.
GROUP_BY = ("system", "chip", "model", "precision", "framework", "workload", "family", "chips")


def by_problem(by: str) -> str | None:
    """What is wrong with grouping ``by`` (None: nothing), with a did-you-mean: the one check
    the CLI, the API and :func:`groups` share."""
    if by in GROUP_BY:
        return None
    return f"expected {', '.join(GROUP_BY[:-1])} or {GROUP_BY[-1]}, got {by!r}" + nearest(
        by, GROUP_BY
    )


def _band(chips: int) -> str:
    """The chip-count band of :data:`~dojosim.validate.coverage.SCALE_BANDS` holding ``chips``."""
    for high, label in SCALE_BANDS:
        if chips <= high:
            return label
    return SCALE_BANDS[-1][1]


def _key(by: str) -> Callable[[Any], str]:
    if by == "chips":
        return lambda s: _band(s.chips)
    if by == "family":
        return lambda s: family_of(s.run)
    return lambda s: str(getattr(s, by)) or "?"


def groups(scores: Iterable[Any], by: str) -> list[dict[str, Any]]:
    """The runs among ``scores`` (calibration and check rows) grouped ``by`` one of
    :data:`GROUP_BY`, largest mean |error| first (chip bands in their own order)."""
    if why := by_problem(by):
        raise ValueError(f"by: {why}")
    key = _key(by)
    found: dict[str, list[Any]] = {}
    for s in scores:
        if s.kind == "run" and s.role in ("calibration", "check"):
            found.setdefault(key(s), []).append(s)
    out = []
    for name, rows in found.items():
        logs = [log_step_error(s.metric, s.measured, s.predicted) for s in rows]
        worst = max(rows, key=lambda s: abs(s.error))
        out.append(
            {
                by: name,
                "rows": len(rows),
                **abs_error_stats(rows),
                "mean_step_error": math.expm1(sum(logs) / len(rows)),
                "worst": worst.run,
                "not_fitting": not_fitting(rows),
            }
        )
    if by == "chips":
        order = {label: i for i, (_, label) in enumerate(SCALE_BANDS)}
        return sorted(out, key=lambda g: order[g[by]])
    return sorted(out, key=lambda g: (-g["mean_abs_error"], g[by]))


__all__ = ["GROUP_BY", "by_problem", "groups"]
