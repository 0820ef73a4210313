"""Parameters and FLOPs per token of a transformer model: dense, mixture of experts, MLA.

Parameters are counted per layer kind (a *dense* layer has an MLP of ``ffn_hidden``; a
*MoE* layer has a router, ``experts`` routed experts and ``shared_experts`` shared ones, each
an MLP of ``expert_ffn_hidden``) and per component, so that a published total (every weight)
and a published active count (weights one token uses: the ``top_k`` routed experts it is
sent to, everything else) can both be checked.

FLOP convention (stated once, used everywhere): a multiply-add is 2 FLOP; training FLOPs per
token are **6 x the matmul weights one token uses** (2 forward + 4 backward per weight:
attention projections or MLA's low-rank projections, the dense MLP or the router, the
``top_k`` routed and the shared experts, and the output projection over the vocabulary; not
the embedding lookup, norms or biases) **plus attention**, ``6 x span x heads x (d_qk + d_v)``
per layer (QK^T and AV, forward and backward), with ``span`` the keys a query sees counted as
full, non-causal attention over the sequence: PaLM (Chowdhery et al. 2022, arXiv 2204.02311,
Appendix B: 6N + 12 L H Q T) with N the *activated* parameters of a mixture of experts, as the
DeepSeek-V3 report sizes its model (37 B activated of 671 B, arXiv 2412.19437, Section 1).
MTP modules (DeepSeek-V3's multi-token prediction) are trained, so they count. ``causal=True`` halves the attention term (what a causal fused
kernel actually computes). For a dense model this equals 3 x the Megatron forward count of
:func:`dojosim.workload.transformer.model_flops_per_token` exactly. Local-window layers see
``window`` keys (chunked: the chunk; sliding: the band) instead of the sequence.

All counts are plain numbers of weights; FLOPs are per token.
"""

from __future__ import annotations

from dojosim.spec.workload import ModelSpec

# ---------------------------------------------------------------- per-layer components


def attention_matmul_params(m: ModelSpec) -> float:
    """The attention weights a token multiplies by (projections only: no norms, no biases)."""
    h = m.hidden
    if m.mla is not None:
        a = m.mla
        q = h * m.heads * a.qk_head_dim
        if a.q_lora_rank is not None:  # h -> q_lora_rank -> heads x (nope + rope)
            q = h * a.q_lora_rank + a.q_lora_rank * m.heads * a.qk_head_dim
        kv = h * (a.kv_lora_rank + a.qk_rope_head_dim)  # the latent and the shared rotary key
        kv += a.kv_lora_rank * m.heads * (a.qk_nope_head_dim + a.v_head_dim)
        return float(q + kv + m.heads * a.v_head_dim * h)
    return float(h * (m.heads + 2 * m.n_kv_heads) * m.dhead + m.heads * m.dhead * h)


def attention_params(m: ModelSpec) -> float:
    """Weights of one layer's attention: projections, their biases, MLA's latent norms,
    Qwen3's per-head query/key norms."""
    n = attention_matmul_params(m)
    if m.mla is not None:
        return n + (m.mla.q_lora_rank or 0) + m.mla.kv_lora_rank
    if m.has_bias:
        n += (m.heads + 2 * m.n_kv_heads) * m.dhead + m.hidden
    if m.qk_norm:
        n += 2 * m.dhead
    return n


def _mlp_matmul(m: ModelSpec, width: int) -> float:
    return float((3 if m.gated_mlp else 2) * m.hidden * width)


def _mlp(m: ModelSpec, width: int) -> float:
    bias = ((2 if m.gated_mlp else 1) * width + m.hidden) if m.has_bias else 0
    return _mlp_matmul(m, width) + bias


def dense_mlp_params(m: ModelSpec) -> float:
    """Weights of a dense layer's MLP (width ``ffn_hidden``), biases included."""
    return _mlp(m, m.ffn)


def expert_params(m: ModelSpec) -> float:
    """Weights of one routed or shared expert (an MLP of width ``expert_ffn_hidden``)."""
    return _mlp(m, m.expert_ffn)


def router_params(m: ModelSpec) -> float:
    """Weights of one MoE layer's router (hidden x experts, plus a bias where the model has them)."""
    return float(m.hidden * m.experts + (m.experts if m.has_bias else 0))


