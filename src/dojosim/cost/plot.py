"""A tornado plot of what decides $/PFLOP-day (matplotlib, Agg backend).

Each bar runs from $/PFLOP-day with one input at its low end to the same at its high
end (all else at base), widest share of the spread on top; the axis labels give each
input's low, base and high in one format and unit; a line marks the base value and,
for an orbit site, another its Earth equivalent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dojosim.errors import SpecError

YEAR_S = 31557600.0
KWH_J = 3.6e6


def number(v: float) -> str:
    """A value in three significant figures with thousands separators, never in e-notation."""
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    if a >= 0.01:
        return f"{v:.3f}"
    return f"{v:.2g}"


# field -> (label, unit, scale from SI to the unit shown)
FIELDS: dict[str, tuple[str, str, float]] = {
    "system_price": ("system price", "USD", 1.0),
    "lifetime": ("lifetime", "years", 1 / YEAR_S),
    "price_per_kg": ("launch price", "USD/kg", 1.0),
    "specific_power": ("array specific power", "W/kg", 1.0),
    "cost_per_watt": ("array price", "USD/W", 1.0),
    "array_cost_per_watt": ("array price", "USD/W", 1.0),
    "specific_energy": ("battery specific energy", "Wh/kg", 1 / 3600.0),
    "areal_density": ("radiator areal density", "kg/m2", 1.0),
    "compute_specific_mass": ("compute mass", "kg/kW", 1e3),
    "structure_fraction": ("structure share of dry mass", "%", 100.0),
    "bus_fraction": ("bus share of dry mass", "%", 100.0),
    "electricity_price": ("electricity", "USD/kWh", KWH_J),
    "pue": ("PUE", "", 1.0),
    "facility_capex_per_watt": ("facility capex", "USD/W", 1.0),
    "facility_opex_fraction_per_year": ("facility upkeep", "%/yr", 100.0),
    "network_per_chip": ("network per chip", "USD", 1.0),
    "storage_per_chip": ("storage per chip", "USD", 1.0),
    "maintenance_fraction_per_year": ("systems maintenance", "%/yr", 100.0),
    "upkeep_fraction_per_year": ("network + storage upkeep", "%/yr", 100.0),
    "staff_usd_per_mw_year": ("staff", "USD/MW-yr", 1.0),
    "spacecraft_cost_per_kg": ("spacecraft", "USD/kg", 1.0),
    "operations_fraction_per_year": ("operations", "%/yr", 100.0),
    "ground_usd_per_satellite_year": ("ground segment", "USD/yr", 1.0),
    "insurance_fraction": ("insurance", "%", 100.0),
    "annual_failure_rate": ("satellite failures", "%/yr", 100.0),
    "deorbit_delta_v": ("deorbit delta-v", "m/s", 1.0),
    "thruster_isp": ("thruster Isp", "s", 1.0),
    "launch_co2_per_kg": ("launch CO2", "kg/kg", 1.0),
    "reentry_co2_per_kg": ("re-entry CO2", "kg/kg", 1.0),
}


#: Slider names (the web app's what-if values) for the fields they set.
ALIASES = {
    "launch_price": "price_per_kg",
    "array_specific_power": "specific_power",
}


def field_label(parameter: str) -> tuple[str, str, float]:
    """(label, unit, factor from SI) of an uncertain input (``slot.field``) or slider name."""
    field = parameter.rsplit(".", 1)[-1]
    field = ALIASES.get(field, field)
    return FIELDS.get(field, (parameter.replace("_", " "), "", 1.0))


def label_parts(row: dict[str, Any]) -> tuple[str, str, Callable[[float], str]]:
    """(label, unit, formatter of SI values in that unit) for a sensitivity row."""
    name, unit, scale = field_label(row["parameter"])
    return name, unit, lambda v: number(v * scale)


def _label(row: dict[str, Any]) -> str:
    name, unit, fmt = label_parts(row)
    return (
        f"{name} ({100 * row.get('share', 0.0):.0f} %)\n"
        f"{fmt(row['low'])} | {fmt(row['base'])} | {fmt(row['high'])} {unit}".rstrip()
    )


def tornado(
    rows: Sequence[dict[str, Any]],
    base: float,
    path: Path,
    title: str,
    earth_reference: float | None = None,
) -> Path:
    """Bars from $/PFLOP-day at each input's low end to its high end, largest share on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.parent and not path.parent.is_dir():
        raise SpecError(f"cannot write the plot: no folder {str(path.parent)!r}", field="--plot")
    shown = list(rows)[:14]
    fig, ax = plt.subplots(figsize=(9, 1.4 + 0.55 * max(1, len(shown))))
    for i, r in enumerate(reversed(shown)):
        lo, hi = r["usd_per_pflop_day_low"], r["usd_per_pflop_day_high"]
        ax.barh(
            i, lo - base, left=base, color="tab:blue", label="input at low end" if i == 0 else None
        )
        ax.barh(
            i,
            hi - base,
            left=base,
            color="tab:orange",
            label="input at high end" if i == 0 else None,
        )
    ax.set_yticks(range(len(shown)), [_label(r) for r in reversed(shown)], fontsize=7)
    ax.axvline(base, color="k", lw=1, label=f"base: {number(base)} USD/PFLOP-day")
    if earth_reference is not None:
        ax.axvline(
            earth_reference,
            color="tab:green",
            lw=1.5,
            ls="--",
            label=f"Earth equivalent: {number(earth_reference)} USD/PFLOP-day",
        )
    ax.set_xlabel(
        "USD per PFLOP-day of achieved model FLOP (labels: low | base | high, share of spread)"
    )
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=120)
    except OSError as exc:
        raise SpecError(f"cannot write the plot: {exc}", field="--plot") from None
    finally:
        plt.close(fig)
    return path
