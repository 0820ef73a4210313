"""Schemas of chips and systems (catalog kinds ``chip`` and ``system``)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PositiveInt, model_validator

from dojosim.spec.base import CatalogEntry, Frozen
from dojosim.spec.optical import IslSpec
from dojosim.spec.quantities import (
    Bandwidth,
    Bytes,
    Count,
    FlopRate,
    Fraction,
    Hertz,
    PosBytes,
    Seconds,
    Watts,
    sourced,
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
    # The independent cores of a die (D1's 354 nodes, a GPU's streaming multiprocessors): per-core
    # figures, and the share of a GPU left to compute while communication kernels hold some SMs.
    cores: PositiveInt | None = None
    # The side of a weight-stationary systolic matrix unit (a TPU's MXU), in elements: a matmul's
    # weight dimensions are padded up to a multiple of it. None: no such padding (GPUs, D1).
    matrix_unit: Count | None = None
    # The architecture that sets how Transformer Engine lays out FP8 operands (Hopper's FP8 GEMMs
    # take only the TN layout; Blackwell's any, and run MXFP8): dojosim.mapping.quantization.
    fp8_arch: Annotated[Literal["hopper", "blackwell"], BeforeValidator(sourced)] | None = None
    statements: list[str] = Field(default_factory=list)  # public claims a what-if chip rests on

    def peak(self, precision: str) -> float:
        """Dense peak FLOP/s for a precision (``KeyError`` if the chip lacks it)."""
        return self.peak_flops[precision]  # type: ignore[index]


Topology = Literal["switch", "fat-tree", "ring", "torus", "mesh", "optical"]


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
    # Torus/mesh shape in units of the previous tier's groups (chips for the innermost tier).
    dims: list[PositiveInt] | None = None
    bandwidth: Bandwidth
    latency: Seconds
    links_per_dim: PositiveInt = 2
    collective_efficiency: Fraction = 1.0
    # How many chips share ``bandwidth`` when they all communicate at once (a Dojo tile edge is
    # shared by the 25 D1 of its tile), so each gets ``bandwidth / shared_by``.
    shared_by: PositiveInt = 1
    # A shortcut tier (Dojo's Ethernet "Z-plane") spans the same chips as the tier before it and
    # is used for a phase whenever it is faster than that tier's mesh route.
    shortcut: bool = False
    # What the tier is, for naming the bottleneck ("mesh", "mesh edge", "z-plane", "nvlink", ...).
    role: str | None = None
    # Measured all-reduce bus bandwidth (B/s per chip) when the switch reduces in the network
    # (NVLink SHARP); it can exceed the link rate. Unset: no in-network reduction.
    reduction_busbw: Bandwidth | None = None
    # An optical inter-satellite tier (topology: optical): its links and formation; the system's
    # validator computes bandwidth and latency from it (dojosim.hardware.optical.optical_tier).
    isl: IslSpec | None = None

    @model_validator(mode="after")
    def _dims_match(self) -> NetworkTier:
        if self.topology in ("torus", "mesh") and not self.dims:
            raise ValueError(f"a {self.topology} tier needs dims (e.g. [16, 16, 16])")
        if not 0 < self.collective_efficiency <= 1:
            raise ValueError("collective_efficiency must be in (0, 1]")
        return self


class DeviceSpec(CatalogEntry):
    """A memory-and-interface device attached to a system (catalog kind ``device``).

    Dojo's Interface Processor (DIP) holds HBM that the D1 dies reach over the
    tile edge: ``memory`` in B, ``memory_bandwidth`` and the link rates in B/s.
    """

    kind: Literal["device"] = "device"
    vendor: str
    memory: PosBytes
    memory_bandwidth: Bandwidth
    link_bandwidth: Bandwidth  # into the compute mesh (Dojo: TTP into the tile edge)
    ethernet_bandwidth: Bandwidth | None = None  # Dojo: TTP over Ethernet, the Z-plane
    host_bandwidth: Bandwidth | None = None  # PCIe to the host
    power: Watts | None = None


class OffchipMemory(Frozen):
    """``count`` devices per system unit whose memory backs the chips' on-chip memory."""

    device: str
    count: PositiveInt


class Hierarchy(Frozen):
    """A resolved two-level memory, per chip: on-chip capacity (B), the off-chip capacity (B)
    and bandwidth (B/s) of its share of the backing devices, and the device's name.

    Built by :func:`dojosim.spec.resolve` from a system's ``offchip_memory``: the devices
    are shared evenly by the system's chips; each serves at the lesser of its memory
    bandwidth and its link into the chips.
    """

    onchip: float
    offchip: float
    offchip_bandwidth: float
    device: str


class Contains(Frozen):
    """A system built from ``count`` copies of another catalog system."""

    system: str
    count: PositiveInt


class SystemSpec(CatalogEntry):
    """A machine the estimator runs on: a chip, how chips group into nodes, and a network.

    A scenario asks for ``chips`` of the system; the estimator builds that many
    from ``node_chips``-chip nodes joined by the outer tiers. ``chip`` is a catalog
    chip's name or, inline in a scenario, ``{base: CHIP, ...overrides}`` (a what-if chip).
    """

    kind: Literal["system"] = "system"
    chip: str | dict[str, Any]
    node_chips: PositiveInt
    chips: PositiveInt | None = None
    max_chips: PositiveInt | None = None
    network: list[NetworkTier]
    node_power: Watts | None = None
    contains: Contains | None = None
    offchip_memory: OffchipMemory | None = None
    # The training framework whose layout rules apply when a scenario names none
    # (dojosim.mapping.frameworks); megatron when unset.
    framework: str | None = None
    # The collective library (catalog kind ``library``) whose cost model its switched tiers
    # follow; unset: every tier's own latency per phase step.
    collectives: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _optical_tiers(cls, data: Any) -> Any:
        """Optical tiers get their per-chip bandwidth and latency from ``isl:`` (a satellite is
        a node: its ``node_chips`` share its links); see :mod:`dojosim.hardware.optical`."""
        from dojosim.hardware.optical import fill_optical_tiers

        return fill_optical_tiers(data)

    @model_validator(mode="after")
    def _network_nonempty(self) -> SystemSpec:
        if not self.network:
            raise ValueError("a system needs at least one network tier")
        inner = 1
        for i, tier in enumerate(self.network):
            if tier.shortcut:
                continue
            span = tier.size if tier.size is not None else self.chips
            if tier.dims and span is not None:
                prod = math.prod(tier.dims)
                if prod * inner != span:
                    held = f"{prod} chips" if inner == 1 else f"{prod} groups of {inner} chips"
                    raise ValueError(
                        f"network.{i}.dims: {tier.dims} hold {held}, but the tier spans {span} "
                        "chips"
                    )
            inner = tier.size or inner
        return self
