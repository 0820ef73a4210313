"""Plotly figures of a site and its cost, of an orbit's year and of the validation rows.

Plain JSON-ready dicts, as in :mod:`dojosim.report.figures`. Inputs are the
``dojosim site --json`` document, an :class:`~dojosim.site.sunlight.OrbitYear`
and the ``dojosim validate --json`` rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dojosim.cost.plot import field_label
from dojosim.report.figures import PALETTE, base_layout, stacked


def number(value: float) -> str:
    """Three significant figures, thousands separated, never an exponent below 1e15."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    digits = 2 - math.floor(math.log10(abs(value)))
    rounded = round(value, digits)
    if abs(rounded) >= 1e15:
        return f"{rounded:.3g}"
    if digits <= 0:
        return f"{rounded:,.0f}"
    return f"{rounded:,.{digits}f}"


def parameter_label(parameter: str) -> tuple[str, str, float]:
    """(name, unit, factor from SI) of a sensitivity parameter (as the CLI's tornado labels it)."""
    return field_label(parameter)


def tornado(doc: dict[str, Any]) -> dict[str, Any]:
    """USD per PFLOP-day at each parameter's low and high value, widest swing on top.

    A line marks the base value; an orbit site adds its Earth equivalent's value.
    """
    rows = list(doc.get("sensitivities") or [])
    base = float(doc.get("usd_per_pflop_day") or 0.0)
    labels = []
    for r in rows:
        name, unit, scale = parameter_label(r["parameter"])
        unit_text = f" {unit}" if unit else ""
        labels.append(
            f"{name}: {number(r['low'] * scale)} .. {number(r['high'] * scale)}{unit_text}"
            f" (now {number(r['base'] * scale)})"
        )

    def bars(tag: str, colour: str) -> dict[str, Any]:
        values = [float(r[f"usd_per_pflop_day_{tag}"]) for r in rows]
        return {
            "type": "bar",
            "orientation": "h",
            "name": f"at the {tag} value",
            "y": labels,
            "x": [v - base for v in values],
            "base": base,
            "customdata": values,
            "marker": {"color": colour},
            "hovertemplate": "%{y}<br>%{customdata:,.4g} USD/PFLOP-day<extra></extra>",
        }

    lines = [(base, f"base {number(base)}", "#222")]
    earth = doc.get("earth_equivalent") or {}
    if earth.get("usd_per_pflop_day") is not None:
        e = float(earth["usd_per_pflop_day"])
        lines.append((e, f"Earth equivalent {number(e)}", "#2a7f2a"))
    shapes = [
        {
            "type": "line",
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "x0": x,
            "x1": x,
            "line": {"color": colour, "width": 2, "dash": "solid" if i == 0 else "dot"},
        }
        for i, (x, _, colour) in enumerate(lines)
    ]
    notes = [
        {
            "x": x,
            "yref": "paper",
            "y": 1.0,
            "yanchor": "bottom",
            "text": text,
            "showarrow": False,
            "font": {"color": colour},
        }
        for x, text, colour in lines
    ]
    return {
        "data": [bars("low", PALETTE[0]), bars("high", PALETTE[1])] if rows else [],
        "layout": base_layout(
            f"Sensitivity of USD per PFLOP-day ({doc.get('site_type', 'site')})",
            barmode="overlay",
            xaxis={"title": {"text": "USD per PFLOP-day (achieved model FLOP)"}},
            yaxis={"autorange": "reversed", "automargin": True},
            shapes=shapes,
            annotations=notes,
            height=120 + 40 * max(len(rows), 2),
            legend={"orientation": "h", "y": -0.25},
            margin={"l": 60, "r": 30, "t": 80, "b": 70},
        ),
    }


def cost_split(doc: dict[str, Any]) -> dict[str, Any]:
    """Total cost of ownership by part (million USD): the site, and its Earth equivalent."""
    columns = [("this site" if doc.get("site_type") != "orbit" else "orbit", doc)]
    earth = doc.get("earth_equivalent")
    if earth:
        columns.append(("Earth equivalent", earth))
    parts: list[tuple[str, str]] = []
    for _, d in columns:
        for group in ("capex_usd", "opex_usd"):
            parts += [(group, k) for k in d.get(group, {}) if (group, k) not in parts]

    def value(d: dict[str, Any], part: tuple[str, str]) -> float:
        return float(d.get(part[0], {}).get(part[1], 0.0)) / 1e6

    def name(part: tuple[str, str]) -> str:
        return f"{part[0].split('_')[0]}: {part[1].replace('_', ' ')}"

    series = [(name(part), [value(d, part) for _, d in columns]) for part in parts]
    return stacked(
        "Total cost of ownership by part", [c[0] for c in columns], series, "M USD", "million USD"
    )


