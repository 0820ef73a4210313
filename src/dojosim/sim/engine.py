"""The Monte Carlo engine: Poisson failures drawn with NumPy, the run that meets them in SimPy.

Failures of every cause are drawn at once per run (Poisson counts, uniform
times: a homogeneous Poisson process per cause). One SimPy process walks the
job through them: it runs, checkpoints, restarts, restores, waits for a node
from the spare pool (a ``simpy.Container`` that repair processes refill), shrinks
when told to, and carries stragglers, late-found corruption and replicas that
rejoin as events of their own. Checkpoints between two events are counted in
closed form, so a run costs a few SimPy events per failure, not per checkpoint.

Every failure interrupts whatever the job is doing while it holds its nodes
(running, saving, restarting, restoring): a failure during a restart starts the
restart again. While the job waits for repair it holds nothing: failures of
nodes it already lacks only lengthen the wait. When units are already out of
service (in orbit, after spares run out), their share of failures is thinned out.

Time accounting (s) adds up exactly: productive + every badput bucket = duration.
Work is counted in seconds at full speed; a job at capacity ``f`` slowed by a
straggler ``s`` runs at ``f / s``.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dojosim.errors import DojosimError

try:
    import simpy
except ImportError as exc:  # pragma: no cover - the sim extra is part of [all]
    raise DojosimError("the goodput simulator needs SimPy: pip install 'dojosim[sim]'") from exc

from dojosim.sim.plan import SimPlan
from dojosim.sim.progress import advance

#: Badput buckets, in the order of :attr:`RunResult.badput`.
BADPUT = (
    "checkpoint_save",
    "checkpoint_restore",
    "lost_progress",
    "restart",
    "waiting_for_repair",
    "stragglers",
    "reduced_capacity",
)
SAVE, RESTORE, LOST, RESTART, WAIT, STRAG, REDUCED = range(7)
RUN, RESTARTING, PSAVE, STALL, WAITING = range(5)  # RESTARTING ends with the restore
SLOW_END, SDC_FOUND, REPLICA_BACK, TID = range(4)
INF = math.inf


@dataclass(frozen=True)
class RunResult:
    """One run: seconds by bucket, interruptions by cause, exposure, spares and capacity."""

    productive_s: float
    badput: tuple[float, ...]
    counts: tuple[int, ...]
    exposure_s: float
    spares_used: int
    lost_chips: int
    capacity_t: tuple[float, ...]
    capacity_f: tuple[float, ...]


def draw(
    plan: SimPlan, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
    """Failure times (s, sorted), their causes, and uniforms that thin dead units' failures."""
    counts = rng.poisson(plan.rates * plan.duration_s)
    n = int(counts.sum())
    times = rng.uniform(0.0, plan.duration_s, n)
    causes = np.repeat(np.arange(len(counts)), counts)
    order = np.argsort(times, kind="stable")
    return times[order], causes[order], rng.random(n)


