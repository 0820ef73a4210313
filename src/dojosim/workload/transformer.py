"""A decoder transformer as operations, parameters and activations.

Everything here is per chip for one micro-batch of ``b`` sequences of ``s``
tokens, with the layer split ``t`` ways by tensor parallelism (Megatron-style:
attention heads and MLP columns split, norms and dropout replicated, or split
by sequence when sequence parallelism is on).

FLOP conventions: a multiply-add is 2 FLOP. *Model* FLOPs follow Megatron-LM
(Narayanan et al. 2021, arXiv 2104.04473, eq. 3; Korthikanti et al. 2022,
arXiv 2205.05198, Appendix A): dense attention over the whole sequence
(no causal halving), logits included, no recomputation; *hardware* FLOPs are
what actually runs (recomputation included, causal halving with fused attention).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dojosim.spec.workload import ModelSpec
from dojosim.workload import recompute_modules

# Parameter and FLOP counts live in accounting.py (dense, MoE and MLA alike); these names are
# the ones the estimator imports from here.
from dojosim.workload.accounting import (
    embedding_params,
    keys_seen,
    model_flops_per_token,
    params_per_layer,
    total_params,
    window,
)
from dojosim.workload.ops import (
    ATTENTION_BACKWARD_FLOPS,
    Op,
    elementwise,
    matmul,
    matmul_backward,
)

if TYPE_CHECKING:
    from dojosim.mapping.quantization import Quantization, Where

__all__ = [
    "LayerShape",
    "activation",
    "activation_bytes_per_layer",
    "attention_core_forward",
    "backward",
    "cast_alone",
    "embedding_forward",
    "embedding_params",
    "grad_casts",
    "layer_forward",
    "logits_backward",
    "logits_forward",
    "mlp_forward",
    "model_flops_per_token",
    "mtp_forward",
    "norm",
    "params_per_layer",
    "total_params",
]


@dataclass(frozen=True, slots=True)
class LayerShape:
    """The per-chip shape of one layer's work."""

    b: int  # micro-batch, sequences
    s: int  # sequence length, tokens
    t: int  # tensor-parallel size
    sp: bool  # sequence parallelism
    flash: bool  # fused attention kernel
    e: float  # bytes per activation element
    cast: float = 0.0  # bytes per element of an 8-bit copy made for 8-bit matmuls (0: none)
    quant: Quantization | None = None  # how those copies are made (their traffic beyond one)
    keys: int = 0  # tokens each query attends to (the whole sequence under context
    # parallelism, where ``s`` is the chip's share); 0: ``s``
    moe: bool = False  # the layer's MLP is a mixture of experts
    ep: int = 1  # expert-parallel ranks (each holds experts / ep of them)
    etp: int = 1  # expert-tensor-parallel ranks (each expert split that many ways)
    imbalance: float = 1.0  # max/mean tokens on the busiest expert-parallel rank
    # Megatron-Core's recompute_modules under selective recomputation; empty: its default
    # (core_attn). :mod:`dojosim.workload.recompute_modules` says what each frees and reruns.
    modules: frozenset[str] = frozenset()
    local: bool = False  # a local-window layer of a model with ``local_attention``
    fused_mlp: bool = False  # the experts run as Transformer Engine's fused grouped MLP
    eager: frozenset[str] = frozenset()  # eager paths the layer takes (dojosim.mapping.eager)
    te_loss: bool = False  # the loss is Transformer Engine's fused cross-entropy

    @property
    def span(self) -> int:
        return self.keys or self.s

    def cast_at(self, where: Where) -> float:
        """Bytes per element a cast for an 8-bit matmul writes (and re-reads) beyond reading
        its 16-bit input, run ``where`` (in a norm, an activation function or on its own)."""
        if not self.cast:
            return 0.0
        return self.cast + (self.quant.extra(where, self.e) if self.quant else 0.0)

    def cast_kernels(self, where: Where) -> int:
        """Kernels a cast for an 8-bit matmul adds beyond its producer's (a norm or an
        activation function) or, on its own, beyond its one quantize kernel."""
        return self.quant.added_kernels(where) if self.cast and self.quant else 0


