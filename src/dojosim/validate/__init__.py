"""Score the model against the catalog's published runs and claims.

Two sources of rows:

* **Runs** (``catalog/runs``): each names a metric of the step estimate (step
  time, MFU, TFLOP/s per chip, tokens/s) and the measured value; the score is the
  signed relative error of the prediction, ``predicted / measured - 1``.
  Calibration rows were fitted on; check rows never were; claim rows are vendor
  statements with a stated tolerance. Regression rows are check rows whose publisher
  reports a software regression in the measured release: scored, summarised on their
  own, kept out of the check figures, residuals and intervals.
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

A claim row whose value is one of our own inputs (the 700 W TDP of the chip we
put on the satellite) cannot fail; its catalog row says ``restates: <which
input>`` and it is scored with role ``input``: shown, never summarised.

Summaries (:func:`summary`) give the mean and max |error| per role and, where a
role mixes units (claims in W, USD, m²), per role and unit, and name the rows
outside their tolerance.
"""

from __future__ import annotations

import importlib
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from dojosim import catalog
from dojosim.errors import nearest

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
    restates: str = ""
    workload: str = ""  # runs: dense, moe (mixture of experts) or long-context (context parallel)
    chips: int = 0  # runs: the chips of the job
    # runs: what the job ran on and in (the estimate's names), for grouping the errors
    system: str = ""
    chip: str = ""
    model: str = ""
    precision: str = ""
    framework: str = ""
    # runs: whether the estimate's layout fits in the chip's memory (a run that ran did fit)
    fits: bool | None = None

    @property
    def status(self) -> str:
        """``input`` (restates an input), ``regression`` (measured under a software regression its
        publisher reports; ``note`` cites the report), ``ok``, ``failed`` (outside tolerance) or
        ``no tolerance``."""
        if self.role in ("input", "regression"):
            return self.role
        if self.within is None:
            return "no tolerance"
        return "ok" if self.within else "failed"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status}


#: Roles in the order rows are shown; ``input`` rows restate an input and are never summarised;
#: ``regression`` rows (measured under a software regression their publisher reports) are
#: summarised apart from the check rows.
ROLES = ("calibration", "check", "regression", "claim", "input")


def role_problem(role: str) -> str | None:
    """What is wrong with asking for rows of ``role`` (None: nothing), with a did-you-mean: the
    one check the CLI's ``--role`` and the API's ``role`` share."""
    if role in ROLES:
        return None
    return f"expected {', '.join(ROLES[:-1])} or {ROLES[-1]}, got {role!r}" + nearest(role, ROLES)


#: Unit of each run metric (the estimate's field of that name).
METRIC_UNITS = {
    "step_time_s": "s",
    "mfu": "dimensionless",
    "hfu": "dimensionless",
    "model_tflops_per_chip": "TFLOP/s",
    "hardware_tflops_per_chip": "TFLOP/s",
    "tokens_per_s": "token/s",
}


def score(name: str) -> Score:
    """Score one catalog run."""
    from dojosim.perf.estimate import estimate

    run = catalog.get("run", name)
    est = estimate(run.scenario)
    predicted = float(getattr(est, run.metric))
    error = predicted / run.measured - 1
    within = abs(error) <= run.tolerance if run.tolerance is not None else None
    workload = "long-context" if int(est.layout.get("context", 1)) > 1 else _kind(run.scenario)
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
        unit=METRIC_UNITS.get(run.metric, ""),
        note=run.regression or "",
        workload=workload,
        chips=int(est.chips),
        system=est.system,
        chip=est.chip,
        model=est.model,
        precision=est.precision,
        framework=est.framework,
        fits=bool(est.fits_in_memory),
    )


def _kind(scenario: Mapping[str, Any]) -> str:
    """``moe`` when the scenario's model (a catalog name, or inline with or without a
    ``base``) has more than one expert, else ``dense``."""
    model = scenario.get("model")
    if isinstance(model, Mapping):
        experts = model.get("experts")
        if experts is None and isinstance(model.get("base"), str):
            model = model["base"]
    if isinstance(model, str):
        experts = catalog.get("model", model).experts if model in catalog.names("model") else 1
    return "moe" if int(experts or 1) > 1 else "dense"


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
                    role="input" if r.restates else role,
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
                    restates=r.restates,
                )
            )
    return rows


