"""The cost stage: capex and opex over a lifetime, $/PFLOP-day, $/chip-hour, cost to train.

Pure functions of frozen inputs (a :class:`~dojosim.site.plan.Job`, a
:class:`~dojosim.site.plan.SiteSpec`, its :class:`~dojosim.site.plan.SiteResult`
and :class:`CostInputs`). The line items of each site are in :mod:`dojosim.cost.earth`
and :mod:`dojosim.cost.orbit`; here they are summed::

    TCO                = Σ capex + Σ opex
    delivered FLOP     = achieved model FLOP/s × compute duty × L
    $/PFLOP-day        = TCO / (delivered FLOP / (1e15 FLOP/s × 86,400 s))
    $/chip-hour        = TCO / (chips × L / 3,600 s)
    FLOP/s per $ per W = achieved FLOP/s × duty / TCO / power drawn (facility W, or IT + bus in orbit)
    time to train      = tokens / (tokens/s × duty);  cost = TCO / L × time;  energy = power × time

Units: USD, s, W, J, FLOP, kg.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from dojosim.cost.spec import EarthCostEntry, OrbitCostEntry
from dojosim.errors import SpecError
from dojosim.site.plan import Job, SiteResult, SiteSpec
from dojosim.site.ranged import Span

PFLOP_DAY = 1e15 * 86400.0  # FLOP in one PFLOP/s sustained for a day


@dataclass(frozen=True)
class CostInputs:
    """Prices and horizon. USD; ``unit_price_usd`` per ``per`` (node, chip, or chip-hour); s.

    ``earth_cost`` and ``orbit_cost`` are the catalog entries priced beyond the systems
    (None: those lines are zero). ``replacement_fraction`` is the expected fraction of the
    orbital fleet that fails over the lifetime and is rebuilt and relaunched; None takes it
    from the orbit-cost entry's annual failure rate, ``1 - (1 - r)^years``.
    """

    lifetime_s: float
    unit_price_usd: float
    per: str = "node"
    earth_cost: EarthCostEntry | None = None
    orbit_cost: OrbitCostEntry | None = None
    replacement_fraction: float | None = None
    price_span: Span | None = field(default=None, compare=False)
    sources: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if not (self.lifetime_s > 0 and math.isfinite(self.lifetime_s)):
            raise SpecError("the lifetime must be positive", field="cost.lifetime")
        if not (self.unit_price_usd >= 0 and math.isfinite(self.unit_price_usd)):
            raise SpecError("prices must not be negative", field="cost.unit_price_usd")
        if self.replacement_fraction is not None and not 0 <= self.replacement_fraction <= 1:
            raise SpecError("must lie in [0, 1]", field="cost.replacement_fraction")
        if self.per not in ("node", "chip", "chip-hour"):
            raise SpecError(f"unknown price unit {self.per!r}", field="cost.per")

    @property
    def rented(self) -> bool:
        return self.per == "chip-hour"

    def systems_usd(self, nodes: int, chips: int) -> float:
        """Purchase price of the systems (0 when rented), USD."""
        if self.per == "node":
            return nodes * self.unit_price_usd
        if self.per == "chip":
            return chips * self.unit_price_usd
        return 0.0

    def rental_usd(self, chips: int) -> float:
        """Rent over the lifetime (0 when bought), USD."""
        return chips * self.lifetime_s / 3600.0 * self.unit_price_usd if self.rented else 0.0


@dataclass(frozen=True)
class CostResult:
    """What the job's machine costs over its lifetime, and what that buys. USD, s, J, FLOP, kg."""

    lifetime_s: float
    capex_usd: dict[str, float]
    opex_usd: dict[str, float]
    tco_usd: float
    energy_J: float
    co2_kg: float
    delivered_flop: float
    usd_per_pflop_day: float
    usd_per_chip_hour: float
    flops_per_usd_per_w: float
    usd_per_s: float
    extra: dict[str, float] = field(default_factory=dict)  # site-specific figures (propellant, ...)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def tco(job: Job, spec: SiteSpec, site: SiteResult, inputs: CostInputs) -> CostResult:
    """Capex and opex of the job's machine at its site over ``inputs.lifetime_s``."""
    from dojosim.cost import earth, orbit

    L = inputs.lifetime_s
    if site.type == "earth":
        lines = earth.lines(job, spec, site, inputs)
    else:
        lines = orbit.lines(job, spec, site, inputs)
    total = sum(lines.capex.values()) + sum(lines.opex.values())
    flops = job.model_flops_per_s * site.compute_duty
    delivered = flops * L
    chip_hours = job.chips * L / 3600.0
    return CostResult(
        lifetime_s=L,
        capex_usd=lines.capex,
        opex_usd=lines.opex,
        tco_usd=total,
        energy_J=lines.energy_J,
        co2_kg=lines.co2_kg,
        delivered_flop=delivered,
        usd_per_pflop_day=total / (delivered / PFLOP_DAY) if delivered > 0 else math.inf,
        usd_per_chip_hour=total / chip_hours if chip_hours > 0 else math.inf,
        flops_per_usd_per_w=flops / total / site.facility_power_W if total > 0 else math.inf,
        usd_per_s=total / L,
        extra=lines.extra,
    )


@dataclass(frozen=True)
class Lines:
    """One site's cost lines (USD), energy (J), CO₂ (kg) and extra figures."""

    capex: dict[str, float]
    opex: dict[str, float]
    energy_J: float
    co2_kg: float
    extra: dict[str, float] = field(default_factory=dict)


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
    if job.tokens_per_step <= 0:
        raise SpecError(
            "this job reports no tokens per step (a network model): a token budget does not apply",
            field="cost.train",
        )
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
