"""The JSON document of ``dojosim site``: the site's figures at top level, then comparisons.

Besides the point figures, the document carries the Monte Carlo ranges
(``usd_per_pflop_day_range``, ``tco_usd_range``: p10 and p90), ``usd_per_chip_hour``,
and for an orbit site ``mass_per_kw_kg`` (launch mass per kW of IT power),
``mass_breakdown_kg`` and ``mass_sources`` (the entry and value behind every part).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dojosim.site.plan import SiteSpec

if TYPE_CHECKING:
    from dojosim.cost.pipeline import Evaluation, SiteReport
    from dojosim.cost.uncertainty import Spread

YEAR_S = 31557600.0


def _source(entry: Any, field: str) -> str:
    """Where an entry's value comes from: its range's base source, else the entry's sources."""
    span = entry.span(field) if hasattr(entry, "span") else None
    if span is not None and "base" in span.sources:
        return f"{entry.name}.{field}: {span.sources['base']}"
    return f"{entry.name}.{field} ({'; '.join(entry.sources) or 'no source'})"


def mass_sources(spec: SiteSpec, orbit_cost: Any) -> dict[str, str]:
    """The entry and value behind each part of the satellite's mass."""
    mm, arr, rad, bat = spec.mass_model, spec.solar_array, spec.radiator, spec.battery
    assert mm is not None and arr is not None and rad is not None and bat is not None
    return {
        "compute_kg": _source(mm, "compute_specific_mass"),
        "arrays_kg": _source(arr, "specific_power"),
        "radiators_kg": _source(rad, "areal_density"),
        "battery_kg": _source(bat, "specific_energy"),
        "shielding_kg": _source(mm, "shielding_areal_density"),
        "structure_kg": _source(mm, "structure_fraction"),
        "bus_kg": _source(mm, "bus_fraction"),
        "deorbit_propellant_kg": _source(orbit_cost, "deorbit_delta_v")
        + "; "
        + _source(orbit_cost, "thruster_isp"),
    }


def _range(spread: Spread | None, key: str) -> list[float] | None:
    if spread is None:
        return None
    p10, _, p90 = getattr(spread, key)
    return [p10, p90]


def _flat(ev: Evaluation, spread: Spread | None) -> dict[str, Any]:
    s, c = ev.site, ev.cost
    out: dict[str, Any] = {
        "it_power_w": s.it_power_W,
        "facility_power_w": s.facility_power_W,
        "pue": s.pue,
        "energy_per_step_j": s.energy_per_step_J,
        "compute_duty": s.compute_duty,
        "nodes": s.nodes,
    }
    if s.orbit is not None:
        o = s.orbit
        breakdown = o.mass.to_dict()
        prop = c.extra.get("propellant_kg", 0.0)
        breakdown["deorbit_propellant_kg"] = prop
        breakdown["launch_mass_kg"] = o.mass.total_kg + prop
        out.update(
            solar_array_area_m2=o.power.array_area_m2,
            solar_array_rated_w=o.power.array_rated_W,
            battery_energy_j=o.power.battery_energy_J,
            radiator_area_m2=o.radiator.area_m2,
            radiator_net_w_m2=o.radiator.net_W_m2,
            mass_kg=o.mass.total_kg,
            mass_breakdown_kg=breakdown,
            mass_per_kw_kg=breakdown["launch_mass_kg"] / (s.it_power_W / 1e3),
            launch_usd_per_kg=o.launch_usd_per_kg,
            launch_cost_usd=o.launch_cost_usd,
            launches=o.launches,
            replacement_fraction=c.extra.get("replacement_fraction", 0.0),
            housekeeping_power_w=o.housekeeping_W,
            sunlit_fraction=o.sunlit_fraction,
            max_eclipse_minutes=o.max_eclipse_minutes,
        )
    out.update(
        lifetime_years=c.lifetime_s / YEAR_S,
        capex_usd=c.capex_usd,
        opex_usd=c.opex_usd,
        tco_usd=c.tco_usd,
        tco_usd_range=_range(spread, "tco_usd"),
        usd_per_pflop_day=c.usd_per_pflop_day,
        usd_per_pflop_day_range=_range(spread, "usd_per_pflop_day"),
        usd_per_chip_hour=c.usd_per_chip_hour,
        usd_per_chip_hour_range=_range(spread, "usd_per_chip_hour"),
        flops_per_usd_per_w=c.flops_per_usd_per_w,
        energy_lifetime_j=c.energy_J,
        co2_kg=c.co2_kg,
        delivered_flop=c.delivered_flop,
        time_to_train_s=ev.train.time_to_train_s if ev.train else None,
        cost_to_train_usd=ev.train.cost_to_train_usd if ev.train else None,
        energy_to_train_j=ev.train.energy_to_train_j if ev.train else None,
        train_tokens=ev.train.tokens if ev.train else None,
    )
    return out


def report_dict(r: SiteReport) -> dict[str, Any]:
    """The document: scenario and step, the site's figures, prices, comparisons, sensitivities."""
    j = r.job
    out: dict[str, Any] = {
        "scenario": j.scenario,
        "system": j.system,
        "chip": j.chip,
        "chips": j.chips,
        "site_type": r.section_type,
        "site": r.names,
        "step_time_s": j.step_time_s,
        "tokens_per_s": j.tokens_per_s,
        "mfu": j.mfu,
        "model_flops_per_s": j.model_flops_per_s,
    }
    out.update(_flat(r.main, r.spread))
    if r.main.site.orbit is not None:
        out["mass_sources"] = mass_sources(r.main.spec, r.inputs.orbit_cost)
    span = r.inputs.price_span
    out["price"] = {
        "unit_price_usd": r.inputs.unit_price_usd,
        "per": r.inputs.per,
        "range": [span.low, span.high] if span else None,
        "sources": list(r.inputs.sources),
    }
    out["monte_carlo"] = r.spread.to_dict() if r.spread else None
    if r.earth is not None:
        earth = _flat(r.earth, r.earth_spread)
        out["earth_equivalent"] = earth
        out["orbit_vs_earth"] = {
            "tco_ratio": r.main.cost.tco_usd / r.earth.cost.tco_usd,
            "usd_per_pflop_day_ratio": r.main.cost.usd_per_pflop_day
            / r.earth.cost.usd_per_pflop_day,
        }
    if r.breakeven is not None:
        out["breakeven"] = r.breakeven.to_dict()
    if r.goodput is not None:
        out["goodput"] = r.goodput
    out["sensitivities"] = r.sensitivities
    out["notes"] = list(r.notes)
    return out
