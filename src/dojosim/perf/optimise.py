"""The fastest runnable layout that fits: an exhaustive search that prunes only dominated layouts.

The candidates (:func:`dojosim.mapping.search.families`) are grouped into
families sharing tensor, pipeline, data, stage split, micro-batch and sequence
parallelism. Two rules skip layouts without ever skipping the best:

* **Bound.** No layout of a family runs faster than its micro-batches' compute
  spread evenly over its stages with the smallest bubble the family allows,
  ``(m + (p - 1) / v_max) * mean_i(F_i + B_i)`` with no communication or
  recomputation (the schedule takes ``m * max_i T_i + (p - 1) / v * mean_i T_i``,
  and a maximum is never below the mean). Families are visited in
  order of that bound; once the best layout found is faster than a family's
  bound, the family is skipped (at equal times the layout using more chips wins).
* **Dominance of recomputation.** For fixed other knobs, recomputing adds time and
  only saves memory: no recomputation, if it fits, beats every other choice; full
  recomputation of every layer is never faster than full recomputation of the
  fewest layers per stage that fit (found by bisection, memory falling as layers
  are added), which is tried alongside selective recomputation.

``evaluated`` counts the layouts timed; ``space`` the layouts the families hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dojosim.mapping.layout import Layout, balanced_split, layout_problems
from dojosim.mapping.search import Family, families
from dojosim.mapping.splits import standard_splits
from dojosim.perf.context import Context
from dojosim.perf.step import Evaluation, evaluate, fits
from dojosim.spec.scenario import Scenario
from dojosim.workload import recompute_modules


@dataclass
class Search:
    """The search's outcome: the fastest fitting layout (or the smallest), and its effort."""

    best: Evaluation | None = None
    smallest: Evaluation | None = None
    evaluated: int = 0
    space: int = 0
    families: int = 0

    @property
    def recorded(self) -> bool:
        """A space of one layout is evaluated recording which network tier carried what, so
        the estimate's report needs no second evaluation."""
        return self.space == 1

    def offer(self, ev: Evaluation) -> None:
        self.evaluated += 1
        if self.smallest is None or ev.memory.total < self.smallest.memory.total:
            self.smallest = ev
        if not ev.fits:
            return
        b = self.best
        if b is None or _better(ev, b):
            self.best = ev


def _better(a: Evaluation, b: Evaluation) -> bool:
    """Faster wins; at equal step time (within 1e-9 relative) the layout using more chips."""
    ta, tb = a.times.step, b.times.step
    if abs(ta - tb) <= 1e-9 * max(ta, tb):
        return a.layout.chips > b.layout.chips
    return ta < tb


def _modules(ctx: Context, choice: str) -> tuple[str, ...]:
    """The recompute modules of the search's ``modules:light`` or ``modules:all`` choice."""
    sc = ctx.sc
    assert isinstance(sc, Scenario)
    return recompute_modules.applicable(sc.model, sc.flash_attention, choice == "modules:light")


def _layout(
    ctx: Context, fam: Family, v: int, z: int, rc: str, k: int | None, sched: str = ""
) -> Layout:
    par = ctx.sc.parallelism
    split = fam.stage_layers
    if par.stage_layers is None and (
        ctx.is_network or split not in standard_splits(ctx.fw, ctx.shape.layers, fam.pipeline)
    ):
        split = balanced_stages(ctx, fam)
    return Layout(
        tensor=fam.tensor,
        pipeline=fam.pipeline,
        data=fam.data,
        micro_batch=fam.micro_batch,
        global_batch=par.global_batch,
        interleave=v,
        sequence_parallel=fam.sequence_parallel,
        recompute="selective" if rc.startswith("modules") else rc,
        zero=z,
        stage_layers=split,
        overlap_data_parallel=par.overlap_data_parallel,
        overlap_tensor_parallel=par.overlap_tensor_parallel,
        overlap_expert_parallel=par.overlap_expert_parallel,
        recompute_layers=k,
        recompute_modules=_modules(ctx, rc)
        if rc.startswith("modules")
        else tuple(par.recompute_modules or ()),
        schedule=sched or ("interleaved" if v > 1 else fam.schedules[0]),
        context=fam.context,
        expert=fam.expert,
        expert_tensor=fam.expert_tensor,
    )


