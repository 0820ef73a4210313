"""`dojosim orbit` (and, later, `dojosim site`) commands.

``dojosim orbit --altitude-km 650 --sun-synchronous --ltan 18:00 --year 2026 --json``
prints one JSON document; without ``--json`` a table; ``--plot FILE.png`` the year
at a glance. Bad input raises :class:`~dojosim.errors.DojosimError`, which the
main CLI turns into one line and exit code 2.
"""

from __future__ import annotations

import math
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from dojosim.errors import SpecError


def _orbit_year(
    altitude_km: float,
    sun_synchronous: bool,
    ltan: str | None,
    inclination_deg: float | None,
    raan_deg: float,
    year: int,
    step_s: float,
    spherical: bool,
) -> Any:
    from dojosim.site import orbit as O
    from dojosim.site.sunlight import orbit_year

    if not math.isfinite(altitude_km) or altitude_km < O.MIN_ALTITUDE_M / 1e3:
        raise SpecError(
            f"--altitude-km {altitude_km:g} is below {O.MIN_ALTITUDE_M / 1e3:g} km "
            "(no circular orbit survives there)"
        )
    if sun_synchronous == (inclination_deg is not None):
        raise SpecError("give either --sun-synchronous (with --ltan) or --inclination-deg")
    if not (math.isfinite(step_s) and 0 < step_s <= 3600):
        raise SpecError(f"--step-s {step_s:g} must lie in (0, 3600] seconds")
    epoch = O.year_epoch(year)
    if sun_synchronous:
        if ltan is None:
            raise SpecError("--sun-synchronous needs --ltan HH:MM (e.g. 18:00 for dawn-dusk)")
        orbit = O.sun_synchronous(altitude_km * 1e3, ltan, epoch)
    else:
        if ltan is not None:
            raise SpecError("--ltan applies only with --sun-synchronous")
        assert inclination_deg is not None
        if not (math.isfinite(inclination_deg) and 0 <= inclination_deg <= 180):
            raise SpecError(f"--inclination-deg {inclination_deg:g} must lie in 0..180")
        orbit = O.inclined(
            altitude_km * 1e3, math.radians(inclination_deg), epoch, math.radians(raan_deg)
        )
    return orbit_year(orbit, year, step_s, oblate=not spherical)


def _table(d: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    orbit = d["orbit"]
    plane = (
        f"sun-synchronous, LTAN {orbit['ltan']}, i = {orbit['inclination_deg']:.2f}°"
        if orbit["sun_synchronous"]
        else f"i = {orbit['inclination_deg']:.2f}°, RAAN {orbit['raan_deg']:.1f}° on 1 Jan"
    )
    t = Table(title=f"{orbit['altitude_km']:g} km, {plane}: sunlight in {d['year']}")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_row("annual sunlit fraction", f"{100 * d['sunlit_fraction']:.3f} %")
    t.add_row("mean eclipse fraction", f"{100 * d['mean_eclipse_fraction']:.3f} %")
    t.add_row("max eclipse fraction (worst orbit)", f"{100 * d['max_eclipse_fraction']:.2f} %")
    t.add_row("max eclipse", f"{d['max_eclipse_minutes']:.2f} min")
    t.add_row("eclipse-season days", str(d["eclipse_season_days"]))
    t.add_row("beta angle range", f"{d['beta_deg']['min']:.1f}° .. {d['beta_deg']['max']:.1f}°")
    t.add_row("nodal period", f"{orbit['period_minutes']:.2f} min ({d['orbits']} orbits)")
    t.add_row(
        "Sun distance",
        f"{d['solar_distance_au']['min']:.4f} .. {d['solar_distance_au']['max']:.4f} AU",
    )
    for s in d["eclipse_seasons"]:
        t.add_row(
            "  eclipse season",
            f"{s['start']} .. {s['end']} ({s['days']} d, max {s['max_eclipse_minutes']:.1f} min)",
        )
    width = None if sys.stdout.isatty() else 120
    Console(file=sys.stdout, highlight=False, width=width).print(t)


def register(app: typer.Typer) -> None:
    """Add the site commands to the main CLI."""

    @app.command("orbit")
    def orbit_cmd(
        altitude_km: float = typer.Option(..., "--altitude-km", help="Circular altitude, km."),
        sun_synchronous: bool = typer.Option(
            False, "--sun-synchronous", help="Sun-synchronous plane (needs --ltan)."
        ),
        ltan: str | None = typer.Option(
            None, "--ltan", help="Local time of the ascending node, HH:MM (18:00 = dawn-dusk)."
        ),
        inclination_deg: float | None = typer.Option(
            None, "--inclination-deg", help="Inclination, deg (instead of --sun-synchronous)."
        ),
        raan_deg: float = typer.Option(
            0.0, "--raan-deg", help="RAAN on 1 January, deg (inclined orbits)."
        ),
        year: int = typer.Option(
            datetime.now(UTC).year, "--year", help="Calendar year (1950-2100)."
        ),
        step_s: float = typer.Option(60.0, "--step-s", help="Sampling step, s."),
        spherical: bool = typer.Option(
            False, "--spherical-earth", help="Sphere of R_eq instead of the WGS-84 ellipsoid."
        ),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
        plot: Path | None = typer.Option(None, "--plot", help="Write the year at a glance (PNG)."),
    ) -> None:
        """A year of sunlight for a circular orbit: sunlit fraction, eclipses, seasons, beta."""
        result = _orbit_year(
            altitude_km, sun_synchronous, ltan, inclination_deg, raan_deg, year, step_s, spherical
        )
        d = result.to_dict()
        if plot is not None:
            from dojosim.site.plot import plot_year

            written = plot_year(result, plot)
            sys.stderr.write(f"dojosim: wrote {written}\n")
            d["plot"] = str(written)
        if json_out:
            from dojosim.report.jsonout import print_json

            print_json(d)
        else:
            _table(d)
