"""The site catalog: every entry validates and names its source; bad values fail clearly."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.site.quantity import to_unit
from dojosim.site.schema import SITE_TYPES, SiteEntry
from dojosim.spec.loader import parse

NAMES = catalog.names("site")


@pytest.mark.parametrize("name", NAMES)
def test_entry_loads_with_sources(name: str) -> None:
    entry = catalog.get("site", name)
    assert entry.name == name and entry.sources
    assert isinstance(entry, SITE_TYPES[entry.type])


def test_every_type_has_an_entry() -> None:
    present = {catalog.get("site", n).type for n in NAMES}
    assert present == set(SITE_TYPES)


def _array(**over: object) -> dict:
    data = {
        "name": "x",
        "type": "solar-array",
        "source": "test",
        "cell_efficiency": 0.3,
        "packing_factor": 0.9,
        "specific_power": "150 W/kg",
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_array(cell_efficiency=1.2), "cell_efficiency"),
        (_array(cell_efficiency="120 %"), "cell_efficiency"),
        (_array(cost_per_watt="-0.03 USD/W"), "cost_per_watt"),
        (_array(specific_power="150 W"), "specific_power"),
        (_array(type="warp-drive"), None),
        (
            {
                "name": "l",
                "type": "launch",
                "source": "t",
                "vehicle": "v",
                "price_per_kg": "-5 USD/kg",
            },
            "price_per_kg",
        ),
        ({"name": "o", "type": "orbit", "source": "t", "altitude": "650 km"}, None),
    ],
)
def test_bad_values_fail_with_the_field_named(data: dict, field: str | None) -> None:
    with pytest.raises(SpecError) as err:
        parse(SiteEntry, data, file="x.yaml")
    assert "x.yaml" in str(err.value)
    if field:
        assert field in str(err.value)
    assert "\n" not in str(err.value)


def test_quantity_spellings() -> None:
    assert to_unit("750 rad(Si)", "dose") == pytest.approx(7.5)
    assert to_unit("2 krad(Si)", "dose") == pytest.approx(20.0)
    assert to_unit("100 FIT", "rate") == pytest.approx(100 / (1e9 * 3600))
    assert to_unit("1 %/yr", "per_year") == pytest.approx(0.01)
    assert to_unit("0.04 USD/kWh", "usd_per_J") == pytest.approx(0.04 / 3.6e6)
    assert to_unit("20 °C", "temperature") == pytest.approx(293.15)
    with pytest.raises(ValueError, match="wrong units"):
        to_unit("5 kg", "power")
