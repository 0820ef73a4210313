"""Schemas of the ``site`` catalog kind: orbits, environment, arrays, batteries, radiators, ...

All entries live in ``catalog/sites/`` and share the kind ``site``; the field
``type`` says which schema applies (``SiteEntry`` dispatches on it). Values are
parsed by :mod:`dojosim.site.quantity` into floats in SI units (degradation in
fraction per year). Every entry names its ``source``; a value may carry its own
``{value, source}`` or ``{value, derived}``.
"""

from __future__ import annotations

import itertools
from typing import Any, Literal

from pydantic import Field, PositiveInt, field_validator, model_validator

from dojosim.site.quantity import (
    Angle,
    Area,
    ArealDensity,
    Co2PerJoule,
    Density,
    Dose,
    Duration,
    Fraction,
    Irradiance,
    Length,
    Mass,
    PerKelvin,
    PerYear,
    PosFraction,
    Power,
    Rate,
    Ratio,
    SpecificEnergy,
    SpecificMass,
    SpecificPower,
    Temperature,
    Usd,
    UsdPerJoule,
    UsdPerKg,
    UsdPerWatt,
    Volume,
    to_unit,
)
from dojosim.site.ranged import RangedModel
from dojosim.spec.base import Frozen, Registry, TypedEntry


class SiteEntry(TypedEntry, RangedModel):
    """Base of every site entry; validating ``SiteEntry`` returns the schema named by ``type``."""

    kind: Literal["site"] = "site"

    @classmethod
    def registry(cls) -> Registry:
        return SITE_TYPES


class OrbitEntry(SiteEntry):
    """A circular orbit: altitude and either an inclination or sun-synchronous with an LTAN."""

    type: Literal["orbit"] = "orbit"
    altitude: Length
    inclination: Angle | None = None
    sun_synchronous: bool = False
    ltan: str | None = None
    raan: Angle = 0.0

    @model_validator(mode="after")
    def _one_plane(self) -> OrbitEntry:
        if self.sun_synchronous == (self.inclination is not None):
            raise ValueError("give either inclination or sun_synchronous: true (with ltan)")
        if self.sun_synchronous and not self.ltan:
            raise ValueError("a sun-synchronous orbit needs ltan (e.g. '18:00')")
        return self


class EnvironmentEntry(SiteEntry):
    """The radiative environment near Earth: solar constant at 1 AU, Earth IR, albedo, sink."""

    type: Literal["space-environment"] = "space-environment"
    solar_constant: Irradiance
    earth_ir: Irradiance
    albedo: Fraction
    sink_temperature: Temperature


class SolarArrayEntry(SiteEntry):
    """A solar array: AM0 cell efficiency, packing, temperature, degradation, W/kg, $/W."""

    type: Literal["solar-array"] = "solar-array"
    cell_efficiency: PosFraction
    packing_factor: PosFraction
    temperature_coefficient: PerKelvin = 0.0
    reference_temperature: Temperature = 301.15
    operating_temperature: Temperature = 301.15
    degradation_per_year: PerYear = 0.0
    conditioning_efficiency: PosFraction = 1.0
    pointing_loss: Fraction = 0.0
    specific_power: SpecificPower
    cost_per_watt: UsdPerWatt | None = None


class BatteryEntry(SiteEntry):
    """A rechargeable battery: usable depth of discharge, Wh/kg, charge/discharge efficiency."""

    type: Literal["battery"] = "battery"
    specific_energy: SpecificEnergy
    depth_of_discharge: PosFraction
    charge_efficiency: PosFraction = 1.0
    discharge_efficiency: PosFraction = 1.0


RadiatorOrientation = Literal["edge-on-vertical", "zenith-facing", "sun-facing"]


class RadiatorEntry(SiteEntry):
    """A radiator panel: optical properties, sides, design temperature, kg/m²."""

    type: Literal["radiator"] = "radiator"
    emissivity: PosFraction
    absorptivity: Fraction
    sides: Literal[1, 2] = 2
    temperature: Temperature
    areal_density: ArealDensity
    loop_mass_fraction: Fraction = 0.0
    orientation: RadiatorOrientation = "edge-on-vertical"


