"""Operations: the unit of work the compute model times.

An op is what one chip executes once: a matrix multiply (``matmul``), a fused
attention kernel (``attention``) or a memory-bound element-wise kernel
(``elementwise``). FLOPs count a multiply-add as 2; bytes are the memory
traffic to and from the chip's main memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OpKind = Literal["matmul", "attention", "elementwise"]


#: Backward FLOPs of fused attention over its forward FLOPs: five matmuls (the recomputed
#: scores and four gradients) against two (Dao 2023, arXiv 2307.08691), as FlashAttention's
#: benchmarks count them.
ATTENTION_BACKWARD_FLOPS = 2.5


@dataclass(frozen=True, slots=True)
class Op:
    """One kernel on one chip.

    For a matmul, ``m``, ``n``, ``k`` are the problem dimensions and ``batch``
    the number of independent products (batched matmul); the FLOPs are
    ``2 * batch * m * n * k``. For fused attention, ``m`` is the queries, ``n`` the keys each
    query attends to and ``k`` the head dim (of the queries and keys; 0: not known). ``grouped``: the products are a grouped GEMM (one per
    expert), which some stacks launch as one GEMM per group (the compute model's
    ``group_launch``) rather than as one kernel. ``wide``: a matmul that stays at 16 bits in
    8-bit training (the output layer, the MoE router, unfused attention's products).
    ``gradient``: a backward-pass matmul (an input or weight gradient), which some chips run
    slower than the forward GEMM of the same shape (the calibration's ``backward_matmul_ratio``);
    ``weight_gradient``: the weight gradient of them (``blockwise_wgrad_ratio``).
    """

    name: str
    kind: OpKind
    flops: float
    bytes: float
    m: int = 0
    n: int = 0
    k: int = 0
    batch: int = 1
    grouped: bool = False
    wide: bool = False
    launches: int = 1
    # of ``launches``, kernels that only prepare an 8-bit copy for the next matmul (an amax, a
    # scale, a quantize kernel of its own); the op's backward pass does not repeat them
    quant_launches: int = 0
    gradient: bool = False
    weight_gradient: bool = False  # of ``gradient`` matmuls, the weight gradient


def matmul(
    name: str,
    m: int,
    n: int,
    k: int,
    *,
    batch: int = 1,
    elem_bytes: float = 2,
    grouped: bool = False,
    wide: bool = False,
    gradient: bool = False,
    weight_gradient: bool = False,
) -> Op:
    """A (batched or grouped) matrix multiply ``[m, k] @ [k, n]`` reading both inputs and
    writing the output (``gradient``: of the backward pass)."""
    flops = 2.0 * batch * m * n * k
    traffic = batch * (m * k + k * n + m * n) * elem_bytes
    return Op(name, "matmul", flops, traffic, m, n, k, batch, grouped, wide, gradient=gradient,
              weight_gradient=weight_gradient)  # fmt: skip


def elementwise(
    name: str, nbytes: float, flops: float = 0.0, launches: int = 1, quant: int = 0
) -> Op:
    """A memory-bound kernel moving ``nbytes`` bytes (or ``launches`` kernels moving them
    together), followed by ``quant`` kernels that finish an 8-bit copy of its output."""
    return Op(name, "elementwise", flops, nbytes, launches=launches + quant, quant_launches=quant)


def matmul_backward(op: Op) -> tuple[Op, Op]:
    """The two matmuls of a matmul's backward pass: input gradient and weight gradient."""
    e = op.bytes / max(op.batch * (op.m * op.k + op.k * op.n + op.m * op.n), 1)

    def grad(name: str, m: int, n: int, k: int, weight: bool) -> Op:
        return matmul(name, m, n, k, batch=op.batch, elem_bytes=e, grouped=op.grouped,
                      wide=op.wide, gradient=True, weight_gradient=weight)  # fmt: skip

    dgrad = grad(f"{op.name}.dgrad", op.m, op.k, op.n, False)
    wgrad = grad(f"{op.name}.wgrad", op.k, op.n, op.m, True)
    return dgrad, wgrad
