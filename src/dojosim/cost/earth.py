"""Cost lines of a cluster in a data centre on Earth, over a lifetime ``L`` (s).

Capex::

    systems   = nodes × node price  (or chips × chip price; rented chip-hours: none of the below
                                    but the rent, which pays for the provider's everything)
    network   = chips × network per chip    (rail-optimised fat tree: switches, NICs, optics)
    storage   = chips × storage per chip
    facility  = IT W × facility $/W × min(1, L / facility life)   (straight-line share)

Opex (``y = L / year``)::

    electricity   = IT W × PUE × L × $/J;   CO₂ = the same energy × kg/J
    facility_opex = facility capex × fraction/yr × y   (building upkeep and overhead)
    maintenance   = systems × support fraction/yr × y
    upkeep        = (network + storage) × fraction/yr × y
    staff         = IT MW × $/MW-yr × y

Units: USD, W, J, s, kg.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dojosim.site import constants as C
from dojosim.site.plan import Job, SiteResult, SiteSpec

if TYPE_CHECKING:
    from dojosim.cost.model import CostInputs, Lines


def lines(job: Job, spec: SiteSpec, site: SiteResult, inputs: CostInputs) -> Lines:
    """The Earth site's capex, opex, energy and CO₂ over ``inputs.lifetime_s``."""
    from dojosim.cost.model import Lines

    L = inputs.lifetime_s
    years = L / C.JULIAN_YEAR_S
    dc = spec.datacenter
    energy = site.facility_power_W * L
    if inputs.rented:
        # The rent pays for the provider's building, power, network and staff.
        return Lines(
            {}, {"rental": inputs.rental_usd(job.chips)}, energy, energy * dc.carbon_intensity
        )
    capex: dict[str, float] = {"systems": inputs.systems_usd(site.nodes, job.chips)}
    opex: dict[str, float] = {}
    ec = inputs.earth_cost
    if ec is not None:
        capex["network"] = job.chips * ec.network_per_chip
        capex["storage"] = job.chips * ec.storage_per_chip
    facility = site.it_power_W * dc.facility_capex_per_watt
    capex["facility"] = facility * min(1.0, L / dc.facility_life)
    opex["electricity"] = energy * dc.electricity_price
    opex["facility_opex"] = facility * dc.facility_opex_fraction_per_year * years
    if ec is not None:
        opex["maintenance"] = capex["systems"] * ec.maintenance_fraction_per_year * years
        upkeep = (capex["network"] + capex["storage"]) * ec.upkeep_fraction_per_year * years
        opex["network_storage_upkeep"] = upkeep
        opex["staff"] = site.it_power_W / 1e6 * ec.staff_usd_per_mw_year * years
    return Lines(capex, opex, energy, energy * dc.carbon_intensity)
