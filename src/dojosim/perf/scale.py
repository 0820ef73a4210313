"""Costs that grow with the number of chips: per-step fixed costs and waiting for the slowest chip.

Per step, outside the pipeline schedule:

* the global gradient norm for clipping: one all-reduce of a scalar over every
  chip of the job, latency-bound, so it grows with the job's size (the collective
  library's own latency model on switched networks);
* delayed scaling's amax reductions: Transformer Engine all-reduces the latest amaxes
  of every FP8 GEMM of an autocast region when the region's forward ends and again
  when its first FP8 module's backward ends (``FP8GlobalStateManager.
  reduce_and_update_fp8_tensors``), over Megatron-Core's amax reduction group (the
  data x tensor x context ranks of a pipeline stage). A region is one model chunk's
  forward, so each micro-batch and virtual stage pays two blocking all-reduces of
  fp32 amaxes: input, weight and output per GEMM forward, the output's and input's
  gradients backward. Current scaling, MXFP8 and blockwise scaling take each scale
  from the tensor being cast and reduce nothing across the job;
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

from dojosim.spec.scenario import Scenario
from dojosim.workload.transformer import layer_forward

if TYPE_CHECKING:
    from dojosim.mapping.layout import Layout
    from dojosim.perf.context import Context
    from dojosim.perf.step import StepTimes

NORM_BYTES = 4.0  # one fp32 partial sum of squares per rank
AMAXES_FORWARD = 3  # per FP8 GEMM: its input, weight and output
AMAXES_BACKWARD = 2  # per FP8 GEMM: the gradients of its output and input
FP32_BYTES = 4.0


def expected_max(n: int) -> float:
    """E[max of n standard normal draws] (Blom 1958: Phi^-1((n - 0.375) / (n + 0.25)))."""
    if n <= 1:
        return 0.0
    return NormalDist().inv_cdf((n - 0.375) / (n + 0.25))


def step_overheads(ctx: Context, lay: Layout, st: StepTimes) -> tuple[float, float]:
    """(fixed, straggler) seconds added to a step."""
    n = lay.chips
    fixed = ctx.collective("all_reduce", NORM_BYTES, n, 1) if n > 1 else 0.0
    fixed += amax_reductions(ctx, lay)
    cv = ctx.calibration.straggler_cv
    straggler = (st.forward + st.backward + st.recompute) * cv * expected_max(n)
    return fixed, straggler


def fp8_gemms_per_layer(ctx: Context, lay: Layout) -> int:
    """FP8 GEMMs of one transformer layer on a chip, each with its own amaxes (a grouped
    GEMM has one per local expert); the wide matmuls stay out of the FP8 region."""
    sc = ctx.sc
    if not isinstance(sc, Scenario):
        return 0
    ops = layer_forward(sc.model, ctx.layer_shape(lay, moe=sc.model.is_moe))
    return sum(o.batch if o.grouped else 1 for o in ops if o.kind == "matmul" and not o.wide)


def amax_reductions(ctx: Context, lay: Layout) -> float:
    """Seconds per step of delayed scaling's two amax all-reduces per micro-batch and model
    chunk (module docstring), over the ``chips / pipeline`` ranks of a stage (contiguous
    where the pipeline is the outermost rank dimension, as in Megatron-Core)."""
    quant = ctx.precision.quant  # set for 8-bit matmuls only; delayed scaling is FP8's
    group = lay.chips // lay.pipeline
    if quant is None or quant.recipe != "delayed":
        return 0.0
    if group <= 1:
        return 0.0
    chunk = max(lay.stage_layers) / lay.interleave  # layers of the largest model chunk
    gemms = fp8_gemms_per_layer(ctx, lay) * chunk
    if gemms == 0:  # a network with no transformer GEMMs
        return 0.0
    per_chunk = sum(
        ctx.collective("all_reduce", FP32_BYTES * amaxes * gemms, group, 1)
        for amaxes in (AMAXES_FORWARD, AMAXES_BACKWARD)
    )
    return lay.micro_batches * lay.interleave * per_chunk


__all__ = ["amax_reductions", "expected_max", "fp8_gemms_per_layer", "step_overheads"]
