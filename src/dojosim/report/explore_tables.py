"""Readable tables (rich) for comparisons, results files, sweep runs and solutions."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table

#: Prefixes of the nested fields a comparison table shows without --all.
MAIN_NESTED = (
    "breakdown.",
    "earth.",
    "orbit_vs_earth.",
    "layout.tensor",
    "layout.pipeline",
    "layout.data",
)


def fmt(v: Any) -> str:
    """A value for a table cell: numbers to 4 significant digits, big ones with separators."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        if v != 0 and (abs(v) >= 1e7 or abs(v) < 1e-3):
            return f"{v:.4g}"
        return f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def comparison_table(c: Any, *, everything: bool = False) -> Table:
    """Scenarios as columns, fields as rows; the best of each row in bold with a star."""
    t = Table(
        title="dojosim compare", caption="* best of the row (lower or higher, as the field means)"
    )
    t.add_column("field")
    for name in c.names:
        t.add_column(name, justify="right")
    for r in c.rows:
        if not everything and "." in r.field and not r.field.startswith(MAIN_NESTED):
            continue
        cells = []
        for i, v in enumerate(r.values):
            text = fmt(v)
            cells.append(f"[bold green]{text} *[/bold green]" if i in r.best else text)
        t.add_row(r.field, *cells)
    return t


def rows_table(
    table: Any, title: str, limit: int | None, columns: list[str] | None = None
) -> Table:
    """An Arrow table's first ``limit`` rows (all with None), optionally only ``columns``."""
    names = [n for n in (columns or table.column_names) if n in table.column_names]
    t = Table(title=title)
    for n in names:
        t.add_column(n, justify="left" if n in ("status", "error", "reference") else "right")
    shown = table if limit is None else table.slice(0, limit)
    for row in shown.select(names).to_pylist():
        t.add_row(*(fmt(row[n]) for n in names))
    if limit is not None and table.num_rows > limit:
        t.caption = (
            f"{table.num_rows - limit:,} more rows (--limit 0 shows all, --csv or --json exports)"
        )
    return t


def info_table(info: dict[str, Any]) -> Table:
    t = Table(title=f"{info['file']}: sweep {info['name']!r}", show_header=False)
    t.add_column("")
    t.add_column("")
    if info.get("description"):
        t.add_row("description", " ".join(str(info["description"]).split()))
    t.add_row("spec hash", info["hash"])
    t.add_row(
        "points",
        f"{info['stored']:,} stored of {info['points']:,}"
        + ("" if info["complete"] else " (incomplete: --resume finishes it)"),
    )
    t.add_row("status", f"{info['ok']:,} ok, {info['error']:,} error")
    return t


def summary_table(s: dict[str, Any]) -> Table:
    t = Table(title=f"dojosim sweep {s['name']!r} -> {s['out']}", show_header=False)
    t.add_column("")
    t.add_column("")
    t.add_row(
        "points",
        f"{s['points']:,} ({s['computed']:,} computed now, {s['skipped']:,} already stored)",
    )
    t.add_row("status", f"{s['ok']:,} ok, {s['error']:,} error")
    t.add_row(
        "time",
        f"{s['elapsed_s']:.1f} s ({s['points_per_s']:,.0f} points/s, {s['backend']} backend, "
        f"{s['workers']} workers, {s['batch']} points per task)",
    )
    t.add_row("spec hash", s["hash"])
    return t