def balanced_stages(ctx: Context, fam: Family) -> tuple[int, ...]:
    """``fam``'s layers cut into stages of about equal time: a network's (its layers' times
    differ), or a transformer's that only a pipeline layout can split (the first stage also
    runs the embedding, the last the output head and any multi-token-prediction depths, as
    Megatron-Bridge's DeepSeek-V3 layouts give the last stage fewer layers,
    ``src/megatron/bridge/recipes/deepseek/deepseek_v3.py`` lines 233-243 at 7af9601c)."""
    key = ("split", fam.micro_batch, fam.tensor, fam.pipeline, fam.expert, fam.expert_tensor)
    hit = ctx.units.get(key)
    if hit is None:
        gb, n = ctx.sc.parallelism.global_batch, ctx.shape.layers
        if ctx.is_network:
            probe = Layout(fam.tensor, 1, fam.data, fam.micro_batch, gb, 1, False, "none", 0, (n,))
            times = ctx.layer_times(probe)
        else:  # a stage per layer: the ends' extra units land on the first and the last
            probe = Layout(
                fam.tensor, n, fam.data, fam.micro_batch, gb, 1, fam.sequence_parallel, "none",
                0, (1,) * n, context=fam.context, expert=fam.expert,
                expert_tensor=fam.expert_tensor,
            )  # fmt: skip
            times = [
                s.forward + s.backward + s.comm_forward + s.comm_backward for s in ctx.sums(probe)
            ]
        hit = ctx.units[key] = balanced_split(times, fam.pipeline)
    return hit


def _ideal(ctx: Context) -> float:
    """Seconds per FLOP no op can beat: the fastest rate of any unit (matrix, attention, vector)."""
    cm = ctx.cm
    rate = max(
        cm.peak_flops * cm.matmul_efficiency,
        (cm.attention_peak_flops or cm.peak_flops) * cm.flash_attention_efficiency,
        cm.vector_flops,
    )
    return 1.0 / rate


def quick_bound(ctx: Context, fam: Family) -> float:
    """A cheaper, looser bound than :func:`bound`: the model's FLOPs at the chip's fastest rate."""
    from dojosim.perf.flops import model_flops_per_step

    key = ("quick", fam.micro_batch)
    flops = ctx.units.get(key)
    if flops is None:
        probe = Layout(1, 1, 1, 1, fam.micro_batch, 1, False, "none", 0, (ctx.shape.layers,))
        flops = ctx.units[key] = model_flops_per_step(ctx.sc, probe)
    per_micro = float(flops) * _ideal(ctx) / (fam.tensor * fam.pipeline)
    m = ctx.sc.parallelism.global_batch // (fam.data * fam.micro_batch)
    return (m + (fam.pipeline - 1) / max(fam.interleaves)) * per_micro


def bound(ctx: Context, fam: Family) -> float:
    """A lower bound on the step time of every layout in ``fam`` (see the module docstring)."""
    key = (
        "bound",
        fam.tensor,
        fam.pipeline,
        fam.stage_layers,
        fam.micro_batch,
        fam.sequence_parallel,
        fam.context,
        fam.expert,
        fam.expert_tensor,
    )
    per_micro = ctx.units.get(key)
    if per_micro is None and ctx.is_network:
        probe = Layout(
            fam.tensor,
            1,
            1,
            fam.micro_batch,
            fam.micro_batch,
            1,
            False,
            "none",
            0,
            (ctx.shape.layers,),
        )
        per_micro = ctx.units[key] = ctx.network_compute(probe) / fam.pipeline
    if per_micro is None:
        lay = _layout(ctx, fam, 1, 0, "none", None)
        compute = sum(s.forward + s.backward for s in ctx.sums(lay))
        per_micro = ctx.units[key] = compute / fam.pipeline
    m = ctx.sc.parallelism.global_batch // (fam.data * fam.micro_batch)
    # the pipeline is never shorter than (m + (p - 1) / v) mean stage-times
    return (m + (fam.pipeline - 1) / max(fam.interleaves)) * float(per_micro)


