"""The step of one layout: the one schedule engine every model kind runs through.

For each pipeline stage the units it runs (:meth:`Context.stages`) give its
forward and backward seconds per micro-batch, to which the stage adds its
point-to-point sends (each boundary of each virtual stage, in the direction the
data flows: a stage sends activations forward unless it is last, gradients
backward unless it is first) and the exposed part of any data-parallel traffic
its ZeRO policy runs per micro-batch. :func:`dojosim.perf.schedule.pipeline`
turns those into the pipeline's time. Then, per stage, the traffic the policy
runs once per step: the gradient reduction (hidden behind the stage's last
backward pass where the framework overlaps it, and behind the time the stage
finishes before stage 0), the tied-embedding gradient all-reduce between the
first and last stage, the optimizer update, and the weight all-gather of ZeRO
1/2 (hidden only behind the next forward pass). The step ends when the last stage
is done; the fixed per-step costs and the wait for the slowest rank
(:mod:`dojosim.perf.scale`) come last.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from dojosim.hardware.collectives import Fabric, collective_time, p2p_time
from dojosim.mapping.frameworks import expert_strides
from dojosim.mapping.hierarchy import Placement, place, stream_time
from dojosim.mapping.layout import Layout
from dojosim.mapping.memory import MemoryBreakdown, stage_memory
from dojosim.mapping.policy import Policy
from dojosim.perf.compute import under
from dojosim.perf.context import Context, StageSum
from dojosim.perf.ranks import rank_load, rank_sums
from dojosim.perf.scale import step_overheads
from dojosim.perf.schedule import in_flight, pipeline
from dojosim.spec.scenario import Scenario


@dataclass(frozen=True, slots=True)
class StepTimes:
    """The step of a layout, split so the parts add up to ``step``."""

    step: float
    forward: float
    backward: float
    recompute: float
    tensor_comm: float
    pipeline_comm: float
    pipeline_bubble: float
    data_comm: float
    optimizer: float
    stage_time: float  # slowest stage, one micro-batch
    offchip: float = 0.0  # streaming to off-chip memory not hidden behind compute (Dojo's DIPs)
    fixed: float = 0.0  # per-step costs outside the schedule (gradient norm, host, loader)
    straggler: float = 0.0  # expected wait for the slowest rank
    # With ``record=True``: seconds each tier carried per kind of traffic.
    network: dict[str, dict[str, float]] | None = None

    def breakdown(self) -> dict[str, float]:
        return {
            "forward_s": self.forward,
            "backward_s": self.backward,
            "recompute_s": self.recompute,
            "tensor_comm_s": self.tensor_comm,
            "pipeline_comm_s": self.pipeline_comm,
            "pipeline_bubble_s": self.pipeline_bubble,
            "data_comm_s": self.data_comm,
            "optimizer_s": self.optimizer,
            "offchip_stream_s": self.offchip,
            "fixed_s": self.fixed,
            "straggler_s": self.straggler,
        }


@dataclass(frozen=True)
class Evaluation:
    """One layout evaluated: step, memory of the most loaded stage, placement, fit."""

    layout: Layout
    times: StepTimes
    memory: MemoryBreakdown
    placement: Placement | None
    fits: bool


def strides(ctx: Context, lay: Layout) -> dict[str, int]:
    """Rank distance between neighbours of each parallel dimension, in the framework's order."""
    size = {
        "tensor": lay.tensor,
        "context": lay.context,
        "data": lay.data,
        "pipeline": lay.pipeline,
    }
    out, stride = {}, 1
    for dim in ctx.fw.order:
        out[dim] = stride
        stride *= size[dim]
    return out


