"""The closed-form progress between events against stepping through every checkpoint."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dojosim.sim.progress import advance


def brute(
    since: float, left: float, dt: float, v: float, tau: float, c: float
) -> tuple[float, ...]:
    """Walk the cycle one phase at a time."""
    committed = saved = 0.0
    t = dt
    while t > 0:
        if left > 0:
            x = min(left, t)
            left -= x
            saved += x
            t -= x
            if left <= 0:
                left = 0.0
                committed += since
                since = 0.0
            continue
        need = (tau - since) / v
        if t < need:
            since += t * v
            break
        t -= need
        since = tau
        left = c
        if c == 0:
            committed += since
            since = 0.0
    return committed, since, left, saved


@settings(max_examples=300, deadline=None)
@given(
    since_frac=st.floats(0, 0.999),
    left_frac=st.floats(0, 1),
    dt=st.floats(0, 5000),
    v=st.floats(0.05, 1),
    tau=st.floats(1, 500),
    c=st.floats(0, 50),
)
def test_closed_form_equals_stepping(
    since_frac: float, left_frac: float, dt: float, v: float, tau: float, c: float
) -> None:
    left = left_frac * c
    since = tau if left > 0 else since_frac * tau
    step = advance(since, left, dt, v, tau, c)
    ref = brute(since, left, dt, v, tau, c)
    assert step.committed == pytest.approx(ref[0], abs=1e-6 * max(1.0, dt))
    assert step.saved == pytest.approx(ref[3], abs=1e-6 * max(1.0, dt))
    # work done = committed + change in uncommitted work; time = work / v + saves
    work = step.committed + step.since - since
    assert work / v + step.saved == pytest.approx(dt, abs=1e-6 * max(1.0, dt))


def test_by_hand() -> None:
    # tau 100 s, save 10 s, full speed: 250 s = work 100, save 10, work 100, save 10, work 30
    step = advance(0.0, 0.0, 250.0, 1.0, 100.0, 10.0)
    assert step.committed == pytest.approx(200.0)
    assert step.since == pytest.approx(30.0) and step.left == 0.0
    assert step.saved == pytest.approx(20.0) and step.checkpointed
    # stopping mid-save: 105 s = work 100, 5 s of a 10 s save; nothing committed yet
    step = advance(0.0, 0.0, 105.0, 1.0, 100.0, 10.0)
    assert step.committed == 0.0 and step.since == 100.0 and step.left == pytest.approx(5.0)
    # at half speed the same 250 s make 120 s of work and commit 100 s
    step = advance(0.0, 0.0, 250.0, 0.5, 100.0, 10.0)
    assert step.committed == pytest.approx(100.0) and step.since == pytest.approx(20.0)
