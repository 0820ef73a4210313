"""Solar arrays and batteries: irradiance, output, sizing, and what each option costs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dojosim.errors import SpecError
from dojosim.site import constants as C
from dojosim.site.power import PowerSizing, annual_energy, array_power, irradiance, size_power
from dojosim.site.schema import BatteryEntry, EnvironmentEntry, SolarArrayEntry, site
from tests.site.conftest import dawn_dusk, iss_like

ENV: EnvironmentEntry = site("space-environment-leo", EnvironmentEntry)
ARRAY: SolarArrayEntry = site("solar-array-iii-v-flexible", SolarArrayEntry)
BATTERY: BatteryEntry = site("battery-li-ion-leo", BatteryEntry)


def test_solar_constant_swings_3_percent() -> None:
    """1361 W/m² at 1 AU: about 1408 W/m² at perihelion and 1317 W/m² at aphelion."""
    assert float(irradiance(ENV, C.AU)) == pytest.approx(1361.0)
    assert float(irradiance(ENV, 0.98329 * C.AU)) == pytest.approx(1407.7, abs=0.5)
    assert float(irradiance(ENV, 1.01671 * C.AU)) == pytest.approx(1316.6, abs=0.5)


def test_array_output_per_m2() -> None:
    """1361 × 0.298 × 0.85 × (1 - 0.002 × 32 K) × 0.85 ≈ 275 W/m² at BOL, 60 °C."""
    p = float(array_power(ARRAY, ENV, 1.0, C.AU))
    assert p == pytest.approx(1361 * 0.298 * 0.85 * (1 - 0.002 * 32) * 0.85, rel=1e-9)
    assert float(array_power(ARRAY, ENV, 1.0, C.AU, years=10)) == pytest.approx(p * 0.99**10)


@settings(max_examples=25, deadline=None)
@given(st.floats(1e3, 1e8), st.floats(1.5, 50.0))
def test_array_and_battery_scale_linearly_with_load(load: float, k: float) -> None:
    a = size_power(load, 5900.0, 1100.0, ARRAY, BATTERY, ENV, years=5)
    b = size_power(load * k, 5900.0, 1100.0, ARRAY, BATTERY, ENV, years=5)
    assert b.array_area_m2 == pytest.approx(k * a.array_area_m2, rel=1e-9)
    assert b.battery_mass_kg == pytest.approx(k * a.battery_mass_kg, rel=1e-9)


def test_throttling_in_eclipse_trades_compute_for_battery() -> None:
    e = dawn_dusk().per_orbit

    def size(mode: str) -> PowerSizing:
        return size_power(
            40e3,
            e.period_s,
            e.max_eclipse_s,
            ARRAY,
            BATTERY,
            ENV,
            years=10.0,
            housekeeping_W=1e3,
            max_sun_distance_m=1.0167 * C.AU,
            mode=mode,  # type: ignore[arg-type]
        )

    bat, thr = size("battery"), size("throttle")
    assert thr.battery_mass_kg == pytest.approx(bat.battery_mass_kg / 41.0, rel=1e-9)
    assert thr.array_area_m2 < bat.array_area_m2
    assert thr.compute_duty == pytest.approx(1 - e.max_eclipse_fraction)


def test_no_eclipse_needs_no_battery() -> None:
    s = size_power(1e4, 5900.0, 0.0, ARRAY, BATTERY, ENV, years=1)
    assert s.battery_mass_kg == 0.0
    assert s.array_required_W == pytest.approx(1e4)


def test_annual_energy_follows_the_sunlit_fraction() -> None:
    for year in (dawn_dusk(), iss_like()):
        e = annual_energy(ARRAY, ENV, 1.0, year.series)
        full = float(np.sum(array_power(ARRAY, ENV, 1.0, year.series.sun_distance_m)))
        assert e / (full * year.series.step_s) == pytest.approx(
            year.series.sunlit_fraction, abs=2e-3
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(load_W=-1.0), "negative"),
        (dict(eclipse_s=6000.0), "shorter"),
        (dict(mode="nap"), "unknown power mode"),
        (dict(years=-1.0), "years"),
    ],
)
def test_bad_power_inputs(kwargs: dict, match: str) -> None:
    args = dict(load_W=1e3, period_s=5900.0, eclipse_s=1000.0, years=1.0)
    args.update(kwargs)
    years = args.pop("years")
    with pytest.raises(SpecError, match=match):
        size_power(
            args.pop("load_W"),
            args.pop("period_s"),
            args.pop("eclipse_s"),
            ARRAY,
            BATTERY,
            ENV,
            years=years,
            **args,  # type: ignore[arg-type]
        )
