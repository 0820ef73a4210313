"""`dojosim sweep`, `compare`, `results` and `solve`: many scenarios, side by side, queried, solved.

Each command calls :mod:`dojosim.explore` and prints; progress goes to stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from dojosim.cli.common import JSON_OPT
from dojosim.errors import DojosimError
from dojosim.report.jsonout import print_json

CSV_OPT = typer.Option(False, "--csv", help="Print CSV on stdout.")
_BUILTIN = ", ".join(
    sorted(
        p.stem for p in (Path(__file__).resolve().parents[1] / "explore" / "sweeps").glob("*.yaml")
    )
)


def _explore(*modules: str) -> Any:
    """The explore room, or a clear error when the libraries it needs are not installed."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise DojosimError(
            f"this command needs {', '.join(missing)}: pip install 'dojosim[explore]'"
        )
    import dojosim.explore as explore

    return explore


def sweep(
    sweep_file: str = typer.Argument(
        ..., metavar="SWEEP", help=f"Sweep YAML file, or a built-in sweep: {_BUILTIN}."
    ),
    out: str = typer.Option(..., "--out", help="Results file: .duckdb, .parquet or .csv."),
    backend: str = typer.Option("local", "--backend", help="local (worker processes) or ray."),
    workers: int = typer.Option(
        None, "--workers", help="Worker processes (local) or CPUs (local Ray)."
    ),
    resume: bool = typer.Option(False, "--resume", help="Finish the points missing from --out."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing --out."),
    ray_address: str = typer.Option(
        None, "--ray-address", help="A Ray cluster (e.g. auto or HOST:6379)."
    ),
    batch: int = typer.Option(
        None, "--batch", help="Points per task (default: chosen from the size)."
    ),
    json_out: bool = JSON_OPT,
) -> None:
    """Run a sweep: one row per point (axes, outputs, status, error), streamed to --out."""
    explore = _explore("duckdb", "pyarrow", "scipy")
    try:
        summary = explore.run_sweep(
            sweep_file,
            out,
            backend=backend,
            workers=workers,
            resume=resume,
            overwrite=overwrite,
            ray_address=ray_address,
            batch=batch,
            progress=True,
        )
    except KeyboardInterrupt:
        sys.stderr.write(
            f"dojosim: the points computed so far are in {out}; --resume finishes it\n"
        )
        raise
    if json_out:
        print_json(summary.as_dict())
    else:
        from dojosim.report.explore_tables import summary_table
        from dojosim.report.tables import console

        console().print(summary_table(summary.as_dict()))


def compare(
    scenarios: list[str] = typer.Argument(
        ..., metavar="A B [C ...]", help="Scenario files or built-in names."
    ),
    json_out: bool = JSON_OPT,
    csv_out: bool = CSV_OPT,
    everything: bool = typer.Option(False, "--all", help="Show every field in the table."),
) -> None:
    """Scenarios side by side: one column each, rows aligned by field, the best of each row marked."""
    from dojosim.explore.comparison import compare as run_compare
    from dojosim.explore.comparison import to_csv

    if json_out and csv_out:
        raise DojosimError("give --json or --csv, not both")
    c = run_compare(list(scenarios))
    if json_out:
        print_json(c.as_dict())
    elif csv_out:
        sys.stdout.write(to_csv(c))
    else:
        from dojosim.report.explore_tables import comparison_table
        from dojosim.report.tables import console

        console().print(comparison_table(c, everything=everything))


def _range(text: str | None) -> tuple[str | None, str | None]:
    if text is None:
        return None, None
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        raise DojosimError(
            f"--range: expected LOW,HIGH (e.g. '100 USD/kg,5000 USD/kg'), got {text!r}"
        )
    return parts[0], parts[1]


def solve(
    scenario: str = typer.Argument(..., help="Scenario YAML file, or a built-in scenario name."),
    vary: str = typer.Option(..., "--vary", help="The numeric field to vary, by dotted path."),
    target: str = typer.Option(
        ...,
        "--target",
        help="'OUTPUT = VALUE', e.g. 'usd_per_pflop_day / earth.usd_per_pflop_day = 1'.",
    ),
    range_: str = typer.Option(
        None, "--range", help="LOW,HIGH to search (default: 10x either side of the value)."
    ),
    json_out: bool = JSON_OPT,
) -> None:
    """The value of one field that meets a target, by bracketing and root finding."""
    low, high = _range(range_)
    s = _explore("scipy").solve(scenario, vary, target, low=low, high=high)
    if json_out:
        print_json(s.as_dict())
    elif s.found:
        sys.stdout.write(s.message + "\n")
    if not s.found:
        sys.stderr.write(f"dojosim: no solution: {s.message}\n")
        raise typer.Exit(1)


def results(
    file: str = typer.Argument(..., help="A results file (.duckdb, .parquet, .csv)."),
    sql: str = typer.Option(None, "--sql", help="A query over the tables results and sweep."),
    pareto: str = typer.Option(
        None, "--pareto", help="Two or three outputs: their Pareto front (min:/max: to force)."
    ),
    by: str = typer.Option(
        None, "--by", help="A column: one Pareto front (and plot panel) per value."
    ),
    plot: str = typer.Option(
        None, "--plot", help="x=COL,y=COL[,color=COL][,log=xy]: draw to --out."
    ),
    out: str = typer.Option(
        None, "--out", help="The plot file: .html (interactive, offline) or .png."
    ),
    limit: int = typer.Option(20, "--limit", help="Rows shown in the table (0: all)."),
    json_out: bool = JSON_OPT,
    csv_out: bool = CSV_OPT,
) -> None:
    """Query stored results: SQL, Pareto fronts, plots."""
    explore = _explore("duckdb", "pyarrow")
    if json_out and csv_out:
        raise DojosimError("give --json or --csv, not both")
    if (plot is None) != (out is None):
        raise DojosimError("--plot and --out go together (--plot x=..,y=.. --out plot.html)")
    info = explore.info(file)
    table = explore.query(file, sql) if sql else explore.read_table(file)
    if by is not None and pareto is None and plot is None:
        raise DojosimError("--by groups a --pareto front or a --plot")
    spec: dict[str, str] = {}
    if plot is not None:
        from dojosim.explore.plots import parse_plot

        spec = parse_plot(plot, list(table.column_names))
    group = by or spec.get("by")
    front = explore.pareto_front(table, pareto, by=group) if pareto else None
    written = None
    if plot is not None:
        written = str(
            explore.plot(
                table,
                out,
                x=spec["x"],
                y=spec["y"],
                color=spec.get("color"),
                by=group,
                log=spec.get("log", ""),
                front=front,
                hover=_axes(info),
                title=info["name"],
            )
        )
    shown = front if front is not None else table
    if json_out:
        print_json({"sweep": info, "rows": shown.to_pylist(), "plot": written})
        return
    if csv_out:
        import pyarrow.csv as pcsv

        pcsv.write_csv(shown, sys.stdout.buffer)
        return
    from dojosim.report.explore_tables import info_table, rows_table
    from dojosim.report.tables import console

    con = console()
    if not sql:
        con.print(info_table(info))
    title = "Pareto front" if front is not None else ("query" if sql else "results")
    cols = None if sql else _default_columns(info)
    if front is not None:
        from dojosim.explore.pareto import objectives

        names = [n for n, _ in objectives(pareto, list(table.column_names))]
        cols = ["point", "reference", *([group] if group else []), *_axes(info), *names]
    con.print(rows_table(shown, title, limit or None, cols))
    if written:
        con.print(f"plot written to {written}")


def _axes(info: dict[str, Any]) -> list[str]:
    return list(info.get("axes") or [])


def _default_columns(info: dict[str, Any]) -> list[str]:
    """point, the axes and the first outputs: a table that fits a terminal."""
    fixed = ["point", "reference", *_axes(info)]
    rest = [c for c in info["columns"] if c not in (*fixed, "status", "error")]
    return [*[*fixed, *rest][:12], "status"]


def register(app: typer.Typer) -> None:
    """Add ``sweep``, ``compare``, ``results`` and ``solve``."""
    app.command()(sweep)
    app.command()(compare)
    app.command()(results)
    app.command()(solve)
