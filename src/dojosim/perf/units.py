"""The cost of one layer, one micro-batch, on one chip: what the schedule engine composes.

Every workload reaches the schedule engine as *units*: a transformer as its
embedding, its blocks and its output head (here); a catalog network or a traced
``torch.nn.Module`` as its layers (:mod:`dojosim.perf.network_units`). A :class:`UnitCost` holds one unit's compute
and tensor-parallel (or, on a mesh, spatial) communication seconds, its
parameters and the bytes it keeps, so pipeline stages, memory and the
data-parallel reduction are computed the same way for every kind of model.

Tensor parallelism follows Megatron-LM: attention heads and MLP columns split
``t`` ways with two all-reduces per block and direction (one in a parallel block), or
with sequence parallelism a reduce-scatter and an all-gather (plus the all-gather the
backward pass repeats for the weight gradients; Korthikanti et al. 2022, arXiv 2205.05198,
Section 4.2.2). The vocabulary-parallel embedding reduces its output; the
vocabulary-parallel logits gather their input (with sequence parallelism) and the
cross-entropy all-reduces three per-token scalars (max, sum, target logit).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from dojosim.hardware.collectives import Fabric, collective_time
from dojosim.perf.compute import ComputeModel
from dojosim.perf.parallel_comm import Groups, context_comm, expert_comm, half_block_tensor_comm
from dojosim.spec.workload import ModelSpec
from dojosim.workload import recompute_modules
from dojosim.workload.accounting import dense_layer_params as params_per_layer_dense
from dojosim.workload.checkpoint import rerun_ops
from dojosim.workload.ops import Op
from dojosim.workload.transformer import (
    LayerShape,
    activation_bytes_per_layer,
    backward,
    embedding_forward,
    embedding_params,
    grad_casts,
    layer_forward,
    logits_backward,
    logits_forward,
    mtp_forward,
)

FP32 = 4.0  # bytes of the per-token scalars the vocabulary-parallel cross-entropy reduces


@dataclass(frozen=True, slots=True)
class UnitCost:
    """One unit (layer) for one micro-batch on one chip. Seconds, parameters, bytes."""

    forward: float
    backward: float
    recompute: float
    comm_forward: float
    comm_backward: float
    comm_recompute: float
    params: float  # on this chip
    activations: float  # bytes kept for the backward pass
    output: float  # bytes of the unit's output on this chip (what a stage boundary sends)
    work: float = 0.0  # bytes of working buffers while it runs
    largest_matrix: float = 0.0  # parameters of its largest weight matrix on this chip
    expert_params: float = 0.0  # of ``params``, the routed experts' (reduced over fewer ranks)
    # of ``activations``, what the busiest expert-parallel rank keeps beyond a rank at the mean
    # load (routing imbalance); a stage of several such layers adds it up as
    # :meth:`dojosim.perf.context.StageSum.of` says
    hot_activations: float = 0.0

    @property
    def compute(self) -> float:
        return self.forward + self.backward + self.recompute

    @property
    def comm(self) -> float:
        return self.comm_forward + self.comm_backward + self.comm_recompute

    @property
    def total(self) -> float:
        return self.compute + self.comm


def _tp(fab: Fabric, kind: str, nbytes: float, t: int) -> float:
    return collective_time(fab, kind, nbytes, t) if t > 1 else 0.0  # type: ignore[arg-type]


def block(
    model: ModelSpec,
    sh: LayerShape,
    recompute: str,
    cm: ComputeModel,
    fab: Fabric,
    groups: Groups | None = None,
) -> UnitCost:
    """One transformer block under ``recompute`` (none, selective, op or full).

    ``groups`` places the context- and expert-parallel groups (rank strides) and says
    whether the schedule hides the all-to-all behind the other chunk's compute.
    """
    g = groups or Groups()
    fwd_ops = layer_forward(model, sh)
    slow = 1.0 / g.compute_share if sh.moe else 1.0  # the dispatcher's SMs are not computing
    fwd = cm.ops_time(fwd_ops) * slow
    bwd = cm.ops_time(backward(fwd_ops) + grad_casts(fwd_ops, sh)) * slow
    again = rerun_ops(model, sh, recompute, fwd_ops)  # what the backward pass runs again
    rec = fwd if recompute == "full" else cm.ops_time(again)  # op runs on dense blocks only
    t = sh.t
    nbytes = sh.b * sh.s * model.hidden * sh.e
    comm, comm_back = _tensor_comm(fwd_ops, cm, fab, sh, nbytes, g.tensor_overlap)
    extra_f, extra_b = context_comm(model, sh, cm, fab, g)
    if sh.moe:
        a2a_f, a2a_b = expert_comm(model, sh, fab, g, fwd, bwd, cm.overlap_slowdown)
        extra_f, extra_b = extra_f + a2a_f, extra_b + a2a_b
    comm, comm_back = comm + extra_f, comm_back + extra_b
    acts = activation_bytes_per_layer(model, sh, recompute)
    hot = 0.0
    if sh.moe and sh.imbalance > 1.0:
        hot = acts - activation_bytes_per_layer(model, replace(sh, imbalance=1.0), recompute)
    work = recompute_modules.rerun_buffers(model, sh, recompute)
    h = model.hidden
    params, experts = _block_params(model, sh)
    largest = max(h * model.ffn, h * (model.heads + 2 * model.n_kv_heads) * model.dhead) / t
    return UnitCost(
        fwd,
        bwd,
        rec,
        comm,
        comm_back,
        comm if recompute == "full" else 0.0,
        params,
        acts,
        nbytes / t,
        work,
        largest,
        experts,
        hot,
    )


def _tensor_comm(
    ops: list[Op], cm: ComputeModel, fab: Fabric, sh: LayerShape, nbytes: float, mode: str
) -> tuple[float, float]:
    """Exposed tensor-parallel seconds (forward, backward) of a block: its attention half and
    its MLP half (:func:`half_block_tensor_comm`), a parallel block's one. A mixture-of-experts
    MLP's exchanges go with its token dispatcher and are never overlapped."""
    t = sh.t
    if t <= 1:
        return 0.0, 0.0
    if sh.sp:
        # 8-bit matmuls gather their 8-bit input: Transformer Engine quantizes a column-parallel
        # layer's input (and the output gradient) before the sequence-parallel all-gather
        # (transformer_engine/pytorch/module/linear.py, gather_along_first_dim with the input
        # quantizer), as torchao's Float8ColwiseParallel does; reduce-scatters stay 16-bit.
        # (MXFP8's block scales, 1 byte per 32 elements, are left out.)
        eight = nbytes / sh.e * sh.cast if sh.cast else nbytes
        gather = _tp(fab, "all_gather", eight, t)
        scatter = _tp(fab, "reduce_scatter", nbytes, t)
    else:
        gather, scatter = 0.0, _tp(fab, "all_reduce", nbytes, t)
    cut = next((i for i, op in enumerate(ops) if op.name == "norm2"), len(ops))
    halves = ((ops[:cut], mode), (ops[cut:], "none" if sh.moe else mode))[: 2 if ops[cut:] else 1]
    fwd = bwd = 0.0
    for half, mode_here in halves:
        gemms = [op for op in half if op.kind == "matmul" and not op.grouped]
        first = cm.op_time(gemms[0]) if gemms and mode_here != "none" else 0.0
        f, b = half_block_tensor_comm(
            mode_here, sh.sp, t, gather, scatter, first, cm.overlap_slowdown
        )
        fwd, bwd = fwd + f, bwd + b
    return fwd, bwd


