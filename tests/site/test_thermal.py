"""Radiators: grey-body emission, Earth view factors, environmental loads and sizing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dojosim.errors import DojosimError
from dojosim.site import constants as C
from dojosim.site.schema import EnvironmentEntry, RadiatorEntry, site
from dojosim.site.thermal import absorbed_flux, earth_view_factor, emitted_flux, size_radiator
from tests.site.conftest import dawn_dusk, iss_like

ENV: EnvironmentEntry = site("space-environment-leo", EnvironmentEntry)
RAD: RadiatorEntry = site("radiator-deployable-heritage", RadiatorEntry)


def test_black_body_at_20_c() -> None:
    """σT⁴ at 293.15 K is 418.8 W/m² per side; Starcloud's 838 W/m² is two black sides."""
    assert float(emitted_flux(293.15, 1.0, 1)) == pytest.approx(418.77, abs=0.05)
    assert float(emitted_flux(293.15, 1.0, 2)) == pytest.approx(838, abs=1)


def _monte_carlo_view_factor(h: float, theta: float, n: int = 200_000) -> float:
    rng = np.random.default_rng(1)
    half = math.asin(C.R_EARTH_EQ / (C.R_EARTH_EQ + h))
    cos_g = 1 - rng.random(n) * (1 - math.cos(half))
    sin_g = np.sqrt(1 - cos_g**2)
    phi = 2 * math.pi * rng.random(n)
    d = np.stack([sin_g * np.cos(phi), sin_g * np.sin(phi), cos_g], axis=-1)
    normal = np.array([math.sin(theta), 0.0, math.cos(theta)])
    solid = 2 * math.pi * (1 - math.cos(half))
    return float(np.clip(d @ normal, 0, None).mean() * solid / math.pi)


@pytest.mark.parametrize("theta_deg", [0, 45, 70, 90, 110, 140, 180])
def test_view_factor_matches_monte_carlo(theta_deg: int) -> None:
    f = float(earth_view_factor(650e3, math.radians(theta_deg)))
    assert f == pytest.approx(_monte_carlo_view_factor(650e3, math.radians(theta_deg)), abs=3e-3)


def test_nadir_view_factor_is_one_over_h_squared() -> None:
    """(R/(R+h))²: 0.848 at 550 km, 0.824 at 650 km, 0.790 at 800 km (research notes §4)."""
    for h, f in ((550e3, 0.848), (650e3, 0.824), (800e3, 0.790)):
        assert float(earth_view_factor(h, 0.0)) == pytest.approx(f, abs=1e-3)


@settings(max_examples=25, deadline=None)
@given(st.floats(1.0, 1e9), st.floats(1.5, 100.0))
def test_radiator_area_scales_linearly_with_heat(q: float, k: float) -> None:
    a = size_radiator(q, RAD, ENV, 120.0)
    b = size_radiator(q * k, RAD, ENV, 120.0)
    assert b.area_m2 == pytest.approx(k * a.area_m2, rel=1e-12)
    assert b.mass_kg == pytest.approx(k * a.mass_kg, rel=1e-12)


def test_edge_on_radiator_in_dawn_dusk_sees_less_than_starcloud_assumed() -> None:
    """Two-sided, edge-on to the Sun at 650 km: Earth IR and albedo on both faces, no Sun.
    Starcloud's white paper takes about 137 W/m²; ours peaks lower because the faces see the
    Earth's limb (F = 0.24 each) and the terminator (little albedo)."""
    year = dawn_dusk()
    q = absorbed_flux(RAD, ENV, year.orbit, year.series)
    ir_only = 2 * RAD.emissivity * ENV.earth_ir * float(earth_view_factor(650e3, math.pi / 2))
    assert q.min() == pytest.approx(ir_only, rel=1e-6)
    assert ir_only < q.max() < 137.0


def test_sun_facing_panel_absorbs_far_more() -> None:
    year = iss_like()
    edge = absorbed_flux(RAD, ENV, year.orbit, year.series)
    sun = absorbed_flux(
        RAD.model_copy(update={"orientation": "sun-facing"}), ENV, year.orbit, year.series
    )
    assert sun.max() > edge.max() + 200


def test_too_cold_a_radiator_cannot_reject_heat() -> None:
    with pytest.raises(DojosimError, match="absorbs more than it emits"):
        size_radiator(1e3, RAD, ENV, 500.0, temperature_K=200.0)
