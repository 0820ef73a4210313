"""A fleet over a whole run: failures, checkpoints and goodput, on Earth and in orbit.

* :func:`goodput` runs the Monte Carlo of a scenario's ``reliability:`` section
  and returns the ``dojosim goodput`` document (ETTR, interruptions, MTTF,
  checkpoint interval and its optima, badput by bucket, orbit attrition).
* :func:`attrition` gives, for an orbit scenario, the expected failed chips and
  nodes over the mission and the spares that cover them (for the cost room).
* :mod:`dojosim.sim.optimum` holds Young/Daly's rules and the exact optimum.

Imports are lazy: the scenario schema imports :mod:`dojosim.sim.section` early.
"""

from __future__ import annotations

from typing import Any


def goodput(scenario: Any, runs: int = 100, seed: int = 0, **kw: Any) -> Any:
    """The goodput Monte Carlo of a scenario (see :func:`dojosim.sim.goodput.goodput`)."""
    from dojosim.sim.goodput import goodput as run

    return run(scenario, runs=runs, seed=seed, **kw)


def attrition(scenario: Any, confidence: float = 0.95, mission_s: float | None = None) -> Any:
    """Failed chips and nodes over an orbit mission and the spares needed (see sim.orbit)."""
    from dojosim.sim.orbit import attrition as run

    return run(scenario, confidence=confidence, mission_s=mission_s)


__all__ = ["attrition", "goodput"]