class LaunchEntry(SiteEntry):
    """A launch price scenario: $/kg directly, or price per launch and payload to LEO."""

    type: Literal["launch"] = "launch"
    vehicle: str
    year: int | None = None
    basis: str = ""
    price_per_kg: UsdPerKg | None = None
    price_per_launch: Usd | None = None
    payload_to_leo: Mass | None = None

    @model_validator(mode="after")
    def _price(self) -> LaunchEntry:
        if self.price_per_kg is None and (self.price_per_launch is None or not self.payload_to_leo):
            raise ValueError("give price_per_kg, or price_per_launch and payload_to_leo")
        return self

    @property
    def usd_per_kg(self) -> float:
        if self.price_per_kg is not None:
            return self.price_per_kg
        assert self.price_per_launch is not None and self.payload_to_leo is not None
        return self.price_per_launch / self.payload_to_leo


class DoseDepthEntry(SiteEntry):
    """Total ionising dose behind aluminium shielding, tabulated by inclination (one altitude).

    ``thickness`` is in ``thickness_unit`` (radius of a solid Al sphere);
    ``dose`` maps an inclination (e.g. ``"55 deg"``) to the mission dose in
    ``dose_unit`` at each thickness, over ``mission_duration``.
    """

    type: Literal["dose-depth"] = "dose-depth"
    altitude: Length
    mission_duration: Duration
    thickness_unit: str = "mm"
    dose_unit: str = "rad(Si)"
    thickness: list[float]
    dose: dict[str, list[float]]

    @model_validator(mode="after")
    def _shape(self) -> DoseDepthEntry:
        t = self.thickness
        if len(t) < 2 or any(b <= a for a, b in itertools.pairwise(t)):
            raise ValueError("thickness must be at least two increasing values")
        for inc, row in self.dose.items():
            to_unit(inc, "angle")
            if len(row) != len(t) or any(v <= 0 for v in row):
                raise ValueError(f"dose[{inc!r}] needs {len(t)} positive values")
        to_unit(f"1 {self.thickness_unit}", "length")
        to_unit(f"1 {self.dose_unit}", "dose")
        return self


class RadiationToleranceEntry(SiteEntry):
    """A part's radiation tolerance and its design dose, with SEU rates as a range."""

    type: Literal["radiation-tolerance"] = "radiation-tolerance"
    part: str
    tid_onset: Dose
    tid_no_hard_failure: Dose | None = None
    design_dose: Dose | None = None
    design_years: float | None = None
    seu_rate_per_bit_low: Rate | None = None
    seu_rate_per_bit_high: Rate | None = None
    hard_failure_rate: Rate | None = None


class EarthDatacenterEntry(SiteEntry):
    """A terrestrial data centre: PUE, electricity price, carbon intensity, capex, lives."""

    type: Literal["earth-datacenter"] = "earth-datacenter"
    pue: Ratio
    electricity_price: UsdPerJoule
    carbon_intensity: Co2PerJoule
    facility_capex_per_watt: UsdPerWatt
    facility_life: Duration
    it_life: Duration
    facility_opex_fraction_per_year: Fraction = 0.0


class ItNodeEntry(SiteEntry):
    """A server node: accelerators, their power, the node's maximum power, mass and volume."""

    type: Literal["it-node"] = "it-node"
    chips: PositiveInt
    chip_power: Power
    node_power: Power
    mass: Mass
    volume: Volume
    price: Usd | None = None

    @model_validator(mode="after")
    def _power(self) -> ItNodeEntry:
        if self.node_power < self.chips * self.chip_power:
            raise ValueError("node_power must cover its chips' power")
        return self

    @property
    def overhead_W(self) -> float:
        """Power of everything but the accelerators (CPUs, NICs, switches, fans, PSU losses), W."""
        return self.node_power - self.chips * self.chip_power


class MassModelEntry(SiteEntry):
    """Mass rules for a compute satellite: compute kg/W and density, shielding, structure, bus."""

    type: Literal["mass-model"] = "mass-model"
    compute_specific_mass: SpecificMass
    compute_density: Density
    shielding_areal_density: ArealDensity
    structure_fraction: Fraction
    bus_fraction: Fraction
    housekeeping_power_fraction: Fraction = 0.0

    @model_validator(mode="after")
    def _fractions(self) -> MassModelEntry:
        if self.structure_fraction + self.bus_fraction >= 1:
            raise ValueError("structure_fraction + bus_fraction must stay below 1")
        return self


