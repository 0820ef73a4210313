"""McCalip's orbital-solar vs terrestrial-gas model, reproduced on its own assumptions.

A. McCalip, "Economics of Orbital vs Terrestrial Data Centers" (andrewmccalip.com/
space-datacenters), model ``static/js/math.js`` and its published baseline run
``audit/setpoint_runs.json`` (github.com/andrewmccalip/thoughts, commit 534b5d7).
Line by line, for ``P`` = 1 GW of delivered power over ``Y`` = 5 years:

orbit::

    r          = (1 − cell degradation) × (1 − GPU failure rate)      per year
    capacity   = Σ_{k<Y} r^k / Y;   initial W = P / (capacity × sun fraction)
    satellites = ceil(initial W / satellite W);  mass = satellites × satellite W / (W/kg)
    hardware   = $/W × satellites × satellite W;  launch = mass × $/kg
    total      = hardware + launch + ops fraction × hardware + NRE
    $/W = total / P;  LCOE = total / (P × 8,760 h × Y)

Earth (on-site gas turbines)::

    capex = (turbine $/kW × PUE / 1000 + electrical + mechanical + civil + network) $/W × P
    fuel  = heat rate × gas price / 1000 $/MWh × P × 8,760 h × Y × capacity factor × PUE
    total = capex + fuel

The re-run with our physics (:func:`with_our_physics`) sizes the same 1 GW in our
dawn-dusk orbit with this room's power, thermal and mass models (no servers on
either side, as McCalip counts none) and prices it with the catalog's orbit costs.
Units: W, kg, USD, MWh.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

HOURS_PER_YEAR = 8760.0  # McCalip's 365 × 24


@dataclass(frozen=True)
class McCalipInputs:
    """The baseline's assumptions (math.js state at commit 534b5d7)."""

    target_power_W: float = 1e9
    years: int = 5
    launch_usd_per_kg: float = 1000.0
    satellite_usd_per_W: float = 22.0
    specific_power_W_per_kg: float = 36.5
    satellite_power_W: float = 27e3
    sun_fraction: float = 0.98
    cell_degradation: float = 0.025
    gpu_failure_rate: float = 0.09
    nre_usd: float = 500e6
    ops_fraction: float = 0.01
    turbine_usd_per_kW: float = 1450.0
    electrical_usd_per_W: float = 5.25
    mechanical_usd_per_W: float = 3.0
    civil_usd_per_W: float = 2.5
    network_usd_per_W: float = 1.75
    pue: float = 1.2
    gas_usd_per_mmbtu: float = 4.30
    heat_rate_btu_per_kWh: float = 6200.0
    capacity_factor: float = 0.85


def orbital(m: McCalipInputs) -> dict[str, float]:
    """The orbital column of the baseline run."""
    r = (1 - m.cell_degradation) * (1 - m.gpu_failure_rate)
    capacity = sum(r**k for k in range(m.years)) / m.years
    initial = m.target_power_W / (capacity * m.sun_fraction)
    satellites = math.ceil(initial / m.satellite_power_W)
    mass = satellites * m.satellite_power_W / m.specific_power_W_per_kg
    hardware = m.satellite_usd_per_W * satellites * m.satellite_power_W
    launch = mass * m.launch_usd_per_kg
    total = hardware + launch + m.ops_fraction * hardware + m.nre_usd
    mwh = m.target_power_W / 1e6 * HOURS_PER_YEAR * m.years
    return {
        "avg_capacity_factor": capacity,
        "satellites": float(satellites),
        "mass_kg": mass,
        "hardware_usd": hardware,
        "launch_usd": launch,
        "total_usd": total,
        "usd_per_W": total / m.target_power_W,
        "lcoe_usd_per_MWh": total / mwh,
    }


def terrestrial(m: McCalipInputs) -> dict[str, float]:
    """The terrestrial (on-site gas) column of the baseline run."""
    per_w = (
        m.turbine_usd_per_kW * m.pue / 1000
        + m.electrical_usd_per_W
        + m.mechanical_usd_per_W
        + m.civil_usd_per_W
        + m.network_usd_per_W
    )
    capex = per_w * m.target_power_W
    mwh = m.target_power_W / 1e6 * HOURS_PER_YEAR * m.years * m.capacity_factor
    fuel = m.heat_rate_btu_per_kWh * m.gas_usd_per_mmbtu / 1000 * mwh * m.pue
    total = capex + fuel
    return {
        "capex_usd": capex,
        "fuel_usd": fuel,
        "total_usd": total,
        "usd_per_W": total / m.target_power_W,
    }


def with_our_physics(m: McCalipInputs) -> dict[str, Any]:
    """The same 1 GW delivered for the same years, sized and priced with our models (no servers)."""
    from dojosim.cost.claims import PARITY
    from dojosim.cost.orbit import propellant_kg
    from dojosim.cost.spec import price
    from dojosim.site.plan import SiteSpec, size_orbit
    from dojosim.site.schema import site
    from dojosim.site.terrestrial import ItLoad

    dc = site(PARITY["datacenter"])
    mass_model = site(PARITY["mass_model"]).model_copy(update={"compute_specific_mass": 0.0})
    array = site("solar-array-mass-production")
    spec = SiteSpec(
        type="orbit",
        load=ItLoad(1, m.target_power_W, 1, 0.0),
        datacenter=dc,
        orbit=site(PARITY["orbit"]),
        environment=site(PARITY["environment"]),
        solar_array=array,
        battery=site(PARITY["battery"]),
        radiator=site(PARITY["radiator"]),
        launch=site(PARITY["launch"]).model_copy(update={"price_per_kg": m.launch_usd_per_kg}),
        mass_model=mass_model,
        year=2026,
    )
    sizing = size_orbit(spec, float(m.years))
    oc = price("orbit-cost-leo")
    dry = sizing.mass.total_kg
    prop = propellant_kg(dry, oc.deorbit_delta_v, oc.thruster_isp)
    array_usd = sizing.power.array_rated_W * (array.cost_per_watt or 0.0)
    spacecraft = (dry - sizing.mass.arrays_kg) * oc.spacecraft_cost_per_kg
    launch = (dry + prop) * m.launch_usd_per_kg
    total = array_usd + spacecraft + launch + m.ops_fraction * (array_usd + spacecraft) + m.nre_usd
    return {
        "mass_kg": dry + prop,
        "kg_per_kW": (dry + prop) / (m.target_power_W / 1e3),
        "array_rated_W": sizing.power.array_rated_W,
        "mass_breakdown_kg": sizing.mass.to_dict(),
        "hardware_usd": array_usd + spacecraft,
        "launch_usd": launch,
        "total_usd": total,
        "usd_per_W": total / m.target_power_W,
    }
