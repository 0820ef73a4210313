"""What-if: the site report re-costed with slider values, without repeating the estimate."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dojosim.cost import whatif
from dojosim.cost.pipeline import site_report
from dojosim.errors import SpecError
from tests.conftest import BASE


@pytest.fixture(scope="module")
def orbit() -> Any:
    s = copy.deepcopy(BASE)
    s.update(system="dgx-h100", site={"type": "orbit"}, cost={"train": {"tokens": 1e11}})
    return site_report(s)


@pytest.fixture(scope="module")
def earth() -> Any:
    s = copy.deepcopy(BASE)
    s.update(system="dgx-h100")
    return site_report(s)


def test_no_overrides_is_the_report(orbit: Any) -> None:
    assert whatif.apply(orbit, {}) is orbit


def test_setting_each_slider_to_its_base_changes_nothing(orbit: Any) -> None:
    base = orbit.to_dict()
    for row in whatif.sliders(orbit):
        again = whatif.apply(orbit, {row["parameter"]: row["base"]}).to_dict()
        assert again["usd_per_pflop_day"] == pytest.approx(base["usd_per_pflop_day"]), row
        assert again["earth_equivalent"]["tco_usd"] == pytest.approx(
            base["earth_equivalent"]["tco_usd"]
        )


def test_dearer_launch_costs_more_and_the_tornado_moves(orbit: Any) -> None:
    base = orbit.to_dict()
    dear = whatif.apply(orbit, {"launch_price": 3000.0}).to_dict()
    assert dear["launch_cost_usd"] > base["launch_cost_usd"]
    assert dear["usd_per_pflop_day"] > base["usd_per_pflop_day"]
    assert dear["cost_to_train_usd"] > base["cost_to_train_usd"]
    assert dear["earth_equivalent"]["tco_usd"] == pytest.approx(base["earth_equivalent"]["tco_usd"])
    row = next(r for r in dear["sensitivities"] if r["parameter"] == "launch.price_per_kg")
    assert row["usd_per_pflop_day_base"] == pytest.approx(dear["usd_per_pflop_day"])


def test_electricity_and_pue_set_the_earth_reference(orbit: Any, earth: Any) -> None:
    base = orbit.to_dict()
    dear = whatif.apply(orbit, {"electricity_price": 0.3 / 3.6e6, "pue": 1.5}).to_dict()
    assert dear["earth_equivalent"]["tco_usd"] > base["earth_equivalent"]["tco_usd"]
    assert dear["tco_usd"] == pytest.approx(base["tco_usd"])
    longer = whatif.apply(earth, {"lifetime": 8 * 31557600.0}).to_dict()
    assert longer["lifetime_years"] == pytest.approx(8.0)


@pytest.mark.parametrize(
    ("values", "field", "says"),
    [
        ({"pue": 0.9}, "pue", "at least 1"),
        ({"launch_price": -5.0}, "launch_price", "greater than 0"),
        ({"launch_price": float("nan")}, "launch_price", "finite"),
        ({"launch_prise": 5.0}, "launch_prise", "did you mean 'launch_price'"),
    ],
)
def test_bad_values_name_the_parameter(
    orbit: Any, values: dict[str, float], field: str, says: str
) -> None:
    with pytest.raises(SpecError) as info:
        whatif.apply(orbit, values)
    assert info.value.field == field and says in str(info.value)


def test_orbit_only_parameters_do_not_apply_on_earth(earth: Any) -> None:
    with pytest.raises(SpecError, match="does not apply to an earth site"):
        whatif.apply(earth, {"launch_price": 100.0})
    assert {r["parameter"] for r in whatif.sliders(earth)} == set(whatif.SETTABLE["earth"])
