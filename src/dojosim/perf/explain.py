"""Why a scenario has no runnable layout, in one line, with what would work instead."""

from __future__ import annotations

from typing import Any

from dojosim.errors import SpecError
from dojosim.mapping.frameworks import FRAMEWORKS
from dojosim.mapping.layout import Layout, layout_problems
from dojosim.mapping.search import families
from dojosim.perf.context import Context


def _has_layout(ctx: Context, **change: Any) -> bool:
    sc = ctx.sc
    par = sc.parallelism.model_copy(update={k: v for k, v in change.items() if k != "chips"})
    chips = change.get("chips", sc.chips)
    for fam in families(
        par,
        chips=chips,
        shape=ctx.shape,
        fw=ctx.fw,
        system=sc.system,
        network=ctx.is_network,
        spatial=sc.system.network[0].topology == "mesh",
    ):
        for v in fam.interleaves:
            lay = Layout(
                fam.tensor,
                fam.pipeline,
                fam.data,
                fam.micro_batch,
                par.global_batch,
                v,
                fam.sequence_parallel,
                fam.recomputes[0],
                fam.zeros[0],
                fam.stage_layers if not ctx.is_network else (1,) * fam.pipeline,
                schedule=fam.schedules[0],
                context=fam.context,
                expert=fam.expert,
                expert_tensor=fam.expert_tensor,
                overlap_tensor_parallel=par.overlap_tensor_parallel,
                overlap_expert_parallel=par.overlap_expert_parallel,
                recompute_modules=tuple(par.recompute_modules or ()),
            )
            if ctx.is_network and fam.pipeline <= ctx.shape.layers:
                return True
            given = par.stage_layers is not None
            if not layout_problems(lay, ctx.shape, ctx.fw, given_stage_layers=given):
                return True
    return False


def _recompute(par: Any) -> str:
    """The recompute an explicit check takes: the one given, selective where modules are
    named, else none."""
    if isinstance(par.recompute, str) and par.recompute != "auto":
        return par.recompute
    return "selective" if par.recompute_modules else "none"


def _first_problem(ctx: Context) -> tuple[str, str]:
    """The first rule the scenario's explicit knobs break (auto knobs at their simplest)."""
    sc = ctx.sc
    par = sc.parallelism
    tp = par.tensor if isinstance(par.tensor, int) else 1
    cp = par.context if isinstance(par.context, int) else 1
    p = par.pipeline if isinstance(par.pipeline, int) else 1
    t = tp * cp
    names = "tensor x context x pipeline" if cp > 1 else "tensor x pipeline"
    sizes = f"{tp} x {cp} x {p}" if cp > 1 else f"{tp} x {p}"
    if isinstance(par.data, int):
        d = par.data
    elif sc.chips % (t * p):
        fixed = [k for k in ("context", "pipeline", "tensor") if isinstance(getattr(par, k), int)]
        field = next((k for k in fixed if getattr(par, k) > 1), "tensor")
        return field, f"chips ({sc.chips}) must be divisible by {names} ({sizes} = {t * p})"
    else:
        d = sc.chips // (t * p)
    if t * p * d != sc.chips and par.data != "auto":
        return "data", (f"{names} x data = {sizes} x {d} = {t * p * d}, but chips = {sc.chips}")
    layers = ctx.shape.layers
    split = tuple(par.stage_layers) if par.stage_layers else (layers // p,) * p
    if not par.stage_layers and layers % p:
        split = (layers - (p - 1) * (layers // p), *(layers // p,) * (p - 1))
    lay = Layout(
        tp,
        p,
        d,
        par.micro_batch if isinstance(par.micro_batch, int) else 1,
        par.global_batch,
        par.interleave if isinstance(par.interleave, int) else 1,
        par.sequence_parallel is True,
        _recompute(par),
        par.zero if isinstance(par.zero, int) else 0,
        split,
        schedule=par.schedule
        if isinstance(par.schedule, str) and par.schedule != "auto"
        else "1f1b",
        context=cp,
        expert=par.expert if isinstance(par.expert, int) else 1,
        expert_tensor=par.expert_tensor,
        overlap_tensor_parallel=par.overlap_tensor_parallel,
        overlap_expert_parallel=par.overlap_expert_parallel,
        recompute_modules=tuple(par.recompute_modules or ()),
        recompute_layers=par.recompute_layers if isinstance(par.recompute_layers, int) else None,
    )
    found = layout_problems(lay, ctx.shape, ctx.fw, given_stage_layers=par.stage_layers is not None)
    if found:
        return found[0]
    return "", "no layout satisfies the knobs together"


def no_layout(ctx: Context) -> SpecError:
    """The error for a scenario with no runnable layout: the first problem and a suggestion."""
    sc = ctx.sc
    field, msg = _first_problem(ctx)
    gb = sc.parallelism.global_batch
    hint = ""
    if field in (
        "zero",
        "interleave",
        "sequence_parallel",
        "recompute_layers",
        "expert",
        "schedule",
    ):
        others = [n for n, f in FRAMEWORKS.items() if f != ctx.fw]
        return SpecError(
            f"{msg}; set it to auto to get the best {ctx.fw.name} can run, or name another "
            f"framework ({', '.join(others)})",
            file=sc.source_file,
            field=f"parallelism.{field}",
        )
    for delta in range(1, max(gb // 2, 2)):
        near = [b for b in (gb - delta, gb + delta) if b > 0 and _has_layout(ctx, global_batch=b)]
        if near:
            hint = f"; global_batch {near[0]} would run"
            break
    if not hint:
        for delta in range(1, max(sc.chips // 2, 2)):
            near = [c for c in (sc.chips - delta, sc.chips + delta) if c > 0]
            ok = [c for c in near if _has_layout(ctx, chips=c)]
            if ok:
                hint = f"; {ok[0]} chips would run"
                break
    if not hint and sc.parallelism.data != "auto":
        hint = "; data: auto lets the layout leave chips idle"
    return SpecError(
        f"{msg} ({ctx.fw.name} cannot run this layout){hint}",
        file=sc.source_file,
        field=f"parallelism.{field}" if field else "parallelism",
    )


__all__ = ["no_layout"]
