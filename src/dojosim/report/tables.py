"""Readable tables (rich) for estimates, validation scores and catalog entries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from dojosim.units import format_si


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
    lay = est.layout
    t.add_row(
        "layout",
        f"TP {lay['tensor']} x PP {lay['pipeline']} x DP {lay['data']}, micro-batch {lay['micro_batch']}, "
        f"{lay['micro_batches']} micro-batches",
    )
    t.add_row(
        "",
        f"interleave {lay['interleave']}, SP {'on' if lay['sequence_parallel'] else 'off'}, "
        f"recompute {lay['recompute']}, ZeRO {lay['zero']}",
    )
    if est.chosen:
        chosen = ", ".join(f"{k}={v}" for k, v in est.chosen.items())
        t.add_row("auto chose", f"{chosen} ({est.candidates_evaluated} candidates)")
    for note in est.notes:
        t.add_row("note", note)
    return t


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
            f"TP{lay['tensor']} PP{lay['pipeline']} DP{lay['data']} mb{lay['micro_batch']} "
            f"v{lay['interleave']} {lay['recompute']}",
        )
    return t


def scores_table(scores: Sequence[Any], summary: dict[str, dict[str, float]]) -> Table:
    """Validation: every run's measured, predicted and signed error, then per-role mean and max."""
    t = Table(title="dojosim validate: predictions against published runs")
    for col in ("run", "role", "metric", "measured", "predicted", "error"):
        t.add_column(col, justify="left" if col in ("run", "role", "metric") else "right")
    for s in scores:
        err = f"{s.error:+.2%}"
        if s.within is False:
            err = f"[red]{err}[/red]"
        t.add_row(s.run, s.role, s.metric, f"{s.measured:.4g}", f"{s.predicted:.4g}", err)
    for role, st in summary.items():
        t.add_section()
        t.add_row(
            f"{role}: {int(st['count'])} runs",
            "",
            "mean |error|",
            "",
            "",
            f"{st['mean_abs_error']:.2%}",
        )
        t.add_row("", "", "max |error|", "", "", f"{st['max_abs_error']:.2%}")
    return t
