"""Satellite mass breakdown and launch cost scenarios."""

from __future__ import annotations

import pytest

from dojosim.errors import DojosimError
from dojosim.site.launch import (
    cost_by_launches,
    launch_cost,
    launches_needed,
    satellites_per_launch,
)
from dojosim.site.mass import satellite_mass, shielding_mass
from dojosim.site.schema import LaunchEntry, MassModelEntry, site

MODEL: MassModelEntry = site("mass-model-compute-satellite", MassModelEntry)


def test_breakdown_adds_up_and_fractions_hold() -> None:
    m = satellite_mass(10.2e3, MODEL, arrays_kg=100.0, radiators_kg=200.0, battery_kg=50.0)
    assert m.compute_kg == pytest.approx(130.45, rel=1e-3)  # one DGX H100's worth
    assert m.structure_kg == pytest.approx(MODEL.structure_fraction * m.total_kg)
    assert m.bus_kg == pytest.approx(MODEL.bus_fraction * m.total_kg)
    assert sum(v for k, v in m.to_dict().items() if k != "total_kg") == pytest.approx(m.total_kg)


def test_shielding_grows_as_the_two_thirds_power() -> None:
    assert shielding_mass(8e3, MODEL) / shielding_mass(1e3, MODEL) == pytest.approx(4.0)


def test_launch_scenarios_per_kg() -> None:
    prices = {
        "launch-falcon9-2026": 2938.6,  # $67M / 22.8 t
        "launch-falcon-heavy-2026": 1520.4,  # $97M / 63.8 t
        "launch-starship-nasa-2024": 1000.0,
        "launch-suncatcher-2035": 200.0,
        "launch-starcloud-whitepaper": 50.0,  # $5M / 100 t ("$30/kg" in the paper)
        "launch-starship-musk-2019": 20.0,
    }
    for name, usd_per_kg in prices.items():
        assert site(name, LaunchEntry).usd_per_kg == pytest.approx(usd_per_kg, abs=0.1)


def test_launch_cost_and_counts() -> None:
    starship = site("launch-starcloud-whitepaper", LaunchEntry)
    assert launch_cost(100e3, starship) == pytest.approx(5e6)
    assert launches_needed(100e3, starship) == 1
    assert launches_needed(100.001e3, starship) == 2
    assert cost_by_launches(150e3, starship) == pytest.approx(10e6)
    assert satellites_per_launch(60.0, site("launch-falcon9-2026", LaunchEntry)) == 380
    with pytest.raises(DojosimError, match="no payload"):
        launches_needed(1.0, site("launch-suncatcher-2035", LaunchEntry))
    with pytest.raises(DojosimError):
        launch_cost(-1.0, starship)
