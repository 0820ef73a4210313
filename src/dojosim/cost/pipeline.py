"""Scenario → estimate → site → cost → report: the `dojosim site` document.

:func:`site_report` runs the whole pipeline for a scenario with optional
``site:`` and ``cost:`` sections (defaults: an average US data centre, the
system's catalog price, the data centre's IT life). For an orbit site it also
costs the same job in the site's reference data centre (``earth_equivalent``),
and it sweeps each parameter of the ``sensitivity-ranges`` entry that applies to
the site between its low and high value (``sensitivities``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dojosim.cost.model import CostInputs, CostResult, TrainCost, tco, train_cost
from dojosim.cost.scenario import CostSection
from dojosim.cost.spec import (
    OrbitCostEntry,
    SensitivityRangesEntry,
    SystemPriceEntry,
    price,
    system_price_for,
)
from dojosim.errors import SpecError
from dojosim.sim.costing import apply_goodput
from dojosim.site.plan import Job, SiteResult, SiteSpec, job_of, resolve_site, size_site

# Parameters that apply to each kind of site.
APPLIES = {
    "earth": ("system_price", "electricity_price", "pue", "lifetime"),
    "orbit": (
        "launch_price",
        "array_specific_power",
        "system_price",
        "spacecraft_cost_per_kg",
        "array_cost_per_watt",
        "lifetime",
    ),
}


def _price_entry(name: str, expect: type, file: str | None, field: str) -> Any:
    try:
        return price(name, expect)
    except SpecError as exc:
        raise SpecError(exc.detail, file=file, field=field) from None


def cost_inputs(
    section: CostSection | None, spec: SiteSpec, system: str, file: str | None = None
) -> CostInputs:
    """Prices and lifetime for a scenario: the ``cost:`` section over catalog defaults."""
    sec = section or CostSection()
    sources: list[str] = []
    per = "node"
    if sec.node_price is not None:
        unit = sec.node_price
        sources.append("cost.node_price (scenario)")
    else:
        entry: SystemPriceEntry | None
        if sec.system_price is not None:
            entry = _price_entry(sec.system_price, SystemPriceEntry, file, "cost.system_price")
        else:
            entry = system_price_for(system)
        if entry is None:
            raise SpecError(
                f"no price for system {system!r}: add a system-price entry to catalog/prices or "
                "give cost.node_price",
                file=file,
                field="cost",
            )
        unit, per = entry.price, entry.per
        sources.append(f"{entry.name}: " + "; ".join(entry.sources))
    orbit_cost = _price_entry(sec.orbit_cost, OrbitCostEntry, file, "cost.orbit_cost")
    return CostInputs(
        lifetime_s=sec.lifetime if sec.lifetime is not None else spec.datacenter.it_life,
        unit_price_usd=unit,
        per=per,
        spacecraft_cost_per_kg=orbit_cost.spacecraft_cost_per_kg,
        array_cost_per_watt=orbit_cost.array_cost_per_watt,
        operations_fraction_per_year=orbit_cost.operations_fraction_per_year,
        sources=tuple(sources),
    )


@dataclass(frozen=True)
class Evaluation:
    """One site and its cost (and, given a budget, the cost to train)."""

    spec: SiteSpec
    site: SiteResult
    cost: CostResult
    train: TrainCost | None


def evaluate(job: Job, spec: SiteSpec, inputs: CostInputs, tokens: float | None) -> Evaluation:
    """Size the site for the lifetime and cost it (pure; the orbit's year is cached)."""
    site = size_site(spec, job, inputs.lifetime_s / 31557600.0)
    cost = tco(job, spec, site, inputs)
    train = train_cost(job, site, cost, tokens) if tokens else None
    return Evaluation(spec, site, cost, train)


def _vary(
    spec: SiteSpec, inputs: CostInputs, parameter: str, value: float
) -> tuple[SiteSpec, CostInputs]:
    """``spec`` and ``inputs`` with one parameter set to ``value`` (a factor for system_price)."""
    rep = dataclasses.replace
    if parameter == "system_price":
        return spec, rep(inputs, unit_price_usd=inputs.unit_price_usd * value)
    if parameter == "lifetime":
        return spec, rep(inputs, lifetime_s=value)
    if parameter == "spacecraft_cost_per_kg":
        return spec, rep(inputs, spacecraft_cost_per_kg=value)
    if parameter == "array_cost_per_watt":
        assert spec.solar_array is not None
        array = spec.solar_array.model_copy(update={"cost_per_watt": value})
        return rep(spec, solar_array=array), inputs
    if parameter == "electricity_price":
        return rep(
            spec, datacenter=spec.datacenter.model_copy(update={"electricity_price": value})
        ), inputs
    if parameter == "pue":
        return rep(spec, datacenter=spec.datacenter.model_copy(update={"pue": value})), inputs
    if parameter == "launch_price":
        assert spec.launch is not None
        launch = spec.launch.model_copy(update={"price_per_kg": value})
        return rep(spec, launch=launch), inputs
    if parameter == "array_specific_power":
        assert spec.solar_array is not None
        return rep(
            spec, solar_array=spec.solar_array.model_copy(update={"specific_power": value})
        ), inputs
    raise SpecError(f"unknown sensitivity parameter {parameter!r}")


def base_value(spec: SiteSpec, inputs: CostInputs, parameter: str) -> float:
    """The parameter's value in the base case (SI; 1.0 for the system-price factor)."""
    values = {
        "system_price": lambda: 1.0,
        "lifetime": lambda: inputs.lifetime_s,
        "spacecraft_cost_per_kg": lambda: inputs.spacecraft_cost_per_kg,
        "array_cost_per_watt": lambda: (
            spec.solar_array.cost_per_watt
            if spec.solar_array and spec.solar_array.cost_per_watt is not None
            else inputs.array_cost_per_watt
        ),
        "electricity_price": lambda: spec.datacenter.electricity_price,
        "pue": lambda: spec.datacenter.pue,
        "launch_price": lambda: spec.launch.usd_per_kg if spec.launch else 0.0,
        "array_specific_power": lambda: (
            spec.solar_array.specific_power if spec.solar_array else 0.0
        ),
    }
    return float(values[parameter]())


def sensitivities(
    job: Job, spec: SiteSpec, inputs: CostInputs, ranges: SensitivityRangesEntry
) -> list[dict[str, Any]]:
    """One row per applicable parameter: $/PFLOP-day and TCO at its low and high value."""
    base = evaluate(job, spec, inputs, None).cost
    rows = []
    for r in ranges.ranges:
        if r.parameter not in APPLIES[spec.type]:
            continue
        lo, hi = r.values()
        out: dict[str, Any] = {
            "parameter": r.parameter,
            "base": base_value(spec, inputs, r.parameter),
            "low": lo,
            "high": hi,
        }
        for tag, v in (("low", lo), ("high", hi)):
            s, i = _vary(spec, inputs, r.parameter, v)
            c = evaluate(job, s, i, None).cost
            out[f"usd_per_pflop_day_{tag}"] = c.usd_per_pflop_day
            out[f"tco_usd_{tag}"] = c.tco_usd
        out["usd_per_pflop_day_base"] = base.usd_per_pflop_day
        out["swing"] = abs(out["usd_per_pflop_day_high"] - out["usd_per_pflop_day_low"])
        out["source"] = r.source
        rows.append(out)
    rows.sort(key=lambda d: -d["swing"])
    return rows


@dataclass(frozen=True)
class SiteReport:
    """The pipeline's result for one scenario."""

    job: Job
    section_type: str
    names: dict[str, str]
    main: Evaluation
    earth: Evaluation | None
    sensitivities: list[dict[str, Any]]
    inputs: CostInputs
    notes: tuple[str, ...]
    goodput: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return report_dict(self)


def site_report(scenario: Any) -> SiteReport:
    """Run Scenario → estimate → site → cost for a scenario (path, mapping or Scenario)."""
    from dojosim.perf.estimate import estimate
    from dojosim.spec.resolve import load_scenario
    from dojosim.spec.scenario import Scenario

    sc = (
        scenario
        if isinstance(scenario, Scenario)
        else load_scenario(str(scenario) if isinstance(scenario, Path) else scenario)
    )
    est = estimate(sc)
    job = job_of(est)
    file = sc.source_file
    spec = resolve_site(sc.site, sc.system, sc.chip, sc.chips, file)
    inputs = cost_inputs(sc.cost, spec, sc.system.name, file)
    budget = sc.cost.train if sc.cost else None
    tokens = budget.total_tokens if budget else None
    main = evaluate(job, spec, inputs, tokens)
    earth = evaluate(job, spec.as_earth(), inputs, tokens) if spec.type == "orbit" else None
    main, earth, goodput = apply_goodput(sc, est, main, earth)
    ranges_name = sc.cost.sensitivities if sc.cost else "sensitivity-ranges"
    rows: list[dict[str, Any]] = []
    if ranges_name:
        ranges = _price_entry(ranges_name, SensitivityRangesEntry, file, "cost.sensitivities")
        rows = sensitivities(job, spec, inputs, ranges)
    sec = sc.site
    names = {"datacenter": spec.datacenter.name}
    if spec.type == "orbit" and sec is not None:
        names.update(
            orbit=sec.orbit,
            solar_array=sec.solar_array,
            battery=sec.battery,
            radiator=sec.radiator,
            launch=sec.launch,
            mass_model=sec.mass_model,
            power_mode=sec.power_mode,
        )
    notes = spec.notes + ((goodput["note"],) if goodput else ())
    return SiteReport(job, spec.type, names, main, earth, rows, inputs, notes, goodput)


def _flat(ev: Evaluation) -> dict[str, Any]:
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
        out.update(
            solar_array_area_m2=o.power.array_area_m2,
            solar_array_rated_w=o.power.array_rated_W,
            battery_energy_j=o.power.battery_energy_J,
            radiator_area_m2=o.radiator.area_m2,
            radiator_net_w_m2=o.radiator.net_W_m2,
            mass_kg=o.mass.total_kg,
            mass_breakdown_kg=o.mass.to_dict(),
            launch_usd_per_kg=o.launch_usd_per_kg,
            launch_cost_usd=o.launch_cost_usd,
            launches=o.launches,
            housekeeping_power_w=o.housekeeping_W,
            sunlit_fraction=o.sunlit_fraction,
            max_eclipse_minutes=o.max_eclipse_minutes,
        )
    out.update(
        lifetime_years=c.lifetime_s / 31557600.0,
        capex_usd=c.capex_usd,
        opex_usd=c.opex_usd,
        tco_usd=c.tco_usd,
        usd_per_pflop_day=c.usd_per_pflop_day,
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
    """The JSON document of ``dojosim site``: the site's figures at top level, then comparisons."""
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
    out.update(_flat(r.main))
    out["price"] = {
        "unit_price_usd": r.inputs.unit_price_usd,
        "per": r.inputs.per,
        "sources": list(r.inputs.sources),
    }
    if r.earth is not None:
        earth = _flat(r.earth)
        out["earth_equivalent"] = earth
        out["orbit_vs_earth"] = {
            "tco_ratio": r.main.cost.tco_usd / r.earth.cost.tco_usd,
            "usd_per_pflop_day_ratio": r.main.cost.usd_per_pflop_day
            / r.earth.cost.usd_per_pflop_day,
        }
    if r.goodput is not None:
        out["goodput"] = r.goodput
    out["sensitivities"] = r.sensitivities
    out["notes"] = list(r.notes)
    return out