def _block_params(model: ModelSpec, sh: LayerShape) -> tuple[float, float]:
    """(all, routed experts') parameters of one block on one chip."""
    from dojosim.workload.accounting import (
        attention_params,
        expert_params,
        norm_params_per_layer,
        router_params,
    )

    if not sh.moe:
        return params_per_layer_dense(model) / sh.t, 0.0
    routed = model.experts / sh.ep * expert_params(model) / sh.etp
    dense = (
        attention_params(model) / sh.t
        + norm_params_per_layer(model)
        + router_params(model)
        + model.shared_experts * expert_params(model) / sh.t
    )
    return dense + routed, routed


def embedding(model: ModelSpec, sh: LayerShape, cm: ComputeModel, fab: Fabric) -> UnitCost:
    """The vocabulary-parallel token embedding (first stage)."""
    ops = embedding_forward(model, sh)
    nbytes = sh.b * sh.s * model.hidden * sh.e
    if sh.sp:
        fwd_c, bwd_c = (
            _tp(fab, "reduce_scatter", nbytes, sh.t),
            _tp(fab, "all_gather", nbytes, sh.t),
        )
    else:
        fwd_c, bwd_c = _tp(fab, "all_reduce", nbytes, sh.t), 0.0
    return UnitCost(
        cm.ops_time(ops),
        cm.ops_time(backward(ops)),
        0.0,
        fwd_c,
        bwd_c,
        0.0,
        embedding_params(model) / sh.t,
        0.0,
        nbytes / sh.t,
    )


