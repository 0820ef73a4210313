"""`dojosim orbit` and `dojosim site` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the site commands to the main CLI."""
