"""What-if: a site report with some prices and figures set by hand (the web app's sliders).

:func:`apply` takes a :class:`~dojosim.cost.pipeline.SiteReport` and values for
any of the sensitivity parameters (launch $/kg, array $/W and W/kg, electricity
price, lifetime, PUE, spacecraft $/kg, system-price factor; SI units as in the
``sensitivities`` rows of ``dojosim site --json``) and re-costs the same job:
the site, its Earth equivalent and the tornado around the new base. The step
estimate is not repeated, so a slider moves in milliseconds.

Electricity price and PUE set the data centre's figures: on Earth the site's own,
in orbit those of the Earth equivalent beside it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from dojosim.cost.pipeline import (
    APPLIES,
    SiteReport,
    _vary,
    base_value,
    evaluate,
    sensitivities,
)
from dojosim.cost.spec import SENSITIVITY_PARAMETERS, SensitivityRangesEntry, price
from dojosim.errors import SpecError, nearest

#: What each kind of site lets a user set (the Earth reference of an orbit site included).
SETTABLE: dict[str, tuple[str, ...]] = {
    "earth": APPLIES["earth"],
    "orbit": (*APPLIES["orbit"], "electricity_price", "pue"),
}

#: The ranges the sliders span when a scenario names none.
DEFAULT_RANGES = "sensitivity-ranges"


def ranges(name: str | None = None) -> SensitivityRangesEntry:
    """The sensitivity-ranges price entry (default :data:`DEFAULT_RANGES`)."""
    entry: SensitivityRangesEntry = price(name or DEFAULT_RANGES, SensitivityRangesEntry)
    return entry


def _check(report: SiteReport, parameter: str, value: Any) -> float:
    """``value`` as a float the parameter can take; a :class:`SpecError` naming it otherwise."""
    if parameter not in SENSITIVITY_PARAMETERS:
        raise SpecError(
            f"unknown parameter{nearest(parameter, list(SENSITIVITY_PARAMETERS))}; "
            f"expected one of {', '.join(SENSITIVITY_PARAMETERS)}",
            field=parameter,
        )
    site_type = report.section_type
    if parameter not in SETTABLE[site_type]:
        raise SpecError(f"does not apply to an {site_type} site", field=parameter)
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
    """The report re-costed with ``overrides`` (parameter -> SI value); the tornado re-swept.

    ``sweep`` gives the ranges of the tornado (default: :data:`DEFAULT_RANGES`, or none
    when the report has no sensitivities).
    """
    if not overrides:
        return report
    spec, inputs = report.main.spec, report.inputs
    for parameter, value in overrides.items():
        spec, inputs = _vary(spec, inputs, parameter, _check(report, parameter, value))
    tokens = report.main.train.tokens if report.main.train else None
    main = evaluate(report.job, spec, inputs, tokens)
    earth = evaluate(report.job, spec.as_earth(), inputs, tokens) if spec.type == "orbit" else None
    rows = report.sensitivities
    if rows:
        rows = sensitivities(report.job, spec, inputs, sweep or ranges())
    return dataclasses.replace(report, main=main, earth=earth, sensitivities=rows, inputs=inputs)


def sliders(
    report: SiteReport, sweep: SensitivityRangesEntry | None = None
) -> list[dict[str, Any]]:
    """One row per settable parameter: its range (low, high, source) and its value now (base).

    Values in SI units, as :func:`apply` takes them.
    """
    spec, inputs = report.main.spec, report.inputs
    out = []
    for r in (sweep or ranges()).ranges:
        if r.parameter not in SETTABLE[report.section_type]:
            continue
        low, high = r.values()
        out.append(
            {
                "parameter": r.parameter,
                "low": low,
                "high": high,
                "base": base_value(spec, inputs, r.parameter),
                "source": r.source,
            }
        )
    return out
