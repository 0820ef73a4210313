"""Claim rows of the cost room: Starcloud re-run with ours, Suncatcher's launch parity, Dojo power.

Each function returns a value in the SI unit of its row's ``quantity`` in the
``cost-claims`` catalog entry (``catalog/sites/cost-claims.yaml``), which holds
the published value, the tolerance, the source and a note. ``COMPUTE`` is
registered with :data:`dojosim.validate.CLAIM_SETS`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import Any

from dojosim import catalog
from dojosim.site import constants as C
from dojosim.site.schema import site
from dojosim.site.terrestrial import it_load_from_system
from dojosim.spec.resolve import system_chip

# Suncatcher's parity case: dawn-dusk 650 km, today's flexible III-V array, battery through
# eclipses, heritage radiators, launch at Suncatcher's $200/kg, against the US-average site.
PARITY = {
    "orbit": "leo-dawn-dusk-650",
    "solar_array": "solar-array-iii-v-flexible",
    "battery": "battery-li-ion-leo",
    "radiator": "radiator-deployable-heritage",
    "launch": "launch-suncatcher-2035",
    "mass_model": "mass-model-compute-satellite",
    "environment": "space-environment-leo",
    "datacenter": "earth-datacenter-us-average",
}
PARITY_IT_W = 1e6  # 1 MW of IT: mass per kW is nearly scale-free in this model
YEAR = 2026


def _orbit_year(name: str, altitude_m: float | None = None) -> Any:
    from dojosim.site.orbit import from_entry, year_epoch
    from dojosim.site.sunlight import orbit_year

    entry = site(name)
    if altitude_m is not None:
        entry = entry.model_copy(update={"altitude": altitude_m})
    return orbit_year(from_entry(entry, year_epoch(YEAR)), YEAR)


@functools.cache
def _starcloud_ours() -> dict[str, Any]:
    from dojosim.site.starcloud import with_our_physics

    return with_our_physics(
        site("starcloud-2024-whitepaper"),
        _orbit_year("leo-dawn-dusk-650"),
        env=site("space-environment-leo"),
        array=site("solar-array-starcloud-silicon"),
        battery=site("battery-li-ion-leo"),
        radiator=site("radiator-deployable-heritage"),
        mass_model=site("mass-model-compute-satellite"),
        launches=[site("launch-starcloud-whitepaper")],
        datacenters=[site("earth-datacenter-us-average")],
    )


def _starcloud_space_total() -> float:
    return float(_starcloud_ours()["launch"][0]["space_total_usd"])


def _starcloud_terrestrial() -> float:
    e = _starcloud_ours()["earth"][0]
    return float(e["energy_usd"] + e["facility_capex_share_usd"])


@functools.cache
def _parity() -> tuple[float, float, float]:
    """(satellite kg per W of IT, launch $/kg, Earth energy $ per W-year) for Suncatcher's case."""
    from dojosim.site.plan import SiteSpec, size_orbit
    from dojosim.site.terrestrial import ItLoad

    dc = site(PARITY["datacenter"])
    spec = SiteSpec(
        type="orbit",
        load=ItLoad(1, PARITY_IT_W, 1, 0.0),
        datacenter=dc,
        orbit=site(PARITY["orbit"]),
        environment=site(PARITY["environment"]),
        solar_array=site(PARITY["solar_array"]),
        battery=site(PARITY["battery"]),
        radiator=site(PARITY["radiator"]),
        launch=site(PARITY["launch"]),
        mass_model=site(PARITY["mass_model"]),
        year=YEAR,
    )
    years = dc.it_life / C.JULIAN_YEAR_S
    sizing = size_orbit(spec, years)
    kg_per_W = sizing.mass.total_kg / PARITY_IT_W
    energy_per_W_year = dc.pue * C.JULIAN_YEAR_S * dc.electricity_price
    return kg_per_W, sizing.launch_usd_per_kg, energy_per_W_year


def _parity_ratio() -> float:
    """Launch $ per kW-year of IT (over the IT life) / Earth energy $ per kW-year."""
    kg_per_W, usd_per_kg, energy = _parity()
    years = site(PARITY["datacenter"]).it_life / C.JULIAN_YEAR_S
    return kg_per_W * usd_per_kg / years / energy


def _parity_price() -> float:
    """Launch $/kg at which launch per kW-year equals Earth energy per kW-year."""
    kg_per_W, _, energy = _parity()
    years = site(PARITY["datacenter"]).it_life / C.JULIAN_YEAR_S
    return energy * years / kg_per_W


