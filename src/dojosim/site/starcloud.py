"""Starcloud's 40 MW, 10-year Earth-vs-orbit comparison: reproduced, then re-run with our physics.

:func:`reproduce` recomputes the white paper's table line by line from *its own*
assumptions (``starcloud-2024-whitepaper`` catalog entry): energy = 40 MW ×
87,600 h × $0.04/kWh; chillers and backup power as stated; launch = 100 t at
$5M per 100 t; the array and shielding as stated. It also recomputes the
derived claims ($0.002/kWh in orbit, 22× below wholesale, 20× overall, 838 and
633 W/m² radiators, 5 GW from 16 km²).

:func:`with_our_physics` sizes the same 40 MW in a real orbit with this room's
models: the worst eclipse of the year and a battery to ride it, end-of-life
arrays at aphelion, radiators that carry the absorbed Earth IR and albedo, the
compute and its shielding, structure and bus, and launch at several prices; and
the Earth side with a PUE, a real electricity price and the building. Units:
USD, W, J, kg, m², s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from dojosim.site import constants as C
from dojosim.site.launch import launch_cost, launches_needed
from dojosim.site.mass import satellite_mass
from dojosim.site.power import Mode, conversion_factor, size_power
from dojosim.site.schema import (
    BatteryEntry,
    EarthDatacenterEntry,
    EnergyComparisonEntry,
    EnvironmentEntry,
    LaunchEntry,
    MassModelEntry,
    RadiatorEntry,
    SatelliteEntry,
    SolarArrayEntry,
)
from dojosim.site.sunlight import OrbitYear
from dojosim.site.terrestrial import facility_power
from dojosim.site.thermal import absorbed_flux, emitted_flux, size_radiator

KWH = 3.6e6  # J per kWh (exact)


@dataclass(frozen=True)
class Line:
    """One line of a cost table: our figure, how it is computed, and what the paper states."""

    label: str
    usd: float
    formula: str
    stated_usd: float | None = None


@dataclass(frozen=True)
class Reproduction:
    """The white paper's table recomputed from its own assumptions."""

    terrestrial: tuple[Line, ...]
    space: tuple[Line, ...]
    energy_J: float
    space_energy_price_usd_per_J: float
    implied_array_W: float
    radiator_blackbody_W_m2: float
    radiator_emitted_W_m2: float
    radiator_net_W_m2: float
    gw_array_power_W: float

    @property
    def terrestrial_total(self) -> float:
        return sum(line.usd for line in self.terrestrial)

    @property
    def space_total(self) -> float:
        return sum(line.usd for line in self.space)

    @property
    def cost_ratio(self) -> float:
        return self.terrestrial_total / self.space_total

    def wholesale_ratio(self, wholesale_usd_per_J: float) -> float:
        return wholesale_usd_per_J / self.space_energy_price_usd_per_J

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(
            terrestrial_total=self.terrestrial_total,
            space_total=self.space_total,
            cost_ratio=self.cost_ratio,
            space_energy_price_usd_per_kWh=self.space_energy_price_usd_per_J * KWH,
        )
        return out


def reproduce(
    paper: EnergyComparisonEntry, env: EnvironmentEntry, array: SolarArrayEntry
) -> Reproduction:
    """The table and its derived claims, from the paper's own numbers (``array``: its Si array)."""
    hours = paper.years * 365 * 24  # the paper's 87,600 h: 365-day years
    energy = paper.cluster_power * hours * 3600.0
    energy_cost = energy * paper.electricity_price
    per_kg = paper.launch_cost / paper.launch_mass
    launch = paper.launch_mass * per_kg
    terrestrial = (
        Line(
            "energy",
            energy_cost,
            f"{paper.cluster_power / 1e6:g} MW x {hours:,.0f} h x "
            f"${paper.electricity_price * KWH:.3f}/kWh",
            140e6,
        ),
        Line("cooling (chillers)", paper.cooling_cost, "as stated", paper.cooling_cost),
        Line("backup power", paper.backup_power_cost, "as stated", paper.backup_power_cost),
    )
    space = (
        Line(
            "launch",
            launch,
            f"{paper.launch_mass / 1e3:g} t x ${per_kg:.0f}/kg (one launch)",
            paper.launch_cost,
        ),
        Line("solar array", paper.solar_array_cost, "as stated", paper.solar_array_cost),
        Line("radiation shielding", paper.shielding_cost, "as stated", paper.shielding_cost),
    )
    blackbody = float(emitted_flux(paper.radiator_temperature, 1.0, 2))
    emitted = float(emitted_flux(paper.radiator_temperature, paper.radiator_emissivity, 2))
    gw = paper.gw_design_array_area * env.solar_constant * conversion_factor(array)
    return Reproduction(
        terrestrial=terrestrial,
        space=space,
        energy_J=energy,
        space_energy_price_usd_per_J=(launch + paper.solar_array_cost) / energy,
        implied_array_W=paper.solar_array_cost / paper.solar_cell_cost_per_watt,
        radiator_blackbody_W_m2=blackbody,
        radiator_emitted_W_m2=emitted,
        radiator_net_W_m2=emitted - paper.radiator_absorbed_flux,
        gw_array_power_W=gw,
    )