def _beaten(out: Search, lb: float, fam: Family) -> bool:
    """True when the best layout found is faster than every layout ``fam`` can hold."""
    b = out.best
    if b is None:
        return False
    return lb > b.times.step or (lb == b.times.step and fam.chips <= b.layout.chips)


def _runnable(ctx: Context, lay: Layout) -> bool:
    given = ctx.sc.parallelism.stage_layers is not None or ctx.is_network
    return not layout_problems(lay, ctx.shape, ctx.fw, given_stage_layers=given)


def search(ctx: Context) -> Search:
    """Every family bounded, the promising ones searched (see the module docstring)."""
    sc = ctx.sc
    par = sc.parallelism
    fams = list(
        families(
            par,
            chips=sc.chips,
            shape=ctx.shape,
            fw=ctx.fw,
            system=sc.system,
            network=ctx.is_network,
            spatial=sc.system.network[0].topology == "mesh",
        )
    )
    out = Search(space=sum(f.size for f in fams), families=len(fams))
    # Visit families by the cheap bound; tighten it (the units' own compute) before timing.
    ranked = sorted((quick_bound(ctx, f), -f.chips, i) for i, f in enumerate(fams))
    explicit_k = par.recompute_layers if isinstance(par.recompute_layers, int) else None
    for lb, _, i in ranked:
        fam = fams[i]
        # the tighter bound costs the units' compute: only worth it once something can beat it
        if out.best is not None and (_beaten(out, lb, fam) or _beaten(out, bound(ctx, fam), fam)):
            continue
        for v in fam.interleaves:
            for sched in ("interleaved",) if v > 1 else fam.schedules:
                for z in fam.zeros:
                    _recompute(ctx, fam, v, z, sched, explicit_k, out)
    return out


def _try(ctx: Context, lay: Layout, out: Search, *, time_it: bool = True) -> bool:
    """Time ``lay`` if it fits (a layout that does not fit is kept only as the smallest so far;
    ``time_it`` False only checks memory, keeping a smallest layout that does not fit)."""
    if out.recorded:  # the only layout: one evaluation, recording, gives its memory too
        ev = evaluate(ctx, lay, record=True)
        out.offer(ev)
        return ev.fits
    mem, ok = fits(ctx, lay)
    if (ok and time_it) or (
        not ok and (out.smallest is None or mem.total < out.smallest.memory.total)
    ):
        out.offer(evaluate(ctx, lay))
    return ok


def _recompute(
    ctx: Context, fam: Family, v: int, z: int, sched: str, explicit_k: int | None, out: Search
) -> None:
    """Try the family's recomputation choices in order of time; stop at the first that fits.

    Memory only falls as more is recomputed, so when the least memory the family's
    choices allow does not fit, none does and nothing is timed.
    """

    def lay(rc: str, k: int | None) -> Layout:
        return _layout(ctx, fam, v, z, rc, k, sched)

    if not _runnable(ctx, lay(fam.recomputes[0], explicit_k)):
        return
    if len(fam.recomputes) > 1 and not _try(
        ctx, lay(fam.recomputes[-1], explicit_k), out, time_it=False
    ):
        return
    for rc in fam.recomputes:
        if rc == "full" and fam.partial:
            _partial(lay, fam, ctx, out)
            return
        if _try(ctx, lay(rc, explicit_k), out):
            if (rc == "selective" or rc.startswith("modules")) and fam.partial:
                _partial(lay, fam, ctx, out)  # fewer full layers may still beat selective
            return


def _partial(lay: Any, fam: Family, ctx: Context, out: Search) -> None:
    """Full recomputation of the fewest layers per stage that fit (bisection on memory)."""
    most = max(fam.stage_layers)
    lo, hi, best = 1, most, 0
    while lo <= hi:
        k = (lo + hi) // 2
        if fits(ctx, lay("full", None if k == most else k))[1]:
            best, hi = k, k - 1
        else:
            lo = k + 1
    k = best or most
    _try(ctx, lay("full", None if k == most else k), out)


__all__ = ["Search", "bound", "search"]
