"""dojosim: a digital twin of AI training systems, from the chip to the orbit."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "estimate", "load_scenario"]


def __getattr__(name: str) -> Any:
    # Lazy re-exports keep `import dojosim` cheap for the CLI and for numerics users.
    if name == "estimate":
        from dojosim.perf.estimate import estimate

        return estimate
    if name == "load_scenario":
        from dojosim.spec.resolve import load_scenario

        return load_scenario
    if name in ("numerics",):
        import importlib

        return importlib.import_module(f"dojosim.{name}")
    raise AttributeError(f"module 'dojosim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__, "numerics"])
