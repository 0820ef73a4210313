"""Readable tables (rich) for estimates, validation scores and catalog entries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from dojosim.units import format_si
from dojosim.workload.recompute_modules import DEFAULT

#: What an "over memory" count is: the CLI's and the web page's validation tables say it so.
OVER_MEMORY = "runs that ran although the estimate says they would not fit in memory"


def console() -> Console:
    """A stdout console; when not a terminal, wide enough that tables are not truncated."""
    import sys

    width = None if sys.stdout.isatty() else 160
    return Console(highlight=False, soft_wrap=False, width=width)


def estimate_table(est: Any) -> Table:
    """One estimate: headline figures, step breakdown, memory and layout."""
    t = Table(title=f"{est.scenario}: {est.model} on {est.chips} x {est.chip} ({est.precision})")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row("step time", format_si(est.step_time_s, "s", 4))
    interval = getattr(est, "step_time_interval_s", None)
    if interval:
        t.add_row(
            "  likely range",
            f"{format_si(interval[0], 's', 3)} .. {format_si(interval[1], 's', 3)}",
        )
    t.add_row("MFU", f"{est.mfu:.1%}")
    t.add_row("HFU", f"{est.hfu:.1%}")
    t.add_row("tokens/s", f"{est.tokens_per_s:,.0f}")
    t.add_row("model TFLOP/s per chip", f"{est.model_tflops_per_chip:.1f}")
    fit = "fits" if est.fits_in_memory else "[red]does not fit[/red]"
    t.add_row(
        "memory per chip",
        f"{format_si(est.memory_per_chip_bytes, 'B')} of {format_si(est.memory_capacity_bytes, 'B')} ({fit})",
    )
    t.add_section()
    for k, v in est.breakdown.items():
        share = v / est.step_time_s if est.step_time_s else 0.0
        t.add_row(
            f"  {k.removesuffix('_s').replace('_', ' ')}", f"{format_si(v, 's')} ({share:.1%})"
        )
    t.add_section()
    for k in ("weights", "gradients", "optimizer", "activations", "transient"):
        t.add_row(f"  memory: {k}", format_si(est.memory[k], "B"))
    t.add_section()
    t.add_row("layout", layout_text(est.layout))
    if getattr(est, "slices", 1) > 1:
        t.add_row("slices", f"{est.slices}, data-parallel across them")
    if est.chosen:
        chosen = ", ".join(f"{k}={v}" for k, v in est.chosen.items())
        t.add_row("auto chose", f"{chosen} ({est.candidates_evaluated} candidates)")
    for note in est.notes:
        t.add_row("note", note)
    return t


def layout_text(lay: dict[str, Any], short: bool = False) -> str:
    """A layout in words; knobs a layout does not have (a network has no ``interleave``) are left out."""
    if short:
        parts = [
            f"{tag}{lay[key]}"
            for tag, key in (("TP", "tensor"), ("PP", "pipeline"), ("DP", "data"))
            if key in lay
        ]
        parts += [
            f"{tag}{lay[key]}"
            for tag, key in (("CP", "context"), ("EP", "expert"))
            if lay.get(key, 1) > 1
        ]
        parts += [f"mb{lay['micro_batch']}"] if "micro_batch" in lay else []
        parts += [f"v{lay['interleave']}"] if "interleave" in lay else []
        parts += [str(lay["recompute"])] if "recompute" in lay else []
        return " ".join(parts)
    words = [
        " x ".join(
            f"{tag} {lay[key]}"
            for tag, key in (("TP", "tensor"), ("PP", "pipeline"), ("DP", "data"))
            if key in lay
        )
    ]
    labels = (
        ("micro_batch", "micro-batch {}"),
        ("micro_batches", "{} micro-batches"),
        ("interleave", "interleave {}"),
        ("recompute", "recompute {}"),
        ("zero", "ZeRO {}"),
    )
    # Context and expert groups only when the job uses them, so dense layouts read as before.
    if lay.get("context", 1) > 1:
        words[0] += f" x CP {lay['context']}"
    experts = [
        f"{t} {lay[k]}"
        for t, k in (("EP", "expert"), ("ETP", "expert_tensor"))
        if lay.get(k, 1) > 1
    ]
    if experts:
        words[0] += f" (+ {', '.join(experts)})"
    words += [fmt.format(lay[key]) for key, fmt in labels if key in lay]
    mods = lay.get("recompute_modules")
    if mods and frozenset(mods) != DEFAULT:  # named modules, not Megatron's default
        words = [f"{w} ({', '.join(mods)})" if w.startswith("recompute ") else w for w in words]
    if lay.get("schedule") in ("zero-bubble", "dualpipe"):  # 1F1B variants follow from interleave
        words.append(f"schedule {lay['schedule']}")
    if "sequence_parallel" in lay:
        words.append(f"SP {'on' if lay['sequence_parallel'] else 'off'}")
    return ", ".join(w for w in words if w)


def estimates_table(ests: Sequence[Any], title: str) -> Table:
    """Several estimates side by side, one row each."""
    t = Table(title=title)
    for col in (
        "scenario",
        "chips",
        "step",
        "MFU",
        "tokens/s",
        "TFLOP/s/chip",
        "memory/chip",
        "layout",
    ):
        t.add_column(col, justify="left" if col in ("scenario", "layout") else "right")
    for e in ests:
        lay = e.layout
        t.add_row(
            e.scenario,
            f"{e.chips:,} x {e.chip}",
            format_si(e.step_time_s, "s"),
            f"{e.mfu:.1%}",
            f"{e.tokens_per_s:,.0f}",
            f"{e.model_tflops_per_chip:.0f}",
            format_si(e.memory_per_chip_bytes, "B") + ("" if e.fits_in_memory else " (!)"),
            layout_text(lay, short=True),
        )
    return t


def scores_table(
    scores: Sequence[Any],
    summary: dict[str, dict[str, Any]],
    coverage: dict[str, Any] | None = None,
) -> Table:
    """Validation: every row's measured, predicted (with units) and error; then per-group summaries.

    ``input`` rows (restating one of our inputs) are shown but never summarised; a
    summary group is one role, split by unit where the role mixes units; the rows
    outside their tolerance are marked and named.
    """
    t = Table(title="dojosim validate: predictions against published runs (SI units)")
    for col in ("run", "role", "metric", "unit", "measured", "predicted", "error", "status"):
        right = col in ("measured", "predicted", "error")
        t.add_column(col, justify="right" if right else "left")
    for s in scores:
        err = f"{s.error:+.2%}"
        status = s.status
        if status == "failed":
            err, status = f"[red]{err}[/red]", f"[red]FAILED (tolerance {s.tolerance:.0%})[/red]"
        elif status == "input":
            status = "input (restates an input)"
        elif status == "regression":
            status = "regression (publisher's report in --json note)"
        t.add_row(
            s.run,
            s.role,
            s.metric,
            s.unit or "-",
            f"{s.measured:.4g}",
            f"{s.predicted:.4g}",
            err,
            status,
        )
    for group, st in summary.items():
        t.add_section()
        t.add_row(
            escape(f"{group}: {int(st['count'])} rows"),
            "",
            "mean |error|",
            "",
            "",
            "",
            f"{st['mean_abs_error']:.2%}",
            "",
        )
        if "median_abs_error" in st:
            t.add_row("", "", "median |error|", "", "", "", f"{st['median_abs_error']:.2%}", "")
        t.add_row("", "", "max |error|", "", "", "", f"{st['max_abs_error']:.2%}", "")
        failed = st.get("failed") or []
        if failed:
            t.add_row("", "", f"failed: {len(failed)}", "", "", "", "", ", ".join(failed))
        too_big = st.get("not_fitting") or []
        if too_big:  # they ran, so the memory estimate is too high for them
            t.add_row(
                "", "", f"over memory: {len(too_big)}", "", "", "", "",
                "ran, but predicted not to fit (--json --summary: not_fitting)",
            )  # fmt: skip
    if coverage and coverage.get("coverage") is not None:
        t.add_section()
        t.add_row(
            f"80% intervals: {coverage['inside']} of {coverage['rows']} check rows inside",
            "",
            "coverage",
            "",
            "",
            "",
            f"{coverage['coverage']:.0%}",
            "leave one out (docs/estimator.md)",
        )
    scale = (coverage or {}).get("scale") or {}
    for band in scale.get("bands", []):
        t.add_row(
            f"check steps on {band['chips']} chips ({band['rows']} rows)",
            "",
            "mean step error",
            "",
            "",
            "",
            f"{band['mean_step_error']:+.1%}",
            "+: predicted slower than measured",
        )
    inputs = [s.run for s in scores if s.role == "input"]
    if inputs:
        t.add_section()
        t.add_row(
            f"input: {len(inputs)} rows", "", "not summarised", "", "", "", "", ", ".join(inputs)
        )
    return t


def groups_table(groups: Sequence[dict[str, Any]], by: str) -> Table:
    """Validation by group (:func:`dojosim.validate.groups.groups`): each group's rows, mean,
    median and max |error|, its bias (mean step error), its runs over memory and its worst row."""
    t = Table(title=f"dojosim validate: error of the step estimate on published runs, by {by}")
    t.add_column(by)
    cols = (
        "rows",
        "mean |error|",
        "median |error|",
        "max |error|",
        "mean step error",
        "over memory",
    )
    for col in cols:
        t.add_column(col, justify="right")
    t.add_column("worst row")
    for g in groups:
        t.add_row(
            escape(str(g[by])),
            str(g["rows"]),
            f"{g['mean_abs_error']:.1%}",
            f"{g['median_abs_error']:.1%}",
            f"{g['max_abs_error']:.1%}",
            f"{g['mean_step_error']:+.1%}",
            str(len(g.get("not_fitting", []))),
            escape(g["worst"]),
        )
    t.caption = (
        "mean step error: - when the predicted steps are shorter than measured (optimistic); "
        f"over memory: {OVER_MEMORY}"
    )
    return t