def memory(ctx: Context, lay: Layout, sums: list[StageSum]) -> tuple[MemoryBreakdown, bool]:
    """The most loaded stage's memory per chip, and whether it fits the chip (on-chip only;
    a two-level memory is placed by :func:`evaluate`)."""
    policy = policy_of(ctx, lay)
    # Per-parameter bytes (and per-layer transient bytes) of the policy, once. Dense weights
    # are sharded over the data x context ranks, routed experts over their own replicas.
    dense_ranks, expert_ranks = _reduce_groups(lay)
    unit = policy.memory(1.0, dense_ranks, 1.0)
    per_param = unit.weights + unit.gradients + unit.optimizer
    expert_policy = _expert_policy(policy)
    eunit = expert_policy.memory(1.0, expert_ranks, 1.0)
    per_expert = eunit.weights + eunit.gradients + eunit.optimizer
    dual = lay.schedule == "dualpipe"
    best, best_total, r = 0, -1.0, None
    seen: set[int] = set()
    for i, st in enumerate(sums):
        # Equal stages differ only in micro-batches in flight, which fall with the stage
        # index: the first of them is the most loaded (a DualPipe rank's two stages hold
        # micro-batches that move apart with the index, so each rank counts).
        if not dual and id(st) in seen:
            continue
        seen.add(id(st))
        load = rank_load(lay, sums, i)
        total = (
            (load.params - load.expert_params) * per_param
            + load.expert_params * per_expert
            + load.largest_params * unit.transient
            + load.activations
            + load.work
        )
        if total > best_total:
            best, best_total, r = i, total, load
    assert r is not None
    mem = stage_memory(
        policy,
        params=r.params - r.expert_params,
        largest_layer_params=r.largest_params,
        data=dense_ranks,
        activations_per_micro_batch=r.activations,
        in_flight=1.0,
        work=r.work,
        stage=best,
    )
    if r.expert_params:
        experts = expert_policy.memory(r.expert_params, expert_ranks, 0.0)
        mem = replace(
            mem,
            weights=mem.weights + experts.weights,
            gradients=mem.gradients + experts.gradients,
            optimizer=mem.optimizer + experts.optimizer,
        )
    return mem, mem.total <= ctx.sc.chip.memory


def policy_of(ctx: Context, lay: Layout) -> Policy:
    """The layout's precision and ZeRO stage; a framework that shards inside a slice (MaxText)
    replicates the shard group once per slice the data-parallel group spans, unless the
    scenario shards over the slices too (``slice_sharding: fsdp``)."""
    replicas = 1
    if ctx.fw.shard_in_slice and ctx.sc.slice_sharding == "data":
        n = ctx.fab.slices(lay.chips)
        if n > 1 and lay.data % n == 0:
            replicas = n
    return Policy(ctx.precision, lay.zero, replicas)


