"""Explore: sweeps, comparisons, Pareto fronts and break-even solving over scenarios.

The room calls only the library's public functions (``dojosim.estimate``,
``dojosim.cost.pipeline.site_report``, ``dojosim.spec.resolve.load_any``, the
catalog); it never changes a prediction.

* :func:`sweep` / :func:`run_sweep`: many scenarios from one base, by dotted
  paths (``system.chip.memory_bandwidth``), grid, random or Latin-hypercube;
  rows streamed to DuckDB, Parquet or CSV, resumable after any crash; local
  worker processes or Ray.
* :func:`compare`: scenarios side by side, best of each row marked.
* :func:`query`, :func:`read_table`, :func:`pareto_front`, :func:`plot`: the
  stored results.
* :func:`solve`: the value of one field that meets a target, by root finding.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "sweep": "dojosim.explore.run",
    "run_sweep": "dojosim.explore.run",
    "SweepSummary": "dojosim.explore.run",
    "load_sweep": "dojosim.explore.spec",
    "compare": "dojosim.explore.comparison",
    "query": "dojosim.explore.results",
    "read_table": "dojosim.explore.results",
    "info": "dojosim.explore.results",
    "pareto_front": "dojosim.explore.pareto",
    "plot": "dojosim.explore.plots",
    "solve": "dojosim.explore.solver",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    # Lazy: the heavy libraries (DuckDB, Arrow, Ray, Plotly) load only when used.
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'dojosim.explore' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
