"""Scenario + estimate -> a frozen simulation plan: rates per cause, recovery, checkpoints (SI).

:func:`context` resolves the ``reliability:`` section (the failure model, the
orbit's radiation, the span simulated); :func:`build` adds the step estimate
(computed once by the caller) and turns everything into :class:`SimPlan`, the
engine's only input. Every bad value is a :class:`~dojosim.errors.SpecError`
naming the ``reliability.*`` field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dojosim.errors import SpecError
from dojosim.sim import optimum
from dojosim.sim.failure_model import INTERRUPTING, Cause, FailureModelEntry, resolve
from dojosim.sim.orbit import RadiationEffects, effects
from dojosim.sim.section import ReliabilitySection

#: Integer codes of the actions, as the engine uses them.
ACTIONS = ("restart", "swap", "sdc", "planned", "slow")


@dataclass(frozen=True)
class Context:
    """A resolved scenario with its reliability section, failure model and span (s)."""

    scenario: Any
    section: ReliabilitySection
    model: FailureModelEntry
    orbit: bool
    radiation: RadiationEffects | None
    duration_s: float
    est: Any | None
    file: str | None


def load(source: Any) -> Any:
    """A resolved scenario from a path, built-in name, mapping or resolved scenario."""
    from dojosim.spec.resolve import load_any

    if hasattr(source, "chips") and hasattr(source, "system"):
        return source
    return load_any(str(source) if isinstance(source, Path) else source)


def _duration(sc: Any, sec: ReliabilitySection, est: Any | None) -> tuple[float, Any | None]:
    if sec.duration is not None:
        return sec.duration, est
    budget = sc.cost.train if sc.cost is not None else None
    if budget is None:
        raise SpecError(
            "give the wall-clock span to simulate (e.g. '54 d'), or a cost.train budget",
            file=sc.source_file,
            field="reliability.duration",
        )
    if est is None:
        from dojosim.perf.estimate import estimate

        est = estimate(sc)
    if not est.tokens_per_s > 0:
        raise SpecError(
            "the job reports no tokens/s, so a token budget gives no duration; give duration",
            file=sc.source_file,
            field="reliability.duration",
        )
    return budget.total_tokens / est.tokens_per_s, est


def context(source: Any, est: Any | None = None) -> Context:
    """Resolve a scenario's ``reliability:`` section; ``est`` is its estimate, if already made."""
    sc = load(source)
    sec = sc.reliability
    file = sc.source_file
    if sec is None:
        raise SpecError(
            "the scenario has no reliability: section (see docs/goodput.md)",
            file=file,
            field="reliability",
        )
    model = resolve(sec.failures, file)
    orbit = sc.site is not None and sc.site.type == "orbit"
    rad = None
    if sec.radiation is not None:
        if not orbit:
            raise SpecError(
                "radiation applies to an orbit site (site.type: orbit)",
                file=file,
                field="reliability.radiation",
            )
        rad = effects(sc.site, sec.radiation, model, file)
    duration, est = _duration(sc, sec, est)
    return Context(sc, sec, model, orbit, rad, duration, est, file)


@dataclass(frozen=True)
class SimPlan:
    """Everything the engine needs, in SI floats. Rates are the whole job's, per cause (1/s)."""

    scenario: str
    duration_s: float
    chips: int
    replicas: int
    step_time_s: float
    names: tuple[str, ...]
    actions: tuple[str, ...]
    per: tuple[str, ...]
    rates: NDArray[np.float64]
    swap_chips: NDArray[np.int64]
    detection_s: NDArray[np.float64]
    slowdown: NDArray[np.float64]
    slow_duration_s: NDArray[np.float64]
    restart_s: float
    restore_s: float
    interval_s: float
    save_s: float
    commit_s: float
    spares_chips: int
    repair_s: float
    while_short: str
    ft_stall_s: float | None
    tid_s: float
    orbit: bool
    optima: dict[str, float]
    interval_mode: str
    mtbf_s: float
    planned_rate: float
    notes: tuple[str, ...] = field(default=())

    def with_interval(self, interval_s: float) -> SimPlan:
        """The same plan checkpointing every ``interval_s`` seconds of work."""
        from dataclasses import replace

        return replace(self, interval_s=float(interval_s), interval_mode="given")

    def ettr_exact(self, interval_s: float | None = None) -> float:
        """The closed-form ETTR at an interval (exponential unplanned failures, see optimum)."""
        tau = self.interval_s if interval_s is None else interval_s
        base = float(optimum.ettr(tau, self.save_s, self.mtbf_s, self.restart_s + self.restore_s))
        planned = self.planned_rate * (self.save_s + self.restart_s + self.restore_s)
        return base / (1.0 + planned)