def norm_params_per_layer(m: ModelSpec) -> float:
    """The pre-norms of a layer, two (one in a parallel block; a LayerNorm has a scale and a
    shift)."""
    return float((1 if m.parallel_block else 2) * m.hidden * (1 if m.norm == "rmsnorm" else 2))


def dense_layer_params(m: ModelSpec) -> float:
    """Weights of one dense layer."""
    return attention_params(m) + norm_params_per_layer(m) + dense_mlp_params(m)


def moe_layer_params(m: ModelSpec) -> float:
    """Weights of one MoE layer: attention, norms, router, every routed and shared expert."""
    experts = (m.experts + m.shared_experts) * expert_params(m)
    return attention_params(m) + norm_params_per_layer(m) + router_params(m) + experts


def moe_layer_active_params(m: ModelSpec) -> float:
    """Weights of one MoE layer that one token uses (``top_k`` routed experts + the shared)."""
    experts = (m.top_k + m.shared_experts) * expert_params(m)
    return attention_params(m) + norm_params_per_layer(m) + router_params(m) + experts


def layer_params(m: ModelSpec, i: int) -> float:
    """Weights of layer ``i`` (0-based)."""
    return moe_layer_params(m) if m.is_moe_layer(i) else dense_layer_params(m)


def dense_layer_count(m: ModelSpec) -> int:
    return m.layers - m.moe_layers


# ---------------------------------------------------------------- whole model


def embedding_params(m: ModelSpec) -> float:
    """Input embedding weights (the output projection is the same matrix when tied)."""
    return float(m.vocab * m.hidden)


def params_breakdown(m: ModelSpec) -> dict[str, float]:
    """Every weight of the main model by component (MTP modules excluded, as published)."""
    moe, dense = m.moe_layers, dense_layer_count(m)
    attn = m.layers * attention_params(m)
    return {
        "embedding": embedding_params(m),
        "logits": 0.0 if m.tied_embeddings else embedding_params(m),
        "attention": 0.0 if m.mla else attn,
        "mla": attn if m.mla else 0.0,
        "norms": m.layers * norm_params_per_layer(m) + m.hidden,  # + the final norm
        "dense_mlp": dense * dense_mlp_params(m),
        "router": moe * router_params(m),
        "routed_experts": moe * m.experts * expert_params(m),
        "shared_experts": moe * m.shared_experts * expert_params(m),
    }


def total_params(m: ModelSpec) -> float:
    """All weights of the main model (multi-token-prediction modules excluded)."""
    return sum(params_breakdown(m).values())


def active_params_breakdown(m: ModelSpec, *, count_embedding: bool = True) -> dict[str, float]:
    """The weights one token uses, by component: ``top_k`` of the routed experts, all else.

    ``count_embedding=False`` leaves out the (untied) input embedding, as OpenAI's gpt-oss
    card counts active parameters.
    """
    out = params_breakdown(m)
    if m.is_moe:
        out["routed_experts"] *= m.top_k / m.experts
    if not count_embedding and not m.tied_embeddings:
        out["embedding"] = 0.0
    return out


def active_params(m: ModelSpec, *, count_embedding: bool = True) -> float:
    """Weights one token uses (see :func:`active_params_breakdown`)."""
    return sum(active_params_breakdown(m, count_embedding=count_embedding).values())


def params_per_layer(m: ModelSpec) -> float:
    """Mean weights of one transformer layer; equals every layer's count for a dense model
    (a MoE model's dense and MoE layers differ: see :func:`layer_params`)."""
    return (
        m.moe_layers * moe_layer_params(m) + dense_layer_count(m) * dense_layer_params(m)
    ) / m.layers


def mtp_params(m: ModelSpec) -> float:
    """Weights of the multi-token-prediction modules (DeepSeek-V3 Section 2.2): per depth one
    layer of the last layer's kind, a 2h -> h projection and three RMSNorms; the embedding and
    output head are shared with the main model."""
    layer = layer_params(m, m.layers - 1)
    return m.mtp_depth * (layer + 2 * m.hidden * m.hidden + 3 * m.hidden)


# ---------------------------------------------------------------- FLOPs per token


