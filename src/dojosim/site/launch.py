"""Launch: cost of putting a mass in orbit under a price scenario, and satellites per launch.

A scenario (``launch`` catalog entry) gives $/kg directly or a price per launch
and a payload to LEO. Cost by mass is ``m × $/kg``; where the vehicle's payload
is known, cost by whole launches is ``ceil(m / payload) × price``. Units: kg, USD.
"""

from __future__ import annotations

import math

from dojosim.errors import DojosimError
from dojosim.site.schema import LaunchEntry


def launch_cost(mass_kg: float, launch: LaunchEntry) -> float:
    """Cost to orbit by mass, USD."""
    if mass_kg < 0:
        raise DojosimError("mass must not be negative")
    return mass_kg * launch.usd_per_kg


def launches_needed(mass_kg: float, launch: LaunchEntry) -> int:
    """Whole launches for ``mass_kg`` (needs the vehicle's payload)."""
    if launch.payload_to_leo is None:
        raise DojosimError(f"launch scenario {launch.name!r} gives no payload per launch")
    return max(1, math.ceil(mass_kg / launch.payload_to_leo - 1e-9)) if mass_kg > 0 else 0


def cost_by_launches(mass_kg: float, launch: LaunchEntry) -> float:
    """Cost paying for whole launches, USD (falls back to $/kg when no price per launch)."""
    if launch.price_per_launch is None:
        return launch_cost(mass_kg, launch)
    return launches_needed(mass_kg, launch) * launch.price_per_launch


def satellites_per_launch(satellite_kg: float, launch: LaunchEntry) -> int:
    """How many satellites of this mass one launch lifts (by mass only; volume not modelled)."""
    if satellite_kg <= 0:
        raise DojosimError("satellite mass must be positive")
    if launch.payload_to_leo is None:
        raise DojosimError(f"launch scenario {launch.name!r} gives no payload per launch")
    return int(launch.payload_to_leo // satellite_kg)