def head(model: ModelSpec, sh: LayerShape, cm: ComputeModel, fab: Fabric, copy: bool) -> UnitCost:
    """Final norm, vocabulary-parallel logits and cross-entropy (last stage).

    ``copy``: the stage holds its own output projection (untied embeddings, or a tied
    embedding's copy on the last of several stages).
    """
    ops = logits_forward(model, sh)  # the logits' matmul is wide: 16 bits in 8-bit training
    nbytes = sh.b * sh.s * model.hidden * sh.e
    scalars = 3 * _tp(fab, "all_reduce", sh.b * sh.s * FP32, sh.t)
    if sh.sp:
        fwd_c = _tp(fab, "all_gather", nbytes, sh.t) + scalars
        bwd_c = _tp(fab, "reduce_scatter", nbytes, sh.t)
    else:
        fwd_c, bwd_c = scalars, _tp(fab, "all_reduce", nbytes, sh.t)
    vocab_t = -(-model.vocab // sh.t)
    # the logits, their fp32 softmax and its gradient; Transformer Engine's fused kernel keeps
    # only the logits, its gradient written over them
    logits = sh.b * sh.s * vocab_t * (sh.e if sh.te_loss else sh.e + 8)
    return UnitCost(
        cm.ops_time(ops),
        cm.ops_time(logits_backward(model, sh)),
        0.0,
        fwd_c,
        bwd_c,
        0.0,
        (embedding_params(model) if copy else 0.0) / sh.t + model.hidden,
        0.0,
        0.0,
        logits,
    )


def mtp(
    model: ModelSpec,
    sh: LayerShape,
    layer: UnitCost,
    top: UnitCost,
    emb: UnitCost,
    cm: ComputeModel,
    fab: Fabric,
    *,
    embedding_copy: bool,
    full: bool,
) -> UnitCost:
    """One multi-token-prediction depth on the last stage: the lookup of the shifted tokens
    through ``emb``, the model's :func:`embedding` unit (the first stage's, with its reduction
    over the tensor-parallel ranks), its input ops
    (:func:`dojosim.workload.transformer.mtp_forward`), its transformer ``layer`` (a block of
    the last layer's kind) and a ``top`` (final norm, logits and cross-entropy through the
    output layer the stage already holds). ``embedding_copy``: the stage holds its own copy of
    the token embedding (Megatron-Core builds one where a stage runs MTP without the
    embedding, ``gpt_model.py`` line 141 at 0d8e0714). ``full``: full recomputation reruns the
    depth (``multi_token_prediction.py``, ``_checkpointed_forward``).

    The projection's tensor parallelism: its input is gathered over the sequence with sequence
    parallelism, its ``h / t`` outputs are gathered over the ranks and scattered back over the
    sequence (the backward pass reduce-scatters the input gradient and gathers the output's).
    """
    ops = mtp_forward(model, sh)
    fwd = emb.forward + cm.ops_time(ops)
    bwd = emb.backward + cm.ops_time(backward(ops) + grad_casts(ops, sh))
    tok, h, t = sh.b * sh.s, model.hidden, sh.t
    nbytes = tok * h * sh.e
    fwd_c = emb.comm_forward + _tp(fab, "all_gather", nbytes, t)
    bwd_c = emb.comm_backward + (_tp(fab, "all_gather", nbytes, t) if sh.sp else 0.0)
    if sh.sp:
        fwd_c += _tp(fab, "all_gather", 2 * nbytes, t)
        bwd_c += _tp(fab, "reduce_scatter", 2 * nbytes, t)
    else:
        bwd_c += _tp(fab, "all_reduce", 2 * nbytes, t)
    rep = t if sh.sp else 1
    # the two norms' inputs and the projection's (its 8-bit copy under an 8-bit recipe); the
    # final norm's input
    acts = tok * h * (3 * sh.e + 2 * (sh.cast or sh.e)) / rep
    # the projection, the two input norms and, where the stage has none, the embedding (the
    # final norm is the head's)
    own = 2 * h * h / t + 2 * h + (emb.params if embedding_copy else 0.0)
    f = fwd + layer.forward + top.forward
    cf = fwd_c + layer.comm_forward + top.comm_forward
    return UnitCost(
        f,
        bwd + layer.backward + top.backward,
        f if full else layer.recompute,
        cf,
        bwd_c + layer.comm_backward + top.comm_backward,
        cf if full else layer.comm_recompute,
        layer.params + top.params + own,
        layer.activations + acts,
        0.0,
        max(layer.work, top.work),
        max(layer.largest_matrix, 2 * h * h / t),
        layer.expert_params,
        layer.hot_activations,
    )


__all__ = ["FP32", "Groups", "UnitCost", "block", "embedding", "head", "mtp"]
