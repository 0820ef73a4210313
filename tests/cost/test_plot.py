"""The tornado's labels: one number format and unit per input, its base, its share; the plot file."""

from __future__ import annotations

from pathlib import Path

import pytest

from dojosim.cost.plot import _label, label_parts, number, tornado
from dojosim.errors import SpecError


@pytest.mark.parametrize(
    ("value", "text"),
    [(2939.0, "2,939"), (20.0, "20.0"), (200.0, "200"), (1.5, "1.50"), (0.03, "0.030"), (0, "0")],
)
def test_numbers_never_use_e_notation(value: float, text: str) -> None:
    assert number(value) == text


def _row(parameter: str, low: float, base: float, high: float) -> dict[str, object]:
    return {
        "parameter": parameter,
        "low": low,
        "base": base,
        "high": high,
        "share": 0.25,
        "usd_per_pflop_day_low": 90.0,
        "usd_per_pflop_day_high": 120.0,
    }


def test_labels_give_low_base_high_in_the_unit_shown() -> None:
    label = _label(_row("launch.price_per_kg", 20.0, 200.0, 2939.0))
    assert label == "launch price (25 %)\n20.0 | 200 | 2,939 USD/kg"
    assert "e+" not in label
    # SI values are shown in the unit people quote: USD/kWh, years, Wh/kg
    name, unit, fmt = label_parts(_row("datacenter.electricity_price", 0, 0, 0))
    assert (name, unit, fmt(0.0806 / 3.6e6)) == ("electricity", "USD/kWh", "0.081")
    assert label_parts(_row("lifetime", 0, 0, 0))[2](6 * 31557600.0) == "6.00"


def test_tornado_writes_a_png_with_an_earth_line(tmp_path: Path) -> None:
    rows = [_row("launch.price_per_kg", 20.0, 200.0, 1000.0)]
    out = tornado(rows, 100.0, tmp_path / "t.png", "title", earth_reference=50.0)
    assert out.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(SpecError, match="no folder"):
        tornado(rows, 100.0, tmp_path / "missing" / "t.png", "title")
