"""Options and helpers shared by the command modules."""

from __future__ import annotations

import typer

JSON_OPT = typer.Option(False, "--json", help="Print one JSON document on stdout.")


def scenario_source(ref: str) -> str:
    """A scenario file path, or a built-in scenario's path when ``ref`` names one."""
    from dojosim.spec.resolve import scenario_path

    return scenario_path(ref)