def cast_alone(name: str, elements: float, sh: LayerShape) -> Op:
    """A cast of ``elements`` 16-bit values for an 8-bit matmul with no producer to fuse into:
    it reads them and writes the recipe's copies (and re-reads), in its own kernels."""
    return elementwise(
        name, elements * (sh.e + sh.cast_at("alone")), quant=sh.cast_kernels("alone")
    )


def norm(name: str, tokens: float, width: float, e: float, sh: LayerShape | None = None) -> Op:
    """A norm over ``tokens`` rows of ``width``: it reads x and writes y, and with ``sh`` of 8-bit
    training also the 8-bit copy (and its kernels) that the next matmul reads."""
    cast, kernels = (sh.cast_at("norm"), sh.cast_kernels("norm")) if sh else (0.0, 0)
    return elementwise(name, tokens * width * (2 * e + cast), quant=kernels)


def activation(name: str, elements: float, passes: int, sh: LayerShape) -> Op:
    """An activation function writing ``elements`` values in ``passes`` 16-bit passes (its
    inputs and output), and the 8-bit copy (and its kernels) that the next matmul reads."""
    return elementwise(
        name, elements * (passes * sh.e + sh.cast_at("act")), quant=sh.cast_kernels("act")
    )


def _rope(nbytes: float, eager: bool) -> Op:
    """Rotary embedding of query and key tensors of ``nbytes`` together: one fused kernel
    reading and writing each, or, ``eager``, the unfused function's six kernels per tensor
    (``t * cos``, a negation of half, a concatenation, ``* sin``, an add and the final
    concatenation: 2 + 1 + 2 + 2 + 3 + 2 = 12 passes; :mod:`dojosim.mapping.eager`)."""
    if eager:
        return elementwise("rope", 12 * nbytes, launches=12)
    return elementwise("rope", 2 * nbytes)


def _mask_bytes(m: ModelSpec) -> int:
    """Bytes of dropout mask per element: one, or none for a model without dropout."""
    return 1 if m.dropout > 0 else 0


