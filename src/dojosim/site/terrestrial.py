"""A data centre on Earth: IT power, facility power (PUE), energy per step and per run, cost, CO₂.

* IT power = chips × chip power × utilisation + nodes × node overhead, where the
  overhead is everything in a node but the accelerators (host CPUs, NICs,
  switches, fans, power-supply losses; DIPs and hosts for a Dojo tile): the
  node's rated power minus its accelerators' (``it-node`` catalog entry, or a
  system's ``node_power``).
* Facility power = IT power × PUE (PUE folds in power delivery losses and cooling).
* Energy per step = facility power × step time; per run = × steps. Electricity
  cost and CO₂ follow from the site's price and grid carbon intensity.
* Systems capex = nodes × node price (catalog, flagged where estimated);
  facility capex = IT power × capex per W, straight-line over the facility life;
  opex as a fraction of capex per year.

Units: W, J, s, USD, kg CO₂.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from dojosim.errors import DojosimError
from dojosim.site import constants as C
from dojosim.site.schema import EarthDatacenterEntry, ItNodeEntry


@dataclass(frozen=True)
class ItLoad:
    """Accelerators grouped in nodes; ``utilisation`` is the mean fraction of chip power drawn."""

    chips: int
    chip_power_W: float
    chips_per_node: int
    node_overhead_W: float
    utilisation: float = 1.0

    def __post_init__(self) -> None:
        if self.chips < 0 or self.chips_per_node < 1:
            raise DojosimError("chips must be >= 0 and chips_per_node >= 1")
        if self.chip_power_W < 0 or self.node_overhead_W < 0:
            raise DojosimError("powers must not be negative")
        if not 0 <= self.utilisation <= 1:
            raise DojosimError("utilisation must lie in [0, 1]")

    @property
    def nodes(self) -> int:
        return math.ceil(self.chips / self.chips_per_node)

    @property
    def power_W(self) -> float:
        return self.chips * self.chip_power_W * self.utilisation + self.nodes * self.node_overhead_W


def it_load_from_node(node: ItNodeEntry, chips: int, utilisation: float = 1.0) -> ItLoad:
    """An IT load built from an ``it-node`` catalog entry."""
    return ItLoad(chips, node.chip_power, node.chips, node.overhead_W, utilisation)


def it_load_from_system(system: Any, chip: Any, chips: int, utilisation: float = 1.0) -> ItLoad:
    """An IT load from a catalog ``system`` (with ``node_power``) and its ``chip`` (``tdp``)."""
    node_power = getattr(system, "node_power", None)
    per_node = int(system.node_chips)
    overhead = 0.0 if node_power is None else max(node_power - per_node * chip.tdp, 0.0)
    return ItLoad(chips, float(chip.tdp), per_node, overhead, utilisation)


def systems_capex(node: ItNodeEntry, chips: int) -> float:
    """Purchase price of the nodes that hold ``chips`` accelerators, USD (needs ``price``)."""
    if node.price is None:
        raise DojosimError(f"it-node {node.name!r} has no price")
    return math.ceil(chips / node.chips) * node.price


def facility_power(it_power_W: float, dc: EarthDatacenterEntry) -> float:
    """Power drawn from the grid, W."""
    if it_power_W < 0:
        raise DojosimError("IT power must not be negative")
    return it_power_W * dc.pue


@dataclass(frozen=True)
class RunEnergy:
    """Energy, electricity cost and emissions of a training run on Earth."""

    it_W: float
    facility_W: float
    step_s: float
    steps: int
    energy_per_step_J: float
    energy_J: float
    duration_s: float
    electricity_usd: float
    co2_kg: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def run_energy(
    it_power_W: float, dc: EarthDatacenterEntry, step_time_s: float, steps: int
) -> RunEnergy:
    """Energy per step and per run for a step time (from the estimator) and a step count."""
    if step_time_s <= 0 or steps < 0:
        raise DojosimError("step time must be positive and steps non-negative")
    facility = facility_power(it_power_W, dc)
    per_step = facility * step_time_s
    total = per_step * steps
    return RunEnergy(
        it_W=it_power_W,
        facility_W=facility,
        step_s=step_time_s,
        steps=steps,
        energy_per_step_J=per_step,
        energy_J=total,
        duration_s=step_time_s * steps,
        electricity_usd=total * dc.electricity_price,
        co2_kg=total * dc.carbon_intensity,
    )


@dataclass(frozen=True)
class AnnualCosts:
    """A year of running an IT load on Earth, and the facility it needs."""

    energy_J: float
    electricity_usd: float
    co2_kg: float
    facility_capex_usd: float
    facility_depreciation_usd: float
    facility_opex_usd: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def annual_costs(it_power_W: float, dc: EarthDatacenterEntry) -> AnnualCosts:
    """Energy, electricity, CO₂ and facility costs per year for a constant IT load."""
    energy = facility_power(it_power_W, dc) * C.JULIAN_YEAR_S
    capex = it_power_W * dc.facility_capex_per_watt
    return AnnualCosts(
        energy_J=energy,
        electricity_usd=energy * dc.electricity_price,
        co2_kg=energy * dc.carbon_intensity,
        facility_capex_usd=capex,
        facility_depreciation_usd=capex / (dc.facility_life / C.JULIAN_YEAR_S),
        facility_opex_usd=capex * dc.facility_opex_fraction_per_year,
    )
