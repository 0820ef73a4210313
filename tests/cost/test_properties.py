"""Properties of the cost model (hypothesis): monotone in the prices and in the lifetime."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dojosim.cost.pipeline import cost_inputs, evaluate
from dojosim.cost.uncertainty import inputs_of
from tests.cost.conftest import JOB, spec

YEAR = 365.25 * 86400
FAST = settings(max_examples=25, deadline=None)


def _usd(kind: str, parameter: str, value: float) -> tuple[float, float]:
    s = spec(kind)
    inputs = cost_inputs(None, s, "dgx-h100")
    if parameter == "lifetime":
        s2, i2 = s, dataclasses.replace(inputs, lifetime_s=value)
    else:
        (inp,) = [i for i in inputs_of(s, inputs) if i.name == parameter]
        s2, i2 = inp.at(s, inputs, value)
    c = evaluate(JOB, s2, i2, None).cost
    return c.tco_usd, c.usd_per_pflop_day


@FAST
@given(st.floats(0, 5000), st.floats(0, 5000))
def test_dearer_launch_never_lowers_orbit_tco(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert (
        _usd("orbit", "launch.price_per_kg", lo)[0]
        <= _usd("orbit", "launch.price_per_kg", hi)[0] + 1e-6
    )


@FAST
@given(st.floats(50, 2000), st.floats(50, 2000))
def test_lighter_arrays_never_raise_orbit_tco(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert (
        _usd("orbit", "solar_array.specific_power", hi)[0]
        <= _usd("orbit", "solar_array.specific_power", lo)[0] + 1e-6
    )


@FAST
@given(st.floats(1, 15), st.floats(1, 15), st.sampled_from(["earth", "orbit"]))
def test_longer_life_never_raises_usd_per_pflop_day(a: float, b: float, kind: str) -> None:
    lo, hi = sorted((a, b))
    assert _usd(kind, "lifetime", hi * YEAR)[1] <= _usd(kind, "lifetime", lo * YEAR)[1] * (1 + 1e-9)


@FAST
@given(st.floats(0, 1.0), st.floats(0, 1.0))
def test_dearer_electricity_never_lowers_earth_tco(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert (
        _usd("earth", "datacenter.electricity_price", lo / 3.6e6)[0]
        <= _usd("earth", "datacenter.electricity_price", hi / 3.6e6)[0] + 1e-6
    )


@FAST
@given(st.floats(0.1, 3.0))
def test_system_price_scales_systems_capex(f: float) -> None:
    s = spec("earth")
    inputs = cost_inputs(None, s, "dgx-h100")
    c = evaluate(
        JOB, s, dataclasses.replace(inputs, unit_price_usd=inputs.unit_price_usd * f), None
    )
    assert c.cost.capex_usd["systems"] == pytest.approx(128 * 270_000 * f)
