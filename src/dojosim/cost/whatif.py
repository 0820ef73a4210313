"""What-if: a site report with some prices and figures set by hand (the web app's sliders).

:func:`apply` takes a :class:`~dojosim.cost.pipeline.SiteReport` and values for
the sliders (launch $/kg, array $/W and W/kg, spacecraft $/kg, electricity price,
PUE, lifetime, system price; SI units as in the ``sensitivities`` rows of
``dojosim site --json``) and re-costs the same job: the site, its Earth
equivalent and the tornado around the new base. The step estimate and the Monte
Carlo are not repeated, so a slider moves in milliseconds (the report's ranges are
dropped: they belong to the catalog's values).

Each slider sets one of the uncertain inputs of :mod:`dojosim.cost.uncertainty`;
electricity price and PUE set the data centre: on Earth the site's own, in orbit
that of the Earth equivalent beside it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from dojosim.cost.pipeline import SiteReport, evaluate
from dojosim.cost.spec import SensitivityRangesEntry, price
from dojosim.cost.uncertainty import Input, inputs_of, tornado
from dojosim.errors import SpecError, nearest

#: Slider -> the uncertain inputs it may set (the first the site has is used).
SLIDERS: dict[str, tuple[str, ...]] = {
    "launch_price": ("launch.price_per_kg",),
    "array_cost_per_watt": ("solar_array.cost_per_watt", "orbit_cost.array_cost_per_watt"),
    "array_specific_power": ("solar_array.specific_power",),
    "spacecraft_cost_per_kg": ("orbit_cost.spacecraft_cost_per_kg",),
    "electricity_price": ("datacenter.electricity_price",),
    "pue": ("datacenter.pue",),
    "lifetime": ("lifetime",),
    "system_price": ("system_price",),
}

#: What each kind of site lets a user set (the Earth reference of an orbit site included).
SETTABLE: dict[str, tuple[str, ...]] = {
    "earth": ("electricity_price", "pue", "lifetime", "system_price"),
    "orbit": tuple(SLIDERS),
}

#: The ranges the lifetime slider spans when a scenario names none.
DEFAULT_RANGES = "sensitivity-ranges"


def ranges(name: str | None = None) -> SensitivityRangesEntry:
    """The sensitivity-ranges price entry (default :data:`DEFAULT_RANGES`)."""
    entry: SensitivityRangesEntry = price(name or DEFAULT_RANGES, SensitivityRangesEntry)
    return entry


def _inputs(report: SiteReport, sweep: SensitivityRangesEntry | None) -> dict[str, Input]:
    """Every uncertain input a slider may set, by name (an orbit site's data centre included)."""
    spec, inputs = report.main.spec, report.inputs
    choices = list((sweep or ranges()).choices)
    found = {i.name: i for i in inputs_of(spec, inputs, choices)}
    if spec.type == "orbit":
        for i in inputs_of(spec.as_earth(), inputs, choices):
            found.setdefault(i.name, i)
    return found


def _slider(report: SiteReport, parameter: str, found: dict[str, Input]) -> Input:
    if parameter not in SLIDERS:
        raise SpecError(
            f"unknown parameter{nearest(parameter, list(SLIDERS))}; "
            f"expected one of {', '.join(SLIDERS)}",
            field=parameter,
        )
    site_type = report.section_type
    names = [n for n in SLIDERS[parameter] if n in found]
    if parameter not in SETTABLE[site_type] or not names:
        raise SpecError(f"does not apply to an {site_type} site", field=parameter)
    return found[names[0]]


def _check(parameter: str, value: Any) -> float:
    """``value`` as a float the parameter can take; a :class:`SpecError` naming it otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SpecError(f"expected a finite number, got {value!r}", field=parameter)
    if value <= 0:
        raise SpecError(f"must be greater than 0 (got {value:g})", field=parameter)
    if parameter == "pue" and value < 1:
        raise SpecError(f"a PUE is at least 1 (got {value:g})", field=parameter)
    return float(value)


def apply(
    report: SiteReport,
    overrides: Mapping[str, Any],
    sweep: SensitivityRangesEntry | None = None,
) -> SiteReport:
    """The report re-costed with ``overrides`` (slider -> SI value); the tornado re-swept.

    ``sweep`` gives the lifetime's range (default: :data:`DEFAULT_RANGES`).
    """
    if not overrides:
        return report
    found = _inputs(report, sweep)
    spec, inputs = report.main.spec, report.inputs
    for parameter, value in overrides.items():
        slider = _slider(report, parameter, found)
        spec, inputs = slider.at(spec, inputs, _check(parameter, value))
    tokens = report.main.train.tokens if report.main.train else None
    main = evaluate(report.job, spec, inputs, tokens)
    earth = evaluate(report.job, spec.as_earth(), inputs, tokens) if spec.type == "orbit" else None
    rows = report.sensitivities
    if rows:
        choices = list((sweep or ranges()).choices)
        rows = tornado(report.job, spec, inputs, inputs_of(spec, inputs, choices))
    notes = (*report.notes, "what-if values set by hand: the catalog's ranges are not resampled")
    return dataclasses.replace(
        report,
        main=main,
        earth=earth,
        sensitivities=rows,
        inputs=inputs,
        spread=None,
        earth_spread=None,
        notes=notes,
    )


def _now(report: SiteReport, slider: Input) -> float:
    """The value an input has in the report now (SI)."""
    spec, inputs = report.main.spec, report.inputs
    if slider.name == "system_price":
        return float(inputs.unit_price_usd)
    if slider.name == "lifetime":
        return float(inputs.lifetime_s)
    slot, field = slider.name.split(".", 1)
    entry = getattr(spec, slot, None) or getattr(inputs, slot)
    return float(getattr(entry, field))


def sliders(
    report: SiteReport, sweep: SensitivityRangesEntry | None = None
) -> list[dict[str, Any]]:
    """One row per settable slider: its range (low, high, sources), its value now (base).

    Values in SI units, as :func:`apply` takes them.
    """
    found = _inputs(report, sweep)
    out = []
    for parameter in SETTABLE[report.section_type]:
        names = [n for n in SLIDERS[parameter] if n in found]
        if not names:
            continue
        slider = found[names[0]]
        span = slider.span
        out.append(
            {
                "parameter": parameter,
                "input": slider.name,
                "low": span.low,
                "high": span.high,
                "base": _now(report, slider),
                "source": "; ".join(f"{k}: {v}" for k, v in span.sources.items()),
            }
        )
    return out


__all__ = ["DEFAULT_RANGES", "SETTABLE", "SLIDERS", "apply", "ranges", "sliders"]
