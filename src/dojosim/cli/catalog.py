"""`dojosim catalog list|show`: catalog entries (and built-in scenarios) with their sources."""

from __future__ import annotations

import sys

import typer

from dojosim.catalog import LISTABLE
from dojosim.cli.common import JSON_OPT
from dojosim.report.jsonout import print_json


def catalog_list(
    kind: str = typer.Argument(None, help=f"One of: {', '.join(LISTABLE)} (default: all)."),
    json_out: bool = JSON_OPT,
) -> None:
    """List catalog entries (and built-in scenarios) with their descriptions."""
    from dojosim.catalog import listing

    rows = listing(kind)
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


def _is_scenario(name: str, kind: str | None) -> bool:
    """True when ``name`` should be shown as a built-in scenario rather than a catalog entry."""
    from dojosim import catalog, scenarios

    if kind in ("scenario", "scenarios"):
        return True
    if kind or name not in scenarios.names():
        return False
    return not any(name in catalog.names(k) for k in catalog.KINDS)


def catalog_show(
    name: str = typer.Argument(..., help="Entry name, e.g. a100-sxm4-80g, or a built-in scenario."),
    kind: str = typer.Option(None, "--kind", help="Entry kind, when a name exists in several."),
    json_out: bool = JSON_OPT,
) -> None:
    """Show one entry: its fields as written (with sources), or resolved to SI units with --json.

    A built-in scenario is shown as its YAML (a starting point for your own file).
    """
    import yaml

    from dojosim.catalog import find, raw, resolved

    if _is_scenario(name, kind):
        from dojosim import scenarios

        data = scenarios.raw(name)
        if json_out:
            print_json(data)
            return
        sys.stdout.write(
            f"# scenario {name}\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        )
        return
    k = find(name, kind)
    if json_out:
        print_json(resolved(k, name))
        return
    sys.stdout.write(
        f"# {k} {name}\n" + yaml.safe_dump(raw(k, name), sort_keys=False, allow_unicode=True)
    )


def register(app: typer.Typer) -> None:
    """Add the ``catalog`` group."""
    catalog_app = typer.Typer(
        help="List and show catalog entries and built-in scenarios with their sources.",
        no_args_is_help=True,
    )
    catalog_app.command("list")(catalog_list)
    catalog_app.command("show")(catalog_show)
    app.add_typer(catalog_app, name="catalog")
