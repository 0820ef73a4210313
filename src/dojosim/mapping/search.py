"""The layouts a scenario may run: every ``auto`` knob expanded into what its framework accepts.

Knobs the scenario gives are kept (and checked, naming the field); ``auto`` knobs
range over every value the framework (:mod:`dojosim.mapping.frameworks`) can run:

* tensor: sizes dividing the heads (and key/value heads, MLP width) inside the
  scale-up domain: powers of two up to a switched node, any rectangle of dies
  inside a Dojo tile on a mesh, any divisor up to a torus's first dimension;
* pipeline: every size whose layer split the framework accepts;
* data: with ``data: auto`` every divisor of the global batch that fits in the
  chips (a layout may leave chips idle); omitted, the chips left by tensor x pipeline;
* micro_batch: every divisor of the per-replica batch up to 16 sequences (a network:
  every power of two dividing it up to 64 samples);
* interleave: every number of virtual stages the framework accepts;
* sequence_parallel: on and off (tensor > 1, where the framework has it);
* recompute: none, selective, full, torchtitan's per-op checkpointing (fsdp, dense
  models), JAX's dots (maxtext), Megatron-Core's selective recomputation of the modules
  the model has (``modules:light``, ``modules:all``) and (where the framework can) full on
  only some layers of each stage;
* zero: every stage the framework runs with this pipeline size;
* context: powers of two keeping 2,048 tokens per chip or more;
* expert: every divisor of the experts that folds into data x context x tensor;
* schedule: 1F1B (or interleaved, by the interleave), zero-bubble and DualPipe.

Candidates come grouped as :class:`Family` (tensor, pipeline, data, split, micro-
batch, sequence parallelism) whose members differ in interleave, ZeRO and
recomputation, so the estimator can bound a whole family before timing it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import product
from typing import Any, cast

from dojosim.mapping.frameworks import Framework
from dojosim.mapping.layout import Shape
from dojosim.mapping.splits import interleave_problem, stage_splits
from dojosim.spec.hardware import SystemSpec
from dojosim.spec.scenario import Parallelism

MAX_MICRO_BATCH = 16  # sequences; a network's samples are capped at NETWORK_MICRO_BATCH
NETWORK_MICRO_BATCH = 64
MAX_NETWORK_STAGES = 64
CONTEXT_TOKENS = 2048  # auto context parallelism keeps at least this many tokens per chip


def divisors(n: int, limit: int | None = None) -> list[int]:
    """Divisors of ``n`` up to ``limit`` (ascending)."""
    top = n if limit is None else min(n, limit)
    return [k for k in range(1, top + 1) if n % k == 0]


def _pow2_upto(n: int) -> list[int]:
    out, k = [], 1
    while k <= n:
        out.append(k)
        k *= 2
    return out


def tensor_sizes(system: SystemSpec, chips: int, shape: Shape, fw: Framework) -> list[int]:
    """Tensor-parallel sizes worth trying, inside the scale-up domain (``auto``)."""
    from dojosim.mapping.spatial import rectangle

    inner = system.network[0]
    node = min(system.node_chips if inner.size is None else inner.size, chips)
    if inner.topology == "mesh" and inner.dims:
        dims = list(inner.dims)
        sizes = [t for t in range(1, node + 1) if rectangle(t, dims) is not None]
    elif inner.topology == "torus" and inner.dims:
        sizes = divisors(max(inner.dims), min(chips, max(inner.dims)))
    else:
        sizes = _pow2_upto(node)
    out = []
    for t in sizes:
        if shape.heads % t or shape.ffn % t:
            continue
        if fw.kv_divisible and shape.kv_heads % t:
            continue
        if shape.kv_heads % t and t % shape.kv_heads:
            continue
        out.append(t)
    return out


@dataclass(frozen=True, slots=True)
class Family:
    """Layouts sharing tensor, pipeline, data, stage split, micro-batch and sequence parallelism."""

    tensor: int
    pipeline: int
    data: int
    stage_layers: tuple[int, ...]
    micro_batch: int
    sequence_parallel: bool
    interleaves: tuple[int, ...]
    zeros: tuple[int, ...]
    recomputes: tuple[str, ...]  # in order of increasing time: the first that fits is best
    partial: bool  # also try full recomputation of only some layers per stage
    context: int = 1
    expert: int = 1
    expert_tensor: int = 1
    schedules: tuple[str, ...] = ("1f1b",)  # beyond 1F1B/interleaved (set by the interleave)

    @property
    def chips(self) -> int:
        return self.tensor * self.context * self.pipeline * self.data

    @property
    def size(self) -> int:
        """Layouts the family holds (each partial count counted once)."""
        rc = len(self.recomputes) + (max(self.stage_layers) - 1 if self.partial else 0)
        return (len(self.interleaves) + len(self.schedules) - 1) * len(self.zeros) * max(rc, 1)


def _auto(value: Any) -> bool:
    return bool(value == "auto")


def families(
    par: Parallelism,
    *,
    chips: int,
    shape: Shape,
    fw: Framework,
    system: SystemSpec,
    network: bool,
    spatial: bool,
) -> Iterator[Family]:
    """Every family of runnable layouts for the knobs of ``par`` (see the module docstring).

    ``network``: the model is a network given as layers (stages balanced by time,
    no sequence parallelism, recomputation none or full); ``spatial``: ``tensor``
    splits a network's feature maps over a mesh of dies.
    """
    gb = par.global_batch
    if _auto(par.tensor):
        if network:
            tensors = _spatial_sizes(system, chips) if spatial else [1]
        else:
            tensors = tensor_sizes(system, chips, shape, fw)
    else:
        tensors = [cast(int, par.tensor)]
    for t, cp in product(tensors, _contexts(par, shape, network)):
        if _auto(par.pipeline):
            limit = min(shape.layers, MAX_NETWORK_STAGES) if network else shape.layers
            pipes = [p for p in range(1, limit + 1) if t * cp * p <= chips]
        else:
            pipes = [cast(int, par.pipeline)]
        for p in pipes:
            for split in _splits(par, fw, shape, p, network):
                for d in _datas(par, chips, t * cp, p, gb):
                    for ep in _experts(par, shape, t, cp, d):
                        for fam in _members(par, fw, shape, network, t, p, d, split):
                            yield replace(
                                fam,
                                context=cp,
                                expert=ep,
                                expert_tensor=par.expert_tensor,
                                schedules=_schedules(par, fw, p),
                            )


def _contexts(par: Parallelism, shape: Shape, network: bool) -> list[int]:
    """Context-parallel sizes: as given, or powers of two leaving 2,048 tokens per chip."""
    if not _auto(par.context):
        return [cast(int, par.context)]
    if network:
        return [1]
    out, c = [1], 2
    while shape.seq_len % (2 * c) == 0 and shape.seq_len // c >= CONTEXT_TOKENS:
        out.append(c)
        c *= 2
    return out


def _experts(par: Parallelism, shape: Shape, t: int, cp: int, d: int) -> list[int]:
    """Expert-parallel sizes: as given, or every divisor of the experts that folds into
    data x context x tensor (Megatron-Core's parallel folding)."""
    if not _auto(par.expert):
        return [cast(int, par.expert)]
    folded = d * cp * t // max(par.expert_tensor, 1)
    # the combined 1F1B schedule overlaps expert all-to-alls: it needs some
    least = 2 if par.overlap_expert_parallel else 1
    return [e for e in divisors(shape.experts) if folded % e == 0 and e >= least] or [1]


def _schedules(par: Parallelism, fw: Framework, p: int) -> tuple[str, ...]:
    """Schedules besides 1F1B and interleaving (which the interleave knob chooses)."""
    if par.schedule is None:
        return ("1f1b",)
    if not _auto(par.schedule):
        return (cast(str, par.schedule),)
    if p == 1 or not fw.interleave or par.overlap_expert_parallel:
        return ("1f1b",)
    return ("1f1b", "zero-bubble", "dualpipe")


def _spatial_sizes(system: SystemSpec, chips: int) -> list[int]:
    from dojosim.mapping.spatial import rectangle

    inner = system.network[0]
    if inner.topology != "mesh" or not inner.dims:
        return [1]
    node = min(system.node_chips, chips)
    return [t for t in range(1, node + 1) if chips % t == 0 and rectangle(t, list(inner.dims))]


def _splits(
    par: Parallelism, fw: Framework, shape: Shape, p: int, network: bool
) -> list[tuple[int, ...]]:
    if p > shape.layers:
        return []
    if par.stage_layers is not None:
        return [tuple(par.stage_layers)]
    if network:
        return [(0,) * p]  # balanced by time later (the estimator knows the layer times)
    return stage_splits(fw, shape.layers, p, layout=not _auto(par.pipeline))


def _datas(par: Parallelism, chips: int, t: int, p: int, gb: int) -> list[int]:
    if par.data is None:
        if chips % (t * p):
            return []
        return [chips // (t * p)]
    if _auto(par.data):
        return [d for d in divisors(gb) if t * p * d <= chips][::-1]
    d = cast(int, par.data)
    return [d] if t * p * d == chips else []


def _members(
    par: Parallelism,
    fw: Framework,
    shape: Shape,
    network: bool,
    t: int,
    p: int,
    d: int,
    split: tuple[int, ...],
) -> Iterator[Family]:
    gb = par.global_batch
    if gb % d:
        return
    per = gb // d
    if not _auto(par.micro_batch):
        mbs = [cast(int, par.micro_batch)]
    elif network:
        # networks: powers of two (samples per micro-batch), as their data loaders batch
        mbs = [b for b in _pow2_upto(min(per, NETWORK_MICRO_BATCH)) if per % b == 0]
    else:
        mbs = divisors(per, MAX_MICRO_BATCH)
    if _auto(par.sequence_parallel):
        sps = [True, False] if t > 1 and fw.sequence_parallel and not network else [False]
    else:
        sps = [bool(par.sequence_parallel)]
    if _auto(par.zero):
        zeros = tuple(
            z for z in fw.zero if (d > 1 or z == 0) and (p == 1 or z <= fw.zero_with_pipeline)
        )
    else:
        zeros = (cast(int, par.zero),)
    if _auto(par.recompute):
        rcs: tuple[str, ...] = ("none", "full") if network else ("none", "selective", "full")
        if fw.op_recompute and shape.per_op_checkpoint:
            rcs = ("none", "selective", "op", "full")  # cheapest first, least memory last
        elif fw.dots_recompute and not network:
            rcs = ("none", "selective", "dots", "full")
    else:
        rcs = (cast(str, par.recompute),)
    if par.overlap_expert_parallel and _auto(par.recompute):
        rcs = tuple(rc for rc in rcs if rc != "full")  # the combined 1F1B schedule refuses it
    if par.recompute_modules and _auto(par.recompute):
        rcs = ("selective",)  # the named modules are what selective recomputation runs again
    elif _auto(par.recompute) and fw.recompute_modules and not network:
        # selective recomputation of the modules the model has (workload/recompute_modules.
        # applicable): those Megatron checkpoints by discarding outputs ("modules:light"), then
        # every one ("modules:all"); each reruns and keeps more and less than the one before, and
        # less of both than full recomputation
        full = ("full",) if "full" in rcs else ()
        rcs = (*(rc for rc in rcs if rc != "full"), "modules:light", "modules:all", *full)
    partial = (
        not par.overlap_expert_parallel
        and not par.recompute_modules
        and not network
        and fw.partial_recompute
        and (_auto(par.recompute_layers) or (_auto(par.recompute) and par.recompute_layers is None))
    )
    fewest = min(split) if split and min(split) > 0 else shape.layers
    for b, sp in product(mbs, sps):
        if per % b:
            continue
        m = per // b
        if _auto(par.interleave):
            # with a pipeline, the combined 1F1B schedule runs only interleaved
            vs = [] if par.overlap_expert_parallel and p > 1 else [1]
            if fw.interleave and p > 2 and m % p == 0 and not network:
                vs += [v for v in range(2, fewest + 2) if not interleave_problem(fw, split, v)]
        else:
            vs = [cast(int, par.interleave)]
        if not vs:
            continue
        yield Family(t, p, d, split, b, sp, tuple(vs), zeros, rcs, bool(partial))


__all__ = ["Family", "divisors", "families", "tensor_sizes"]
