"""Time of one operation on one chip: a roofline with a shape-dependent efficiency.

A matmul runs at ``peak * matmul_efficiency * g(m) * g(n) * g(k)`` where
``g(x) = x / (x + matmul_half_size)``: a dimension much larger than the half
size costs nothing, a small one (a skinny or tiny matrix) makes the kernel slow,
as tile and wave quantisation do on real chips. It is also never faster than
its memory traffic allows. Element-wise kernels are bound by memory bandwidth.
Every kernel pays a fixed ``kernel_overhead``.

A matmul too thin for the matrix units (a depthwise convolution is a GEMM with
``n = 1``) runs on the vector units instead, when the chip's catalog entry gives
their rate: the kernel takes the faster of the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from dojosim.spec.calibration import Calibration
from dojosim.spec.hardware import ChipSpec
from dojosim.workload.ops import Op


@dataclass(frozen=True, slots=True)
class ComputeModel:
    """What the compute model needs of a chip in one precision, in SI units."""

    peak_flops: float  # dense matrix FLOP/s in the training precision
    memory_bandwidth: float  # B/s
    matmul_efficiency: float
    matmul_half_size: float
    memory_efficiency: float
    kernel_overhead: float  # s
    flash_attention_efficiency: float
    vector_flops: float = 0.0  # FLOP/s of the vector (non-matrix) units; 0 if unknown

    @classmethod
    def of(
        cls,
        peak_flops: float,
        memory_bandwidth: float,
        cal: Calibration,
        vector_flops: float = 0.0,
    ) -> ComputeModel:
        return cls(
            peak_flops,
            memory_bandwidth,
            cal.matmul_efficiency,
            cal.matmul_half_size,
            cal.memory_efficiency,
            cal.kernel_overhead,
            cal.flash_attention_efficiency,
            vector_flops,
        )

    def matmul_efficiency_of(self, m: int, n: int, k: int) -> float:
        """Fraction of peak a matmul of this shape reaches (before the memory bound)."""
        half = self.matmul_half_size
        return self.matmul_efficiency * (m / (m + half)) * (n / (n + half)) * (k / (k + half))

    def op_time(self, op: Op) -> float:
        """Seconds for one op."""
        memory = op.bytes / (self.memory_bandwidth * self.memory_efficiency)
        if op.kind == "matmul":
            compute = op.flops / (self.peak_flops * self.matmul_efficiency_of(op.m, op.n, op.k))
            if self.vector_flops > 0:
                compute = min(compute, op.flops / self.vector_flops)
        elif op.kind == "attention":
            compute = op.flops / (self.peak_flops * self.flash_attention_efficiency)
        else:
            compute = 0.0
        return max(compute, memory) + self.kernel_overhead

    def ops_time(self, ops: list[Op]) -> float:
        """Seconds for a sequence of ops run one after another."""
        return sum(self.op_time(op) for op in ops)


def vector_rate(chip: ChipSpec, precision: str) -> float:
    """The chip's vector-unit FLOP/s in ``precision`` (else its fp32 rate, else 0: unknown)."""
    rates = chip.vector_flops
    return float(rates.get(precision, rates.get("fp32", 0.0)))  # type: ignore[call-overload]