def window(m: ModelSpec, local: bool, s: int) -> int:
    """The keys a query of a global or a ``local`` layer may attend to at sequence length ``s``:
    the sequence, or the band or chunk of ``m.local_attention``."""
    la = m.local_attention
    return min(la.window, s) if la is not None and local else s


def keys_seen(m: ModelSpec, local: bool, s: int, causal: bool) -> float:
    """Keys one query attends to on a global or a ``local`` (windowed) layer at sequence length
    ``s``, in the full (non-causal) convention or, with ``causal``, on average under a causal
    mask."""
    w = window(m, local, s)
    if w == s or m.local_attention is None or m.local_attention.kind == "chunked":
        return w / 2.0 if causal else float(w)
    # a causal band of w keys; the ramp at the start of the sequence sees fewer
    band = w - w * w / (2.0 * s)
    return band if causal else 2.0 * band


def _attention_width(m: ModelSpec) -> int:
    """heads x (d_qk + d_v): the per-key width of QK^T and AV."""
    if m.mla is not None:
        return m.heads * (m.mla.qk_head_dim + m.mla.v_head_dim)
    return 2 * m.heads * m.dhead


def _attention_core(m: ModelSpec, s: int, causal: bool) -> float:
    """Forward attention FLOPs per token summed over the main model's layers."""
    width = _attention_width(m)
    if m.local_attention is None:  # every layer alike: no per-layer sum (a hot path)
        return m.layers * 2.0 * width * keys_seen(m, False, s, causal)
    return sum(
        2.0 * width * keys_seen(m, not m.is_global_layer(i), s, causal) for i in range(m.layers)
    )


def forward_flops_breakdown(
    m: ModelSpec, seq_len: int | None = None, *, causal: bool = False
) -> dict[str, float]:
    """Forward FLOPs per token by component at ``seq_len`` (default: the model's)."""
    s = seq_len or m.seq_len
    moe, dense = m.moe_layers, dense_layer_count(m)
    proj = 2.0 * m.layers * attention_matmul_params(m)
    out = {
        "attention_projections": 0.0 if m.mla else proj,
        "mla_projections": proj if m.mla else 0.0,
        "attention": _attention_core(m, s, causal),
        "dense_mlp": 2.0 * dense * _mlp_matmul(m, m.ffn),
        "router": 2.0 * moe * m.hidden * m.experts,
        "routed_experts": 2.0 * moe * m.top_k * _mlp_matmul(m, m.expert_ffn),
        "shared_experts": 2.0 * moe * m.shared_experts * _mlp_matmul(m, m.expert_ffn),
        "logits": 2.0 * m.hidden * m.vocab,
        "mtp": 0.0,
    }
    if m.mtp_depth:
        # Per depth: a layer of the last layer's kind attending globally, the 2h -> h
        # projection and the shared output head run again.
        if m.is_moe_layer(m.layers - 1):
            mlp = m.hidden * m.experts + (m.top_k + m.shared_experts) * _mlp_matmul(m, m.expert_ffn)
        else:
            mlp = _mlp_matmul(m, m.ffn)
        matmuls = attention_matmul_params(m) + mlp + 2 * m.hidden * m.hidden + m.hidden * m.vocab
        attention = 2.0 * _attention_width(m) * (s / 2.0 if causal else float(s))
        out["mtp"] = m.mtp_depth * (2.0 * matmuls + attention)
    return out


def model_flops_per_token(m: ModelSpec, s: int) -> float:
    """Forward model FLOPs per token at sequence length ``s`` (Megatron/PaLM convention: full
    attention, logits included, MTP modules included, no recomputation)."""
    return sum(forward_flops_breakdown(m, s).values())


def training_flops_breakdown(
    m: ModelSpec, seq_len: int | None = None, *, causal: bool = False
) -> dict[str, float]:
    """Training FLOPs per token by component: 3 x forward (see the module docstring)."""
    return {k: 3.0 * v for k, v in forward_flops_breakdown(m, seq_len, causal=causal).items()}


def training_flops_per_token(
    m: ModelSpec, seq_len: int | None = None, *, causal: bool = False
) -> float:
    """Training FLOPs per token: 6 x active matmul weights + attention (module docstring)."""
    return sum(training_flops_breakdown(m, seq_len, causal=causal).values())
