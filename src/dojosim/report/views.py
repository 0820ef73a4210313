"""Tables of numbers with their units, for the web pages and the HTML report.

A table is ``{"columns": [...], "rows": [{"label", "unit", "values", "note", "best"}]}``:
``values`` holds one formatted string per column, ``unit`` the unit of every value
in the row, ``best`` the index of the best column where a comparison has one.
Inputs are the JSON documents the CLI prints (``estimate``, ``site``, ``orbit``);
fields a document lacks are skipped, so the tables follow the documents as they grow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dojosim.report.site_figures import number

GIB = 2.0**30

Row = dict[str, Any]


def row(label: str, unit: str, *values: str, note: str = "", best: int | None = None) -> Row:
    return {"label": label, "unit": unit, "values": list(values), "note": note, "best": best}


def percent(x: float) -> str:
    return f"{100 * x:.1f}"


def estimate_rows(doc: dict[str, Any]) -> list[Row]:
    """The headline figures of one estimate, each with its unit."""
    rows = [row("step time", "s", number(doc["step_time_s"]))]
    interval = doc.get("step_time_interval_s")
    if interval:
        rows.append(
            row(
                "step time, likely range",
                "s",
                f"{number(interval[0])} .. {number(interval[1])}",
                note="the interval the estimator gives for this step",
            )
        )
    rows += [
        row("MFU", "%", percent(doc["mfu"]), note="model FLOP/s (Megatron-LM count) / peak"),
        row("HFU", "%", percent(doc["hfu"]), note="MFU plus recomputation"),
    ]
    if doc.get("tokens_per_s"):
        rows.append(row("throughput", "token/s", number(doc["tokens_per_s"])))
    if doc.get("samples_per_s"):
        label = "samples per second" if doc.get("tokens_per_s") else "throughput"
        unit = "sequence/s" if doc.get("tokens_per_s") else "sample/s"
        rows.append(row(label, unit, number(doc["samples_per_s"])))
    rows += [
        row("model TFLOP/s per chip", "TFLOP/s", number(doc["model_tflops_per_chip"])),
        row("hardware TFLOP/s per chip", "TFLOP/s", number(doc["hardware_tflops_per_chip"])),
        row(
            "memory per chip",
            "GiB",
            number(doc["memory_per_chip_bytes"] / GIB),
            note=f"of {number(doc['memory_capacity_bytes'] / GIB)} GiB: "
            + ("fits" if doc.get("fits_in_memory") else "does NOT fit"),
        ),
        row("bottleneck", "", str(doc.get("bottleneck", "-"))),
        row("chips", "chips", f"{doc['chips']:,}", note=f"{doc.get('chip', '')}"),
    ]
    for key, label in (("chips_used", "chips used"), ("idle_chips", "idle chips")):
        if doc.get(key) is not None:
            rows.append(row(label, "chips", f"{int(doc[key]):,}"))
    if doc.get("slices", 1) > 1:
        rows.append(
            row("slices", "slices", f"{int(doc['slices']):,}", note="data-parallel across them")
        )
    rows += [
        row("parameters", "billion", number(doc.get("params", 0.0) / 1e9)),
        row("model FLOP per step", "PFLOP", number(doc.get("model_flops_per_step", 0.0) / 1e15)),
        row("layouts evaluated", "candidates", f"{int(doc.get('candidates_evaluated', 1)):,}"),
    ]
    return rows


def accuracy(doc: dict[str, Any]) -> dict[str, Any]:
    """How far to trust an estimate: the chip's calibration, what it was fitted and checked on."""
    from dojosim import catalog
    from dojosim.errors import DojosimError

    try:
        chip = catalog.get("chip", doc["chip"])
        cal = catalog.get("calibration", chip.calibration)
    except (DojosimError, KeyError):
        return {}
    return {
        "calibration": cal.name,
        "what_if": bool(cal.what_if),
        "description": " ".join(cal.description.split()),
        "fitted_on": list(cal.fitted_on),
        "checked_on": list(cal.checked_on),
    }


