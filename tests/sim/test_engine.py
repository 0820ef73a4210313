"""The Monte Carlo engine against closed forms, its bookkeeping, and seeded reproducibility."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dojosim.sim import optimum
from dojosim.sim.engine import BADPUT
from dojosim.sim.goodput import simulate
from dojosim.sim.plan import synthetic

DAY = 86400.0


def plan_of(rate: float, days: float = 100.0, action: str = "restart"):  # type: ignore[no-untyped-def]
    return synthetic({"failure": rate}, days * DAY, restart_s=300.0, save_s=60.0, action=action)


def test_no_failures_gives_the_save_overhead_exactly() -> None:
    plan = replace(plan_of(0.0, days=1.0), interval_s=540.0, save_s=60.0)
    sim = simulate(plan, 2, 0)
    # 86,400 s = 144 whole cycles of 540 s work + 60 s save
    assert sim.ettr[0] == pytest.approx(0.9, abs=1e-12)
    assert sim.badput[0, BADPUT.index("checkpoint_save")] == pytest.approx(144 * 60.0)


def test_ettr_matches_the_exact_expectation() -> None:
    plan = plan_of(1 / 3600.0, days=200.0)
    sim = simulate(plan, 20, 1)
    exact = float(optimum.ettr(plan.interval_s, plan.save_s, 3600.0, plan.restart_s))
    err = sim.ettr.std(ddof=1) / math.sqrt(sim.ettr.size)
    assert abs(sim.ettr.mean() - exact) < 4 * err + 2e-3
    assert plan.ettr_exact() == pytest.approx(exact)


def test_interruptions_and_mttf_are_poisson() -> None:
    lam = 1 / 7200.0
    plan = plan_of(lam, days=60.0)
    sim = simulate(plan, 30, 2)
    counts = sim.counts[:, 0]
    expected = lam * plan.duration_s  # failures strike while the job runs or restarts
    assert abs(counts.mean() - expected) < 4 * math.sqrt(expected / counts.size)
    assert sim.exposure.sum() / counts.sum() == pytest.approx(1 / lam, rel=0.03)


def test_seeded_runs_are_reproducible() -> None:
    plan = plan_of(1 / 3600.0, days=20.0)
    a, b = simulate(plan, 5, 7), simulate(plan, 5, 7)
    assert np.array_equal(a.ettr, b.ettr) and np.array_equal(a.badput, b.badput)
    assert not np.array_equal(a.ettr, simulate(plan, 5, 8).ettr)
    # run i is the same whatever the number of runs
    assert np.array_equal(simulate(plan, 3, 7).ettr, a.ettr[:3])


def test_waiting_for_repair() -> None:
    # one node of 8 chips; every failure takes it out; no spare; it is back after 1 day
    plan = plan_of(1 / (20 * DAY), days=400.0, action="swap")
    plan = replace(plan, swap_chips=np.array([8]), chips=8, repair_s=DAY, while_short="wait")
    sim = simulate(plan, 20, 3)
    waited = sim.badput[:, BADPUT.index("waiting_for_repair")].sum()
    # each interruption waits a day (failures of the missing node while waiting are none)
    assert waited / sim.counts.sum() == pytest.approx(DAY, rel=0.02)


def test_spares_cover_failures_until_they_run_out() -> None:
    plan = plan_of(1 / (20 * DAY), days=400.0, action="swap")
    plan = replace(plan, swap_chips=np.array([8]), chips=8, spares_chips=8 * 1000)
    sim = simulate(plan, 5, 3)
    assert sim.badput[:, BADPUT.index("waiting_for_repair")].sum() == 0.0
    assert sim.spares_used.mean() == pytest.approx(8 * sim.counts.mean())


def test_orbit_attrition_thins_failures_of_dead_chips() -> None:
    """No repair, no spares, shrink: E[lost] = N (1 - e^{-lambda t}) per chip."""
    n, lam, days = 1000, 1 / (500 * DAY), 1000.0
    plan = plan_of(lam * n, days=days, action="swap")
    plan = replace(
        plan, per=("gpu",), swap_chips=np.array([1]), chips=n, replicas=n, while_short="shrink"
    )
    sim = simulate(plan, 20, 4)
    expected = n * -math.expm1(-lam * days * DAY)
    assert sim.lost_chips.mean() == pytest.approx(expected, rel=0.02)
    # capacity at the end is the chips left
    assert sim.capacity[:, -1].mean() == pytest.approx(1 - expected / n, abs=0.02)
    assert sim.badput[:, BADPUT.index("reduced_capacity")].mean() > 0


def test_fault_tolerant_replicas_lose_no_progress() -> None:
    lam = 1 / 3600.0
    plan = replace(plan_of(lam, days=30.0), ft_stall_s=180.0, chips=64, replicas=8)
    sim = simulate(plan, 10, 5)
    assert sim.badput[:, BADPUT.index("lost_progress")].sum() == 0.0
    stall = sim.badput[:, BADPUT.index("restart")].sum() / sim.counts.sum()
    # a failure during a stall starts it again, so each failure stalls E[min(S, X)] =
    # M (1 - e^{-S/M}) = 175.6 s (X exponential with mean M)
    assert stall == pytest.approx(-3600.0 * math.expm1(-180.0 / 3600.0), rel=0.03)
    assert sim.badput[:, BADPUT.index("reduced_capacity")].sum() > 0  # a replica out 300 s


def test_late_silent_corruption_loses_more() -> None:
    lam = 1 / 7200.0
    base = plan_of(lam, days=60.0, action="sdc")
    late = replace(base, detection_s=np.array([1800.0]))
    a, b = simulate(base, 10, 6), simulate(late, 10, 6)
    lost_a = a.badput[:, BADPUT.index("lost_progress")].sum() / a.counts.sum()
    lost_b = b.badput[:, BADPUT.index("lost_progress")].sum() / b.counts.sum()
    # found 30 minutes later, each corruption throws away up to 30 more minutes of work (less
    # where the job was restarting meanwhile, or a second corruption was found first)
    assert 0.5 * 1800.0 < lost_b - lost_a < 1800.0


def test_stragglers_stretch_steps() -> None:
    plan = plan_of(1 / DAY, days=200.0, action="slow")
    plan = replace(plan, slowdown=np.array([2.0]), slow_duration_s=np.array([3600.0]))
    sim = simulate(plan, 10, 7)
    lost = sim.badput[:, BADPUT.index("stragglers")].mean()
    # one hour a day at half speed: about half an hour a day
    assert lost / 200 == pytest.approx(1800.0, rel=0.1)
    assert sim.counts.sum() == 0  # stragglers are not interruptions


def test_planned_maintenance_loses_no_progress() -> None:
    plan = plan_of(1 / DAY, days=100.0, action="planned")
    sim = simulate(plan, 5, 8)
    assert sim.badput[:, BADPUT.index("lost_progress")].sum() == 0.0
    assert sim.badput[:, BADPUT.index("restart")].mean() == pytest.approx(
        sim.counts.mean() * 300.0, rel=1e-6
    )


def test_asynchronous_checkpoints_do_not_block() -> None:
    plan = replace(plan_of(1 / 3600.0, days=30.0), save_s=0.0, commit_s=60.0)
    sim = simulate(plan, 5, 9)
    assert sim.badput[:, BADPUT.index("checkpoint_save")].sum() == 0.0
    sync = simulate(plan_of(1 / 3600.0, days=30.0), 5, 9)
    assert sim.ettr.mean() > sync.ettr.mean()


@settings(max_examples=25, deadline=None)
@given(
    action=st.sampled_from(["restart", "swap", "sdc", "planned", "slow"]),
    mtbf_h=st.floats(0.2, 50),
    spares=st.integers(0, 3),
    repair_h=st.sampled_from([1.0, 24.0, math.inf]),
    short=st.sampled_from(["wait", "shrink"]),
    ft=st.booleans(),
    detection=st.floats(0, 3600),
)
def test_time_adds_up(
    action: str,
    mtbf_h: float,
    spares: int,
    repair_h: float,
    short: str,
    ft: bool,
    detection: float,
) -> None:
    """productive + every badput bucket = the duration, whatever happens."""
    plan = plan_of(1 / (mtbf_h * 3600), days=5.0, action=action)
    plan = replace(
        plan,
        per=("gpu",),
        chips=32,
        replicas=4,
        swap_chips=np.array([8 if action == "swap" else 0]),
        spares_chips=8 * spares,
        repair_s=repair_h * 3600,
        while_short=short,
        ft_stall_s=120.0 if ft else None,
        detection_s=np.array([detection]),
        slowdown=np.array([1.5]),
        slow_duration_s=np.array([1800.0]),
        commit_s=30.0 if ft else 0.0,
    )
    sim = simulate(plan, 2, 0)
    for i in range(2):
        assert sim.ettr[i] * plan.duration_s + sim.badput[i].sum() == pytest.approx(
            plan.duration_s, rel=1e-9
        )
        assert 0.0 <= sim.ettr[i] <= 1.0
