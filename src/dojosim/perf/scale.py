"""Costs that grow with the number of chips: per-step fixed costs and waiting for the slowest chip.

Per step, outside the pipeline schedule:

* the global gradient norm for clipping: one all-reduce of a scalar over every
  chip of the job, latency-bound, so it grows with the job's size (the collective
  library's own latency model on switched networks);
* FP8 training's amax reduction: one more small all-reduce over the job, when the
  matmuls run in 8 bits (Transformer Engine's delayed scaling reduces the amax
  history across the data-parallel and model-parallel group once per step);
* waiting for the slowest chip: chips of one model run at slightly different
  speeds, and a synchronous step goes at the pace of the slowest. With speeds of
  coefficient of variation ``c`` (the calibration's ``straggler_cv``), the slowest
  of ``N`` chips is ``E[max of N standard normals]`` deviations slower than the
  mean (Blom's approximation of the expected maximum), so the step's compute
  stretches by ``c * E[max_N]``: it grows with the log of the job's size.
"""

from __future__ import annotations

from statistics import NormalDist
from typing import TYPE_CHECKING

from dojosim.perf.compute import EIGHT_BIT

if TYPE_CHECKING:
    from dojosim.mapping.layout import Layout
    from dojosim.perf.context import Context
    from dojosim.perf.step import StepTimes

NORM_BYTES = 4.0  # one fp32 partial sum of squares per rank
AMAX_BYTES = 4.0 * 3 * 64  # fp32 amax of each GEMM's input, weight and gradient, 64 GEMMs deep


def expected_max(n: int) -> float:
    """E[max of n standard normal draws] (Blom 1958: Phi^-1((n - 0.375) / (n + 0.25)))."""
    if n <= 1:
        return 0.0
    return NormalDist().inv_cdf((n - 0.375) / (n + 0.25))


def step_overheads(ctx: Context, lay: Layout, st: StepTimes) -> tuple[float, float]:
    """(fixed, straggler) seconds added to a step."""
    n = lay.chips
    fixed = ctx.collective("all_reduce", NORM_BYTES, n, 1) if n > 1 else 0.0
    if ctx.precision.matmul in EIGHT_BIT and n > 1:
        fixed += ctx.collective("all_reduce", AMAX_BYTES, n, 1)
    cv = ctx.calibration.straggler_cv
    straggler = (st.forward + st.backward + st.recompute) * cv * expected_max(n)
    return fixed, straggler


__all__ = ["expected_max", "step_overheads"]
