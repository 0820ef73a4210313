"""A tornado plot of the sensitivities of $/PFLOP-day (matplotlib, Agg backend)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dojosim.errors import SpecError

LABELS = {
    "launch_price": ("launch", "USD/kg", 1.0),
    "array_specific_power": ("array specific power", "W/kg", 1.0),
    "array_cost_per_watt": ("array price", "USD/W", 1.0),
    "system_price": ("system price", "x", 1.0),
    "electricity_price": ("electricity", "USD/kWh", 3.6e6),
    "lifetime": ("lifetime", "years", 1 / 31557600.0),
    "pue": ("PUE", "", 1.0),
    "spacecraft_cost_per_kg": ("spacecraft", "USD/kg", 1.0),
}


def _label(row: dict[str, Any]) -> str:
    name, unit, scale = LABELS.get(row["parameter"], (row["parameter"], "", 1.0))
    return f"{name}\n{row['low'] * scale:.3g} .. {row['high'] * scale:.3g} {unit}".strip()


def tornado(rows: Sequence[dict[str, Any]], base: float, path: Path, title: str) -> Path:
    """Bars from $/PFLOP-day at each parameter's low value to its high value, widest on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.parent and not path.parent.is_dir():
        raise SpecError(f"cannot write the plot: no folder {str(path.parent)!r}", field="--plot")
    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.6 * max(1, len(rows))))
    for i, r in enumerate(reversed(list(rows))):
        lo, hi = r["usd_per_pflop_day_low"], r["usd_per_pflop_day_high"]
        ax.barh(i, lo - base, left=base, color="tab:blue", label="low value" if i == 0 else None)
        ax.barh(i, hi - base, left=base, color="tab:orange", label="high value" if i == 0 else None)
    ax.set_yticks(range(len(rows)), [_label(r) for r in reversed(list(rows))], fontsize=8)
    ax.axvline(base, color="k", lw=1)
    ax.set_xlabel("USD per PFLOP-day (achieved model FLOP)")
    ax.set_title(title, fontsize=10)
    if rows:
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=120)
    except OSError as exc:
        raise SpecError(f"cannot write the plot: {exc}", field="--plot") from None
    finally:
        plt.close(fig)
    return path
