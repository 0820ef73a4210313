"""The cost of one layer, one micro-batch, on one chip: what the schedule engine composes.

Every workload reaches the schedule engine as *units*: a transformer as its
embedding, its blocks and its output head; a catalog network or a traced
``torch.nn.Module`` as its layers. A :class:`UnitCost` holds one unit's compute
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

import math
from dataclasses import dataclass
from typing import Any

from dojosim.hardware.collectives import Fabric, collective_time, p2p_time
from dojosim.perf.compute import ComputeModel
from dojosim.perf.parallel_comm import Groups, context_comm, expert_comm, half_block_tensor_comm
from dojosim.spec.workload import ModelSpec
from dojosim.workload import recompute_modules
from dojosim.workload.accounting import dense_layer_params as params_per_layer_dense
from dojosim.workload.checkpoint import rerun_ops
from dojosim.workload.graph import Layer, Workload
from dojosim.workload.ops import ATTENTION_BACKWARD_FLOPS, Op
from dojosim.workload.transformer import (
    LayerShape,
    activation_bytes_per_layer,
    backward,
    embedding_forward,
    embedding_params,
    grad_casts,
    layer_forward,
    logits_forward,
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
    logits = sh.b * sh.s * vocab_t * (sh.e + 8)  # logits, fp32 softmax and its gradient
    return UnitCost(
        cm.ops_time(ops),
        cm.ops_time(backward(ops)),
        0.0,
        fwd_c,
        bwd_c,
        0.0,
        (embedding_params(model) if copy else 0.0) / sh.t + model.hidden,
        0.0,
        0.0,
        logits,
    )


# --- networks given as layers (catalog networks, traced torch modules) ---


def _spatial_comm(layer: Layer, positions: float, b: int, t: int, fab: Fabric) -> float:
    """Seconds of one layer's exchanges inside a spatial split of ``t`` chips, one direction.

    A convolution swaps a one-position halo with its neighbours: about
    ``4 / sqrt(positions / t)`` of its output share for a square split, ``positions``
    being its output positions per sample (its GEMM's rows). Attention mixes all
    positions, so it gathers the whole output. A norm reduces its statistics: a mean
    and a variance per channel in fp32.
    """
    if t == 1:
        return 0.0
    out = layer.output_bytes * b
    if layer.kind == "conv":
        halo = out / t * min(1.0, 4.0 / math.sqrt(max(max(positions, 1.0) / t, 1.0)))
        return p2p_time(fab, halo, 1)
    if layer.kind == "attention":
        return collective_time(fab, "all_gather", out, t, 1)
    if layer.kind == "norm":
        channels = max(layer.params / 2, 1.0)  # a norm's weight and bias: one of each per channel
        return collective_time(fab, "all_reduce", 2 * channels * FP32, t, 1)
    return 0.0


@dataclass(frozen=True)
class OpTable:
    """Every forward op of a network as arrays, affine in the batch (``fixed + per_sample * b``),
    so a whole network is timed with NumPy for any micro-batch and split."""

    layer: Any  # layer index of each op
    kind: Any  # 0 matmul, 1 attention, 2 element-wise
    coef: Any  # [ops, 12]: flops, bytes, m, n, k, batch as (fixed, per_sample) pairs
    layers: int

    @classmethod
    def of(cls, w: Workload) -> OpTable:
        import numpy as np

        codes = {"matmul": 0, "attention": 1, "elementwise": 2}
        rows, layer, kind = [], [], []
        for i, lay in enumerate(w.layers):
            for t in lay.templates:
                layer.append(i)
                kind.append(codes[t.kind])
                rows.append(
                    [
                        v
                        for a in (t.flops, t.bytes, t.m, t.n, t.k, t.batch)
                        for v in (a.fixed, a.per_sample)
                    ]
                )
        return cls(
            np.array(layer, dtype=int),
            np.array(kind, dtype=int),
            np.array(rows, dtype=float).reshape(-1, 12),
            len(w.layers),
        )

    def times(self, cm: ComputeModel, b: int, t: int) -> tuple[Any, Any, Any]:
        """Forward and backward seconds per layer, and each layer's largest matmul ``m`` per
        sample, for micro-batch ``b`` split ``t`` ways (as :func:`_split` splits one op)."""
        import numpy as np

        c = self.coef
        flops = np.maximum(c[:, 0] + c[:, 1] * b, 0.0)
        nbytes = np.maximum(c[:, 2] + c[:, 3] * b, 0.0)
        m = np.maximum(np.rint(c[:, 4] + c[:, 5] * b), 0.0)
        n = np.maximum(np.rint(c[:, 6] + c[:, 7] * b), 0.0)
        k = np.maximum(np.rint(c[:, 8] + c[:, 9] * b), 0.0)
        batch = np.maximum(np.rint(c[:, 10] + c[:, 11] * b), 1.0)
        mm = self.kind == 0
        positions = np.where(mm, m / max(b, 1), 0.0)
        if t > 1:
            rows = mm & (m >= batch)
            m = np.where(rows, np.ceil(m / t), m)
            batch = np.where(rows, batch, np.ceil(batch / t))
            flops, nbytes = flops / t, nbytes / t
        mem = nbytes / (cm.memory_bandwidth * cm.memory_efficiency)
        eff = cm.matmul_efficiency_of(m, n, k)
        with np.errstate(divide="ignore", invalid="ignore"):
            matrix = np.where(eff > 0, flops / (cm.peak_flops * eff), np.inf)
        if cm.vector_flops > 0:
            matrix = np.minimum(matrix, flops / cm.vector_flops)
        matrix = np.where(flops > 0, matrix, 0.0)
        # attention rows: n the keys each query attends to, k the head dim
        attn_eff = cm.attention_efficiency(n, k)
        attn = flops / ((cm.attention_peak_flops or cm.peak_flops) * attn_eff)
        ovh = cm.kernel_overhead
        fwd = np.where(
            mm, np.maximum(matrix, mem), np.where(self.kind == 1, np.maximum(attn, mem), mem)
        )
        # backward: two matmuls of the same FLOPs, traffic and shape factor per matmul;
        # ATTENTION_BACKWARD_FLOPS x the FLOPs and twice the traffic for fused attention; twice the
        # traffic otherwise
        attn_bwd = np.maximum(ATTENTION_BACKWARD_FLOPS * attn, 2 * mem)
        bwd = np.where(mm, 2 * fwd + ovh, np.where(self.kind == 1, attn_bwd, 2 * mem))
        fwd = fwd + ovh
        bwd = bwd + ovh
        per_f = np.bincount(self.layer, weights=fwd, minlength=self.layers)
        per_b = np.bincount(self.layer, weights=bwd, minlength=self.layers)
        widest = np.zeros(self.layers)
        np.maximum.at(widest, self.layer, positions)
        return per_f, per_b, widest


def network_layers(
    w: Workload,
    b: int,
    t: int,
    recompute: str,
    cm: ComputeModel,
    fab: Fabric,
    e: float,
    table: OpTable | None = None,
) -> list[UnitCost]:
    """Every layer of a network for micro-batch ``b`` split spatially ``t`` ways.

    ``e`` is the activation bytes per element of the training precision; the
    workload's byte counts assume ``w.element_bytes``. Full recomputation
    checkpoints segments of ``ceil(sqrt(n))`` layers (``torch.utils.checkpoint.
    checkpoint_sequential``; Chen et al. 2016, arXiv 1604.06174): only each
    segment's input is kept, and the backward pass reruns one segment at a time, so
    its activations are a working buffer (carried on the segment's first layer).
    """
    table = table or OpTable.of(w)
    per_f, per_b, widest = table.times(cm, b, t)
    scale = e / w.element_bytes
    full = recompute == "full"
    segment = math.ceil(math.sqrt(len(w.layers)))
    acts = [layer.activation_bytes * b / t * scale for layer in w.layers]
    outs = [layer.output_bytes * b / t * scale for layer in w.layers]
    out: list[UnitCost] = []
    for i, layer in enumerate(w.layers):
        comm = _spatial_comm(layer, float(widest[i]), b, t, fab)
        fwd = float(per_f[i])
        kept, work = acts[i], 0.0
        if full:
            first = i % segment == 0
            kept = (outs[i - 1] if i else 0.0) if first else 0.0
            work = sum(acts[i : i + segment]) if first else 0.0
        out.append(
            UnitCost(
                fwd,
                float(per_b[i]),
                fwd if full else 0.0,
                comm,
                comm,
                comm if full else 0.0,
                layer.params,
                kept,
                outs[i],
                work,
                layer.params,
            )
        )
    return out


__all__ = ["Groups", "OpTable", "UnitCost", "block", "embedding", "head", "network_layers"]
