"""`dojosim goodput`: the Monte Carlo of a scenario's ``reliability:`` section, summarised.

:func:`goodput` estimates the step once (``dojosim.estimate``), builds the plan,
simulates ``runs`` seeded runs (run ``i`` draws from ``SeedSequence(seed)``'s
``i``-th child, so a seed reproduces every run), then sweeps the checkpoint
interval around its exact optimum with the same random numbers to find the
simulated optimum. The document's badput buckets follow Google's
ml-goodput-measurement (:data:`BUCKETS`).

Units: seconds; ETTR = productive time / wall-clock duration.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from dojosim.sim.engine import BADPUT, RunResult, run_once
from dojosim.sim.failure_model import INTERRUPTING
from dojosim.sim.plan import SimPlan, build, context

#: Our badput buckets and the ml-goodput-measurement ``BadputType`` each corresponds to.
BUCKETS = {
    "checkpoint_save": "UNPRODUCTIVE_CHECKPOINT_SAVE_TIME",
    "checkpoint_restore": "UNPRODUCTIVE_CHECKPOINT_RESTORE_TIME",
    "lost_progress": "WASTED_PROGRESS_FROM_DISRUPTION",
    "restart": "TPU_INITIALIZATION + TRAINING_PREP + PROGRAM_STARTUP (restart and initialisation)",
    "waiting_for_repair": "INFRASTRUCTURE_RECOVERY_FROM_DISRUPTION",
    "stragglers": "step time deviation",
    "reduced_capacity": "elastic scale-down (running short of chips)",
}
#: Multiples of the exact optimum swept for the simulated optimum.
SWEEP = (0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0)
CURVE_POINTS = 48


@dataclass(frozen=True)
class Runs:
    """Per-run arrays of a Monte Carlo (s, counts)."""

    ettr: np.ndarray
    badput: np.ndarray  # runs x buckets
    counts: np.ndarray  # runs x causes
    exposure: np.ndarray
    spares_used: np.ndarray
    lost_chips: np.ndarray
    capacity: np.ndarray  # runs x curve points
    grid: np.ndarray


def simulate(
    plan: SimPlan,
    runs: int,
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> Runs:
    """``runs`` seeded runs of ``plan``; ``progress(i)`` is called after each."""
    if runs < 1:
        from dojosim.errors import DojosimError

        raise DojosimError(f"--runs must be at least 1, got {runs}")
    children = np.random.SeedSequence(seed).spawn(runs)
    grid = np.linspace(0.0, plan.duration_s, CURVE_POINTS)
    out: list[RunResult] = []
    for i, child in enumerate(children):
        out.append(run_once(plan, np.random.default_rng(child)))
        if progress is not None:
            progress(i + 1)
    cap = np.empty((runs, grid.size))
    for j, r in enumerate(out):
        idx = np.searchsorted(np.asarray(r.capacity_t), grid, side="right") - 1
        cap[j] = np.asarray(r.capacity_f)[idx]
    return Runs(
        ettr=np.array([r.productive_s for r in out]) / plan.duration_s,
        badput=np.array([r.badput for r in out]),
        counts=np.array([r.counts for r in out], dtype=float).reshape(runs, len(plan.names)),
        exposure=np.array([r.exposure_s for r in out]),
        spares_used=np.array([r.spares_used for r in out], dtype=float),
        lost_chips=np.array([r.lost_chips for r in out], dtype=float),
        capacity=cap,
        grid=grid,
    )


def sweep(plan: SimPlan, runs: int, seed: int) -> list[dict[str, float]]:
    """ETTR simulated (same random numbers at every interval) and exact, around the optimum."""
    best = plan.optima["exact"]
    if not math.isfinite(best):
        return []
    rows = []
    for m in SWEEP:
        tau = best * m
        if not (tau < plan.duration_s and tau > plan.commit_s):
            continue
        sim = simulate(plan.with_interval(tau), runs, seed)
        rows.append(
            {
                "interval_s": tau,
                "ettr_simulated": float(sim.ettr.mean()),
                "ettr_exact": plan.ettr_exact(tau),
            }
        )
    return rows


def exact_curve(plan: SimPlan) -> list[dict[str, float]]:
    """The closed-form ETTR on a fine grid over the swept range (synchronous recovery only)."""
    best = plan.optima["exact"]
    if not math.isfinite(best) or plan.ft_stall_s is not None:
        return []
    grid = best * np.geomspace(SWEEP[0], SWEEP[-1], CURVE_POINTS)
    grid = grid[(grid < plan.duration_s) & (grid > plan.commit_s)]
    return [{"interval_s": float(t), "ettr": plan.ettr_exact(float(t))} for t in grid]


def simulated_optimum(rows: list[dict[str, float]]) -> float | None:
    """The interval of highest simulated ETTR, refined by a parabola in log(interval)."""
    if len(rows) < 3:
        return None
    x = np.log([r["interval_s"] for r in rows])
    y = np.array([r["ettr_simulated"] for r in rows])
    k = int(np.clip(np.argmax(y), 1, len(y) - 2))
    a, b, _ = np.polyfit(x[k - 1 : k + 2], y[k - 1 : k + 2], 2)
    if a >= 0:
        return float(math.exp(x[int(np.argmax(y))]))
    return float(math.exp(np.clip(-b / (2 * a), x[k - 1], x[k + 1])))


def _stats(values: np.ndarray) -> dict[str, float]:
    return {
        "mean": float(values.mean()),
        "p10": float(np.percentile(values, 10)),
        "p90": float(np.percentile(values, 90)),
        "std": float(values.std(ddof=1)) if values.size > 1 else 0.0,
    }


def _orbit(plan: SimPlan, sim: Runs, ctx: Any) -> dict[str, Any] | None:
    if not plan.orbit:
        return None
    curve = sim.capacity.mean(axis=0)
    out: dict[str, Any] = {
        "capacity_end": float(curve[-1]),
        "capacity_mean": float(np.trapezoid(curve, sim.grid) / plan.duration_s),
        "capacity_curve": [
            {"t_s": float(t), "capacity": float(c)} for t, c in zip(sim.grid, curve, strict=True)
        ],
        "lost_chips": float(sim.lost_chips.mean()),
        "spares_launched_chips": plan.spares_chips,
        "spares_used_chips": float(sim.spares_used.mean()),
        "cost_per_delivered_flop_factor": 1.0 / max(float(sim.ettr.mean()), 1e-12),
    }
    if ctx.radiation is not None:
        out["radiation"] = ctx.radiation.to_dict()
    return out


def document(
    plan: SimPlan, sim: Runs, rows: list[dict[str, float]], ctx: Any, seed: int
) -> dict[str, Any]:
    """The JSON document of ``dojosim goodput``."""
    runs = sim.ettr.size
    interrupting = np.array([a in INTERRUPTING for a in plan.actions])
    planned = np.array([a == "planned" for a in plan.actions])
    per_run = sim.counts[:, interrupting].sum(axis=1)
    total = float(per_run.sum())
    exposure = float(sim.exposure.sum())
    badput = sim.badput.mean(axis=0)
    return {
        "scenario": plan.scenario,
        "failures": ctx.model.name,
        "site_type": "orbit" if plan.orbit else "earth",
        "chips": plan.chips,
        "replicas": plan.replicas,
        "step_time_s": plan.step_time_s,
        "duration_s": plan.duration_s,
        "runs": runs,
        "seed": seed,
        "ettr": _stats(sim.ettr),
        "ettr_exact": plan.ettr_exact() if plan.ft_stall_s is None else None,
        "interruptions": total / runs,
        "interruptions_p10": float(np.percentile(per_run, 10)),
        "interruptions_p90": float(np.percentile(per_run, 90)),
        "planned_interruptions": float(sim.counts[:, planned].sum(axis=1).mean()),
        "interruptions_by_cause": {
            name: float(sim.counts[:, i].mean()) for i, name in enumerate(plan.names)
        },
        "job_mttf_s": exposure / total if total > 0 else None,
        "checkpoint_interval_s": {
            "chosen": plan.interval_s,
            "mode": plan.interval_mode,
            "young_daly": plan.optima["young_daly"],
            "daly": plan.optima["daly"],
            "exact": plan.optima["exact"],
            "simulated": simulated_optimum(rows),
        },
        "checkpoint_save_s": plan.save_s,
        "checkpoint_restore_s": plan.restore_s,
        "restart_s": plan.restart_s,
        "mtbf_s": plan.mtbf_s if math.isfinite(plan.mtbf_s) else None,
        "productive_s": float(sim.ettr.mean() * plan.duration_s),
        "badput_s": {k: float(v) for k, v in zip(BADPUT, badput, strict=True)},
        "badput_buckets": BUCKETS,
        "interval_sweep": rows,
        "ettr_exact_curve": exact_curve(plan),
        "orbit": _orbit(plan, sim, ctx),
        "notes": list(plan.notes),
    }


@dataclass(frozen=True)
class GoodputResult:
    """A goodput Monte Carlo: its document, and the plan it ran."""

    doc: dict[str, Any]
    plan: SimPlan

    def as_dict(self) -> dict[str, Any]:
        return self.doc

    @property
    def ettr(self) -> float:
        return float(self.doc["ettr"]["mean"])


def goodput(
    scenario: Any,
    runs: int = 100,
    seed: int = 0,
    *,
    est: Any | None = None,
    sweep_runs: int | None = None,
    progress: Callable[[int], None] | None = None,
    overrides: dict[str, Any] | None = None,
) -> GoodputResult:
    """Simulate a scenario with a ``reliability:`` section (path, built-in name, mapping, Scenario).

    ``est`` is its step estimate when the caller already has one (else it is
    computed once here); ``sweep_runs`` the runs per interval of the optimum sweep
    (default ``max(1, runs // 10)``; 0 skips the sweep); ``overrides`` maps fields of
    the :class:`SimPlan` to new values, for what-ifs the section cannot express.
    """
    from dataclasses import replace

    ctx = context(scenario, est)
    if ctx.est is None:
        from dojosim.perf.estimate import estimate

        ctx = replace(ctx, est=estimate(ctx.scenario))
    plan = build(ctx, ctx.est)
    if overrides:
        plan = replace(plan, **overrides)
    sim = simulate(plan, runs, seed, progress)
    n_sweep = max(1, runs // 10) if sweep_runs is None else sweep_runs
    rows = sweep(plan, n_sweep, seed) if n_sweep > 0 else []
    return GoodputResult(document(plan, sim, rows, ctx, seed), plan)