def estimate_table(doc: dict[str, Any]) -> dict[str, Any]:
    return {"columns": [doc.get("scenario", "estimate")], "rows": estimate_rows(doc)}


# Metric -> (label, unit, value from the document, higher is better).
COMPARED: tuple[tuple[str, str, Callable[[dict[str, Any]], float | None], bool], ...] = (
    ("step time", "s", lambda d: d.get("step_time_s"), False),
    ("MFU", "%", lambda d: 100 * d["mfu"] if "mfu" in d else None, True),
    ("throughput", "token/s", lambda d: d.get("tokens_per_s") or None, True),
    ("samples per second", "sample/s", lambda d: d.get("samples_per_s") or None, True),
    ("model TFLOP/s per chip", "TFLOP/s", lambda d: d.get("model_tflops_per_chip"), True),
    (
        "memory use",
        "% of capacity",
        lambda d: (
            100 * d["memory_per_chip_bytes"] / d["memory_capacity_bytes"]
            if d.get("memory_capacity_bytes")
            else None
        ),
        False,
    ),
)


def compare_table(docs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Several estimates side by side; ``best`` marks the best column of each compared figure."""
    from dojosim.report.tables import layout_text

    rows = []
    for label, unit, get, higher in COMPARED:
        values = [get(d) for d in docs]
        known = [(v, i) for i, v in enumerate(values) if v is not None]
        if not known:
            continue
        best = (max(known) if higher else min(known))[1] if len(known) > 1 else None
        rows.append(
            row(
                label,
                unit,
                *["-" if v is None else number(v) for v in values],
                note="higher is better" if higher else "lower is better",
                best=best,
            )
        )
    rows += [
        row(
            "memory per chip",
            "GiB",
            *[number(d.get("memory_per_chip_bytes", 0.0) / GIB) for d in docs],
        ),
        row("chips", "chips", *[f"{d['chips']:,} x {d.get('chip', '')}" for d in docs]),
        row("fits in memory", "", *["yes" if d.get("fits_in_memory") else "NO" for d in docs]),
        row("bottleneck", "", *[str(d.get("bottleneck", "-")) for d in docs]),
        row("layout", "", *[layout_text(d.get("layout", {}), short=True) for d in docs]),
    ]
    return {"columns": [str(d.get("scenario", "")) for d in docs], "rows": rows}


# Site figure -> (label, unit, factor from SI).
SITE_ROWS: tuple[tuple[str, str, str, float], ...] = (
    ("it_power_w", "IT power", "MW", 1e-6),
    ("facility_power_w", "power drawn (facility, or IT + bus)", "MW", 1e-6),
    ("energy_per_step_j", "energy per step", "MJ", 1e-6),
    ("solar_array_area_m2", "solar array", "m²", 1.0),
    ("radiator_area_m2", "radiators", "m²", 1.0),
    ("mass_kg", "dry mass", "t", 1e-3),
    ("launch_cost_usd", "launch", "million USD", 1e-6),
    ("sunlit_fraction", "sunlit fraction", "%", 100.0),
    ("max_eclipse_minutes", "longest eclipse", "min", 1.0),
    ("lifetime_years", "lifetime", "years", 1.0),
    ("tco_usd", "total cost of ownership", "million USD", 1e-6),
    ("usd_per_pflop_day", "cost per PFLOP-day", "USD/PFLOP-day", 1.0),
    ("flops_per_usd_per_w", "FLOP/s per USD per W", "FLOP/s/USD/W", 1.0),
    ("time_to_train_s", "time to train", "days", 1 / 86400.0),
    ("cost_to_train_usd", "cost to train", "million USD", 1e-6),
    ("energy_to_train_j", "energy to train", "MWh", 1 / 3.6e9),
    ("co2_kg", "CO2 over the lifetime", "t", 1e-3),
)


def site_table(doc: dict[str, Any]) -> dict[str, Any]:
    """A site's figures with units; an orbit site has its Earth equivalent beside it."""
    docs = [doc]
    columns = ["orbit" if doc.get("site_type") == "orbit" else "Earth"]
    if doc.get("earth_equivalent"):
        docs.append(doc["earth_equivalent"])
        columns.append("Earth equivalent")
    rows = [row("step time", "s", number(doc["step_time_s"]), *([""] if len(docs) > 1 else []))]
    for key, label, unit, scale in SITE_ROWS:
        values = [d.get(key) for d in docs]
        if all(v is None for v in values):
            continue
        cells = ["-" if v is None else number(float(v) * scale) for v in values]
        better = None
        known = [float(v) for v in values if v is not None]
        if len(known) == 2 and key in ("tco_usd", "usd_per_pflop_day"):
            better = 0 if known[0] <= known[1] else 1
        rows.append(row(label, unit, *cells, best=better))
    price = doc.get("price") or {}
    return {
        "columns": columns,
        "rows": rows,
        "sources": list(price.get("sources", [])),
        "notes": list(doc.get("notes", [])),
    }


def orbit_rows(d: dict[str, Any]) -> list[Row]:
    """The ``dojosim orbit --json`` figures with units."""
    orbit = d["orbit"]
    beta = d["beta_deg"]
    rows = [
        row("sunlit fraction (year)", "%", f"{100 * d['sunlit_fraction']:.3f}"),
        row("longest eclipse", "min", f"{d['max_eclipse_minutes']:.2f}"),
        row("eclipse-season days", "days", str(d["eclipse_season_days"])),
        row("β angle range", "deg", f"{beta['min']:.1f} .. {beta['max']:.1f}"),
        row("mean eclipse fraction", "%", f"{100 * d['mean_eclipse_fraction']:.3f}"),
        row("worst orbit's eclipse fraction", "%", f"{100 * d['max_eclipse_fraction']:.2f}"),
        row("inclination", "deg", f"{orbit['inclination_deg']:.2f}"),
        row(
            "nodal period", "min", f"{orbit['period_minutes']:.2f}", note=f"{d['orbits']:,} orbits"
        ),
        row(
            "Sun distance",
            "AU",
            f"{d['solar_distance_au']['min']:.4f} .. {d['solar_distance_au']['max']:.4f}",
        ),
    ]
    for s in d.get("eclipse_seasons", []):
        rows.append(
            row(
                "eclipse season",
                "dates",
                f"{s['start']} .. {s['end']}",
                note=f"{s['days']} days, longest {s['max_eclipse_minutes']:.1f} min",
            )
        )
    return rows


def _catalog_index() -> dict[str, list[str]]:
    """Entry name -> the kinds that have an entry of that name."""
    from dojosim import catalog

    index: dict[str, list[str]] = {}
    for kind in catalog.KINDS:
        for name in catalog.names(kind):
            index.setdefault(name, []).append(kind)
    return index


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "name" for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def sources_used(*mappings: dict[str, Any]) -> list[dict[str, Any]]:
    """Every catalog entry a scenario (or a result) names, directly or through other entries.

    Each is ``{kind, name, description, sources}``; an entry naming another (a chip its
    calibration, an ingest bundle its dataset) brings that one in too.
    """
    from dojosim import catalog

    index = _catalog_index()
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    todo = [s for m in mappings for s in _strings(m)]
    while todo:
        name = todo.pop(0)
        for kind in index.get(name, []):
            if (kind, name) in seen or kind == "run":
                continue
            entry = catalog.raw(kind, name)
            src = entry.get("source") or []
            seen[(kind, name)] = {
                "kind": kind,
                "name": name,
                "description": " ".join(str(entry.get("description", "")).split()),
                "sources": [src] if isinstance(src, str) else [str(s) for s in src],
            }
            todo += _strings(entry)
    return sorted(seen.values(), key=lambda e: (list(catalog.KINDS).index(e["kind"]), e["name"]))
