"""Score the model against the catalog's published runs and claims.

Two sources of rows:

* **Runs** (``catalog/runs``): each names a metric of the step estimate (step
  time, MFU, TFLOP/s per chip, tokens/s) and the measured value; the score is the
  signed relative error of the prediction, ``predicted / measured - 1``.
  Calibration rows were fitted on; check rows never were; claim rows are vendor
  statements with a stated tolerance.
* **Claim sets** (:data:`CLAIM_SETS`): published figures that are not a step
  time — a radiator's W/m², a cost comparison, a tile's power — recomputed by a
  room's own functions. Each becomes a ``claim`` row with its source, tolerance
  and note.

Adding claim rows (for example Tesla's AI Day figures from the Dojo room)
---------------------------------------------------------------------------
1. Write a catalog entry of ``type: claims`` in ``catalog/sites/`` (schema
   :class:`dojosim.site.schema.ClaimsEntry`), one row per figure::

       name: dojo-claims
       type: claims
       source: ["Each row names its source."]
       claims:
         - id: dojo-exapod-eflops
           quantity: fraction          # a key of dojosim.site.quantity.UNITS: power, usd, area, ...
           value: {value: 1.1e18, source: "AI Day 2021"}
           tolerance: 0.05             # relative; null for an informational row
           source: "Tesla AI Day 2021: 1.1 EFLOPS BF16/CFP8 per ExaPOD"
           note: "how ours is computed, and why it may differ"

2. In your room, a mapping from each row ``id`` to a zero-argument function
   returning the value in the SI unit of the row's quantity::

       COMPUTE = {"dojo-exapod-eflops": lambda: 3000 * catalog.get("chip", "d1").peak("bf16")}

3. Register it: add ``"dojo-claims": "dojosim.<room>.claims:COMPUTE"`` to
   :data:`CLAIM_SETS` (or call :func:`register_claim_set` at import time).

``dojosim validate`` then shows the rows (role ``claim``), in text and ``--json``. A
claims entry with ``role: check`` lists its rows as held-out ``check`` rows instead:
predictions of published measurements, never fitted (the goodput room's
``goodput-checks``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from dojosim import catalog

#: Claim sets: a ``claims`` catalog entry (kind ``site``) -> "module:ATTRIBUTE", a mapping of
#: row id -> zero-argument function returning the value in SI units of the row's quantity.
CLAIM_SETS: dict[str, str] = {
    "site-claims": "dojosim.site.claims:COMPUTE",
    "cost-claims": "dojosim.cost.claims:COMPUTE",
    "dojo-claims": "dojosim.validate.tesla_claims:COMPUTE",
    "goodput-checks": "dojosim.sim.checks:COMPUTE",
}


def register_claim_set(entry: str, compute: str) -> None:
    """Register a claims catalog entry and the ``"module:ATTRIBUTE"`` mapping that computes it."""
    if ":" not in compute:
        raise ValueError("compute must be 'module:ATTRIBUTE'")
    CLAIM_SETS[entry] = compute


@dataclass(frozen=True)
class Score:
    """One row scored: measured (or published) and predicted (or recomputed), in SI units.

    ``metric`` is the estimate's metric for runs and the quantity kind for claims; ``unit`` is
    the unit of both values; ``within`` is None where a row has no tolerance.
    """

    run: str
    role: str
    metric: str
    measured: float
    predicted: float
    error: float
    tolerance: float | None
    within: bool | None
    source: str
    unit: str = ""
    note: str = ""
    kind: str = "run"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def score(name: str) -> Score:
    """Score one catalog run."""
    from dojosim.perf.estimate import estimate

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


def _compute_table(ref: str) -> Mapping[str, Callable[[], float]]:
    module, _, attr = ref.partition(":")
    table: Mapping[str, Callable[[], float]] = getattr(importlib.import_module(module), attr)
    return table


def claim_scores(
    sets: Mapping[str, str] | None = None, roles: Iterable[str] | None = None
) -> list[Score]:
    """Every registered claim set recomputed, one row per published figure.

    A row's role is its entry's ``role`` (``claim`` unless the entry says ``check``);
    ``roles`` keeps only the sets of those roles.
    """
    from dojosim.site.claims import check_claims
    from dojosim.site.schema import ClaimsEntry, site

    wanted = set(roles) if roles is not None else None
    rows = []
    for entry, ref in (CLAIM_SETS if sets is None else sets).items():
        role = site(entry, ClaimsEntry).role
        if wanted is not None and role not in wanted:
            continue
        for r in check_claims(entry, _compute_table(ref)):
            error = r.computed / r.expected - 1 if r.expected else r.computed
            rows.append(
                Score(
                    run=r.id,
                    role=role,
                    metric=r.quantity,
                    measured=r.expected,
                    predicted=r.computed,
                    error=error,
                    tolerance=r.tolerance,
                    within=r.ok,
                    source=r.source,
                    unit=r.unit,
                    note=" ".join(r.note.split()),
                    kind=entry,
                )
            )
    return rows


def validate(roles: Iterable[str] | None = None) -> list[Score]:
    """Score every catalog run and claim (optionally only some roles), calibration rows first."""
    wanted = set(roles) if roles else None
    order = {"calibration": 0, "check": 1, "claim": 2}
    runs = [catalog.get("run", n) for n in catalog.names("run")]
    runs = [r for r in runs if wanted is None or r.role in wanted]
    runs.sort(key=lambda r: (order[r.role], r.name))
    scores = [score(r.name) for r in runs]
    scores.extend(claim_scores(roles=wanted))
    scores.sort(key=lambda s: order[s.role])  # stable: runs before claim sets within a role
    return scores


def summary(scores: Iterable[Score]) -> dict[str, dict[str, float]]:
    """Mean and max absolute error per role; claim rows count only where they have a tolerance."""
    by: dict[str, list[float]] = {}
    for s in scores:
        if s.role == "claim" and s.tolerance is None:
            continue
        by.setdefault(s.role, []).append(abs(s.error))
    return {
        role: {
            "count": len(errs),
            "mean_abs_error": sum(errs) / len(errs),
            "max_abs_error": max(errs),
        }
        for role, errs in by.items()
    }
