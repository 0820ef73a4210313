"""The launch price at which an orbit site's $/PFLOP-day equals its Earth equivalent's.

``f(p) = $/PFLOP-day in orbit at launch price p − $/PFLOP-day of the same job on Earth``
rises with ``p`` (launch, deorbit, replacements and insurance all grow with it), so
there is at most one root. :func:`breakeven_launch_price` brackets it on
``[0, upper]`` and solves with Brent's method (:func:`scipy.optimize.brentq`). When
orbit is dearer even at a free launch, there is no break-even price: the result says
so and gives the gap at $0/kg. Units: USD/kg, USD per PFLOP-day.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from dojosim.cost.model import CostInputs
from dojosim.cost.uncertainty import cost_at
from dojosim.site.plan import Job, SiteSpec

UPPER_USD_PER_KG = 1e5  # far above any launch price ever paid (Shuttle-era ~$50k/kg)


@dataclass(frozen=True)
class BreakEven:
    """The break-even launch price (None when orbit loses even at $0/kg) and the figures around it."""

    launch_usd_per_kg: float | None
    earth_usd_per_pflop_day: float
    orbit_usd_per_pflop_day_at_zero_launch: float
    orbit_usd_per_pflop_day_at_base: float
    base_launch_usd_per_kg: float
    method: str = "brentq on [0, 1e5] USD/kg"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _root(f: Any, lo: float, hi: float) -> float:
    """The root of ``f`` on ``[lo, hi]`` (``f(lo) <= 0 < f(hi)``): Brent's method, else bisection."""
    try:
        from scipy.optimize import brentq
    except ImportError:  # scipy comes with the `site` extra; bisection needs nothing
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if f(mid) <= 0 else (lo, mid)
            if hi - lo < 1e-3:
                break
        return 0.5 * (lo + hi)
    return float(brentq(f, lo, hi, xtol=1e-3, rtol=1e-9))


def orbit_cost_at_launch_price(
    job: Job, spec: SiteSpec, inputs: CostInputs, usd_per_kg: float
) -> float:
    """$/PFLOP-day of the orbit site with the launch price set to ``usd_per_kg``."""
    assert spec.launch is not None
    launch = spec.launch.model_copy(update={"price_per_kg": usd_per_kg})
    return cost_at(job, dataclasses.replace(spec, launch=launch), inputs).usd_per_pflop_day


def breakeven_launch_price(job: Job, spec: SiteSpec, inputs: CostInputs) -> BreakEven:
    """Solve orbit $/PFLOP-day (launch price p) = Earth-equivalent $/PFLOP-day for p (USD/kg)."""
    if spec.type != "orbit" or spec.launch is None:
        raise ValueError("a break-even launch price needs an orbit site")
    earth = cost_at(job, spec.as_earth(), inputs).usd_per_pflop_day

    def gap(p: float) -> float:
        return orbit_cost_at_launch_price(job, spec, inputs, p) - earth

    at_zero = gap(0.0) + earth
    root: float | None = None
    if at_zero <= earth and gap(UPPER_USD_PER_KG) > 0:
        root = _root(gap, 0.0, UPPER_USD_PER_KG)
    return BreakEven(
        launch_usd_per_kg=root,
        earth_usd_per_pflop_day=earth,
        orbit_usd_per_pflop_day_at_zero_launch=at_zero,
        orbit_usd_per_pflop_day_at_base=gap(spec.launch.usd_per_kg) + earth,
        base_launch_usd_per_kg=spec.launch.usd_per_kg,
    )