class _Run:
    """The state of one run; :meth:`process` is its SimPy process."""

    def __init__(
        self,
        plan: SimPlan,
        times: NDArray[np.float64],
        causes: NDArray[np.int64],
        us: NDArray[np.float64],
    ):
        self.p = plan
        self.times, self.causes, self.us = times.tolist(), causes.tolist(), us.tolist()
        self.env = simpy.Environment()
        self.now = 0.0  # the job's clock; SimPy's catches up whenever a SimPy event is due
        self.pool = simpy.Container(self.env, init=plan.spares_chips)
        self.actions = [a for a in plan.actions]
        self.per = list(plan.per)
        self.swap = plan.swap_chips.tolist()
        self.replica_chips = max(1, math.ceil(plan.chips / plan.replicas))
        self.committed = self.since = self.save_left = 0.0
        self.ck_taken = False
        self.missing = 0
        self._f, self._f_missing = 1.0, 0
        self.slow: list[float] = []
        self.s = 1.0  # the slowest straggler's factor
        self.internal: list[tuple[float, int, int, tuple[float, ...]]] = []
        self.seq = 0
        self.bad = [0.0] * len(BADPUT)
        self.counts = [0] * len(plan.names)
        self.exposure = 0.0
        self.phase, self.left = RUN, INF
        self.need = 0
        self.req: simpy.events.Event | None = None
        self.spares_used = self.lost_chips = 0
        self.cap_t, self.cap_f = [0.0], [1.0]
        if plan.tid_s < plan.duration_s:
            self._push(plan.tid_s, TID, ())

    # -- helpers -------------------------------------------------------------------------------
    def _push(self, t: float, kind: int, payload: tuple[float, ...]) -> None:
        self.seq += 1
        heapq.heappush(self.internal, (t, self.seq, kind, payload))

    def _capacity(self) -> float:
        """Fraction of data-parallel replicas whole (cached on the chips missing)."""
        if self.missing != self._f_missing:
            alive = self.p.chips - self.missing
            whole = math.floor(alive / self.replica_chips + 1e-9) if alive > 0 else 0
            self._f, self._f_missing = min(1.0, whole / self.p.replicas), self.missing
        return self._f

    def _record(self) -> None:
        f = self._capacity()
        if f != self.cap_f[-1]:
            self.cap_t.append(self.now)
            self.cap_f.append(f)

    def _advance(self, dt: float) -> None:
        """Run ``dt`` wall seconds: work, blocking saves and their commits, in closed form."""
        f, s = self._capacity(), self.s
        v = f / s
        if v <= 0.0:
            self.bad[REDUCED] += dt
            return
        tau, c = self.p.interval_s, self.p.save_s
        if tau <= 0.0:  # free, continuous checkpoints: nothing is ever at risk
            self.committed += dt * v
            self.bad[STRAG] += dt * (1.0 - 1.0 / s)
            self.bad[REDUCED] += dt * (1.0 - f) / s
            return
        step = advance(self.since, self.save_left, dt, v, tau, c)
        self.committed += step.committed
        self.since, self.save_left, saved = step.since, step.left, step.saved
        self.ck_taken = self.ck_taken or step.checkpointed
        run = dt - saved
        self.bad[SAVE] += saved
        self.bad[STRAG] += run * (1.0 - 1.0 / s)
        self.bad[REDUCED] += run * (1.0 - f) / s

    def _elapse(self, t0: float, t1: float) -> None:
        dt = t1 - t0
        if dt <= 0.0:
            return
        ph = self.phase
        if ph == RUN:
            self._advance(dt)
            self.exposure += dt
            return
        if ph == WAITING:
            self.bad[WAIT] += dt
            return
        if ph == RESTARTING:
            # The last ``restore_s`` of a restart is the restore.
            restoring = max(0.0, min(self.left, self.p.restore_s) - max(self.left - dt, 0.0))
            self.bad[RESTORE] += restoring
            self.bad[RESTART] += dt - restoring
        else:
            self.bad[SAVE if ph == PSAVE else RESTART] += dt
        self.exposure += dt
        self.left -= dt

    def _pending(self) -> float:
        """Work of the last checkpoint that an asynchronous save has not yet made durable."""
        p = self.p
        if p.commit_s <= 0.0 or not self.ck_taken or self.phase != RUN:
            return 0.0
        v = self._capacity() / self.s
        return p.interval_s if v > 0 and self.since / v < p.commit_s else 0.0

    def _roll_back(self, level: float) -> None:
        """Return to durable progress ``level``; the work above it is lost."""
        now = self.committed + self.since
        level = min(level, now)
        self.bad[LOST] += now - level
        self.committed, self.since, self.save_left = level, 0.0, 0.0

    def _recover(self) -> None:
        """Start a restart, first taking spares for any chips the job lacks."""
        if self.missing > 0 and self.pool.level > 0:
            take = int(min(self.pool.level, self.missing))
            self.pool.get(take)
            self.spares_used += take
            self.missing -= take
        self.phase, self.left = RESTARTING, self.p.restart_s + self.p.restore_s
        self._record()

    def _repair(self, chips: int) -> None:
        """Send ``chips`` to repair: a SimPy timeout that puts them back into the pool."""
        done = self.env.timeout(self.now + self.p.repair_s - self.env.now)  # SimPy's clock may lag
        done.callbacks.append(lambda _event: self._returned(chips))

    def _returned(self, chips: int) -> None:
        self.pool.put(chips)

    def _lose(self, chips: int, repair: bool = True) -> bool:
        """A unit of ``chips`` breaks: replace it from the pool; False if none is there.

        The broken unit goes to repair (and then to the pool) unless ``repair`` is False
        or nothing is repaired.
        """
        self.lost_chips += chips
        spare = self.pool.level >= chips
        if spare:
            self.pool.get(chips)
            self.spares_used += chips
        if repair and math.isfinite(self.p.repair_s):
            self._repair(chips)
        return spare

    # -- events --------------------------------------------------------------------------------
    def _live(self, per: str) -> float:
        alive = max(0, self.p.chips - self.missing)
        if per == "job":
            return 1.0 if alive > 0 else 0.0
        return alive / self.p.chips

    def _failure(self, c: int, u: float) -> None:
        """A failure of cause ``c`` now."""
        p = self.p
        if u >= self._live(self.per[c]):
            return  # it hit a unit already out of service
        action = self.actions[c]
        if action == "slow":
            self.slow.append(float(p.slowdown[c]))
            self.s = max(self.slow)
            self._push(self.now + float(p.slow_duration_s[c]), SLOW_END, (float(p.slowdown[c]),))
            return
        if self.phase == WAITING:
            # The job holds no nodes: only hardware it already lacks breaks further.
            k = self.swap[c]
            if action == "swap" and k > 0:
                self.missing += k
                self.lost_chips += k
                if math.isfinite(p.repair_s):
                    self._repair(k)
            return
        if action == "planned":
            if self.phase == RUN:
                self.counts[c] += 1
                self.phase, self.left = PSAVE, p.save_s + p.commit_s
            return
        if action == "sdc" and p.detection_s[c] > 0:
            if self.phase in (RUN, STALL):
                durable = self.committed - self._pending()
                self._push(self.now + float(p.detection_s[c]), SDC_FOUND, (float(c), durable))
            return
        self.counts[c] += 1
        self._interrupt(c, action)

    def _interrupt(self, c: int, action: str) -> None:
        p = self.p
        k = self.swap[c] if action == "swap" else 0
        if p.ft_stall_s is not None and action != "sdc":
            # Replica-level recovery: the others stall briefly, the failed replica rejoins later.
            rc = self.replica_chips
            if k > 0 and self.pool.level < k:
                # No spare: the replica rejoins when its own node is repaired.
                self._lose(k, repair=False)
                back = self.now + p.repair_s
            else:
                if k > 0:
                    self._lose(k)
                back = self.now + p.restart_s + p.restore_s
            self.missing += rc
            if math.isfinite(back):
                self._push(back, REPLICA_BACK, (float(rc),))
            self.phase, self.left = STALL, p.ft_stall_s
            self._record()
            return
        if self.phase in (RUN, PSAVE):
            self._roll_back(self.committed - self._pending())
        if k > 0 and not self._lose(k):
            self.missing += k
            if p.while_short == "wait" and (math.isfinite(p.repair_s) or self.pool.level > 0):
                self.phase, self.need, self.req = WAITING, self.missing, None
                self._record()
                return
        self._recover()

    def _internal(self, kind: int, payload: tuple[float, ...]) -> None:
        if kind == SLOW_END:
            self.slow.remove(payload[0])
            self.s = max(self.slow) if self.slow else 1.0
        elif kind == REPLICA_BACK:
            self.missing = max(0, self.missing - int(payload[0]))
            self._record()
        elif kind == TID:
            self.missing = self.p.chips
            if self.pool.level > 0:
                self.pool.get(self.pool.level)
            self._record()
        elif kind == SDC_FOUND:
            c = int(payload[0])
            self.counts[c] += 1
            self._roll_back(payload[1])
            if self.phase != WAITING:
                self._recover()

    def _phase_done(self) -> None:
        ph = self.phase
        if ph == PSAVE:
            self.committed += self.since
            self.since, self.save_left = 0.0, 0.0
            self.phase, self.left = RESTARTING, self.p.restart_s + self.p.restore_s
            return
        if ph == RESTARTING:
            self.since, self.save_left, self.ck_taken = 0.0, 0.0, False
        self.phase, self.left = RUN, INF

    def process(self) -> simpy.events.ProcessGenerator:
        """Walk the job through its events; yield to SimPy only where its events interact.

        Between two of the job's own events nothing else can happen unless SimPy has
        an event due (a repaired node returning to the pool), so the job's clock
        jumps ahead and SimPy is only stepped when ``env.peek()`` falls before the
        job's next event, or while the job waits on the pool.
        """
        env, end = self.env, self.p.duration_s
        times, causes, us = self.times, self.causes, self.us
        i, n = 0, len(times)
        while True:
            now = self.now
            te = times[i] if i < n else INF
            ti = self.internal[0][0] if self.internal else INF
            tp = now + self.left if self.phase != WAITING else INF
            t = min(te, ti, tp, end)
            if self.phase == WAITING:
                if env.now < now:
                    yield env.timeout(now - env.now)
                if self.req is None:
                    self.req = self.pool.get(self.need)
                yield self.req | env.timeout(t - now) if t < INF else self.req
                self.now = env.now
            else:
                if env.peek() <= t:
                    yield env.timeout(t - env.now)
                self.now = t
            self._elapse(now, self.now)
            got = self.phase == WAITING and self.req is not None and self.req.triggered
            if t >= end and not got:
                return
            if got:
                self.spares_used += self.need
                self.missing -= self.need
                self.req, self.need = None, 0
                self._recover()
            elif t == tp:
                self._phase_done()
            elif t == ti:
                _, _, kind, payload = heapq.heappop(self.internal)
                self._internal(kind, payload)
            else:
                self._failure(causes[i], us[i])
                i += 1

    def result(self) -> RunResult:
        return RunResult(
            productive_s=self.committed + self.since,
            badput=tuple(self.bad),
            counts=tuple(self.counts),
            exposure_s=self.exposure,
            spares_used=self.spares_used,
            lost_chips=self.lost_chips,
            capacity_t=tuple(self.cap_t),
            capacity_f=tuple(self.cap_f),
        )


def run_once(plan: SimPlan, rng: np.random.Generator) -> RunResult:
    """Simulate one run of ``plan.duration_s`` seconds."""
    times, causes, us = draw(plan, rng)
    run = _Run(plan, times, causes, us)
    proc = run.env.process(run.process())
    run.env.run(until=proc)
    return run.result()
