"""`dojosim goodput`: a fleet over a whole run, Monte Carlo of failures, checkpoints and recovery."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from dojosim.cli.common import JSON_OPT, scenario_source
from dojosim.errors import DojosimError
from dojosim.report.jsonout import print_json


def _hours(s: float | None) -> str:
    return "-" if s is None else f"{s / 3600:,.2f} h"


def _table(d: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    e, ck = d["ettr"], d["checkpoint_interval_s"]
    t = Table(
        title=f"{d['scenario']}: {d['chips']:,} chips ({d['site_type']}), {d['failures']}, "
        f"{d['runs']} runs over {d['duration_s'] / 86400:,.4g} days"
    )
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row("ETTR (mean, p10..p90)", f"{e['mean']:.2%} ({e['p10']:.2%}..{e['p90']:.2%})")
    exact = d["ettr_exact"]
    t.add_row("ETTR, exact formula (full capacity)", "-" if exact is None else f"{exact:.2%}")
    t.add_row("unexpected interruptions", f"{d['interruptions']:,.1f}")
    t.add_row("planned interruptions", f"{d['planned_interruptions']:,.1f}")
    t.add_row("job MTTF", _hours(d["job_mttf_s"]))
    t.add_row(f"checkpoint interval ({ck['mode']})", f"{ck['chosen'] / 60:,.2f} min")
    for key in ("young_daly", "daly", "exact", "simulated"):
        v = ck.get(key)
        t.add_row(f"  optimum: {key.replace('_', '/')}", "-" if v is None else f"{v / 60:,.2f} min")
    for k, v in d["badput_s"].items():
        t.add_row(f"badput: {k.replace('_', ' ')}", _hours(v))
    top = sorted(d["interruptions_by_cause"].items(), key=lambda kv: -kv[1])[:6]
    for name, n in top:
        t.add_row(f"  cause: {name}", f"{n:,.1f}")
    orbit = d.get("orbit")
    if orbit:
        t.add_row("capacity at the end (mean)", f"{orbit['capacity_end']:.1%}")
        t.add_row("capacity over the mission (mean)", f"{orbit['capacity_mean']:.1%}")
        t.add_row(
            "spare chips used / launched",
            f"{orbit['spares_used_chips']:,.0f} / {orbit['spares_launched_chips']:,}",
        )
        t.add_row("cost per delivered FLOP (x)", f"{orbit['cost_per_delivered_flop_factor']:.2f}")
        rad = orbit.get("radiation")
        if rad:
            t.add_row("dose rate", f"{rad['dose_rate_rad_per_year']:,.0f} rad(Si)/yr")
            t.add_row("upset multiplier (orbit / ground)", f"{rad['upset_multiplier']:,.1f}")
    width = None if sys.stdout.isatty() else 120
    Console(file=sys.stdout, highlight=False, width=width).print(t)
    for note in d["notes"]:
        sys.stdout.write(f"note: {note}\n")


def goodput(
    scenario: str = typer.Argument(..., help="Scenario YAML file, or a built-in scenario name."),
    json_out: bool = JSON_OPT,
    runs: int = typer.Option(100, "--runs", help="Monte Carlo runs."),
    seed: int = typer.Option(0, "--seed", help="Seed; the same seed gives the same runs."),
    plot: Path | None = typer.Option(
        None, "--plot", help="Write time lost by cause and ETTR against the interval (PNG)."
    ),
) -> None:
    """Failures, checkpoints and recovery over a whole run: ETTR, interruptions, MTTF, badput."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from dojosim.sim.goodput import goodput as run

    if runs < 1:
        raise DojosimError(f"--runs must be at least 1, got {runs}")
    if seed < 0:
        raise DojosimError(f"--seed must not be negative, got {seed}")
    source = scenario_source(scenario)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("simulating runs", total=runs)
        result = run(source, runs=runs, seed=seed, progress=lambda i: bar.update(task, completed=i))
    d = result.as_dict()
    if plot is not None:
        from dojosim.sim.plot import plot_goodput

        written = plot_goodput(d, plot)
        sys.stderr.write(f"dojosim: wrote {written}\n")
        d["plot"] = str(written)
    if json_out:
        print_json(d)
    else:
        _table(d)


def register(app: typer.Typer) -> None:
    """Add ``goodput``."""
    app.command()(goodput)
