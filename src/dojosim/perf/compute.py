"""Time of one operation on one chip: a roofline with a shape-dependent efficiency.

A matmul runs at ``peak * efficiency * g(m) * g(n) * g(k)`` where
``g(x) = x / (x + matmul_half_size)``: a dimension much larger than the half
size costs nothing, a small one (a skinny or tiny matrix) makes the kernel slow,
as tile and wave quantisation do on real chips. It is also never faster than
its memory traffic allows. Element-wise kernels are bound by memory bandwidth.
Every kernel pays a fixed ``kernel_overhead`` (an op run as several kernels, ``Op.launches``,
pays it for each). A collective that runs under other work
slows it (:func:`under`, ``overlap_slowdown``).

Matmuls run in the policy's matmul precision (8-bit matmuls at their own, lower,
efficiency, and MXFP8's block-scaled GEMMs at ``mxfp8_matmul_ratio`` of that; a ``wide`` op,
the output layer, the router or unfused attention, in 16 bits). A backward-pass GEMM (an input
or weight gradient, ``Op.gradient``) runs at ``backward_matmul_ratio`` of the forward rate
(``fp8_backward_matmul_ratio`` in 8 bits): Transformer Engine's GEMM profiling guide times a
layer's dgrad and wgrad GEMMs 4% (BF16) and 8% (FP8) slower than its fprop ones on B300,
the same FLOPs and shapes. Fused attention runs in the
policy's attention precision (16-bit in FP8 training, as Transformer Engine runs it), slower
on short sequences (``attention_half_seq``) and with heads narrower than 128
(``attention_head_dim_64_ratio``).

A grouped GEMM (a mixture-of-experts layer's experts) that the training stack launches
as one GEMM per expert (Transformer Engine's ``GroupedLinear``: cuBLAS on several
streams, as Megatron-Core runs it) costs at least ``group_launch`` per expert: the host
submits each GEMM (with its FP8 scaling bookkeeping) one after another, and with a few
hundred tokens per expert the GPU finishes each before the next arrives. The time is
the larger of that and the roofline. A stack with a single-kernel grouped GEMM
(DeepGEMM, ``torch._grouped_mm``, Transformer Engine's fused grouped MLP) has
``group_launch = 0``.

On a chip whose matrix unit is a weight-stationary systolic array (a TPU's MXU, 128 x 128, or
256 x 256 on TPU v6e), a matmul's weight dimensions (``n`` and ``k``; fused attention's head
dimension) are padded up to a multiple of the array's side, and the padding does no useful work
(:func:`fill`; Austin et al., "How to Scale Your Model", Part 2).

A matmul too thin for the matrix units (a depthwise convolution is a GEMM with
``n = 1``) runs on the vector units instead, when the chip's catalog entry gives
their rate: the kernel takes the faster of the two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from dojosim.mapping.policy import Precision
from dojosim.spec.calibration import Calibration
from dojosim.spec.hardware import ChipSpec
from dojosim.workload.ops import Op

EIGHT_BIT = ("fp8", "cfp8", "int8", "mxfp8")


@dataclass(frozen=True, slots=True)
class ComputeModel:
    """What the compute model needs of a chip in one precision, in SI units."""

    peak_flops: float  # dense matrix FLOP/s of the matmul precision
    memory_bandwidth: float  # B/s
    matmul_efficiency: float
    matmul_half_size: float
    memory_efficiency: float
    kernel_overhead: float  # s
    flash_attention_efficiency: float
    vector_flops: float = 0.0  # FLOP/s of the vector (non-matrix) units; 0 if unknown
    attention_peak_flops: float = 0.0  # FLOP/s of the attention precision (0: peak_flops)
    attention_half_seq: float = 0.0  # tokens; see Calibration.attention_half_seq
    group_launch: float = 0.0  # s per group of a grouped GEMM launched one GEMM per group
    overlap_slowdown: float = 0.0  # compute slowdown while a collective overlaps it (fraction)
    attention_head_dim_64_ratio: float = 1.0  # fused attention at head dim 64 over 128
    matrix_unit: int = 0  # side of a systolic matrix unit, elements (0: no padding)
    wide_peak_flops: float = 0.0  # FLOP/s of a wide op's 16-bit matmul (0: peak_flops)
    wide_matmul_efficiency: float = 0.0  # its matmul efficiency
    backward_ratio: float = 1.0  # a backward-pass GEMM's rate over the forward one's
    wide_backward_ratio: float = 1.0  # the same for a wide op's 16-bit GEMM
    wgrad_ratio: float = 1.0  # a weight-gradient GEMM's rate over an input-gradient one's

    @classmethod
    def of(
        cls,
        chip: ChipSpec,
        precision: Precision,
        cal: Calibration,
        per_group: bool = True,
        attention_kernel: str = "auto",
        fp8_attention: bool = False,
    ) -> ComputeModel:
        """The compute model of ``chip`` running ``precision`` with ``cal``'s constants
        (``per_group``: the stack launches a grouped GEMM as one GEMM per group;
        ``attention_kernel``: ``flash-attention-1`` runs fused attention with the calibration's
        ``flash_attention_1_*`` constants instead of the family's kernel's, ``newest`` at the
        family's newest measured kernel (the high end of ``flash_attention_efficiency``'s range,
        half rate at ``newest_attention_half_seq``); ``fp8_attention``: it runs in FP8,
        ``fp8_attention_speedup`` times as fast). Under blockwise FP8 scaling the weight-gradient
        GEMMs run at ``blockwise_wgrad_ratio`` of the rate of the others."""
        eight_bit = precision.matmul in EIGHT_BIT
        efficiency = cal.matmul_efficiency
        if eight_bit and cal.fp8_matmul_efficiency is not None:
            efficiency = cal.fp8_matmul_efficiency
        quant = precision.quant
        if eight_bit and quant and quant.recipe == "mxfp8" and cal.mxfp8_matmul_ratio:
            efficiency *= cal.mxfp8_matmul_ratio  # block-scaled GEMMs run slower than per-tensor
        attention = chip.peak_flops.get(precision.attention)  # type: ignore[call-overload]
        # the fused kernel's three constants: the family's, or FlashAttention-1's own
        kernel = (cal.flash_attention_efficiency, cal.attention_half_seq,
                  cal.attention_head_dim_64_ratio)  # fmt: skip
        if attention_kernel == "flash-attention-1" and cal.flash_attention_1_efficiency:
            kernel = (cal.flash_attention_1_efficiency, cal.flash_attention_1_half_seq,
                      cal.flash_attention_1_head_dim_64_ratio)  # fmt: skip
        newest = cal.ranges.get("flash_attention_efficiency")
        if attention_kernel == "newest" and newest and cal.newest_attention_half_seq:
            kernel = (newest[1], cal.newest_attention_half_seq, cal.attention_head_dim_64_ratio)
        fp8 = (cal.fp8_attention_speedup or 1.0) if fp8_attention else 1.0
        wide = chip.peak_flops.get(precision.wide) if precision.wide else None  # type: ignore[call-overload]
        backward = cal.backward_matmul_ratio or 1.0
        if eight_bit and cal.fp8_backward_matmul_ratio:
            backward = cal.fp8_backward_matmul_ratio
        wgrad = 1.0
        if eight_bit and quant and quant.recipe == "blockwise" and cal.blockwise_wgrad_ratio:
            wgrad = cal.blockwise_wgrad_ratio
        return cls(
            chip.peak(precision.matmul),
            chip.memory_bandwidth,
            efficiency,
            cal.matmul_half_size,
            cal.memory_efficiency,
            cal.kernel_overhead,
            kernel[0] * fp8,
            vector_rate(chip, precision.matmul),
            float(attention or chip.peak(precision.matmul)),
            kernel[1],
            cal.expert_gemm_launch if per_group else 0.0,
            cal.overlap_slowdown,
            kernel[2],
            chip.matrix_unit or 0,
            float(wide or 0.0),
            cal.matmul_efficiency if wide else 0.0,
            backward,
            cal.backward_matmul_ratio or 1.0,
            wgrad,
        )

    def matmul_efficiency_of(
        self,
        m: Any,
        n: Any,
        k: Any,
        wide: bool = False,
        gradient: bool = False,
        weight_gradient: bool = False,
    ) -> Any:
        """Fraction of peak a matmul of this shape reaches (before the memory bound); numbers
        or NumPy arrays alike, so the op-by-op and the array timings share it. ``wide``: a
        16-bit matmul in 8-bit training, at the 16-bit efficiency; ``gradient``: a backward-pass
        GEMM, at the backward ratio; ``weight_gradient``: a weight gradient, at ``wgrad_ratio``
        as well (an 8-bit one: a wide matmul stays at 16 bits)."""
        half = self.matmul_half_size
        shape = (m / (m + half)) * (n / (n + half)) * (k / (k + half))
        side = self.matrix_unit
        padding = fill(n, side) * fill(k, side) if side else 1.0
        if gradient:
            shape = shape * (self.wide_backward_ratio if wide else self.backward_ratio)
        if weight_gradient and not wide:
            shape = shape * self.wgrad_ratio
        return self._matmul_rate(wide)[1] * shape * padding

    def _matmul_rate(self, wide: bool) -> tuple[float, float]:
        """Peak FLOP/s and efficiency of a matmul (``wide``: one that stays at 16 bits)."""
        if wide and self.wide_peak_flops:
            return self.wide_peak_flops, self.wide_matmul_efficiency
        return self.peak_flops, self.matmul_efficiency

    def op_time(self, op: Op) -> float:
        """Seconds for one op."""
        memory = op.bytes / (self.memory_bandwidth * self.memory_efficiency)
        if op.kind == "matmul":
            peak = self._matmul_rate(op.wide)[0]
            eff = self.matmul_efficiency_of(
                op.m, op.n, op.k, op.wide, op.gradient, op.weight_gradient
            )
            compute = op.flops / (peak * eff)
            if self.vector_flops > 0:
                compute = min(compute, op.flops / self.vector_flops)
        elif op.kind == "attention":
            peak = self.attention_peak_flops or self.peak_flops
            # n: the keys each query attends to; k: the head dim
            compute = op.flops / (peak * float(self.attention_efficiency(op.n, op.k)))
        else:
            compute = 0.0
        t = max(compute, memory) + self.kernel_overhead * op.launches
        if op.grouped and self.group_launch > 0:
            t = max(t, op.batch * self.group_launch)
        return t

    def attention_efficiency(self, keys: Any, head_dim: Any) -> Any:
        """Fraction of its peak fused attention reaches with ``keys`` keys per query (tokens)
        and heads ``head_dim`` wide (either 0: not known, no factor); numbers or NumPy arrays
        alike, so the op-by-op and the array timings share it."""
        import numpy as np

        keys, head_dim = np.asarray(keys, dtype=float), np.asarray(head_dim, dtype=float)
        eff = self.flash_attention_efficiency * np.ones(np.broadcast(keys, head_dim).shape)
        if self.attention_half_seq > 0:
            eff *= np.where(keys > 0, keys / (keys + self.attention_half_seq), 1.0)
        width = head_dim_factor(head_dim, self.attention_head_dim_64_ratio)
        return eff * np.where(head_dim > 0, width * fill(head_dim, self.matrix_unit), 1.0)

    def ops_time(self, ops: list[Op] | tuple[Op, ...]) -> float:
        """Seconds for a sequence of ops run one after another."""
        return sum(self.op_time(op) for op in ops)


def head_dim_factor(head_dim: Any, ratio_64: float) -> Any:
    """Fused attention's rate at ``head_dim`` over its rate at 128 (a number or a NumPy
    array): ``ratio_64`` at 64 and below, 1 from 128 up, linear between (narrower heads do less
    work per load of K and V; measured at 64 and 128 only, so neither end is extrapolated)."""
    import numpy as np

    return ratio_64 + (1.0 - ratio_64) * np.clip((np.asarray(head_dim) - 64) / 64, 0.0, 1.0)


def fill(dim: Any, side: int) -> Any:
    """The share of a systolic array of ``side`` x ``side`` that a weight dimension of ``dim``
    elements keeps busy: ``dim`` over ``dim`` padded up to a multiple of ``side`` (1 when
    ``side`` is 0, or where ``dim`` is 0: not known). A head dimension of 128 fills half of TPU
    v6e's 256-wide MXU. Numbers or NumPy arrays."""
    import numpy as np

    if side <= 0:
        return 1.0
    if isinstance(dim, int | float):
        return dim / (max(math.ceil(dim / side), 1) * side) if dim > 0 else 1.0
    d = np.asarray(dim, dtype=float)
    padded = np.maximum(np.ceil(d / side), 1.0) * side
    share = np.where(d > 0, d / padded, 1.0)
    return float(share) if share.ndim == 0 else share


def under(comm: float, compute: float, slowdown: float) -> float:
    """Exposed seconds of a collective of ``comm`` s run under ``compute`` s of work that it
    slows by ``slowdown`` (0.189: 18.9% slower while both run).

    The work advances at ``1 / (1 + slowdown)`` while the collective runs: if the collective
    ends first, the step grows by ``comm x slowdown / (1 + slowdown)``; if it outlasts the
    work slowed all the way (``comm > compute (1 + slowdown)``), by ``comm - compute``.
    """
    if comm <= 0.0:
        return 0.0
    return max(comm - compute, comm * slowdown / (1.0 + slowdown))


def vector_rate(chip: ChipSpec, precision: str) -> float:
    """The chip's vector-unit FLOP/s in ``precision`` (else its fp32 rate, else 0: unknown)."""
    rates = chip.vector_flops
    return float(rates.get(precision, rates.get("fp32", 0.0)))  # type: ignore[call-overload]
