"""Circular J2 orbits: sun-synchronous design, LTAN, geometry, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dojosim.errors import SpecError
from dojosim.site import constants as C
from dojosim.site import orbit as O

EPOCH = O.year_epoch(2026)


def test_sentinel_1_inclination_and_period() -> None:
    """ESA Sentinel-1 data sheet: SSO at 693 km, 98.18 deg, 175 orbits in 12 days."""
    assert math.degrees(O.sun_synchronous_inclination(693e3)) == pytest.approx(98.18, abs=0.05)
    orbit = O.sun_synchronous(693e3, "18:00", EPOCH)
    assert orbit.period_s / 60 == pytest.approx(12 * 1440 / 175, abs=0.05)


def test_sun_synchronous_plane_keeps_its_local_time() -> None:
    orbit = O.sun_synchronous(650e3, "18:00", EPOCH)
    t = np.linspace(0, 365 * C.DAY_S, 50)
    sun_ra = O.mean_sun_right_ascension(O.jd_tt(EPOCH) + t / C.DAY_S)
    diff = np.mod(orbit.raan(t) - sun_ra, 2 * math.pi)
    assert np.ptp(diff) < math.radians(0.01)
    assert diff[0] == pytest.approx(math.pi / 2, abs=1e-9)  # 18:00 is 6 h after noon


def test_no_sun_synchronous_orbit_too_high() -> None:
    with pytest.raises(SpecError, match="no sun-synchronous"):
        O.sun_synchronous_inclination(7000e3)


@pytest.mark.parametrize("bad", [-5e3, 0.0, 100e3, 149.9e3, float("nan")])
def test_altitude_below_150_km_is_refused(bad: float) -> None:
    with pytest.raises(SpecError, match="below 150 km"):
        O.inclined(bad, 0.9, EPOCH)


@pytest.mark.parametrize("bad", ["6pm", "25:00", "18", "18:60", "", "18h00", "-1:00"])
def test_unknown_ltan_format(bad: str) -> None:
    with pytest.raises(SpecError, match="unknown LTAN format"):
        O.parse_ltan(bad)


@given(st.integers(0, 23), st.integers(0, 59))
def test_ltan_round_trip(h: int, m: int) -> None:
    text = f"{h:02d}:{m:02d}"
    assert O.format_ltan(O.parse_ltan(text)) == text


def test_year_range() -> None:
    with pytest.raises(SpecError):
        O.year_epoch(1800)
    assert O.year_seconds(2028) == 366 * C.DAY_S


@settings(max_examples=30, deadline=None)
@given(
    st.floats(200e3, 2000e3),
    st.floats(0.0, math.pi),
    st.floats(0.0, 2 * math.pi),
    st.floats(0.0, 1e7),
)
def test_positions_lie_on_the_circle_in_the_plane(
    h: float, inc: float, raan: float, t: float
) -> None:
    orbit = O.inclined(h, inc, EPOCH, raan)
    r = orbit.positions(np.array([t]))[0]
    radial, along, normal = (v[0] for v in orbit.lvlh(np.array([t])))
    assert np.linalg.norm(r) == pytest.approx(orbit.radius_m, rel=1e-12)
    assert abs(r @ normal) < 1e-6 * orbit.radius_m
    frame = np.stack([radial, along, normal])
    assert np.allclose(frame @ frame.T, np.eye(3), atol=1e-12)


def test_j2_rates_match_the_textbook_for_a_polar_orbit() -> None:
    orbit = O.inclined(650e3, math.pi / 2, EPOCH)
    assert orbit.raan_rate == pytest.approx(0.0, abs=1e-18)
    # i = 90 deg: du/dt = n (1 - 3/4 J2 (R/a)^2 - 3/4 J2 (R/a)^2)
    k = 0.75 * C.J2 * (C.R_EARTH_EQ / orbit.radius_m) ** 2
    assert orbit.arg_latitude_rate == pytest.approx(orbit.mean_motion * (1 - 2 * k))
