"""A job's progress between two events, in closed form: work, blocking saves, commits.

The job works ``tau`` seconds of full-speed work at speed ``v`` (wall time
``tau / v``), then blocks ``c`` seconds to save; a checkpoint counts (is
committed) when its save ends. Given where the job stands (``since``: work
since the last checkpoint began; ``left``: seconds of a save still to go),
:func:`advance` runs it ``dt`` wall seconds without stepping through each
checkpoint, so a run costs time per failure, not per checkpoint.
"""

from __future__ import annotations

import math
from typing import NamedTuple


class Step(NamedTuple):
    """What ``dt`` wall seconds did: work committed, the new position, seconds spent saving."""

    committed: float
    since: float
    left: float
    saved: float
    checkpointed: bool


def advance(since: float, left: float, dt: float, v: float, tau: float, c: float) -> Step:
    """Run ``dt`` s at speed ``v > 0`` with interval ``tau > 0`` (work s) and save ``c`` (s)."""
    committed, rem, saved, done = 0.0, dt, 0.0, False
    if left > 0.0:
        x = min(left, rem)
        saved, rem, left = x, rem - x, left - x
        if left > 0.0:
            return Step(0.0, since, left, saved, False)
        committed, since, done = since, 0.0, True
    need = (tau - since) / v
    if rem < need:
        return Step(committed, since + rem * v, 0.0, saved, done)
    rem -= need
    # At a checkpoint boundary: k whole (save c, work tau) cycles, then a remainder that
    # starts the next save.
    cycle = c + tau / v
    k = math.floor(rem / cycle)
    committed += tau * k
    saved += c * k
    rem -= k * cycle
    done = done or k > 0
    if rem < c:
        return Step(committed, tau, c - rem, saved + rem, done)
    committed += tau
    since = (rem - c) * v
    if since >= tau:  # rounding at an exact boundary when c == 0
        committed += tau
        since -= tau
    return Step(committed, since, 0.0, saved + c, True)
