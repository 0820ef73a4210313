"""Uncertain inputs of a costed site: the catalog's ranges, swept one at a time and sampled together.

Every ``{low, base, high}`` range on an entry the site uses (the system price, the
data centre, the Earth or orbit costs, the array, battery, radiator, mass model and
launch) and every range of the ``sensitivity-ranges`` choices (the lifetime) is an
:class:`Input`. Two uses:

* :func:`tornado`: each input at its low and at its high end, all else at base. Its
  **share of the spread** is the linear-variance estimate
  ``v_i = (Δy_i / (high − low))² × var_i`` over ``Σ v``, with ``var_i`` the variance of the
  input's triangular distribution: which inputs decide the answer;
* :func:`monte_carlo`: ``n`` seeded draws of all inputs at once, each from its triangular
  distribution (low, mode = base, high), independent; the p10 and p90 of $/PFLOP-day,
  TCO and $/chip-hour.

The step time is held (the estimate is not re-run). Units: SI, as the catalog fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dojosim.cost.model import CostInputs, CostResult, tco
from dojosim.site.plan import Job, SiteSpec, size_site
from dojosim.site.ranged import Span

# (slot on SiteSpec, applies to) for the site entries that may carry ranges.
SPEC_SLOTS = {
    "datacenter": ("earth",),
    "solar_array": ("orbit",),
    "battery": ("orbit",),
    "radiator": ("orbit",),
    "launch": ("orbit",),
    "mass_model": ("orbit",),
}
EMISSIONS_ONLY = {"launch_co2_per_kg", "reentry_co2_per_kg"}

Apply = Callable[[SiteSpec, CostInputs, float], tuple[SiteSpec, CostInputs]]


@dataclass(frozen=True)
class Input:
    """One uncertain input: its name (``slot.field``), entry, range and how to set it."""

    name: str
    entry: str
    span: Span
    apply: Apply

    def at(self, spec: SiteSpec, inputs: CostInputs, value: float) -> tuple[SiteSpec, CostInputs]:
        return self.apply(spec, inputs, value)


def _spec_setter(slot: str, field: str) -> Apply:
    def apply(spec: SiteSpec, inputs: CostInputs, value: float) -> tuple[SiteSpec, CostInputs]:
        entry = getattr(spec, slot)
        return dataclasses.replace(spec, **{slot: entry.with_value(field, value)}), inputs

    return apply


def _input_setter(slot: str, field: str) -> Apply:
    def apply(spec: SiteSpec, inputs: CostInputs, value: float) -> tuple[SiteSpec, CostInputs]:
        entry = getattr(inputs, slot)
        return spec, dataclasses.replace(inputs, **{slot: entry.with_value(field, value)})

    return apply


def _price(spec: SiteSpec, inputs: CostInputs, value: float) -> tuple[SiteSpec, CostInputs]:
    return spec, dataclasses.replace(inputs, unit_price_usd=value)


def _lifetime(spec: SiteSpec, inputs: CostInputs, value: float) -> tuple[SiteSpec, CostInputs]:
    return spec, dataclasses.replace(inputs, lifetime_s=value)


def inputs_of(spec: SiteSpec, inputs: CostInputs, choices: Sequence[Any] = ()) -> list[Input]:
    """The uncertain inputs that reach this site's cost (``choices``: sensitivity ranges)."""
    out: list[Input] = []
    if inputs.price_span is not None:
        out.append(Input("system_price", "system price", inputs.price_span, _price))
    rented_earth = spec.type == "earth" and inputs.rented
    for slot, kinds in SPEC_SLOTS.items():
        entry = getattr(spec, slot)
        if entry is None or spec.type not in kinds or (rented_earth and slot == "datacenter"):
            continue
        for field, span in entry.ranges.items():
            if field == "price_per_launch" and getattr(entry, "price_per_kg", None) is not None:
                continue  # a $/kg (the scenario's override) replaces the price per launch
            out.append(Input(f"{slot}.{field}", entry.name, span, _spec_setter(slot, field)))
    cost_slot = "earth_cost" if spec.type == "earth" else "orbit_cost"
    entry = getattr(inputs, cost_slot)
    if entry is not None and not rented_earth:
        for field, span in entry.ranges.items():
            if field == "array_cost_per_watt" and (
                spec.solar_array is not None and spec.solar_array.cost_per_watt is not None
            ):
                continue  # the array entry's own price applies
            if field in EMISSIONS_ONLY:
                continue  # CO2 per kg changes no price
            if field == "annual_failure_rate" and inputs.replacement_fraction is not None:
                continue  # the scenario gives the failed fraction
            out.append(
                Input(f"{cost_slot}.{field}", entry.name, span, _input_setter(cost_slot, field))
            )
    for choice in choices:
        if choice.parameter == "lifetime":
            lo, hi = choice.values()
            base = min(max(inputs.lifetime_s, lo), hi)
            span = Span(
                low=lo, base=base, high=hi, sources={"low": choice.source, "high": choice.source}
            )
            out.append(Input("lifetime", "sensitivity-ranges", span, _lifetime))
    return out


