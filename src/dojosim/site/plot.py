"""The year at a glance: β angle, eclipse minutes per orbit and daily sunlight (PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from dojosim.errors import DojosimError
from dojosim.site import constants as C
from dojosim.site.sunlight import OrbitYear


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the install
        raise DojosimError("--plot needs matplotlib (pip install 'dojosim[site]')") from None
    return plt


def plot_year(year: OrbitYear, path: str | Path) -> Path:
    """Write a three-panel PNG of ``year`` to ``path``; returns the path."""
    plt = _pyplot()
    out = Path(path)
    if not out.parent.exists():
        raise DojosimError(f"cannot write {out}: folder {out.parent} does not exist")
    fig = year_figure(year)
    try:
        fig.savefig(out, dpi=120)
    except OSError as exc:
        raise DojosimError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return out


def year_figure(year: OrbitYear) -> Any:
    """The three panels (β angle, eclipse per orbit, sunlight per day) against the month."""
    plt = _pyplot()
    import matplotlib.dates as mdates

    from dojosim.site.orbit import year_epoch

    e = year.per_orbit
    # Dates, so the shared x-axis reads in months rather than day numbers.
    start = np.datetime64(year_epoch(year.year).replace(tzinfo=None), "s")
    when = start + (e.t_mid_s * 1e3).astype("timedelta64[ms]")
    daily = year.series.daily_sunlit_fraction()
    noon = start + (np.arange(daily.size) * C.DAY_S * 1e3 + C.DAY_S * 5e2).astype("timedelta64[ms]")
    d = year.to_dict()
    orbit = d["orbit"]
    assert isinstance(orbit, dict)
    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True, constrained_layout=True)
    axes[0].plot(when, np.degrees(e.beta_rad), lw=0.8)
    axes[0].set_ylabel("β angle (deg)")
    axes[1].plot(when, e.eclipse_s / 60.0, lw=0.8, color="tab:red")
    axes[1].set_ylabel("eclipse per orbit (min)")
    axes[2].plot(noon, 100.0 * daily, lw=0.8, color="tab:orange")
    axes[2].set_ylabel("sunlight per day (%)")
    axes[2].xaxis.set_major_locator(mdates.MonthLocator())
    axes[2].xaxis.set_major_formatter(mdates.DateFormatter("%b"))
    axes[2].set_xlim(start, start + np.timedelta64(round(daily.size * C.DAY_S), "s"))
    axes[2].set_xlabel(f"month of {year.year}")
    plane = (
        f"SSO LTAN {orbit['ltan']}"
        if orbit["sun_synchronous"]
        else f"i = {orbit['inclination_deg']:.1f}°"
    )
    fig.suptitle(
        f"{orbit['altitude_km']:.0f} km, {plane}: sunlit {100 * year.series.sunlit_fraction:.2f} %, "
        f"max eclipse {e.max_eclipse_s / 60:.1f} min, {year.eclipse_season_days} eclipse days"
    )
    for ax in axes:
        ax.grid(alpha=0.3)
    return fig
