"""Costs that grow with the number of chips: per-step fixed costs and waiting for stragglers.

Per step, outside the pipeline schedule: the global gradient norm for clipping
is one small all-reduce over every chip of the job (latency-bound, so it grows
with the log of the job's size on switched networks), and each step waits for
the slowest rank.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dojosim.mapping.layout import Layout
    from dojosim.perf.context import Context
    from dojosim.perf.step import StepTimes

NORM_BYTES = 4.0  # one fp32 partial sum of squares per rank


def step_overheads(ctx: Context, lay: Layout, st: StepTimes) -> tuple[float, float]:
    """(fixed, straggler) seconds added to a step."""
    fixed = ctx.collective("all_reduce", NORM_BYTES, lay.chips, 1) if lay.chips > 1 else 0.0
    return fixed, 0.0


__all__ = ["step_overheads"]
