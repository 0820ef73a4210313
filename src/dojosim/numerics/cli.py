"""`dojosim numerics ...` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the numerics commands to the main CLI."""
