"""Which way is better for an output: lower (times, costs, energy, mass) or higher (MFU, rates).

Used to mark the best value of a comparison row and to orient Pareto fronts.
Names without an obvious direction (chips, params, layout knobs) have none.
"""

from __future__ import annotations

from typing import Literal

Better = Literal["lower", "higher"]

_HIGHER = {
    "mfu",
    "hfu",
    "fits_in_memory",
    "compute_duty",
    "sunlit_fraction",
    "delivered_flop",
    "flops_per_usd_per_w",
    "model_tflops_per_chip",
    "hardware_tflops_per_chip",
    "radiator_net_w_m2",
}
_LOWER = {"step_time_s", "memory_per_chip_bytes", "pue", "max_eclipse_minutes", "launches"}
_LOWER_PREFIXES = (
    "breakdown.",
    "limits.",
    "network.",
    "capex_usd.",
    "opex_usd.",
    "mass_breakdown_kg.",
)
_LOWER_SUFFIXES = (
    "_s",
    "_usd",
    "_j",
    "_kg",
    "_w",
    "_m2",
    "_ratio",
    "usd_per_pflop_day",
    "_usd_per_kg",
)


def better(name: str) -> Better | None:
    """``"lower"``, ``"higher"`` or None for an output name (``earth.`` names as their base)."""
    key = name.removeprefix("earth.").removeprefix("orbit_vs_earth.")
    if key in _HIGHER or key.endswith("_per_s") or key.startswith("flops_per_"):
        return "higher"
    if key in _LOWER or key.startswith(_LOWER_PREFIXES) or key.endswith(_LOWER_SUFFIXES):
        return "lower"
    return None
