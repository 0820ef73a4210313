"""workload room: models as operations (transformer.py), and any network as layers (graph.py).

``from_torch`` and ``network`` import torch on first use; ``import dojosim`` does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dojosim.workload.graph import Layer, Workload
    from dojosim.workload.networks import checks, network
    from dojosim.workload.torch_import import from_torch

_LAZY = {
    "from_torch": "dojosim.workload.torch_import",
    "network": "dojosim.workload.networks",
    "checks": "dojosim.workload.networks",
    "Workload": "dojosim.workload.graph",
    "Layer": "dojosim.workload.graph",
}

__all__ = ["Layer", "Workload", "checks", "from_torch", "network"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'dojosim.workload' has no attribute {name!r}")
