"""`dojosim catalog list|show`: catalog entries with their sources."""

from __future__ import annotations

import sys

import typer

from dojosim.cli.common import JSON_OPT
from dojosim.report.jsonout import print_json


def catalog_list(
    kind: str = typer.Argument(
        None, help="chip, system, model, run or calibration (default: all)."
    ),
    json_out: bool = JSON_OPT,
) -> None:
    """List catalog entries with their descriptions."""
    from dojosim.catalog import KINDS, check_kind, get, names

    kinds = [check_kind(kind)] if kind else list(KINDS)
    rows = [
        {"kind": k, "name": n, "description": get(k, n).description.strip()}
        for k in kinds
        for n in names(k)
    ]
    if json_out:
        print_json(rows)
        return
    from rich.table import Table

    from dojosim.report.tables import console

    t = Table(title="dojosim catalog")
    for col in ("kind", "name", "description"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["kind"], r["name"], r["description"])
    console().print(t)


def catalog_show(
    name: str = typer.Argument(..., help="Entry name, e.g. a100-sxm4-80g."),
    kind: str = typer.Option(None, "--kind", help="Entry kind, when a name exists in several."),
    json_out: bool = JSON_OPT,
) -> None:
    """Show one entry: its fields as written (with sources), or resolved to SI units with --json."""
    from dojosim.catalog import find, raw, resolved

    k = find(name, kind)
    if json_out:
        print_json(resolved(k, name))
        return
    import yaml

    sys.stdout.write(
        f"# {k} {name}\n" + yaml.safe_dump(raw(k, name), sort_keys=False, allow_unicode=True)
    )


def register(app: typer.Typer) -> None:
    """Add the ``catalog`` group."""
    catalog_app = typer.Typer(
        help="List and show catalog entries with their sources.", no_args_is_help=True
    )
    catalog_app.command("list")(catalog_list)
    catalog_app.command("show")(catalog_show)
    app.add_typer(catalog_app, name="catalog")
