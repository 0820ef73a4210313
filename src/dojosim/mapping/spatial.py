"""Spatial mapping on a 2D mesh of dies: where a layout's groups sit (Dojo).

Tesla's compiler carves a slice of the mesh out for a model and lays layers
or layer shards over regions of it, pipelining across regions; the rest of the
mesh runs replicas of the slice. In the estimator's terms a slice is the
``tensor x pipeline`` dies of one model replica: each tensor group is a
rectangle of dies inside a tile (so its collectives run as dimension-ordered
rings on the tile's links), consecutive pipeline stages are neighbouring
rectangles (so activations cross one hop, or one tile edge), and replicas tile
the mesh with the data-parallel groups striding across tiles. The collective
and send costs of that placement are what :mod:`dojosim.hardware.collectives`
charges for groups of that size and stride; this module reports the geometry.
"""

from __future__ import annotations

import math
from typing import Any

from dojosim.errors import SpecError
from dojosim.mapping.layout import Layout
from dojosim.spec.hardware import SystemSpec


def rectangle(n: int, dims: list[int]) -> tuple[int, int] | None:
    """The most square ``rows x cols`` rectangle of ``n`` dies inside a ``dims`` tile, if any."""
    rows_max, cols_max = dims[0], dims[1] if len(dims) > 1 else 1
    best: tuple[int, int] | None = None
    for rows in range(1, rows_max + 1):
        if n % rows:
            continue
        cols = n // rows
        if cols <= cols_max and (best is None or abs(rows - cols) < abs(best[0] - best[1])):
            best = (rows, cols)
    return best


def slice_of(system: SystemSpec, layout: Layout | Any) -> dict[str, Any] | None:
    """The slice a layout occupies on a mesh system, or None when the system is not a mesh.

    ``layout`` is a transformer :class:`Layout` or a network layout (tensor 1).
    """
    inner = system.network[0]
    if inner.topology != "mesh" or not inner.dims:
        return None
    tile = math.prod(inner.dims)
    tensor = getattr(layout, "tensor", 1)
    stages = getattr(layout, "stage_layers", None) or getattr(layout, "stages", ())
    dies = tensor * layout.pipeline
    region = rectangle(tensor, list(inner.dims))
    return {
        "dies": dies,
        "tiles": dies / tile,
        "tensor_region": list(region) if region else None,
        "stages": layout.pipeline,
        "layers_per_stage": max(stages) if stages else 0,
        "replicas": layout.data,
    }


def check_slice(
    system: SystemSpec, chips: int, tensor: object, pipeline: object, file: str | None
) -> None:
    """Reject, naming the field, a slice that cannot be laid on the mesh.

    ``tensor`` and ``pipeline`` are the scenario's knobs (``auto`` is skipped).
    """
    inner = system.network[0]
    if inner.topology != "mesh" or not inner.dims:
        return
    dims = list(inner.dims)
    if isinstance(tensor, int) and rectangle(tensor, dims) is None:
        raise SpecError(
            f"tensor ({tensor}) does not form a rectangle of dies inside a "
            f"{' x '.join(map(str, dims))} tile of {system.name!r}",
            file=file,
            field="parallelism.tensor",
        )
    if isinstance(tensor, int) and isinstance(pipeline, int) and tensor * pipeline > chips:
        raise SpecError(
            f"the model slice (tensor x pipeline = {tensor} x {pipeline} = {tensor * pipeline} "
            f"dies) is larger than the mesh of {chips} dies",
            file=file,
            field="parallelism.pipeline",
        )


__all__ = ["check_slice", "rectangle", "slice_of"]
