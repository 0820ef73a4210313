"""Schemas of chips and systems (catalog kinds ``chip`` and ``system``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt, model_validator

from dojosim.spec.base import CatalogEntry, Frozen
from dojosim.spec.quantities import (
    Bandwidth,
    Bytes,
    FlopRate,
    Fraction,
    Hertz,
    PosBytes,
    Seconds,
    Watts,
)

Precision = Literal["fp32", "tf32", "bf16", "fp16", "fp8", "cfp8", "cfp16", "int8"]
PRECISIONS: tuple[str, ...] = ("fp32", "tf32", "bf16", "fp16", "fp8", "cfp8", "cfp16", "int8")

# Bytes per element of a stored tensor in each training precision.
BYTES_PER_ELEMENT: dict[str, int] = {
    "fp32": 4,
    "tf32": 4,
    "bf16": 2,
    "fp16": 2,
    "fp8": 1,
    "cfp8": 1,
    "cfp16": 2,
    "int8": 1,
}


class ChipSpec(CatalogEntry):
    """One accelerator die or package.

    ``peak_flops`` are dense (no sparsity) matrix-unit peaks in FLOP/s, a
    multiply-add counted as 2 FLOP. ``memory`` is the capacity of the memory
    that holds weights and activations (HBM on GPUs/TPUs; on-die SRAM on D1),
    ``memory_bandwidth`` its bandwidth in B/s.
    """

    kind: Literal["chip"] = "chip"
    vendor: str
    peak_flops: dict[Precision, FlopRate]
    vector_flops: dict[Precision, FlopRate] = Field(default_factory=dict)
    memory: PosBytes
    memory_bandwidth: Bandwidth
    sram: Bytes = 0.0
    tdp: Watts
    clock: Hertz | None = None
    links: dict[str, Bandwidth] = Field(default_factory=dict)
    calibration: str = "generic"
    what_if: bool = False

    def peak(self, precision: str) -> float:
        """Dense peak FLOP/s for a precision (``KeyError`` if the chip lacks it)."""
        return self.peak_flops[precision]  # type: ignore[index]


Topology = Literal["switch", "fat-tree", "ring", "torus", "mesh"]


class NetworkTier(Frozen):
    """One level of a system's network, innermost first.

    ``size`` is how many chips one group of this tier joins (8 for an NVSwitch
    node); ``None`` means the whole system. ``bandwidth`` is per chip and per
    direction into this tier (for torus and mesh: per link); ``links_per_dim``
    says how many such links a chip has along each torus/mesh dimension.
    ``collective_efficiency`` is the measured fraction of ``bandwidth`` that
    large collectives achieve (bus bandwidth over link bandwidth).
    """

    name: str
    topology: Topology
    size: PositiveInt | None = None
    dims: list[PositiveInt] | None = None
    bandwidth: Bandwidth
    latency: Seconds
    links_per_dim: PositiveInt = 2
    collective_efficiency: Fraction = 1.0

    @model_validator(mode="after")
    def _dims_match(self) -> NetworkTier:
        if self.topology in ("torus", "mesh") and not self.dims:
            raise ValueError(f"a {self.topology} tier needs dims (e.g. [16, 16, 16])")
        if self.dims and self.size is not None:
            prod = 1
            for d in self.dims:
                prod *= d
            if prod != self.size:
                raise ValueError(f"dims {self.dims} hold {prod} chips but size is {self.size}")
        if not 0 < self.collective_efficiency <= 1:
            raise ValueError("collective_efficiency must be in (0, 1]")
        return self


class Contains(Frozen):
    """A system built from ``count`` copies of another catalog system."""

    system: str
    count: PositiveInt


class SystemSpec(CatalogEntry):
    """A machine the estimator runs on: a chip, how chips group into nodes, and a network.

    A scenario asks for ``chips`` of the system; the estimator builds that many
    from ``node_chips``-chip nodes joined by the outer tiers.
    """

    kind: Literal["system"] = "system"
    chip: str
    node_chips: PositiveInt
    chips: PositiveInt | None = None
    max_chips: PositiveInt | None = None
    network: list[NetworkTier]
    node_power: Watts | None = None
    contains: Contains | None = None

    @model_validator(mode="after")
    def _network_nonempty(self) -> SystemSpec:
        if not self.network:
            raise ValueError("a system needs at least one network tier")
        return self
