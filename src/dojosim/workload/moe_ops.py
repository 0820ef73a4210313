"""Operations of multi-head latent attention and of a mixture-of-experts MLP, per chip.

Multi-head latent attention (DeepSeek-V2/V3, arXiv 2412.19437 Section 2.1.1): queries go
through a rank-``q_lora_rank`` bottleneck, keys and values through a shared
``kv_lora_rank`` latent plus one rotary key, then per-head up-projections; the latent
projections are replicated over tensor parallelism, the per-head ones split by heads
(Megatron-Core's MLA). Attention runs at head dims ``qk_nope + qk_rope`` for scores and
``v_head_dim`` for values.

A mixture-of-experts MLP (Megatron-Core MoE): every tensor-parallel rank routes its share
of the tokens (sequence parallel), the router scores ``experts`` per token, tokens are
permuted, dispatched over the expert-parallel group (an all-to-all timed in
:mod:`dojosim.perf.units`), run through the rank's ``experts / ep`` experts as grouped
GEMMs of ``m`` tokens per expert (small per-expert GEMMs are slow: the compute model's
shape factor; a stack that launches one GEMM per expert pays the compute model's
``group_launch`` per expert), combined and un-permuted; shared experts run densely, split by tensor
parallelism. The busiest rank receives ``imbalance`` times the mean tokens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dojosim.spec.workload import ModelSpec
from dojosim.workload.ops import Op, elementwise, matmul

if TYPE_CHECKING:
    from dojosim.workload.transformer import LayerShape


def mla_forward(m: ModelSpec, sh: LayerShape) -> list[Op]:
    """Projections and attention of multi-head latent attention on one chip."""
    a = m.mla
    assert a is not None
    from dojosim.workload.transformer import cast_alone, norm

    b, s, t, e = sh.b, sh.s, sh.t, sh.e
    tok, h, qh = b * s, m.hidden, m.heads // t
    qk, v = a.qk_head_dim, a.v_head_dim
    ops: list[Op] = []
    if a.q_lora_rank:
        ops.append(matmul("q_down", tok, a.q_lora_rank, h, elem_bytes=e))
        ops.append(norm("q_norm", tok, a.q_lora_rank, e, sh))
        ops.append(matmul("q_up", tok, qh * qk, a.q_lora_rank, elem_bytes=e))
    else:
        ops.append(matmul("q_proj", tok, qh * qk, h, elem_bytes=e))
    ops.append(matmul("kv_down", tok, a.kv_lora_rank + a.qk_rope_head_dim, h, elem_bytes=e))
    ops.append(norm("kv_norm", tok, a.kv_lora_rank, e, sh))
    ops.append(matmul("kv_up", tok, qh * (a.qk_nope_head_dim + v), a.kv_lora_rank, elem_bytes=e))
    ops.append(elementwise("rope", 2 * tok * qh * a.qk_rope_head_dim * e))
    k = sh.span
    if sh.flash:
        flops = 0.5 * 2.0 * b * qh * s * k * (qk + v)  # causal half of QK^T and AV
        traffic = (b * s * qh * (qk + v) + b * k * qh * (qk + v)) * e
        ops.append(Op("flash_attention", "attention", flops, traffic, m=s, n=k, k=qk))
    else:
        scores = b * qh * s * k
        ops += [
            matmul("scores", s, k, qk, batch=b * qh, elem_bytes=e, wide=True),
            elementwise("softmax", 2 * scores * e),
            matmul("context", s, v, k, batch=b * qh, elem_bytes=e, wide=True),
        ]
    if sh.cast:
        ops.append(cast_alone("cast_proj", tok * qh * v, sh))
    ops.append(matmul("proj", tok, h, qh * v, elem_bytes=e))
    return ops


def routed_tokens(m: ModelSpec, sh: LayerShape) -> float:
    """Tokens the busiest expert-parallel rank runs through its experts, one micro-batch."""
    return sh.b * sh.s / sh.t * m.top_k * sh.imbalance


def moe_mlp_forward(m: ModelSpec, sh: LayerShape) -> list[Op]:
    """Router, permutation, the rank's experts, shared experts and un-permutation on one chip."""
    from dojosim.workload.transformer import activation, cast_alone, mlp_forward

    e, h, t = sh.e, m.hidden, sh.t
    tok = sh.b * sh.s / t  # tokens this rank routes (sequence parallel over the tensor group)
    local = max(m.experts // sh.ep, 1)
    ffn = m.expert_ffn // sh.etp
    routed = routed_tokens(m, sh)
    per_expert = max(int(routed / local), 1)
    gates = 2 if m.gated_mlp else 1
    # Megatron-Core's eager kernels (dojosim.mapping.eager): the clamp of both halves, two
    # clamps (each reads and writes a half) and a cat; the bias times each token's probability
    # added expert by expert, a multiply (writes a row) and an add (reads two, writes one) per
    # expert, then a cat (reads and writes): 6 rows
    clamp, bias = [], []
    if "activation_clamp" in sh.eager:
        clamp = [elementwise("experts_clamp", routed * ffn * 8 * e, launches=3)]
    if "expert_bias" in sh.eager:
        bias = [elementwise("experts_bias", routed * h * 6 * e, launches=2 * local + 1)]
    ops = [
        # Megatron-Core's TopKRouter is no Transformer Engine module: its matmul stays wide
        matmul("router", int(tok), m.experts, h, elem_bytes=e, wide=True),
        elementwise("topk_softmax", tok * m.experts * 8),
        elementwise("permute", 2 * routed * h * e),
        # 8-bit experts quantize their permuted input first (GroupedLinear's split_quantize)
        *([cast_alone("experts_cast", routed * h, sh)] if sh.cast else []),
        matmul("experts_up", per_expert, gates * ffn, h, batch=local, elem_bytes=e, grouped=True),
        *clamp,
        # (the fused grouped MLP runs the activation and its cast in the first GEMM's epilogue)
        *([] if sh.fused_mlp else [activation("experts_act", routed * ffn, gates + 1, sh)]),
        matmul("experts_down", per_expert, h, ffn, batch=local, elem_bytes=e, grouped=True),
        *bias,
        elementwise("unpermute", 2 * routed * h * e + tok * m.top_k * 4),
    ]
    if m.shared_experts:
        ops += mlp_forward(m, sh, m.shared_experts * m.expert_ffn // t, sh.b * sh.s, "shared")
    return ops


def dispatch_bytes(m: ModelSpec, sh: LayerShape, element: float) -> float:
    """Bytes one rank sends in one all-to-all (dispatch or combine) of a micro-batch."""
    return sh.b * sh.s / sh.t * m.top_k * m.hidden * element * sh.imbalance


def moe_activation_bytes(m: ModelSpec, sh: LayerShape) -> float:
    """What a MoE MLP keeps for backward on one chip: the dispatched inputs and the experts'
    activation-function inputs and outputs, the router's probabilities, shared experts."""
    e = sh.e
    mi = sh.cast or e  # an 8-bit GEMM's input is kept as its 8-bit copy (see transformer.py)
    routed = routed_tokens(m, sh)
    ffn = m.expert_ffn / sh.etp
    gates = 2 if m.gated_mlp else 1
    kept = routed * ((m.hidden + ffn) * mi + gates * ffn * e) + sh.b * sh.s / sh.t * m.experts * 4
    if m.shared_experts:
        width = m.shared_experts * m.expert_ffn / sh.t
        kept += sh.b * sh.s * width * (gates * e + mi)
    return kept


__all__ = ["dispatch_bytes", "mla_forward", "moe_activation_bytes", "moe_mlp_forward"]