def optima_of(save_s: float, mtbf_s: float) -> dict[str, float]:
    """The interval optima (s) for a save and an MTBF: Young/Daly, Daly, exact."""
    return {
        "young_daly": float(optimum.young(save_s, mtbf_s)),
        "daly": float(optimum.daly(save_s, mtbf_s)),
        "exact": float(optimum.exact(save_s, mtbf_s)),
    }


def _human(seconds: float) -> str:
    """A duration for messages: '54 d', '10 min', '2.8 s'."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def _save_times(ctx: Context, est: Any) -> tuple[float, float, float]:
    """(blocking save, commit delay, restore), s."""
    ck = ctx.section.checkpoint
    if ck.save is not None:
        write = ck.save
    else:
        assert ck.bandwidth is not None
        size = ck.size
        if size is None:
            assert ck.bytes_per_param is not None
            size = ck.bytes_per_param * float(est.params)
        write = size / ck.bandwidth
    restore = ck.restore if ck.restore is not None else write
    if ck.asynchronous:
        return (ck.blocking or 0.0), write, restore
    return write, 0.0, restore


def _spares_and_repair(ctx: Context, node_chips: int, swaps: bool) -> tuple[int, float, list[str]]:
    sec, notes = ctx.section, []
    spares = sec.spares if ctx.orbit else sec.spares * node_chips
    repair = sec.repair
    if ctx.orbit:
        if repair not in (None, "never"):
            notes.append("a finite repair time in orbit assumes servicing missions")
        return spares, (math.inf if repair in (None, "never") else float(repair)), notes
    if repair is None:
        if sec.spares > 0 or not swaps:
            if swaps:
                notes.append("no repair time given: the spare pool is not replenished")
            return spares, math.inf, notes
        raise SpecError(
            "on Earth give the time to bring a failed node back (e.g. '2 d'), or hot spares",
            file=ctx.file,
            field="reliability.repair",
        )
    if repair == "never":
        if sec.spares == 0 and swaps:
            raise SpecError(
                "'never' with no spares makes no sense on Earth: every swap would stop the job "
                "for good; give a repair time or spares",
                file=ctx.file,
                field="reliability.repair",
            )
        return spares, math.inf, notes
    return spares, float(repair), notes


def _causes(model: FailureModelEntry, orbit: bool, mult: float) -> list[tuple[Cause, float]]:
    """Causes with their rate per unit (1/s); in orbit, upsets add soft-error causes.

    An upset-driven cause keeps its ground rate and action (what broke on the ground
    stays broken); the extra ``(multiplier - 1)`` x rate that the orbit's upsets add is
    transient: it restarts the job (or, for silent corruption, rolls it back) and
    takes no hardware out.
    """
    out: list[tuple[Cause, float]] = []
    extra: list[tuple[Cause, float]] = []
    for c in model.causes:
        r = model.rate(c)
        out.append((c, r))
        if orbit and c.upset_driven and mult > 1.0:
            soft = "sdc" if c.action == "sdc" else "restart"
            extra.append(
                (
                    c.model_copy(update={"name": f"{c.name}-upsets", "action": soft}),
                    r * (mult - 1.0),
                )
            )
    return out + extra


def build(ctx: Context, est: Any) -> SimPlan:
    """The plan of a resolved context and its step estimate."""
    sc, sec, model = ctx.scenario, ctx.section, ctx.model
    notes: list[str] = []
    node_chips = int(getattr(sc.system, "node_chips", 1) or 1)
    mult = ctx.radiation.upset_multiplier if ctx.radiation else 1.0
    causes = _causes(model, ctx.orbit, mult)
    rates, swap_chips = [], []
    for c, r in causes:
        rates.append(r * model.units(c.per, sc.chips))
        if c.action != "swap" or c.per in ("link", "job"):
            swap_chips.append(0)
        elif ctx.orbit:
            swap_chips.append(1 if c.per == "gpu" else model.node_gpus)
        else:
            swap_chips.append(node_chips)
    if any(c.action == "swap" and c.per in ("link", "job") for c, _ in causes):
        notes.append("swap causes per link or per job restart the job without taking a node out")
    swaps = any(s > 0 for s in swap_chips)
    spares, repair, more = _spares_and_repair(ctx, node_chips, swaps)
    notes += more
    save, commit, restore = _save_times(ctx, est)
    replicas = int((est.layout or {}).get("data") or 1)
    ft = sec.fault_tolerant
    if ft is not None and replicas < 2:
        raise SpecError(
            "replica-level fault tolerance needs data parallelism (the layout has data = 1)",
            file=ctx.file,
            field="reliability.fault_tolerant",
        )
    rolling = ("sdc",) if ft is not None else INTERRUPTING
    lam = sum(r for r, (c, _) in zip(rates, causes, strict=True) if c.action in rolling)
    planned = sum(r for r, (c, _) in zip(rates, causes, strict=True) if c.action == "planned")
    mtbf = 1.0 / lam if lam > 0 else math.inf
    optima = optima_of(save, mtbf)
    step = float(est.step_time_s)
    interval = sec.checkpoint.interval
    if interval == "auto":
        tau, mode = optima["exact"], "auto"
        if math.isfinite(tau) and step > 0:
            tau = step * max(1, math.ceil(tau / step))
        if not tau < ctx.duration_s:
            tau = ctx.duration_s
            notes.append("the optimal interval exceeds the run: one checkpoint at the end")
    else:
        tau, mode = float(interval), "given"
        if tau > ctx.duration_s:
            raise SpecError(
                f"the interval ({_human(tau)}) is longer than the run ({_human(ctx.duration_s)})",
                file=ctx.file,
                field="reliability.checkpoint.interval",
            )
    if commit >= tau:
        raise SpecError(
            f"an asynchronous save ({_human(commit)}) must finish within an interval ({_human(tau)})",
            file=ctx.file,
            field="reliability.checkpoint.save",
        )
    if ctx.radiation is not None:
        notes += list(ctx.radiation.notes)
    elif ctx.orbit:
        notes.append("no radiation: section: orbit failure rates are the ground rates")
    return SimPlan(
        scenario=sc.name,
        duration_s=ctx.duration_s,
        chips=int(sc.chips),
        replicas=replicas,
        step_time_s=step,
        names=tuple(c.name for c, _ in causes),
        actions=tuple(c.action for c, _ in causes),
        per=tuple(c.per for c, _ in causes),
        rates=np.asarray(rates, float),
        swap_chips=np.asarray(swap_chips, np.int64),
        detection_s=np.asarray([c.detection for c, _ in causes], float),
        slowdown=np.asarray([c.slowdown for c, _ in causes], float),
        slow_duration_s=np.asarray([c.duration or 0.0 for c, _ in causes], float),
        restart_s=sec.restart,
        restore_s=restore,
        interval_s=tau,
        save_s=save,
        commit_s=commit,
        spares_chips=int(spares),
        repair_s=repair,
        while_short=sec.while_short or ("shrink" if ctx.orbit else "wait"),
        ft_stall_s=ft.stall if ft is not None else None,
        tid_s=ctx.radiation.tid_lifetime_s if ctx.radiation else math.inf,
        orbit=ctx.orbit,
        optima=optima,
        interval_mode=mode,
        mtbf_s=mtbf,
        planned_rate=planned,
        notes=tuple(notes),
    )


def synthetic(
    rates: dict[str, float],
    duration_s: float,
    restart_s: float,
    save_s: float,
    *,
    interval_s: float | None = None,
    action: str = "restart",
) -> SimPlan:
    """A plan without a scenario: causes with whole-job rates (1/s), all with one action.

    For checks against published formulas and tables: one chip, no spares (a
    ``swap`` takes nothing out), the interval at its exact optimum unless given.
    """
    lam = sum(rates.values())
    mtbf = 1.0 / lam if lam > 0 else math.inf
    optima = optima_of(save_s, mtbf)
    n = len(rates)
    tau = optima["exact"] if interval_s is None else interval_s
    return SimPlan(
        scenario="synthetic",
        duration_s=duration_s,
        chips=1,
        replicas=1,
        step_time_s=0.0,
        names=tuple(rates),
        actions=(action,) * n,
        per=("job",) * n,
        rates=np.asarray(list(rates.values()), float),
        swap_chips=np.zeros(n, np.int64),
        detection_s=np.zeros(n),
        slowdown=np.ones(n),
        slow_duration_s=np.zeros(n),
        restart_s=restart_s,
        restore_s=0.0,
        interval_s=min(tau, duration_s),
        save_s=save_s,
        commit_s=0.0,
        spares_chips=0,
        repair_s=math.inf,
        while_short="wait",
        ft_stall_s=None,
        tid_s=math.inf,
        orbit=False,
        optima=optima,
        interval_mode="auto" if interval_s is None else "given",
        mtbf_s=mtbf,
        planned_rate=0.0,
    )
