"""Communication of the context- and expert-parallel groups of one transformer block.

Context parallelism passes keys and values around a ring of ranks while each computes
attention on the block it holds (Megatron-Core's ring attention with causal load
balancing); expert parallelism dispatches tokens to the ranks of their experts and
combines them back with all-to-alls (:func:`dojosim.hardware.collectives.collective_time`),
hidden behind another micro-batch's compute where the schedule pairs them (DualPipe, and
Megatron-Core's combined 1F1B). Seconds per micro-batch, one chip.
"""

from __future__ import annotations

from dataclasses import dataclass

from dojosim.hardware.collectives import Fabric, collective_time
from dojosim.perf.compute import ComputeModel, under
from dojosim.spec.routing import DispatchShares
from dojosim.spec.workload import ModelSpec
from dojosim.workload.ops import ATTENTION_BACKWARD_FLOPS
from dojosim.workload.transformer import LayerShape, attention_core_forward


@dataclass(frozen=True, slots=True)
class Groups:
    """Where a block's context- and expert-parallel groups sit (rank strides), whether the
    schedule overlaps the all-to-all with another chunk's compute (DualPipe, Megatron-Core's
    combined 1F1B), and which tensor-parallel exchanges run under GEMMs (``tensor_overlap``)."""

    context_stride: int = 1
    context_exposed: bool = False  # keys and values all-gathered before the attention
    expert_stride: int = 1
    overlap_a2a: bool = False
    dispatch_bytes: float = 2.0  # per element: 1 when the dispatch is FP8
    # shares of a dispatch crossing each tier (spec.routing.dispatch_shares); None: every copy
    shares: DispatchShares | None = None
    compute_share: float = 1.0  # share of the chip's cores left to a MoE block's compute
    hidden_share: float = 1.0  # share of an overlapped all-to-all the schedule runs under compute
    tensor_overlap: str = "none"  # none | backward (see half_block_tensor_comm)


def context_comm(
    model: ModelSpec, sh: LayerShape, cm: ComputeModel, fab: Fabric, g: Groups
) -> tuple[float, float]:
    """Ring attention over the context-parallel group: each rank passes its keys and values
    around the ring, hidden behind the attention it computes meanwhile (backward: twice, the
    keys and values and their gradients), which it slows while it runs
    (:func:`dojosim.perf.compute.under`). With ``g.context_exposed`` the group gathers them
    before the attention instead, which waits for them: the same bytes, none hidden (Llama 3's
    all-gather context parallelism, whose latency is in the critical path: arXiv 2407.21783
    Section 3.3.2)."""
    cp = sh.span // sh.s if sh.keys else 1
    if cp <= 1:
        return 0.0, 0.0
    kv = 2 * sh.b * sh.s * max(model.n_kv_heads // sh.t, 1) * model.dhead * sh.e
    if model.mla is not None:  # the latent and the rotary key travel
        kv = sh.b * sh.s * (model.mla.kv_lora_rank + model.mla.qk_rope_head_dim) * sh.e
    ring = collective_time(fab, "all_gather", kv * cp, cp, g.context_stride)
    if g.context_exposed:
        return ring, 2 * ring
    attn = cm.ops_time(attention_core_forward(model, sh))
    s = cm.overlap_slowdown
    return under(ring, attn, s), under(2 * ring, ATTENTION_BACKWARD_FLOPS * attn, s)


def expert_comm(
    model: ModelSpec,
    sh: LayerShape,
    fab: Fabric,
    g: Groups,
    fwd: float,
    bwd: float,
    slowdown: float = 0.0,
) -> tuple[float, float]:
    """Dispatch and combine all-to-alls over the expert-parallel group, forward and backward,
    the busiest rank's share. DualPipe runs a forward chunk of one micro-batch beside a
    backward chunk of another (arXiv 2412.19437, Section 3.2.1, Figure 4): the forward
    chunk's all-to-alls hide behind the backward chunk's compute and the other way round.
    Megatron-Core's combined 1F1B pairs them the same way, layer by layer
    (``--overlap-moe-expert-parallel-comm``, megatron/core/pipeline_parallel/combined_1f1b.py:
    a forward step's all-to-alls run under the paired backward step's attention and MLP, and the
    backward's under the forward's). The schedule's first forward and last backward, which run
    unpaired, are counted as hidden too. A hidden all-to-all slows the work it runs under by
    ``slowdown`` (:func:`dojosim.perf.compute.under`), as every overlapped collective does,
    unless the dispatcher holds SMs of its own (``Groups.compute_share``), which already slow
    that work. The combined 1F1B hides only ``Groups.hidden_share`` of each all-to-all (its
    profiled share, ``combined_1f1b_hidden_share``); the rest stays exposed."""
    from dojosim.workload.moe_ops import dispatch_bytes

    if sh.ep <= 1:
        return 0.0, 0.0
    send = dispatch_bytes(model, sh, g.dispatch_bytes)
    back = dispatch_bytes(model, sh, sh.e)
    one = collective_time(fab, "all_to_all", send, sh.ep, g.expert_stride, shares=g.shares)
    one += collective_time(fab, "all_to_all", back, sh.ep, g.expert_stride, shares=g.shares)
    # backward: the gradients of the combine and of the dispatch, the same bytes
    if g.overlap_a2a:
        s = slowdown if g.compute_share >= 1.0 else 0.0
        shown, hid = (1.0 - g.hidden_share) * one, g.hidden_share * one
        return shown + under(hid, bwd, s), shown + under(hid, fwd, s)
    return one, one


def half_block_tensor_comm(
    mode: str,
    sp: bool,
    t: int,
    gather: float,
    scatter: float,
    first: float,
    slowdown: float = 0.0,
) -> tuple[float, float]:
    """Exposed tensor-parallel seconds (forward, backward) of half a block (attention, or a
    dense MLP) for one micro-batch (:mod:`dojosim.mapping.frameworks` cites each mode).

    Megatron's half-block is a column-parallel GEMM (QKV, MLP up; ``first`` s forward, its
    data- and weight-gradient GEMMs as long again each) and a row-parallel one. With
    sequence parallelism the forward all-gathers the input and reduce-scatters the output
    (``gather``, ``scatter`` s); the backward all-gathers the output gradient, gathers the
    input again (for the weight gradient) and reduce-scatters the input gradient. Without it
    one all-reduce each way (``scatter`` holds its seconds, ``gather`` is unused).

    * ``none``: every exchange waits.
    * ``backward``: the column-parallel GEMM's backward exchanges are asynchronous: the input
      all-gather runs under its data-gradient GEMM, the input gradient's reduce-scatter (or
      all-reduce) under its weight-gradient GEMM, each exposed where it is longer and
      otherwise costing the GEMM's slowdown while it runs
      (:func:`dojosim.perf.compute.under`, ``slowdown``).
    """
    if t <= 1:
        return 0.0, 0.0
    if not sp:  # an all-reduce after the row-parallel GEMM, one in the backward of the first
        back = under(scatter, first, slowdown) if mode == "backward" else scatter
        return scatter, back
    if mode == "backward":
        hidden = under(gather, first, slowdown) + under(scatter, first, slowdown)
        return gather + scatter, gather + hidden
    return gather + scatter, 2 * gather + scatter


__all__ = ["Groups", "context_comm", "expert_comm", "half_block_tensor_comm"]
