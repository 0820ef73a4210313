"""`dojosim orbit` and `dojosim site` commands.

``dojosim orbit --altitude-km 650 --sun-synchronous --ltan 18:00 --year 2026 --json``
prints one JSON document; without ``--json`` a table; ``--plot FILE.png`` the year
at a glance. ``--year`` defaults to :data:`dojosim.site.query.DEFAULT_YEAR` (2026),
never today's date, so output does not change with the calendar.

``dojosim site SCENARIO [--json] [--plot tornado.png]`` runs Scenario → estimate →
site → cost (:func:`dojosim.cost.pipeline.site_report`): power, energy per step,
the satellite in orbit, TCO, $/PFLOP-day, cost to train, the Earth equivalent of
an orbit site and the sensitivities (a tornado plot with ``--plot``).

Bad input raises :class:`~dojosim.errors.DojosimError`, which the main CLI turns
into one line and exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from dojosim.errors import SpecError
from dojosim.site.query import DEFAULT_YEAR

# Parameters of dojosim.site.query.orbit_year_for, each the name of an `orbit` flag.
_ORBIT_FLAGS = ("altitude_km", "sun_synchronous", "ltan", "inclination_deg", "raan_deg", "step_s")


def _in_flag_words(exc: SpecError) -> SpecError:
    """The library's error about a parameter, in the CLI's words (``--altitude-km``)."""
    import re

    def flag(name: str) -> str:
        return "--" + name.replace("_", "-")

    detail = exc.detail
    for name in _ORBIT_FLAGS:
        detail = re.sub(rf"\b{name}\b", flag(name), detail)
    return SpecError(f"{flag(exc.field)} {detail}" if exc.field else detail)


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


def _money(x: float | None) -> str:
    if x is None:
        return "-"
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            return f"${x / scale:,.2f}{suffix}"
    return f"${x:,.2f}"


def _site_table(d: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from dojosim.units import format_si

    earth = d.get("earth_equivalent")
    title = (
        f"{d['scenario']}: {d['chips']:,} x {d['chip']} on {d['system']}, "
        f"{'in orbit' if d['site_type'] == 'orbit' else 'on Earth'} "
        f"({d['lifetime_years']:.3g} years)"
    )
    t = Table(title=title)
    t.add_column("quantity")
    t.add_column("orbit" if earth else "value", justify="right")
    if earth:
        t.add_column("Earth equivalent", justify="right")

    def row(label: str, key: str, fmt: Any) -> None:
        cells = [fmt(d.get(key))]
        if earth:
            cells.append(fmt(earth.get(key)) if key in earth else "-")
        t.add_row(label, *cells)

    def si(unit: str) -> Any:
        return lambda v: "-" if v is None else format_si(v, unit, 4)

    t.add_row("step time", format_si(d["step_time_s"], "s", 4), *([""] if earth else []))
    row("IT power", "it_power_w", si("W"))
    row("power drawn (facility / IT + bus)", "facility_power_w", si("W"))
    row("energy per step", "energy_per_step_j", si("J"))
    if earth:
        t.add_section()
        row("solar array", "solar_array_area_m2", lambda v: f"{v:,.0f} m²")
        row("radiators", "radiator_area_m2", lambda v: f"{v:,.0f} m²")
        row("dry mass", "mass_kg", lambda v: f"{v / 1e3:,.1f} t")
        row("launch", "launch_cost_usd", _money)
        row("compute duty", "compute_duty", lambda v: f"{v:.3f}")
    t.add_section()
    capex = dict(d["capex_usd"])
    for k in sorted(set(capex) | set(earth["capex_usd"] if earth else {})):
        cells = [_money(capex.get(k))]
        if earth:
            cells.append(_money(earth["capex_usd"].get(k)))
        t.add_row(f"  capex: {k}", *cells)
    opex = dict(d["opex_usd"])
    for k in sorted(set(opex) | set(earth["opex_usd"] if earth else {})):
        cells = [_money(opex.get(k))]
        if earth:
            cells.append(_money(earth["opex_usd"].get(k)))
        t.add_row(f"  opex: {k}", *cells)

    def ranged(label: str, key: str, fmt: Any) -> None:
        def cell(doc: dict[str, Any]) -> str:
            rng = doc.get(f"{key}_range")
            text = fmt(doc.get(key))
            return f"{text} (p10-p90 {fmt(rng[0])}-{fmt(rng[1])})" if rng else text

        t.add_row(label, cell(d), *([cell(earth)] if earth else []))

    ranged("TCO", "tco_usd", _money)
    ranged("USD per PFLOP-day", "usd_per_pflop_day", lambda v: f"{v:,.1f}")
    ranged("USD per chip-hour", "usd_per_chip_hour", lambda v: f"{v:,.2f}")
    row("FLOP/s per USD per W", "flops_per_usd_per_w", lambda v: f"{v:,.4g}")
    row("CO2", "co2_kg", lambda v: f"{v / 1e3:,.0f} t")
    if earth:
        row("mass per kW of IT", "mass_per_kw_kg", lambda v: f"{v:,.1f} kg")
    be = d.get("breakeven")
    if be:
        p = be["launch_usd_per_kg"]
        text = (
            f"${p:,.0f}/kg"
            if p is not None
            else f"none (at $0/kg orbit is {be['orbit_usd_per_pflop_day_at_zero_launch']:,.1f})"
        )
        t.add_row("break-even launch price", text, f"{be['earth_usd_per_pflop_day']:,.1f}")
    if d.get("time_to_train_s") is not None:
        t.add_section()
        row("time to train", "time_to_train_s", lambda v: f"{v / 86400:,.2f} days")
        row("cost to train", "cost_to_train_usd", _money)
        row("energy to train", "energy_to_train_j", lambda v: f"{v / 3.6e9:,.1f} MWh")
    for note in d.get("notes", []):
        t.add_row("note", note, *([""] if earth else []))
    width = None if sys.stdout.isatty() else 140
    con = Console(file=sys.stdout, highlight=False, width=width)
    con.print(t)
    if d["sensitivities"]:
        from dojosim.cost.plot import label_parts

        s = Table(
            title="what decides USD per PFLOP-day: each range low -> high, share of the spread"
        )
        for col in ("input", "base", "low", "high", "at low", "at high", "share"):
            s.add_column(col, justify="left" if col == "input" else "right")
        for r in d["sensitivities"]:
            name, unit, fmt = label_parts(r)
            s.add_row(
                f"{name} ({unit})" if unit else name,
                fmt(r["base"]),
                fmt(r["low"]),
                fmt(r["high"]),
                f"{r['usd_per_pflop_day_low']:,.1f}",
                f"{r['usd_per_pflop_day_high']:,.1f}",
                f"{100 * r['share']:.1f} %",
            )
        con.print(s)


def register(app: typer.Typer) -> None:
    """Add the site commands to the main CLI."""

    @app.command("site")
    def site_cmd(
        scenario: str = typer.Argument(
            ..., help="Scenario YAML file (with site: and cost: sections), or a built-in name."
        ),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
        plot: Path | None = typer.Option(
            None, "--plot", help="Write a tornado plot of the sensitivities (PNG)."
        ),
    ) -> None:
        """Where a job runs and what it costs: power, energy, orbit sizing, TCO, $/PFLOP-day."""
        from dojosim.cli.common import scenario_source
        from dojosim.cost.pipeline import site_report

        d = site_report(scenario_source(scenario)).to_dict()
        if plot is not None:
            from dojosim.cost.plot import tornado

            earth = d.get("earth_equivalent")
            written = tornado(
                d["sensitivities"],
                d["usd_per_pflop_day"],
                plot,
                f"{d['scenario']} ({d['site_type']}): USD per PFLOP-day",
                earth_reference=earth["usd_per_pflop_day"] if earth else None,
            )
            sys.stderr.write(f"dojosim: wrote {written}\n")
            d["plot"] = str(written)
        if json_out:
            from dojosim.report.jsonout import print_json

            print_json(d)
        else:
            _site_table(d)

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
            DEFAULT_YEAR, "--year", help="Calendar year (1950-2100); a fixed default, not today's."
        ),
        step_s: float = typer.Option(60.0, "--step-s", help="Sampling step, s."),
        spherical: bool = typer.Option(
            False, "--spherical-earth", help="Sphere of R_eq instead of the WGS-84 ellipsoid."
        ),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
        plot: Path | None = typer.Option(None, "--plot", help="Write the year at a glance (PNG)."),
    ) -> None:
        """A year of sunlight for a circular orbit: sunlit fraction, eclipses, seasons, beta."""
        from dojosim.site.query import orbit_year_for

        try:
            result = orbit_year_for(
                altitude_km,
                sun_synchronous=sun_synchronous,
                ltan=ltan,
                inclination_deg=inclination_deg,
                raan_deg=raan_deg,
                year=year,
                step_s=step_s,
                spherical=spherical,
            )
        except SpecError as exc:
            raise _in_flag_words(exc) from None
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
