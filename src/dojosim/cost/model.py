"""The cost stage: capex and opex over a lifetime, $/PFLOP-day, FLOP/s per $ per W, cost to train.

Pure functions of frozen inputs (a :class:`~dojosim.site.plan.Job`, a
:class:`~dojosim.site.plan.SiteSpec`, its :class:`~dojosim.site.plan.SiteResult`
and :class:`CostInputs`). Over a lifetime ``L`` (s):

Earth::

    systems     = nodes × node price          (or chips × chip price; or chips × L × $/chip-hour,
                                               rented: then no facility and no electricity)
    facility    = IT W × facility $/W × min(1, L / facility life)   (straight-line share)
    electricity = IT W × PUE × L × $/J;   CO₂ = the same energy × kg/J
    opex        = facility capex × opex fraction per year × L / year
Orbit::

    systems     = as on Earth (the servers fly)
    array       = rated array W × $/W          (the array entry's price, else orbit-cost's)
    spacecraft  = (dry mass − compute − arrays) × $/kg   (radiators, battery, shielding, structure, bus)
    launch      = dry mass × launch $/kg
    operations  = (array + spacecraft + launch) × operations fraction per year × L / year

Then::

    TCO              = Σ above
    delivered FLOP   = achieved model FLOP/s × compute duty × L
    $/PFLOP-day      = TCO / (delivered FLOP / (1e15 FLOP/s × 86,400 s))
    FLOP/s per $ per W = achieved FLOP/s × duty / TCO / power drawn (facility W, or IT + bus in orbit)
    time to train    = tokens / (tokens/s × duty);  cost = TCO / L × time;  energy = power × time

Units: USD, s, W, J, FLOP, kg.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from dojosim.errors import SpecError
from dojosim.site import constants as C
from dojosim.site.plan import Job, SiteResult, SiteSpec

PFLOP_DAY = 1e15 * 86400.0  # FLOP in one PFLOP/s sustained for a day


@dataclass(frozen=True)
class CostInputs:
    """Prices and horizon. USD; ``unit_price_usd`` per ``per`` (node, chip, or chip-hour); s."""

    lifetime_s: float
    unit_price_usd: float
    per: str = "node"
    spacecraft_cost_per_kg: float = 0.0
    array_cost_per_watt: float = 0.0
    operations_fraction_per_year: float = 0.0
    sources: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not (self.lifetime_s > 0 and math.isfinite(self.lifetime_s)):
            raise SpecError("the lifetime must be positive", field="cost.lifetime")
        for name in ("unit_price_usd", "spacecraft_cost_per_kg", "array_cost_per_watt"):
            if getattr(self, name) < 0:
                raise SpecError("prices must not be negative", field=f"cost.{name}")
        if not 0 <= self.operations_fraction_per_year <= 1:
            raise SpecError("must lie in [0, 1]", field="cost.operations_fraction_per_year")
        if self.per not in ("node", "chip", "chip-hour"):
            raise SpecError(f"unknown price unit {self.per!r}", field="cost.per")


@dataclass(frozen=True)
class CostResult:
    """What the job's machine costs over its lifetime, and what that buys. USD, s, J, FLOP."""

    lifetime_s: float
    capex_usd: dict[str, float]
    opex_usd: dict[str, float]
    tco_usd: float
    energy_J: float
    co2_kg: float
    delivered_flop: float
    usd_per_pflop_day: float
    flops_per_usd_per_w: float
    usd_per_s: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def tco(job: Job, spec: SiteSpec, site: SiteResult, inputs: CostInputs) -> CostResult:
    """Capex and opex of the job's machine at its site over ``inputs.lifetime_s``."""
    L = inputs.lifetime_s
    years = L / C.JULIAN_YEAR_S
    capex: dict[str, float] = {}
    opex: dict[str, float] = {}
    rented = inputs.per == "chip-hour"
    if inputs.per == "node":
        capex["systems"] = site.nodes * inputs.unit_price_usd
    elif inputs.per == "chip":
        capex["systems"] = job.chips * inputs.unit_price_usd
    else:
        opex["rental"] = job.chips * L / 3600.0 * inputs.unit_price_usd
    energy = site.facility_power_W * L * (site.compute_duty if site.type == "orbit" else 1.0)
    co2 = 0.0
    if site.type == "earth":
        dc = spec.datacenter
        if not rented:
            facility = site.it_power_W * dc.facility_capex_per_watt
            capex["facility"] = facility * min(1.0, L / dc.facility_life)
            opex["electricity"] = energy * dc.electricity_price
            opex["facility_opex"] = facility * dc.facility_opex_fraction_per_year * years
            co2 = energy * dc.carbon_intensity
    else:
        o = site.orbit
        assert o is not None and spec.solar_array is not None
        array_per_w = (
            spec.solar_array.cost_per_watt
            if spec.solar_array.cost_per_watt is not None
            else inputs.array_cost_per_watt
        )
        capex["solar_array"] = o.power.array_rated_W * array_per_w
        rest = o.mass.total_kg - o.mass.compute_kg - o.mass.arrays_kg
        capex["spacecraft"] = rest * inputs.spacecraft_cost_per_kg
        capex["launch"] = o.launch_cost_usd
        opex["operations"] = (
            (capex["solar_array"] + capex["spacecraft"] + capex["launch"])
            * inputs.operations_fraction_per_year
            * years
        )
    total = sum(capex.values()) + sum(opex.values())
    flops = job.model_flops_per_s * site.compute_duty
    delivered = flops * L
    return CostResult(
        lifetime_s=L,
        capex_usd=capex,
        opex_usd=opex,
        tco_usd=total,
        energy_J=energy,
        co2_kg=co2,
        delivered_flop=delivered,
        usd_per_pflop_day=total / (delivered / PFLOP_DAY) if delivered > 0 else math.inf,
        flops_per_usd_per_w=flops / total / site.facility_power_W if total > 0 else math.inf,
        usd_per_s=total / L,
    )


@dataclass(frozen=True)
class TrainCost:
    """Time, cost and energy to train on ``tokens`` (s, USD, J)."""

    tokens: float
    steps: float
    time_to_train_s: float
    cost_to_train_usd: float
    energy_to_train_j: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def train_cost(job: Job, site: SiteResult, cost: CostResult, tokens: float) -> TrainCost:
    """Train on ``tokens``: the machine's share of its TCO for the time it takes."""
    if tokens <= 0:
        raise SpecError("the token budget must be positive", field="cost.train")
    steps = tokens / job.tokens_per_step
    time = steps * job.step_time_s / site.compute_duty
    return TrainCost(
        tokens=tokens,
        steps=steps,
        time_to_train_s=time,
        cost_to_train_usd=cost.usd_per_s * time,
        energy_to_train_j=site.facility_power_W * steps * job.step_time_s
        + (
            0.0
            if site.orbit is None
            else site.orbit.housekeeping_W * (time - steps * job.step_time_s)
        ),
    )