def layer_forward(m: ModelSpec, sh: LayerShape) -> list[Op]:
    """Forward ops of one layer on one chip, in order: attention (multi-head, grouped-query or
    multi-head latent), then the MLP (dense, or a mixture of experts)."""
    from dojosim.workload.moe_ops import mla_forward, moe_mlp_forward

    b, s, t, e = sh.b, sh.s, sh.t, sh.e
    tok = b * s
    tok_rep = tok / t if sh.sp else tok  # tokens per chip in the replicated (norm/dropout) regions
    h, dh = m.hidden, m.dhead
    qh, kvh = m.heads // t, max(m.n_kv_heads // t, 1)
    mask = _mask_bytes(m)
    # 8-bit matmuls need an 8-bit copy of their input: fused into the norm and the activation
    # function (Transformer Engine's LayerNormLinear, LayerNormMLP), a cast kernel of its own
    # for the attention output before the projection.
    ops = [norm("norm1", tok_rep, h, e, sh)]
    if m.attention == "mla":
        ops += mla_forward(m, sh)
    else:
        ops.append(matmul("qkv", tok, (qh + 2 * kvh) * dh, h, elem_bytes=e))
        # per-head RMSNorm of the queries and of the keys, a kernel each (two TENorm calls;
        # megatron/core/transformer/attention.py lines 1153-1157 at 0d8e0714)
        if m.qk_norm:
            ops.append(elementwise("qk_norm", 2 * tok * (qh + kvh) * dh * e, launches=2))
        if m.norm == "rmsnorm":  # rotary position embedding on q and k
            ops.append(_rope(tok * (qh + kvh) * dh * e, "scaled_rope" in sh.eager))
        ops += attention_core_forward(m, sh)
        if sh.cast:
            ops.append(cast_alone("cast_proj", tok * qh * dh, sh))
        ops.append(matmul("proj", tok, h, qh * dh, elem_bytes=e))
    if m.parallel_block:
        # x + Attention(LN(x)) + MLP(LN(x)) (GPT-J; PaLM, arXiv 2204.02311 Section 2; MaxText's
        # DecoderLayer): the MLP reads the same norm output, and one kernel adds both branches
        # to the residual. (PaLM also fuses the two input matmuls; that is not modelled.)
        ops += mlp_forward(m, sh, m.ffn // t, tok)
        ops.append(elementwise("dropout_add", tok_rep * h * (4 * e + mask)))
        return ops
    ops.append(elementwise("dropout_add1", tok_rep * h * (3 * e + mask)))
    ops.append(norm("norm2", tok_rep, h, e, sh))
    ops += moe_mlp_forward(m, sh) if sh.moe else mlp_forward(m, sh, m.ffn // t, tok)
    ops.append(elementwise("dropout_add2", tok_rep * h * (3 * e + mask)))
    return ops


def mlp_forward(m: ModelSpec, sh: LayerShape, ffn: int, tok: float, name: str = "mlp") -> list[Op]:
    """A dense MLP of width ``ffn`` (this chip's share) over ``tok`` tokens."""
    e, h = sh.e, m.hidden
    ops = []
    if m.gated_mlp:
        ops.append(matmul(f"{name}_up", int(tok), 2 * ffn, h, elem_bytes=e))
        ops.append(activation(f"{name}_swiglu", tok * ffn, 3, sh))
    else:
        ops.append(matmul(f"{name}_up", int(tok), ffn, h, elem_bytes=e))
        ops.append(activation(f"{name}_gelu", tok * ffn, 2, sh))
    ops.append(matmul(f"{name}_down", int(tok), h, ffn, elem_bytes=e))
    return ops


def attention_core_forward(m: ModelSpec, sh: LayerShape) -> list[Op]:
    """Scores, softmax, dropout and the weighted sum over values (the part selective recompute redoes)."""
    b, s, t, e = sh.b, sh.s, sh.t, sh.e
    k = sh.span  # keys: the whole sequence, also when context parallelism splits the queries
    qh, dh = m.heads // t, m.dhead
    if sh.flash:
        # Causal fused attention computes half of the score matrix (Dao 2023, arXiv 2307.08691);
        # on a local layer only the blocks of its band or chunk, and at the rate of that many
        # keys per query. (Unfused attention scores and masks the whole sequence.)
        flops = 4.0 * b * qh * s * keys_seen(m, sh.local, k, causal=True) * dh
        kvh = max(m.n_kv_heads // t, 1)
        traffic = b * s * 2 * qh * dh * e + b * k * 2 * kvh * dh * e
        n = window(m, sh.local, k)
        return [Op("flash_attention", "attention", flops, traffic, m=s, n=n, k=dh)]
    scores = b * qh * s * k
    ops = [
        matmul("scores", s, k, dh, batch=b * qh, elem_bytes=e, wide=True),
        elementwise("softmax", 2 * scores * e),
    ]
    if _mask_bytes(m):  # without dropout the weighted sum reads the softmax output itself
        ops.append(elementwise("attn_dropout", scores * (2 * e + 1)))
    ops.append(matmul("context", s, dh, k, batch=b * qh, elem_bytes=e, wide=True))
    return ops


def backward(ops: list[Op]) -> list[Op]:
    """Backward ops of a forward op list: two matmuls per matmul, ``ATTENTION_BACKWARD_FLOPS``
    times the FLOPs for fused attention, twice the traffic for element-wise kernels (in as many
    kernels as their forward)."""
    out: list[Op] = []
    for op in ops:
        if op.kind == "matmul":
            out.extend(matmul_backward(op))
        elif op.kind == "attention":
            out.append(
                Op(
                    f"{op.name}.bwd",
                    "attention",
                    ATTENTION_BACKWARD_FLOPS * op.flops,
                    2 * op.bytes,
                    m=op.m,
                    n=op.n,
                    k=op.k,
                )
            )
        else:
            launches = op.launches - op.quant_launches
            out.append(elementwise(f"{op.name}.bwd", 2 * op.bytes, 2 * op.flops, launches))
    return out


def grad_casts(ops: list[Op], sh: LayerShape) -> list[Op]:
    """The backward pass's casts in an 8-bit block: each 8-bit matmul's output gradient is
    read and quantized for its two backward GEMMs (Transformer Engine's ``_Linear.backward``
    and ``_GroupedLinear.backward``; :mod:`dojosim.mapping.quantization` for the copies)."""
    if not sh.cast:
        return []
    # the fused grouped MLP's backward kernel writes the first GEMM's gradient quantized
    fused = {"experts_up"} if sh.fused_mlp else set()
    return [
        cast_alone(f"{op.name}.grad_cast", op.batch * op.m * op.n, sh)
        for op in ops
        if op.kind == "matmul" and not op.wide and op.name not in fused
    ]


def _cross_entropy(m: ModelSpec, sh: LayerShape) -> tuple[Op, Op]:
    """The loss's forward and backward kernels over the chip's logits. Unfused: read the
    logits, write fp32 probabilities, read them back, and twice that backward. Transformer
    Engine's kernel reads the logits twice (online softmax, then the loss) and writes the
    gradient over them; its backward only scales that gradient in place (one read, one write;
    transformer_engine/pytorch/triton/cross_entropy.py)."""
    logits = sh.b * sh.s * -(-m.vocab // sh.t)
    if sh.te_loss:
        fwd = elementwise("cross_entropy", logits * 3 * sh.e)
        return fwd, elementwise("cross_entropy.bwd", logits * 2 * sh.e)
    fwd = elementwise("cross_entropy", logits * (sh.e + 8))
    return fwd, backward([fwd])[0]


def logits_forward(m: ModelSpec, sh: LayerShape) -> list[Op]:
    """Final norm, output projection over the vocabulary (split ``t`` ways) and cross-entropy."""
    tok = sh.b * sh.s
    v = -(-m.vocab // sh.t)
    return [
        norm("final_norm", tok / sh.t if sh.sp else tok, m.hidden, sh.e),
        matmul("logits", tok, v, m.hidden, elem_bytes=sh.e, wide=True),
        _cross_entropy(m, sh)[0],
    ]


def logits_backward(m: ModelSpec, sh: LayerShape) -> list[Op]:
    """Backward ops of :func:`logits_forward`: the norm's and the matmul's, and the loss's own
    backward kernel (:func:`_cross_entropy`)."""
    return [*backward(logits_forward(m, sh)[:-1]), _cross_entropy(m, sh)[1]]


def mtp_forward(m: ModelSpec, sh: LayerShape) -> list[Op]:
    """The forward ops that feed one multi-token-prediction depth's transformer layer, in
    Megatron-Core's ``MultiTokenPredictionLayer`` (``megatron/core/transformer/
    multi_token_prediction.py`` at 0d8e0714, lines 594-614): an RMSNorm each of the embedding
    of the tokens shifted by one and of the hidden state, their concatenation and the
    column-parallel ``2h -> h`` projection (``eh_proj``, 8-bit under an FP8 recipe). The
    embedding lookup itself (the model's vocabulary-parallel embedding, with its reduction over
    the tensor-parallel ranks), the layer, its final norm and the logits through the shared
    output layer (``gpt_model.py`` lines 549-559) are units of their own
    (:func:`dojosim.perf.units.mtp`)."""
    tok = sh.b * sh.s
    tok_rep = tok / sh.t if sh.sp else tok
    h, e = m.hidden, sh.e
    ops = [
        norm("mtp_enorm", tok_rep, h, e),
        norm("mtp_hnorm", tok_rep, h, e),
        elementwise("mtp_concat", 4 * tok_rep * h * e),  # read both halves, write them side by side
    ]
    if sh.cast:
        ops.append(cast_alone("mtp_cast", 2 * tok_rep * h, sh))
    ops.append(matmul("mtp_eh_proj", tok, h // sh.t, 2 * h, elem_bytes=e))
    return ops


def embedding_forward(m: ModelSpec, sh: LayerShape) -> list[Op]:
    """Token embedding lookup (and position embedding add) on the first stage."""
    tok = sh.b * sh.s
    return [elementwise("embedding", 3 * tok * m.hidden * sh.e / (sh.t if sh.sp else 1))]


def activation_bytes_per_layer(m: ModelSpec, sh: LayerShape, recompute: str) -> float:
    """Activations one layer keeps for backward, per micro-batch, per chip.

    Generalises Korthikanti et al. 2022 (arXiv 2205.05198, Section 4, eqs. 1-5):
    ``sbh(10 + 24/t + 5as/(ht))`` for tensor parallelism alone, everything
    divided by ``t`` with sequence parallelism, the ``5as/h`` score term dropped
    by selective recompute (``core_attn``) or fused attention, less what the other
    ``recompute_modules`` free (:mod:`dojosim.workload.recompute_modules`), and only the layer input
    (``2sbh``) kept with full recompute (``op``: :mod:`dojosim.workload.checkpoint`).
    A model without dropout (``dropout: 0``) keeps no masks: ``2sbh`` less per layer (over ``t``
    with sequence parallelism), and without fused attention ``2as/h`` of the score term's
    ``5as/h`` stays (the softmax output).
    An 8-bit matmul's input is kept as its 8-bit copy: Transformer Engine's ``Linear`` and
    ``GroupedLinear`` save the quantized input (column-wise only) for the weight-gradient GEMM
    (``transformer_engine/pytorch/module/linear.py``, ``_Linear.forward``).
    """
    b, s, t, e = sh.b, sh.s, sh.t, sh.e
    h, dh = m.hidden, m.dhead
    rep = t if sh.sp else 1
    if recompute == "full":
        return b * s * h * e / rep
    if recompute == "op":
        from dojosim.workload.checkpoint import kept_bytes

        return kept_bytes(m, sh)
    if recompute == "dots":
        from dojosim.workload.checkpoint import dots_kept_bytes

        return dots_kept_bytes(m, sh)
    qh, kvh = m.heads / t, max(m.n_kv_heads / t, 1)
    mi = sh.cast or e  # a matmul's input is kept as its 8-bit copy when the matmul is 8-bit
    # replicated region: 2 norm inputs, 2 matmul inputs (norm outputs), 2 dropout masks (none
    # without dropout); a parallel block has one of each
    mask = _mask_bytes(m)
    replicated = b * s * h * (1 if m.parallel_block else 2) * (e + mi + mask) / rep
    if m.mla is not None:  # q, k (with the rotary part), v, the projection input, the latents
        a = m.mla
        width = qh * (2 * a.qk_head_dim + 2 * a.v_head_dim) + (a.q_lora_rank or 0) + a.kv_lora_rank
        attn = b * s * width * e
    else:
        attn = b * s * (qh + 2 * kvh) * dh * e + b * s * qh * dh * mi  # q, k, v; proj input
    selective = recompute == "selective"
    if not sh.flash and not (selective and "core_attn" in recompute_modules.modules(sh)):
        # softmax out, and with dropout its mask and output
        attn += b * qh * s * sh.span * ((2 * e + 1) if mask else e)
    dropped = recompute_modules.dropped_bytes(m, sh) if selective else 0.0
    gates = 2 if m.gated_mlp else 1
    if sh.moe:
        from dojosim.workload.moe_ops import moe_activation_bytes

        return replicated + attn + moe_activation_bytes(m, sh) - dropped
    ffn = m.ffn / t
    mlp = b * s * ffn * (gates * e + mi)  # activation-function input(s), down-projection input
    return replicated + attn + mlp - dropped
