"""Cost lines and emissions of a compute satellite, over a lifetime ``L`` (s).

The satellite is sized by :func:`dojosim.site.plan.size_orbit` (dry mass by part,
launch $/kg); the prices beyond its servers come from an ``orbit-cost`` entry.
Capex::

    systems      = nodes × node price (or chips × chip price; a rented chip-hour price stands in
                   for owning chips that are not sold, as opex ``rental``)
    solar_array  = rated array W × $/W           (the array entry's price, else orbit-cost's)
    spacecraft   = (dry − compute − arrays) kg × $/kg   (radiators, battery, shielding, structure, bus)
    launch       = dry kg × launch $/kg
    deorbit      = propellant kg × launch $/kg,  propellant = dry × (exp(Δv / (g0 Isp)) − 1)
    replacements = f × (systems + solar_array + spacecraft + launch + deorbit)
                   f = expected failed fraction over L: given, or 1 − (1 − annual rate)^years
    insurance    = fraction × (systems + solar_array + spacecraft + launch)   (launch + first year)

Opex (``y = L / year``)::

    operations = (solar_array + spacecraft) × fraction/yr × y
    ground     = $/satellite-yr × y   (one satellite carries the job)

Emissions: CO₂ = launched kg × (1 + f) × launch kg CO₂/kg + dry kg × (1 + f) × re-entry kg/kg.

Units: USD, kg, m/s, s.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from dojosim.site import constants as C
from dojosim.site.plan import Job, SiteResult, SiteSpec

if TYPE_CHECKING:
    from dojosim.cost.model import CostInputs, Lines

G0 = 9.80665  # standard gravity, m/s² (defines specific impulse in seconds)


def propellant_kg(dry_kg: float, delta_v: float, isp_s: float) -> float:
    """Propellant for ``delta_v`` (m/s) at ``isp_s`` (s) on a dry mass (kg): the rocket equation."""
    if delta_v <= 0 or dry_kg <= 0:
        return 0.0
    return dry_kg * (math.exp(delta_v / (G0 * isp_s)) - 1.0)


def replacement_fraction(inputs: CostInputs, years: float) -> float:
    """Expected fraction of the satellites that fail over ``years`` and are replaced."""
    if inputs.replacement_fraction is not None:
        return inputs.replacement_fraction
    rate = inputs.orbit_cost.annual_failure_rate if inputs.orbit_cost else 0.0
    return 1.0 - (1.0 - rate) ** years


def array_price_per_watt(spec: SiteSpec, inputs: CostInputs) -> float:
    """$/W of the array: the array entry's own price, else the orbit-cost entry's."""
    assert spec.solar_array is not None
    if spec.solar_array.cost_per_watt is not None:
        return spec.solar_array.cost_per_watt
    return inputs.orbit_cost.array_cost_per_watt if inputs.orbit_cost else 0.0


def lines(job: Job, spec: SiteSpec, site: SiteResult, inputs: CostInputs) -> Lines:
    """The satellite's capex, opex, energy and CO₂ over ``inputs.lifetime_s``."""
    from dojosim.cost.model import Lines

    o = site.orbit
    assert o is not None
    oc = inputs.orbit_cost
    L = inputs.lifetime_s
    years = L / C.JULIAN_YEAR_S
    m = o.mass
    capex: dict[str, float] = {"systems": inputs.systems_usd(site.nodes, job.chips)}
    opex: dict[str, float] = {}
    if inputs.rented:
        opex["rental"] = inputs.rental_usd(job.chips)
    capex["solar_array"] = o.power.array_rated_W * array_price_per_watt(spec, inputs)
    rest = m.total_kg - m.compute_kg - m.arrays_kg
    capex["spacecraft"] = rest * (oc.spacecraft_cost_per_kg if oc else 0.0)
    capex["launch"] = o.launch_cost_usd
    prop = propellant_kg(m.total_kg, oc.deorbit_delta_v, oc.thruster_isp) if oc else 0.0
    capex["deorbit"] = prop * o.launch_usd_per_kg
    f = replacement_fraction(inputs, years)
    hardware = capex["systems"] + capex["solar_array"] + capex["spacecraft"]
    capex["replacements"] = f * (hardware + capex["launch"] + capex["deorbit"])
    if oc is not None:
        capex["insurance"] = oc.insurance_fraction * (hardware + capex["launch"])
        opex["operations"] = (
            (capex["solar_array"] + capex["spacecraft"]) * oc.operations_fraction_per_year * years
        )
        opex["ground"] = oc.ground_usd_per_satellite_year * years
    launched = (m.total_kg + prop) * (1.0 + f)
    co2 = 0.0
    if oc is not None:
        co2 = launched * oc.launch_co2_per_kg + m.total_kg * (1.0 + f) * oc.reentry_co2_per_kg
    energy = site.facility_power_W * L * site.compute_duty
    extra = {
        "propellant_kg": prop,
        "launch_mass_kg": m.total_kg + prop,
        "replacement_fraction": f,
        "launched_kg": launched,
    }
    return Lines(capex, opex, energy, co2, extra)