def site_figures(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every figure of a site report, by name."""
    return {"cost": cost_split(doc), "tornado": tornado(doc)}


def orbit_year(year: Any, max_points: int = 2000) -> dict[str, Any]:
    """The year at a glance: β angle, eclipse per orbit and sunlight per day, against the month."""
    import numpy as np

    from dojosim.site import constants as C
    from dojosim.site.orbit import year_epoch

    e = year.per_orbit
    start = np.datetime64(year_epoch(year.year).replace(tzinfo=None), "s")
    keep = slice(None, None, max(1, -(-e.t_mid_s.size // max_points)))
    when = start + (e.t_mid_s[keep]).astype("timedelta64[s]")
    daily = year.series.daily_sunlit_fraction()
    noon = start + (np.arange(daily.size) * C.DAY_S + C.DAY_S / 2).astype("timedelta64[s]")

    def series(t: Any, y: Any, axis: str, name: str, colour: str, unit: str) -> dict[str, Any]:
        return {
            "type": "scatter",
            "mode": "lines",
            "name": name,
            "x": [str(v) for v in t],
            "y": [round(float(v), 4) for v in y],
            "xaxis": "x",
            "yaxis": axis,
            "line": {"color": colour, "width": 1.5},
            "hovertemplate": f"%{{x|%d %b}}: %{{y:.3g}} {unit}<extra>{name}</extra>",
        }

    end = start + np.timedelta64(round(daily.size * C.DAY_S), "s")
    return {
        "data": [
            series(when, np.degrees(e.beta_rad[keep]), "y", "β angle", PALETTE[0], "deg"),
            series(when, e.eclipse_s[keep] / 60.0, "y2", "eclipse per orbit", PALETTE[3], "min"),
            series(noon, 100.0 * daily, "y3", "sunlight per day", PALETTE[1], "%"),
        ],
        "layout": base_layout(
            f"{year.year} at a glance",
            height=620,
            showlegend=False,
            xaxis={
                "type": "date",
                "anchor": "y3",
                "tickformat": "%b",
                "dtick": "M1",
                "range": [str(start), str(end)],
                "title": {"text": f"month of {year.year}"},
            },
            yaxis={"domain": [0.7, 1.0], "title": {"text": "β angle (deg)"}},
            yaxis2={"domain": [0.36, 0.64], "title": {"text": "eclipse per orbit (min)"}},
            yaxis3={"domain": [0.0, 0.3], "title": {"text": "sunlight per day (%)"}},
        ),
    }


def validate_parity(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Predicted against measured, both in the row's unit, log-log; one colour per role.

    A point on the diagonal is a perfect prediction. Rows whose values are not
    positive cannot sit on log axes and are left out of the plot (not of the table).
    """
    roles: list[str] = []
    for r in rows:
        if r["role"] not in roles:
            roles.append(r["role"])
    data = []
    values: list[float] = []
    for i, role in enumerate(roles):
        pts = [r for r in rows if r["role"] == role and r["measured"] > 0 and r["predicted"] > 0]
        values += [r["measured"] for r in pts] + [r["predicted"] for r in pts]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": role,
                "x": [r["measured"] for r in pts],
                "y": [r["predicted"] for r in pts],
                "text": [
                    f"{r['run']}<br>{r['metric']} [{r.get('unit') or '-'}]<br>"
                    f"error {r['error']:+.1%} ({r.get('status', '')})"
                    for r in pts
                ],
                "marker": {
                    "color": PALETTE[i % len(PALETTE)],
                    "size": 9,
                    "symbol": ["x" if r.get("status") == "failed" else "circle" for r in pts],
                    "line": {"width": 1, "color": "#333"},
                },
                "hovertemplate": "%{text}<br>measured %{x:.4g}<br>predicted %{y:.4g}<extra></extra>",
            }
        )
    if values:
        lo, hi = min(values) / 2, max(values) * 2
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "predicted = measured",
                "x": [lo, hi],
                "y": [lo, hi],
                "line": {"color": "#888", "dash": "dash", "width": 1},
                "hoverinfo": "skip",
            }
        )
    return {
        "data": data,
        "layout": base_layout(
            "Predicted against measured (each row in its own unit; x = outside its tolerance)",
            xaxis={"type": "log", "title": {"text": "measured (published)"}},
            yaxis={"type": "log", "title": {"text": "predicted (dojosim)"}},
            height=520,
        ),
    }
