"""Scenario → estimate → site → cost → report: the `dojosim site` document.

:func:`site_report` runs the whole pipeline for a scenario (a transformer model or a
catalog network) with optional ``site:`` and ``cost:`` sections (defaults: an average
US data centre, the system's catalog price, the data centre's IT life). For an orbit
site it also costs the same job in the site's reference data centre
(``earth_equivalent``) and solves the break-even launch price. Every ranged catalog
input is swept one at a time (``sensitivities``, the tornado) and all are sampled
together (the Monte Carlo ranges); see :mod:`dojosim.cost.uncertainty`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dojosim.cost.breakeven import BreakEven, breakeven_launch_price
from dojosim.cost.model import CostInputs, CostResult, TrainCost, tco, train_cost
from dojosim.cost.scenario import CostSection
from dojosim.cost.spec import (
    EarthCostEntry,
    OrbitCostEntry,
    SensitivityRangesEntry,
    SystemPriceEntry,
    price,
    system_price_for,
)
from dojosim.cost.uncertainty import Spread, inputs_of, monte_carlo, tornado
from dojosim.errors import SpecError
from dojosim.sim.costing import apply_goodput
from dojosim.site.plan import Job, SiteResult, SiteSpec, job_of, resolve_site, size_site


def _price_entry(name: str, expect: type, file: str | None, field: str) -> Any:
    try:
        return price(name, expect)
    except SpecError as exc:
        raise SpecError(exc.detail, file=file, field=field) from None


def _system_price(sec: CostSection, system: str, file: str | None) -> SystemPriceEntry:
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
    return entry


def cost_inputs(
    section: CostSection | None, spec: SiteSpec, system: str, file: str | None = None
) -> CostInputs:
    """Prices and lifetime for a scenario: the ``cost:`` section over catalog defaults."""
    sec = section or CostSection()
    if sec.node_price is not None:
        unit, per, span = sec.node_price, "node", sec.span("node_price")
        sources = ["cost.node_price (scenario)"]
        earth_name = sec.earth_cost or "earth-cost-gpu-fat-tree"
    else:
        entry = _system_price(sec, system, file)
        unit, per, span = entry.price, entry.per, entry.span("price")
        sources = [f"{entry.name}: " + "; ".join(entry.sources)]
        earth_name = sec.earth_cost or entry.earth_cost
    earth = _price_entry(earth_name, EarthCostEntry, file, "cost.earth_cost")
    orbit = _price_entry(sec.orbit_cost, OrbitCostEntry, file, "cost.orbit_cost")
    return CostInputs(
        lifetime_s=sec.lifetime if sec.lifetime is not None else spec.datacenter.it_life,
        unit_price_usd=unit,
        per=per,
        earth_cost=earth,
        orbit_cost=orbit,
        replacement_fraction=sec.replacement_fraction,
        price_span=span,
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
    spread: Spread | None = None
    earth_spread: Spread | None = None
    breakeven: BreakEven | None = None
    goodput: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        from dojosim.cost.report import report_dict

        return report_dict(self)


def _load(scenario: Any) -> Any:
    from dojosim.spec.resolve import load_any
    from dojosim.spec.scenario import NetworkScenario, Scenario

    if isinstance(scenario, Scenario | NetworkScenario):
        return scenario
    return load_any(str(scenario) if isinstance(scenario, Path) else scenario)


def site_report(scenario: Any) -> SiteReport:
    """Run Scenario → estimate → site → cost for a scenario (path, name, mapping or Scenario)."""
    from dojosim.perf.estimate import estimate

    sc = _load(scenario)
    est = estimate(sc)
    job = job_of(est)
    file = sc.source_file
    spec = resolve_site(sc.site, sc.system, sc.chip, sc.chips, file)
    sec = sc.cost or CostSection()
    inputs = cost_inputs(sec, spec, sc.system.name, file)
    tokens = sec.train.total_tokens if sec.train else None
    main = evaluate(job, spec, inputs, tokens)
    earth_spec = spec.as_earth() if spec.type == "orbit" else None
    earth = evaluate(job, earth_spec, inputs, tokens) if earth_spec else None
    main, earth, goodput = apply_goodput(sc, est, main, earth)
    choices = []
    if sec.sensitivities:
        ranges = _price_entry(sec.sensitivities, SensitivityRangesEntry, file, "cost.sensitivities")
        choices = list(ranges.choices)
    ins = inputs_of(spec, inputs, choices)
    rows = tornado(job, spec, inputs, ins) if sec.sensitivities else []
    spread = earth_spread = None
    if sec.samples:
        spread = monte_carlo(job, spec, inputs, ins, sec.samples, sec.seed)
        if earth_spec is not None:
            e_ins = inputs_of(earth_spec, inputs, choices)
            earth_spread = monte_carlo(job, earth_spec, inputs, e_ins, sec.samples, sec.seed)
    be = breakeven_launch_price(job, spec, inputs) if spec.type == "orbit" else None
    names = {"datacenter": spec.datacenter.name}
    if inputs.earth_cost is not None:
        names["earth_cost"] = inputs.earth_cost.name
    if spec.type == "orbit" and sc.site is not None:
        s = sc.site
        names.update(
            orbit=s.orbit,
            solar_array=s.solar_array,
            battery=s.battery,
            radiator=s.radiator,
            launch=s.launch,
            mass_model=s.mass_model,
            power_mode=s.power_mode,
            orbit_cost=sec.orbit_cost,
        )
    notes = spec.notes
    if inputs.rented and spec.type == "orbit":
        notes += (
            "only a rental price is published for these chips: the rent over the lifetime stands "
            "in for owning them in orbit",
        )
    if goodput:
        notes += (goodput["note"],)
    return SiteReport(
        job, spec.type, names, main, earth, rows, inputs, notes, spread, earth_spread, be, goodput
    )
