"""Score the model against the catalog's published runs (``catalog/runs``).

Each run names a metric (step time, MFU, TFLOP/s per chip, tokens/s) and the
measured value; the score is the signed relative error of the prediction,
``predicted / measured - 1``. Calibration rows were fitted on; check rows never
were; claim rows are vendor statements with a stated tolerance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from dojosim import catalog
from dojosim.perf.estimate import estimate


@dataclass(frozen=True)
class Score:
    """One run scored: measured and predicted in the run's metric."""

    run: str
    role: str
    metric: str
    measured: float
    predicted: float
    error: float
    tolerance: float | None
    within: bool | None
    source: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def score(name: str) -> Score:
    """Score one catalog run."""
    run = catalog.get("run", name)
    est = estimate(run.scenario)
    predicted = float(getattr(est, run.metric))
    error = predicted / run.measured - 1
    within = abs(error) <= run.tolerance if run.tolerance is not None else None
    return Score(
        run.name,
        run.role,
        run.metric,
        run.measured,
        predicted,
        error,
        run.tolerance,
        within,
        "; ".join(run.sources),
    )


def validate(roles: Iterable[str] | None = None) -> list[Score]:
    """Score every catalog run (optionally only some roles), calibration rows first."""
    wanted = set(roles) if roles else None
    order = {"calibration": 0, "check": 1, "claim": 2}
    runs = [catalog.get("run", n) for n in catalog.names("run")]
    runs = [r for r in runs if wanted is None or r.role in wanted]
    runs.sort(key=lambda r: (order[r.role], r.name))
    return [score(r.name) for r in runs]


def summary(scores: Iterable[Score]) -> dict[str, dict[str, float]]:
    """Mean and max absolute error per role."""
    by: dict[str, list[float]] = {}
    for s in scores:
        by.setdefault(s.role, []).append(abs(s.error))
    return {
        role: {
            "count": len(errs),
            "mean_abs_error": sum(errs) / len(errs),
            "max_abs_error": max(errs),
        }
        for role, errs in by.items()
    }
