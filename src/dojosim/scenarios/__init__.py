"""Built-in scenarios: the demo's jobs, usable by name wherever a scenario file is accepted."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent

DEMO = ("gpt3-175b-1024-a100", "gpt3-175b-1024-h100", "llama3-70b-1024-h100")


def names() -> list[str]:
    return sorted(p.stem for p in ROOT.glob("*.yaml"))


def path(name: str) -> Path | None:
    """The file of a built-in scenario, or None; a path-like name is never looked up."""
    from dojosim.catalog import check_name
    from dojosim.errors import CatalogError

    try:
        check_name(name, "scenario")
    except CatalogError:
        return None
    p = ROOT / f"{name}.yaml"
    return p if p.is_file() else None


@functools.cache
def _cached(name: str) -> dict[str, Any]:
    """A built-in scenario as written, shared: callers get copies from :func:`raw`."""
    from dojosim.errors import CatalogError, nearest
    from dojosim.spec.loader import read_yaml

    p = path(name)
    if p is None:
        raise CatalogError(f"unknown scenario {name!r}{nearest(str(name), names())}")
    data: dict[str, Any] = read_yaml(p)
    return data


def raw(name: str) -> dict[str, Any]:
    """A built-in scenario's mapping as written (a copy; an unknown name suggests the nearest)."""
    import copy

    return copy.deepcopy(_cached(name))


def description(name: str) -> str:
    """The scenario's ``description:`` on one line ('' when it has none)."""
    return " ".join(str(_cached(name).get("description", "")).split())
