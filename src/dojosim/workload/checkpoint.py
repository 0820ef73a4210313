"""torchtitan's per-op selective activation checkpointing (``recompute: op``).

torchtitan wraps each transformer block in a checkpoint whose policy keeps the outputs of
the ops in ``_save_list`` (``aten.mm``, the flash and memory-efficient SDPA kernels,
``reduce_scatter`` and ``max``) "except every second mm", counted in the block's forward
order, and recomputes everything else in the backward pass
(``torchtitan/models/llama3/parallelize_llama.py``, ``_apply_ac_to_transformer_block``, at
commit e7c0cae934df78d6e9c2835f42ff1f757dc3fddc). A Llama block calls its matmuls as
``wq, wk, wv, wo, w1, w3, w2`` (``w1, w2`` without a gate), so ``wk``, ``wo`` and ``w3``
(``w2``) run again. With float8 linears (torchao) a matmul is ``aten._scaled_mm``, which is
not in the list: every matmul of the block runs again. Element-wise kernels (norms, rotary
embedding, activation function, residual adds, casts) always run again; attention never
does.

What the block keeps for backward is its input, the attention output and, in 16-bit, the
outputs of the kept matmuls (``wq``, ``wv``, ``w1`` and, gated, ``w2``). Everything here is
for one layer and one micro-batch on one chip, in bytes or ops of ``layer_forward``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dojosim.workload.ops import Op, matmul

if TYPE_CHECKING:
    from dojosim.spec.workload import ModelSpec
    from dojosim.workload.transformer import LayerShape


def recomputed_ops(m: ModelSpec, sh: LayerShape, forward: list[Op]) -> list[Op]:
    """The forward ops of one block that run again in its backward pass."""
    if sh.cast:  # 8-bit matmuls are _scaled_mm: none is kept
        return [op for op in forward if op.kind != "attention"]
    tok = int(sh.b * sh.s)
    h, dh = m.hidden, m.dhead
    kvh = max(m.n_kv_heads // sh.t, 1)
    ffn = m.ffn // sh.t
    out = [op for op in forward if op.kind == "elementwise"]
    out.append(matmul("k", tok, kvh * dh, h, elem_bytes=sh.e))  # wk, the second
    out += [op for op in forward if op.name == "proj"]  # wo, the fourth
    if m.gated_mlp:
        out.append(matmul("mlp_up_w3", tok, ffn, h, elem_bytes=sh.e))  # w3, the sixth
    else:
        out += [op for op in forward if op.name == "mlp_down"]  # w2, the sixth
    return out


def rerun_ops(m: ModelSpec, sh: LayerShape, recompute: str, forward: list[Op]) -> list[Op]:
    """The forward ops a block runs again in its backward pass under ``recompute``: all of
    them (full), the ``recompute_modules`` ones (selective: the attention core when it is not
    fused, by default), torchtitan's (op)."""

    if recompute == "full":
        return forward
    if recompute == "selective":
        from dojosim.workload import recompute_modules

        return recompute_modules.rerun(m, sh, forward)
    if recompute == "dots":  # all but the weight matmuls (a dot with no batch dimension)
        return [op for op in forward if not _weight_dot(op)]
    return recomputed_ops(m, sh, forward) if recompute == "op" else []


def _weight_dot(op: Op) -> bool:
    return op.kind == "matmul" and op.batch == 1 and not op.grouped


def dots_kept_bytes(m: ModelSpec, sh: LayerShape) -> float:
    """Bytes a block keeps under JAX's ``checkpoint_dots_with_no_batch_dims`` (MaxText's
    ``remat_policy: minimal``, ``MaxText/layers/models.py`` at 76bd53b0): its input and the
    output of every weight matmul. The policy picks values of the unpartitioned program, so a
    value is kept as it is sharded: the column-parallel outputs split over the tensor group
    (this chip's ``n``), the row-parallel ones (back to the model width) as the residual stream
    is, split over it too with sequence parallelism."""
    from dojosim.workload.transformer import layer_forward

    rep = sh.t if sh.sp else 1
    kept = sh.b * sh.s * m.hidden * sh.e / rep
    for op in layer_forward(m, sh):
        if _weight_dot(op):
            row = op.k != m.hidden and op.n == m.hidden  # back to the width: proj, down
            kept += op.m * op.n * sh.e / (rep if row else 1)
    return kept


def rerun_matmul_flops_per_token(m: ModelSpec, eight_bit: bool) -> float:
    """Matmul FLOPs per token that one block runs again under ``recompute: op`` (what
    hardware FLOPs add), counted on the same ops :func:`recomputed_ops` picks."""
    from dojosim.workload.transformer import LayerShape, layer_forward

    sh = LayerShape(1, 1, 1, False, True, 2.0, 1.0 if eight_bit else 0.0)
    again = recomputed_ops(m, sh, layer_forward(m, sh))
    return sum(op.flops for op in again if op.kind == "matmul")


def kept_bytes(m: ModelSpec, sh: LayerShape) -> float:
    """Bytes the block keeps for backward: its input, the attention output and its
    log-sum-exp (fp32), and in 16-bit the kept matmuls' outputs."""
    tok, t, e = sh.b * sh.s, sh.t, sh.e
    qh, kvh = m.heads / t, max(m.n_kv_heads / t, 1)
    dh, ffn = m.dhead, m.ffn / t
    kept = tok * m.hidden * e / (t if sh.sp else 1) + tok * qh * (dh * e + 4)
    if not sh.cast:
        kept += tok * (qh + kvh) * dh * e + tok * ffn * e  # wq, wv, w1
        if m.gated_mlp:
            kept += tok * m.hidden * e  # w2 (the seventh matmul, kept)
    return kept


__all__ = ["kept_bytes", "recomputed_ops", "rerun_matmul_flops_per_token", "rerun_ops"]