class FormationEntry(SiteEntry):
    """A disc lattice of satellites on 2:1 HCW ellipses (Suncatcher's illustrative cluster)."""

    type: Literal["formation"] = "formation"
    radial_spacing: Length
    along_track_spacing: Length
    disc_radius: PositiveInt
    satellites: PositiveInt
    orbit: str


class SatelliteEntry(SiteEntry):
    """A flown or planned compute satellite (for checks)."""

    type: Literal["satellite"] = "satellite"
    mass: Mass
    altitude: Length
    launch_date: str | None = None
    chips: dict[str, PositiveInt] = Field(default_factory=dict)
    chip_power: dict[str, Power] = Field(default_factory=dict)


class Claim(Frozen):
    """A published figure we reproduce: its value with units, relative tolerance and source."""

    id: str
    quantity: str
    value: str | float | dict[str, Any]
    tolerance: float | None = 0.05  # None: an informational row (e.g. a claim re-run with ours)
    source: str
    note: str = ""
    # What input the row restates when ours is that input itself (81 satellites against the
    # 81 we placed): such a row cannot fail, so validate marks it ``input`` and leaves it out
    # of every summary.
    restates: str | None = None

    @field_validator("tolerance")
    @classmethod
    def _tol(cls, v: float | None) -> float | None:
        if v is not None and not 0 <= v < 1:
            raise ValueError("tolerance is a relative fraction in [0, 1)")
        return v

    @field_validator("quantity")
    @classmethod
    def _quantity(cls, v: str) -> str:
        from dojosim.site.quantity import UNITS

        if v not in UNITS:
            raise ValueError(f"unknown quantity {v!r}; expected one of {sorted(UNITS)}")
        return v


class ClaimsEntry(SiteEntry):
    """Rows of published figures that ``dojosim.site.claims`` recomputes.

    ``role`` is how ``dojosim validate`` lists the rows: ``claim`` (a published
    figure recomputed) or ``check`` (a held-out measurement the model predicts,
    never fitted).
    """

    type: Literal["claims"] = "claims"
    role: Literal["claim", "check"] = "claim"
    claims: list[Claim]


class EnergyComparisonEntry(SiteEntry):
    """Starcloud's 40 MW, 10-year Earth-vs-orbit energy comparison, as the white paper states it."""

    type: Literal["energy-comparison"] = "energy-comparison"
    cluster_power: Power
    years: float
    electricity_price: UsdPerJoule
    cooling_cost: Usd
    backup_power_cost: Usd
    launch_cost: Usd
    launch_mass: Mass
    solar_array_cost: Usd
    shielding_cost: Usd
    claimed_terrestrial_total: Usd
    claimed_space_total: Usd
    claimed_space_energy_price: UsdPerJoule
    wholesale_price: UsdPerJoule
    claimed_ratio: float
    solar_cell_cost_per_watt: UsdPerWatt
    capacity_factor: Fraction
    radiator_temperature: Temperature
    radiator_emissivity: PosFraction
    radiator_blackbody_flux: Irradiance
    radiator_emitted_flux: Irradiance
    radiator_absorbed_flux: Irradiance
    radiator_net_flux: Irradiance
    cell_efficiency: PosFraction
    array_specific_power: SpecificPower
    array_degradation_per_year: PerYear
    gw_design_power: Power
    gw_design_array_area: Area


SITE_TYPES: dict[str, type[SiteEntry]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        OrbitEntry,
        EnvironmentEntry,
        SolarArrayEntry,
        BatteryEntry,
        RadiatorEntry,
        LaunchEntry,
        DoseDepthEntry,
        RadiationToleranceEntry,
        EarthDatacenterEntry,
        ItNodeEntry,
        MassModelEntry,
        FormationEntry,
        SatelliteEntry,
        ClaimsEntry,
        EnergyComparisonEntry,
    )
}


def site(name: str, expect: type[SiteEntry] | None = None) -> Any:
    """A validated site entry from the catalog, optionally checked to be of schema ``expect``."""
    from dojosim import catalog
    from dojosim.errors import CatalogError

    entry = catalog.get("site", name)
    if expect is not None and not isinstance(entry, expect):
        want = expect.model_fields["type"].default
        raise CatalogError(f"site entry {name!r} is a {entry.type}, not a {want}", field="type")
    return entry