def cost_at(job: Job, spec: SiteSpec, inputs: CostInputs) -> CostResult:
    """Size the site for the lifetime and cost it."""
    site = size_site(spec, job, inputs.lifetime_s / 31557600.0)
    return tco(job, spec, site, inputs)


def _share_weights(rows: list[dict[str, Any]], spans: list[Span]) -> list[float]:
    weights = []
    for row, span in zip(rows, spans, strict=True):
        dy = row["usd_per_pflop_day_high"] - row["usd_per_pflop_day_low"]
        weights.append((dy / span.width) ** 2 * span.variance() if span.width > 0 else 0.0)
    return weights


def tornado(
    job: Job, spec: SiteSpec, inputs: CostInputs, ins: Sequence[Input]
) -> list[dict[str, Any]]:
    """One row per input: $/PFLOP-day and TCO at its low and high end, its share of the spread."""
    base = cost_at(job, spec, inputs)
    rows = []
    for i in ins:
        row: dict[str, Any] = {
            "parameter": i.name,
            "entry": i.entry,
            "base": i.span.base,
            "low": i.span.low,
            "high": i.span.high,
            "usd_per_pflop_day_base": base.usd_per_pflop_day,
        }
        for tag, value in (("low", i.span.low), ("high", i.span.high)):
            c = cost_at(job, *i.at(spec, inputs, value))
            row[f"usd_per_pflop_day_{tag}"] = c.usd_per_pflop_day
            row[f"tco_usd_{tag}"] = c.tco_usd
        row["swing"] = abs(row["usd_per_pflop_day_high"] - row["usd_per_pflop_day_low"])
        row["sources"] = dict(i.span.sources)
        row["unknown"] = list(i.span.unknown)
        row["source"] = "; ".join(f"{k}: {v}" for k, v in i.span.sources.items())
        rows.append(row)
    weights = _share_weights(rows, [i.span for i in ins])
    total = sum(weights)
    for row, w in zip(rows, weights, strict=True):
        row["share"] = w / total if total > 0 else 0.0
    rows.sort(key=lambda r: (-r["share"], -r["swing"]))
    return rows


@dataclass(frozen=True)
class Spread:
    """Monte Carlo percentiles (p10, p50, p90) of the cost figures, and the draw."""

    samples: int
    seed: int
    usd_per_pflop_day: tuple[float, float, float]
    tco_usd: tuple[float, float, float]
    usd_per_chip_hour: tuple[float, float, float]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def monte_carlo(
    job: Job, spec: SiteSpec, inputs: CostInputs, ins: Sequence[Input], n: int, seed: int
) -> Spread:
    """``n`` seeded draws of every input at once; percentiles of $/PFLOP-day, TCO, $/chip-hour."""
    rng = np.random.default_rng(seed)
    draws = [i.span.sample(rng, n) for i in ins]
    per_day = np.empty(n)
    total = np.empty(n)
    per_hour = np.empty(n)
    for k in range(n):
        s, c = spec, inputs
        for i, values in zip(ins, draws, strict=True):
            s, c = i.at(s, c, float(values[k]))
        r = cost_at(job, s, c)
        per_day[k], total[k], per_hour[k] = r.usd_per_pflop_day, r.tco_usd, r.usd_per_chip_hour

    def pct(a: np.ndarray) -> tuple[float, float, float]:
        p10, p50, p90 = np.percentile(a, [10, 50, 90])
        return float(p10), float(p50), float(p90)

    return Spread(n, seed, pct(per_day), pct(total), pct(per_hour))
