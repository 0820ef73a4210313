"""Ranged catalog values: parsed per end with the field's unit, checked, sampled reproducibly."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from dojosim import catalog
from dojosim.cost.spec import OrbitCostEntry, PriceEntry
from dojosim.site.ranged import Span

BASE: dict[str, Any] = {
    "name": "x",
    "type": "orbit-cost",
    "source": "s",
    "spacecraft_cost_per_kg": "1000 USD/kg",
}


def _orbit_cost(array: Any) -> OrbitCostEntry:
    return PriceEntry.model_validate({**BASE, "array_cost_per_watt": array})  # type: ignore[return-value]


def _end(v: str, how: str = "source") -> dict[str, str]:
    return {"value": v, how: "a published figure"}


def test_a_range_keeps_its_base_in_the_field_and_its_ends_in_ranges() -> None:
    e = _orbit_cost(
        {"low": _end("1 USD/W"), "base": _end("2 USD/W"), "high": _end("9 USD/W", "unknown")}
    )
    assert e.array_cost_per_watt == 2.0
    span = e.span("array_cost_per_watt")
    assert span is not None and (span.low, span.base, span.high) == (1.0, 2.0, 9.0)
    assert span.unknown == ("high",) and span.sources["low"].startswith("source:")


@pytest.mark.parametrize(
    ("array", "message"),
    [
        ({"low": _end("5 USD/W"), "base": _end("2 USD/W"), "high": _end("3 USD/W")}, "above high"),
        ({"low": _end("1 USD/W"), "base": _end("4 USD/W"), "high": _end("3 USD/W")}, "outside"),
        ({"low": _end("-1 USD/W"), "base": _end("2 USD/W"), "high": _end("3 USD/W")}, "low"),
        (
            {"low": _end("5 USD/kg"), "base": _end("2 USD/W"), "high": _end("3 USD/W")},
            "wrong units",
        ),
        ({"low": "1 USD/W", "base": _end("2 USD/W"), "high": _end("3 USD/W")}, "needs a source"),
        ({"base": _end("2 USD/W"), "high": _end("3 USD/W")}, "missing low"),
    ],
)
def test_bad_ranges_name_the_field_and_end(array: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as exc:
        _orbit_cost(array)
    assert "array_cost_per_watt" in str(exc.value)


def test_every_catalog_price_and_mass_per_unit_is_a_sourced_range() -> None:
    fields = {
        "price": ["price", "network_per_chip", "storage_per_chip", "spacecraft_cost_per_kg"],
        "site": ["specific_power", "specific_energy", "areal_density", "compute_specific_mass"],
    }
    # A study's own stated assumptions stay points: they are reproduced as the study states them.
    as_stated = {"solar-array-starcloud-silicon"}
    seen = 0
    for kind, names in fields.items():
        for name in catalog.names(kind):
            e = catalog.get(kind, name)
            if name in as_stated:
                continue
            for f in names:
                if getattr(e, f, None) is None or e.type in ("energy-comparison",):
                    continue
                span = e.span(f)
                assert span is not None, f"{name}.{f} is not a range"
                assert set(span.sources) == {"low", "base", "high"}, f"{name}.{f}"
                seen += 1
    assert seen >= 15


def test_triangular_samples_are_seeded_and_bounded() -> None:
    span = Span(low=1.0, base=2.0, high=5.0)
    a = span.sample(np.random.default_rng(7), 1000)
    b = span.sample(np.random.default_rng(7), 1000)
    assert (a == b).all() and a.min() >= 1.0 and a.max() <= 5.0
    assert a.mean() == pytest.approx((1 + 2 + 5) / 3, rel=0.05)
    assert span.variance() == pytest.approx((1 + 4 + 25 - 2 - 5 - 10) / 18)
