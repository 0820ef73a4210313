"""The training step of a network given as layers (conv nets, video transformers, FSD-style nets).

A catalog network (or any traced ``torch.nn.Module``) is a sequence of layers
with their ops, parameters and activation bytes (:mod:`dojosim.workload.graph`).
It runs data-parallel, optionally pipelined: the layers are cut into ``p``
contiguous stages of about equal time, each stage on its own chips (on Dojo, a
region of the mesh), and replicas of that pipeline share the batch. On a mesh
each stage may also split its feature maps spatially over ``t`` dies (a
rectangle of a tile), exchanging halos, gathering for attention and reducing
norm statistics: the spatial mapping Tesla describes for Dojo's compiler.

Per micro-batch of ``b`` samples, a stage runs its layers forward and backward
(the backward pass is two matmuls per matmul, twice the traffic per
element-wise kernel; full recomputation reruns the forward) and sends its
boundary activations to the next stage. The step is

    m * max_i T_i + (p - 1) * mean_i T_i + exposed DP reduction + optimizer

as for transformers (:mod:`dojosim.perf.step`). Memory per chip holds 16-bit
weights, fp32 gradients and Adam state (18 B per parameter, ZeRO-1 shards the
optimizer) and the activations of the micro-batches in flight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product
from typing import Any

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.hardware.collectives import Fabric, collective_time, fabric, p2p_time
from dojosim.mapping.hierarchy import Hierarchy, hierarchy_of, place, stream_time
from dojosim.mapping.memory import MemoryBreakdown, bytes_per_param
from dojosim.mapping.spatial import rectangle
from dojosim.perf.compute import ComputeModel, vector_rate
from dojosim.perf.step import OPTIMIZER_BYTES_PER_PARAM, StepTimes
from dojosim.spec.calibration import Calibration
from dojosim.spec.scenario import NetworkScenario
from dojosim.workload.graph import Layer, Workload
from dojosim.workload.ops import Op
from dojosim.workload.transformer import backward

MAX_MICRO_BATCH = 64


@dataclass(frozen=True, slots=True)
class NetLayout:
    """A network's layout: ``pipeline`` stages of ``stages[i]`` layers, ``data`` replicas.

    ``tensor`` splits every layer's activations spatially over that many chips
    (Dojo's compiler partitions a feature map over a slice of the mesh), with the
    weights replicated on each.
    """

    tensor: int
    pipeline: int
    data: int
    micro_batch: int
    global_batch: int
    recompute: str  # "none" or "full"
    zero: int
    stages: tuple[int, ...]

    @property
    def micro_batches(self) -> int:
        return self.global_batch // (self.data * self.micro_batch)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tensor": self.tensor,
            "spatial_split": self.tensor,
            "pipeline": self.pipeline,
            "data": self.data,
            "micro_batch": self.micro_batch,
            "global_batch": self.global_batch,
            "recompute": self.recompute,
            "zero": self.zero,
            "stage_layers": list(self.stages),
            "micro_batches": self.micro_batches,
        }


@dataclass(frozen=True, slots=True)
class _LayerCost:
    forward: float  # s, one micro-batch
    backward: float  # s
    params: float
    activations: float  # B saved for backward, one micro-batch
    output: float  # B, one micro-batch
    largest_matrix: float  # parameters of the layer's weights (the streaming granularity)


def _split(op: Op, t: int) -> Op:
    """One chip's share of an op whose activations are split ``t`` ways (weights replicated)."""
    if t == 1:
        return op
    if op.kind == "matmul" and op.m >= op.batch:
        return Op(op.name, op.kind, op.flops / t, op.bytes / t, -(-op.m // t), op.n, op.k, op.batch)
    return Op(op.name, op.kind, op.flops / t, op.bytes / t, op.m, op.n, op.k, -(-op.batch // t))


def _spatial_comm(layer: Layer, ops: list[Op], b: int, t: int, fab: Fabric) -> float:
    """Seconds of one layer's exchanges inside a spatial split of ``t`` chips, one direction.

    A convolution swaps a one-position halo with its neighbours: about
    ``4 / sqrt(positions / t)`` of its output share for a square split. Attention
    mixes all positions, so it gathers the whole output; a norm reduces its
    statistics (one small all-reduce).
    """
    if t == 1:
        return 0.0
    out = layer.output_bytes * b
    if layer.kind == "conv":
        mm = [op for op in ops if op.kind == "matmul"]
        positions = max((op.m / max(b, 1) for op in mm), default=1.0)
        halo = out / t * min(1.0, 4.0 / math.sqrt(max(positions / t, 1.0)))
        return p2p_time(fab, halo, 1)
    if layer.kind == "attention":
        return collective_time(fab, "all_gather", out, t, 1)
    if layer.kind == "norm":
        return collective_time(fab, "all_reduce", 4096.0, t, 1)
    return 0.0


def _costs(w: Workload, b: int, t: int, cm: ComputeModel, fab: Fabric) -> list[_LayerCost]:
    out = []
    for layer in w.layers:
        whole = list(layer.forward_ops(b))
        ops = [_split(op, t) for op in whole]
        comm = _spatial_comm(layer, whole, b, t, fab)
        out.append(
            _LayerCost(
                cm.ops_time(ops) + comm,
                cm.ops_time(backward(ops)) + comm,
                layer.params,
                layer.activation_bytes * b / t,
                layer.output_bytes * b / t,
                layer.params,
            )
        )
    return out


def partition(times: list[float], p: int) -> tuple[int, ...]:
    """Cut ``times`` into ``p`` contiguous non-empty stages of about equal sum (layer counts)."""
    n = len(times)
    if p > n:
        raise ValueError(f"cannot cut {n} layers into {p} stages")
    total = sum(times)
    counts: list[int] = []
    start, acc = 0, 0.0
    for i in range(p - 1):
        target = total * (i + 1) / p
        end = start + 1
        acc += times[start]
        # take layers while the cut gets closer to the target and leaves one per later stage
        while end < n - (p - 2 - i) and abs(acc + times[end] - target) < abs(acc - target):
            acc += times[end]
            end += 1
        counts.append(end - start)
        start = end
    counts.append(n - start)
    return tuple(counts)


def _divisors(n: int, limit: int) -> list[int]:
    return [k for k in range(1, min(n, limit) + 1) if n % k == 0]


def _pow2_upto(n: int) -> list[int]:
    return [2**i for i in range(int(math.log2(n)) + 1)] if n >= 1 else []


def _spatial_sizes(sc: NetworkScenario) -> list[int]:
    """Spatial splits worth trying: rectangles of dies inside a tile on a mesh, else none."""
    par = sc.parallelism
    if par.tensor != "auto":
        return [int(par.tensor)]
    inner = sc.system.network[0]
    if inner.topology != "mesh" or not inner.dims:
        return [1]
    node = min(sc.system.node_chips, sc.chips)
    dims = list(inner.dims)
    return [t for t in range(1, node + 1) if sc.chips % t == 0 and rectangle(t, dims)]


def _candidates(sc: NetworkScenario, layers: int) -> list[tuple[int, int, int, int, str, int]]:
    par = sc.parallelism
    out = []
    for t, p in product(
        _spatial_sizes(sc),
        _divisors(sc.chips, min(layers, 64)) if par.pipeline == "auto" else [int(par.pipeline)],
    ):
        if sc.chips % (t * p):
            continue
        d = sc.chips // (t * p) if par.data in (None, "auto") else int(par.data)
        if t * p * d != sc.chips or par.global_batch % d:
            continue
        per = par.global_batch // d
        mbs = (
            [b for b in _pow2_upto(min(per, MAX_MICRO_BATCH)) if per % b == 0]
            if par.micro_batch == "auto"
            else [int(par.micro_batch)]
        )
        rcs = ["none", "full"] if par.recompute == "auto" else [str(par.recompute)]
        zs = ([0, 1] if d > 1 else [0]) if par.zero == "auto" else [int(par.zero)]
        for b, rc, z in product(mbs, rcs, zs):
            if per % b == 0 and p <= layers:
                out.append((t, p, d, b, "full" if rc == "full" else "none", z))
    if not out:
        raise SpecError(
            f"no layout runs {sc.network.name!r} on {sc.chips} chips with global_batch "
            f"{par.global_batch}: data x micro_batch must divide it and pipeline must not exceed "
            f"the {layers} layers",
            file=sc.source_file,
            field="parallelism",
        )
    return out


@dataclass(frozen=True)
class NetworkStep:
    """One layout evaluated: its step times, memory and (on Dojo) placement."""

    layout: NetLayout
    times: StepTimes
    memory: MemoryBreakdown
    placement: Any
    fits: bool


def _evaluate(
    sc: NetworkScenario,
    costs: list[_LayerCost],
    lay: NetLayout,
    cm: ComputeModel,
    fab: Fabric,
    hier: Hierarchy | None,
    e: float,
    record: bool = False,
) -> NetworkStep:
    t, p, d, m = lay.tensor, lay.pipeline, lay.data, lay.micro_batches
    fab_p, fab_d = (fab.recording(), fab.recording()) if record else (fab, fab)
    bounds = [sum(lay.stages[:i]) for i in range(p + 1)]
    stage_t, stage_fwd, stage_bwd, stage_rec, stage_params, sends = [], [], [], [], [], []
    for i in range(p):
        cs = costs[bounds[i] : bounds[i + 1]]
        fwd = sum(c.forward for c in cs)
        bwd = sum(c.backward for c in cs)
        rec = fwd if lay.recompute == "full" else 0.0
        out = cs[-1].output
        send = 2 * p2p_time(fab_p, out, t) if p > 1 else 0.0
        stage_fwd.append(fwd)
        stage_bwd.append(bwd)
        stage_rec.append(rec)
        stage_params.append(sum(c.params for c in cs))
        sends.append(send)
        stage_t.append(fwd + bwd + rec + send)
    slow = max(range(p), key=lambda i: stage_t[i])
    t_max, t_mean = stage_t[slow], sum(stage_t) / p
    pipeline = m * t_max + (p - 1) * t_mean
    params = stage_params[slow]
    data_comm = 0.0
    if d * t > 1:
        g = params * 4.0  # fp32 gradients
        # weights are replicated over the spatial split too: reduce inside it, then across replicas
        dp = collective_time(fab_d, "all_reduce", g, t, 1)
        if lay.zero == 0:
            dp += collective_time(fab_d, "all_reduce", g, d, t * p)
        else:
            dp += collective_time(fab_d, "reduce_scatter", g, d, t * p)
            dp += collective_time(fab_d, "all_gather", params * e, d, t * p)
        data_comm = max(0.0, dp - stage_bwd[slow])
    local = params / (d if lay.zero >= 1 else 1)
    optimizer = local * OPTIMIZER_BYTES_PER_PARAM / (cm.memory_bandwidth * cm.memory_efficiency)
    optimizer += 3 * cm.kernel_overhead

    # memory of the most loaded stage
    wb, gb, ob = bytes_per_param(sc.precision)
    best: MemoryBreakdown | None = None
    for i in range(p):
        cs = costs[bounds[i] : bounds[i + 1]]
        n = stage_params[i]
        held = min(p - i, m)
        if lay.recompute == "full":
            acts = (costs[bounds[i] - 1].output if i > 0 else cs[0].output) * held
            work = sum(c.activations for c in cs)
        else:
            acts = sum(c.activations for c in cs) * held
            work = max(c.activations for c in cs)
        mb = MemoryBreakdown(n * wb, n * gb, n * ob / (d if lay.zero >= 1 else 1), acts, work, i)
        if best is None or mb.total > best.total:
            best = mb
    assert best is not None
    offchip = 0.0
    placement = None
    if hier is not None:
        largest = max(c.largest_matrix for c in costs) * wb
        placement = place(best, hier, m, float(min(p - best.stage, m)), lay.recompute, largest)
        exposed = stream_time(placement, hier, m * t_max)
        update = local * OPTIMIZER_BYTES_PER_PARAM * placement.optimizer_offchip_fraction
        offchip = exposed + update / hier.offchip_bandwidth
        fits = placement.fits
    else:
        fits = best.total <= sc.chip.memory
    step = pipeline + data_comm + optimizer + offchip
    times = StepTimes(
        step=step,
        forward=m * stage_fwd[slow],
        backward=m * stage_bwd[slow],
        recompute=m * stage_rec[slow],
        tensor_comm=0.0,
        pipeline_comm=m * sends[slow],
        pipeline_bubble=pipeline - m * t_max,
        data_comm=data_comm,
        optimizer=optimizer,
        stage_time=t_max,
        offchip=offchip,
        network=(
            {"tensor": {}, "pipeline": fab_p.record or {}, "data": fab_d.record or {}}
            if record
            else None
        ),
    )
    return NetworkStep(lay, times, best, placement, fits)


def search(
    sc: NetworkScenario, w: Workload, calibration: Calibration | None = None
) -> tuple[NetworkStep, int, Hierarchy | None]:
    """Every candidate layout estimated; the fastest that fits (else the smallest) replayed."""
    cal = calibration or catalog.get("calibration", sc.chip.calibration)
    cm = ComputeModel.of(
        sc.chip.peak(sc.precision),
        sc.chip.memory_bandwidth,
        cal,
        vector_rate(sc.chip, sc.precision),
    )
    fab = fabric(sc.system, sc.chips, cal.network_efficiency_scale)
    hier = hierarchy_of(sc.system, sc.chip)
    e = 4.0 if sc.precision in ("fp32", "tf32") else 2.0
    layers = len(w.layers)
    cands = _candidates(sc, layers)
    costs_by: dict[tuple[int, int], list[_LayerCost]] = {}
    parts: dict[tuple[int, int, int], tuple[int, ...]] = {}
    best: NetworkStep | None = None
    smallest: NetworkStep | None = None
    for t, p, d, b, rc, z in cands:
        costs = costs_by.get((b, t))
        if costs is None:
            costs = costs_by[(b, t)] = _costs(w, b, t, cm, fab)
        key = (b, t, p)
        if key not in parts:
            parts[key] = partition([c.forward + c.backward for c in costs], p)
        lay = NetLayout(t, p, d, b, sc.parallelism.global_batch, rc, z, parts[key])
        ev = _evaluate(sc, costs, lay, cm, fab, hier, e)
        if ev.fits and (best is None or ev.times.step < best.times.step):
            best = ev
        if smallest is None or ev.memory.total < smallest.memory.total:
            smallest = ev
    chosen = best or smallest
    assert chosen is not None
    lay = chosen.layout
    replay = _evaluate(
        sc, costs_by[(lay.micro_batch, lay.tensor)], lay, cm, fab, hier, e, record=True
    )
    return replay, len(cands), hier


__all__ = ["NetLayout", "NetworkStep", "partition", "search"]