def _reduce_groups(lay: Layout) -> tuple[int, int]:
    """Ranks holding copies of a dense weight (data x context) and of a routed expert
    (data x context x tensor / (expert x expert_tensor), Megatron-Core's expert data parallel)."""
    dense = lay.data * lay.context
    experts = max(dense * lay.tensor // (lay.expert * lay.expert_tensor), 1)
    return dense, experts


def _expert_policy(policy: Policy) -> Policy:
    """The policy of the routed experts: they shard over their own replicas, as their
    reduction runs (no hybrid sharding across slices)."""
    return Policy(policy.precision, policy.zero)


def updated_params(policy: Policy, lay: Layout, s: StageSum) -> float:
    """Parameters one chip of stage ``s`` updates each step: with ZeRO >= 1 the dense ones
    are sharded over data x context ranks (Megatron's distributed optimizer shards over the
    data-parallel group with context parallelism) and the routed experts over their
    expert-data-parallel ranks, as :func:`memory` holds them."""
    if lay.zero < 1:
        return s.params
    dense_ranks, expert_ranks = _reduce_groups(lay)
    experts = _expert_policy(policy).shard(expert_ranks)
    return (s.params - s.expert_params) / policy.shard(dense_ranks) + s.expert_params / experts


def fits(ctx: Context, lay: Layout) -> tuple[MemoryBreakdown, bool]:
    """Memory of a layout and whether it fits (with off-chip placement on a two-level memory)."""
    sums = ctx.sums(lay)
    mem, ok = memory(ctx, lay, sums)
    if ctx.hier is None:
        return mem, ok
    return mem, _placement(ctx, lay, sums, mem).fits


def evaluate(ctx: Context, lay: Layout, *, record: bool = False) -> Evaluation:
    """Time and memory of one layout (``record``: also which network tier carried what)."""
    fabs: dict[str, Fabric] = {}
    if record:
        fabs = {k: ctx.fab.recording() for k in ("tensor", "pipeline", "data")}
    held = ctx.sums(lay, fabs.get("tensor"))  # each stage; memory counts what ranks hold
    sums, layers = rank_sums(lay, held)  # what each rank runs per micro-batch
    p, v, d, m = lay.pipeline, lay.interleave, lay.data, lay.micro_batches
    st = strides(ctx, lay)
    policy = policy_of(ctx, lay)
    events = policy.comm()

    def coll(kind: Any, nbytes: float, size: int, stride: int, calls: int = 1) -> float:
        if record:
            return collective_time(fabs["data"], kind, nbytes, size, stride, calls)
        return ctx.collective(kind, nbytes, size, stride, calls)

    # Weights are replicated over a network's spatial split as well as over the replicas.
    inner = lay.tensor if ctx.is_network else 1

    dense_ranks, expert_ranks = _reduce_groups(lay)
    # dense weights: over data x context (contiguous from the context dimension on);
    # routed experts: over their expert-data-parallel replicas, beyond the expert group
    dense_stride = st["context"] if lay.context > 1 else st["data"]
    _, expert_stride = expert_strides(
        ctx.fw, lay.tensor, lay.context, lay.expert, lay.expert_tensor
    )

    shard = policy.shard(dense_ranks)

    def reduce_time(kind: Any, s: StageSum, per_param: float, calls: int, group: str) -> float:
        dense = (s.params - s.expert_params) * per_param
        if group == "replica":  # the shard each rank holds, across the slices' replicas
            return coll(kind, dense / shard, policy.replicas, dense_stride * shard, calls)
        t = coll(kind, dense, shard, dense_stride, calls)
        if s.expert_params and expert_ranks > 1:
            t += coll(kind, s.expert_params * per_param, expert_ranks, expert_stride, calls)
        if inner > 1:
            both = "all_reduce" if kind != "all_gather" else kind
            t += coll(both, s.params * per_param, inner, 1, calls)
        return t

    cm = ctx.cm
    # data-parallel traffic hidden under compute slows it (perf/compute.py, under); with the
    # overlap off every window is empty and the traffic shows whole
    overlap = lay.overlap_data_parallel
    slowdown = cm.overlap_slowdown if overlap else 0.0
    fwd, bwd, sends, dp_micro = [], [], [], []
    hop_fab = fabs.get("pipeline", ctx.fab)
    for i, s in enumerate(sums):
        f = s.forward + s.comm_forward
        b = s.backward + s.recompute + s.comm_backward + s.comm_recompute
        send_f = send_b = 0.0
        if p > 1:
            # activations forward (this stage's output), their gradients backward (the shape
            # of the previous stage's output); each virtual stage adds a boundary
            hop_f = p2p_time(hop_fab, s.output, st["pipeline"])
            hop_b = p2p_time(hop_fab, sums[i - 1].output if i else s.output, st["pipeline"])
            send_f = (v if i < p - 1 else v - 1) * hop_f
            send_b = (v if i > 0 else v - 1) * hop_b
        exposed = 0.0
        if dense_ranks * inner > 1:
            for ev in events:
                if ev.per == "micro":
                    calls = ctx.fw.calls(s.params, layers[i], d)
                    t = reduce_time(ev.kind, s, ev.bytes_per_param, calls, ev.group)
                    window = (f if ev.window == "forward" else b) if overlap else 0.0
                    exposed += under(t, window, slowdown)
        fwd.append(f + send_f)
        bwd.append(b + send_b + exposed)
        sends.append(send_f + send_b)
        dp_micro.append(exposed)
    pipe = pipeline(fwd, bwd, m, v, lay.schedule)

    # Once-per-step traffic, the optimizer and the weight gather, stage by stage.
    update = policy.update_bytes() / (cm.memory_bandwidth * cm.memory_efficiency)
    tied = isinstance(ctx.sc, Scenario) and ctx.sc.model.tied_embeddings and p > 1
    dp_end, opt_end, gather = [], [], []
    for i, s in enumerate(sums):
        red = gat = 0.0
        if dense_ranks * inner > 1:
            for ev in events:
                if ev.per == "step":
                    calls = ctx.fw.calls(s.params, layers[i], d)
                    t = reduce_time(ev.kind, s, ev.bytes_per_param, calls, ev.group)
                    if ev.window == "backward":
                        red += t
                    else:
                        gat += t
        window = (bwd[i] - sends[i]) if overlap else 0.0
        end = pipe.total - pipe.early[i] + under(red, window, slowdown)
        if tied and i in (0, p - 1):
            # the tied embedding's gradient, all-reduced between the first and last stage after
            # the data-parallel reduction (Megatron's finalize_model_grads): never overlapped
            emb = ctx.embedding_params / lay.tensor
            end += coll("all_reduce", emb * ctx.precision.grad_comm, 2, (p - 1) * st["pipeline"])
        dp_end.append(end)
        local = updated_params(policy, lay, s)
        opt_end.append(dp_end[-1] + local * update + 3 * cm.kernel_overhead)
        gwin = fwd[i] if overlap else 0.0
        # idle pipeline time (the drain) hides the gather for free; compute it slows
        gather.append(under(max(0.0, gat - pipe.late[i]), gwin, slowdown))
    tail_dp = max(0.0, max(dp_end) - pipe.total) + max(gather)
    tail = max(0.0, max(opt_end) - pipe.total) + max(gather)

    mem, fit = memory(ctx, lay, held)
    k = pipe.slowest
    slow = sums[k]
    times = StepTimes(
        step=pipe.total + tail,
        forward=m * slow.forward,
        backward=m * slow.backward,
        recompute=m * slow.recompute,
        tensor_comm=m * (slow.comm_forward + slow.comm_backward + slow.comm_recompute),
        pipeline_comm=m * sends[k],
        pipeline_bubble=pipe.bubble,
        data_comm=m * dp_micro[k] + tail_dp,
        optimizer=tail - tail_dp,
        stage_time=fwd[k] + bwd[k],
        network=(
            {k: fabs[k].record or {} for k in ("tensor", "pipeline", "data")} if record else None
        ),
    )
    times = _with_overheads(ctx, lay, times)
    placement = None
    if ctx.hier is not None:
        placement = _placement(ctx, lay, held, mem)
        times = _offchip(ctx, lay, held, mem, times, policy, placement)
        fit = placement.fits
    return Evaluation(lay, times, mem, placement, fit)


def _with_overheads(ctx: Context, lay: Layout, st: StepTimes) -> StepTimes:
    fixed, straggler = step_overheads(ctx, lay, st)
    return replace(st, step=st.step + fixed + straggler, fixed=fixed, straggler=straggler)


def _placement(ctx: Context, lay: Layout, sums: list[StageSum], mem: MemoryBreakdown) -> Placement:
    """Two-level memory (Dojo): what stays in SRAM, what streams from the off-chip devices."""
    h = ctx.hier
    assert h is not None
    # Weights stream one matrix at a time (explicit DMA), so the largest matrix sets the buffer.
    largest = sums[mem.stage].largest_matrix * ctx.precision.weight
    p, m, v = lay.pipeline, lay.micro_batches, lay.interleave
    return place(
        mem,
        h,
        m,
        in_flight(
            mem.stage,
            p,
            m,
            v,
            lay.schedule,
            lay.overlap_expert_parallel,
            lay.stage_layers[mem.stage],
        ),
        lay.recompute,
        largest,
    )


def _offchip(
    ctx: Context,
    lay: Layout,
    sums: list[StageSum],
    mem: MemoryBreakdown,
    st: StepTimes,
    policy: Policy,
    pl: Placement,
) -> StepTimes:
    """The streaming a placement costs per step, where it is not hidden behind compute."""
    h = ctx.hier
    assert h is not None
    exposed = stream_time(pl, h, lay.micro_batches * st.stage_time)
    local = updated_params(policy, lay, sums[mem.stage])
    update = local * policy.update_bytes() * pl.optimizer_offchip_fraction
    extra = exposed + update / h.offchip_bandwidth
    return replace(st, step=st.step + extra, offchip=extra)


__all__ = ["Evaluation", "StepTimes", "evaluate", "fits", "memory", "strides"]