def with_our_physics(
    paper: EnergyComparisonEntry,
    year: OrbitYear,
    *,
    env: EnvironmentEntry,
    array: SolarArrayEntry,
    battery: BatteryEntry,
    radiator: RadiatorEntry,
    mass_model: MassModelEntry,
    launches: Sequence[LaunchEntry],
    datacenters: Sequence[EarthDatacenterEntry],
    mode: Mode = "battery",
) -> dict[str, Any]:
    """The same 40 MW for the same years, sized with this room's models (plain data).

    ``mode="throttle"`` stops compute in eclipse (battery for the bus only), trading the
    eclipse share of the year's compute for the battery's mass.
    """
    load = paper.cluster_power
    housekeeping = load * mass_model.housekeeping_power_fraction
    per_orbit = year.per_orbit
    power = size_power(
        load,
        per_orbit.period_s,
        per_orbit.max_eclipse_s,
        array,
        battery,
        env,
        years=paper.years,
        housekeeping_W=housekeeping,
        mode=mode,
        max_sun_distance_m=float(np.max(year.series.sun_distance_m)),
    )
    absorbed = absorbed_flux(radiator, env, year.orbit, year.series)
    rad = size_radiator(load + housekeeping, radiator, env, absorbed, case="hot")
    mass = satellite_mass(
        load,
        mass_model,
        arrays_kg=power.array_mass_kg,
        radiators_kg=rad.mass_kg,
        battery_kg=power.battery_mass_kg,
    )
    array_cells_usd = power.array_rated_W * paper.solar_cell_cost_per_watt
    duty = 1.0 if mode == "battery" else year.series.sunlit_fraction
    energy_delivered = load * duty * paper.years * C.JULIAN_YEAR_S
    launch_rows = []
    for lv in launches:
        cost = launch_cost(mass.total_kg, lv)
        launch_rows.append(
            {
                "scenario": lv.name,
                "usd_per_kg": lv.usd_per_kg,
                "launches": launches_needed(mass.total_kg, lv) if lv.payload_to_leo else None,
                "launch_usd": cost,
                "space_total_usd": cost + array_cells_usd,
                "space_energy_price_usd_per_kWh": (cost + array_cells_usd) / energy_delivered * KWH,
            }
        )
    earth_rows = []
    for dc in datacenters:
        seconds = paper.years * C.JULIAN_YEAR_S
        energy = facility_power(load, dc) * seconds
        share = min(1.0, seconds / dc.facility_life)
        earth_rows.append(
            {
                "site": dc.name,
                "pue": dc.pue,
                "electricity_usd_per_kWh": dc.electricity_price * KWH,
                "energy_usd": energy * dc.electricity_price,
                "facility_capex_usd": load * dc.facility_capex_per_watt,
                "facility_capex_share_usd": load * dc.facility_capex_per_watt * share,
                "co2_t": energy * dc.carbon_intensity / 1e3,
            }
        )
    return {
        "orbit": year.orbit.describe(),
        "sunlit_fraction": year.series.sunlit_fraction,
        "max_eclipse_minutes": per_orbit.max_eclipse_s / 60.0,
        "mode": mode,
        "compute_duty": duty,
        "power": power.to_dict(),
        "radiator": rad.to_dict(),
        "mass": mass.to_dict(),
        "array_cells_usd_at_paper_price": array_cells_usd,
        "launch": launch_rows,
        "earth": earth_rows,
        "paper_launch_mass_kg": paper.launch_mass,
        "launches_of_100_t": mass.total_kg / paper.launch_mass,
    }


def starcloud1(
    sat: SatelliteEntry,
    year: OrbitYear,
    *,
    env: EnvironmentEntry,
    array: SolarArrayEntry,
    battery: BatteryEntry,
    radiator: RadiatorEntry,
) -> dict[str, Any]:
    """Power and radiator for Starcloud-1's single H100, for each listed form factor (plain data)."""
    per_orbit = year.per_orbit
    absorbed = absorbed_flux(radiator, env, year.orbit, year.series)
    rows = {}
    for variant, watts in sat.chip_power.items():
        power = size_power(
            watts,
            per_orbit.period_s,
            per_orbit.max_eclipse_s,
            array,
            battery,
            env,
            years=1.0,
            max_sun_distance_m=float(np.max(year.series.sun_distance_m)),
        )
        rad = size_radiator(watts, radiator, env, absorbed, case="hot")
        rows[variant] = {
            "gpu_W": watts,
            "array_area_m2": power.array_area_m2,
            "array_mass_kg": power.array_mass_kg,
            "battery_mass_kg": power.battery_mass_kg,
            "radiator_area_m2": rad.area_m2,
            "radiator_mass_kg": rad.mass_kg,
            "power_and_thermal_kg": power.array_mass_kg + power.battery_mass_kg + rad.mass_kg,
            "share_of_satellite_mass": (power.array_mass_kg + power.battery_mass_kg + rad.mass_kg)
            / sat.mass,
        }
    return {
        "satellite_mass_kg": sat.mass,
        "orbit": year.orbit.describe(),
        "max_eclipse_minutes": per_orbit.max_eclipse_s / 60.0,
        "variants": rows,
    }