def _it_power(system: str) -> float:
    spec = catalog.get("system", system)
    chip = system_chip(spec)
    return it_load_from_system(spec, chip, catalog.system_chips(spec)).power_W


def _starcloud1_radiator() -> float:
    from dojosim.site.starcloud import starcloud1

    sat = site("starcloud-1")
    out = starcloud1(
        sat,
        _orbit_year("leo-dawn-dusk-650", sat.altitude),
        env=site("space-environment-leo"),
        array=site("solar-array-iii-v-flexible"),
        battery=site("battery-li-ion-leo"),
        radiator=site("radiator-deployable-heritage"),
    )
    return float(out["variants"]["h100-sxm"]["radiator_area_m2"])


@functools.cache
def _h100_earth(years: float) -> Any:
    """1,024 H100 in 128 DGX H100 at the US-average site over ``years``, at base prices."""
    from dojosim.cost.pipeline import cost_inputs, evaluate
    from dojosim.site.plan import Job, resolve_site

    system = catalog.get("system", "dgx-h100")
    chip = catalog.get("chip", system.chip)
    spec = resolve_site(None, system, chip, 1024)
    inputs = dataclasses.replace(
        cost_inputs(None, spec, "dgx-h100"), lifetime_s=years * C.JULIAN_YEAR_S
    )
    # Prices do not depend on the step: any positive rate gives the same $ per hour.
    job = Job("h100-claim", "dgx-h100", chip.name, 1024, 1.0, 1.0, 1.0, 1.0, 1.0)
    return evaluate(job, spec, inputs, None).cost


def _starlink_kg_per_kw() -> float:
    """Non-payload mass per kW of rated array for a satellite whose payload uses all its power."""
    from dojosim.site.plan import SiteSpec, size_orbit
    from dojosim.site.terrestrial import ItLoad

    payload_w = 20e3
    spec = SiteSpec(
        type="orbit",
        load=ItLoad(1, payload_w, 1, 0.0),
        datacenter=site(PARITY["datacenter"]),
        orbit=site("starlink-shell-550-53"),
        environment=site(PARITY["environment"]),
        solar_array=site("solar-array-mass-production"),
        battery=site(PARITY["battery"]),
        radiator=site(PARITY["radiator"]),
        launch=site(PARITY["launch"]),
        mass_model=site(PARITY["mass_model"]).model_copy(update={"compute_specific_mass": 0.0}),
        year=YEAR,
    )
    sizing = size_orbit(spec, 5.0)
    return sizing.mass.total_kg / (sizing.power.array_rated_W / 1e3)


def _mccalip(column: str, key: str) -> float:
    from dojosim.cost import mccalip as M

    fn = {"orbital": M.orbital, "terrestrial": M.terrestrial, "ours": M.with_our_physics}[column]
    return float(fn(M.McCalipInputs())[key])


COMPUTE: dict[str, Callable[[], float]] = {
    "starcloud-rerun-space-total": _starcloud_space_total,
    "starcloud-rerun-terrestrial-total": _starcloud_terrestrial,
    "suncatcher-launch-parity": _parity_ratio,
    "suncatcher-parity-launch-price": _parity_price,
    "dojo-exapod-power": lambda: _it_power("dojo-exapod"),
    "starcloud1-h100-radiator-area": _starcloud1_radiator,
    "h100-owner-usd-per-gpu-hour": lambda: _h100_earth(6.0).usd_per_chip_hour,
    "h100-node-3yr-tco": lambda: _h100_earth(3.0).tco_usd / 128,
    "h100-tier2-rental": lambda: _h100_earth(6.0).usd_per_chip_hour,
    "starlink-v2mini-kg-per-kw": _starlink_kg_per_kw,
    "mccalip-orbital-mass": lambda: _mccalip("orbital", "mass_kg"),
    "mccalip-orbital-total": lambda: _mccalip("orbital", "total_usd"),
    "mccalip-orbital-lcoe": lambda: _mccalip("orbital", "lcoe_usd_per_MWh"),
    "mccalip-terrestrial-total": lambda: _mccalip("terrestrial", "total_usd"),
    "mccalip-rerun-orbital-mass": lambda: _mccalip("ours", "mass_kg"),
    "mccalip-rerun-orbital-total": lambda: _mccalip("ours", "total_usd"),
}
