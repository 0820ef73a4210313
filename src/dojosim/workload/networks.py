"""Catalog networks as workloads: build the entry's module on the meta device and trace it.

``network(name)`` is cached: a catalog network is built and traced once per process.
``checks(name)`` compares the traced counts with every figure the entry publishes.
"""

from __future__ import annotations

import functools

from dojosim.workload.graph import Workload
from dojosim.workload.published import Check

__all__ = ["Check", "checks", "network"]


@functools.cache
def network(name: str) -> Workload:
    """The catalog network ``name`` traced into a :class:`Workload` (per sample, bf16 bytes).

    An unknown name raises :class:`~dojosim.errors.CatalogError` with a suggestion; a bad
    ``config:`` raises :class:`~dojosim.errors.SpecError` naming the file and field.
    """
    from dojosim.catalog import get, path
    from dojosim.errors import SpecError

    spec = get("network", name)
    import torch

    from dojosim.workload.builders import build
    from dojosim.workload.torch_import import from_torch

    try:
        with torch.device("meta"):
            module = build(spec.builder, dict(spec.config))
        example = torch.empty((1, *spec.input), device="meta")
        return from_torch(module, example, name=name)
    except SpecError as exc:
        raise SpecError(exc.detail, file=str(path("network", name)), field=exc.field) from None


def checks(name: str) -> list[Check]:
    """Every published count of the catalog network ``name`` against its traced workload."""
    from dojosim.catalog import get

    spec = get("network", name)
    w = network(name)
    out: list[Check] = []
    for pub in spec.published:
        flops = pub.forward_flops
        if flops is not None:
            conv = "multiply-adds (x2 here)" if pub.multiply_adds is not None else "FLOPs"
            out.append(Check("forward_flops", flops, w.forward_flops, pub.tolerance, pub.source,
                             conv))  # fmt: skip
        if pub.params is not None:
            tol = pub.params_tolerance if pub.params_tolerance is not None else pub.tolerance
            out.append(Check("params", pub.params, w.params, tol, pub.source, "parameters"))
    return out