def validate(
    roles: Iterable[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[Score]:
    """Score every catalog run and claim (optionally only some roles), calibration rows first.

    ``progress(stage, done, total)`` is called before each run is scored and before the claims.
    """
    wanted = set(roles) if roles else None
    order = {role: i for i, role in enumerate(ROLES)}
    runs = [catalog.get("run", n) for n in catalog.names("run")]
    runs = [r for r in runs if wanted is None or r.role in wanted]
    runs.sort(key=lambda r: (order[r.role], r.name))
    scores = []
    for i, r in enumerate(runs):
        if progress:
            progress(f"scoring {r.name}", i, len(runs) + 1)
        scores.append(score(r.name))
    if progress:
        progress("recomputing published claims", len(runs), len(runs) + 1)
    claims = claim_scores(roles=None if wanted is None else wanted | {"claim", "check"})
    scores.extend(s for s in claims if wanted is None or s.role in wanted)
    scores.sort(key=lambda s: order[s.role])  # stable: runs before claim sets within a role
    return scores


def not_fitting(scores: Iterable[Any]) -> list[str]:
    """The runs among ``scores`` that ran although the estimate says they would not fit in
    memory."""
    return [s.run for s in scores if s.fits is False]


def summary(scores: Iterable[Score]) -> dict[str, dict[str, Any]]:
    """Mean and max |error| per role, split by unit where a role mixes units; failed rows named,
    and the runs the estimate says would not fit in memory although they ran (``not_fitting``).

    Keys are the role (``calibration``) or, for a role whose rows have several units,
    ``"<role> [<unit>]"``; check runs are also summarised by workload under ``"check: dense"``,
    ``"check: moe"`` and ``"check: long-context"``; ``regression`` rows have their own key. Rows
    without a tolerance (informational re-runs) and ``input`` rows (restating an input) are
    left out; relative errors of different units are never averaged together.
    """
    rows = [
        s
        for s in scores
        if s.role in ("calibration", "check", "regression")
        or (s.role == "claim" and s.tolerance is not None)
    ]
    units: dict[str, set[str]] = {}
    for s in rows:
        if s.kind != "run":
            units.setdefault(s.role, set()).add(s.unit)
    groups: dict[str, list[Score]] = {}
    for s in rows:
        # Runs' errors are relative errors of one step estimate, whatever the metric; claims
        # of different quantities are kept apart.
        if s.kind == "run" or (
            len(units.get(s.role, set())) <= 1
            and not any(r.kind == "run" and r.role == s.role for r in rows)
        ):
            key = s.role
        else:
            key = f"{s.role} [{s.unit or 'dimensionless'}]"
        groups.setdefault(key, []).append(s)
    # Check runs also by workload class (dense, moe, long-context): the frontier's own figures.
    for s in rows:
        if s.kind == "run" and s.role == "check" and s.workload:
            groups.setdefault(f"check: {s.workload}", []).append(s)
    out: dict[str, dict[str, Any]] = {}
    for key, group in groups.items():
        out[key] = {
            "count": len(group),
            "unit": group[0].unit,
            **abs_error_stats(group),
            "failed": [s.run for s in group if s.within is False],
            "not_fitting": not_fitting(group),
        }
    return out


def abs_error_stats(rows: Sequence[Any]) -> dict[str, float]:
    """Mean, median and max |error| of scored ``rows`` (at least one), as :func:`summary`
    and :func:`dojosim.validate.groups.groups` report them."""
    errs = sorted(abs(s.error) for s in rows)  # summed smallest first
    return {
        "mean_abs_error": sum(errs) / len(errs),
        "median_abs_error": statistics.median(errs),
        "max_abs_error": errs[-1],
    }
