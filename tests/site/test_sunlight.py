"""Sun, umbra and penumbra, per-orbit eclipses, and a year of sunlight against published figures."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dojosim.site import constants as C
from dojosim.site import orbit as O
from dojosim.site import sunlight as S
from tests.site.conftest import YEAR, dawn_dusk, iss_like, sentinel_1


def test_sun_distance_spans_perihelion_to_aphelion() -> None:
    """Earth's orbit: 0.98329 AU in early January, 1.01671 AU in early July (e = 0.0167)."""
    d = dawn_dusk().series.sun_distance_m / C.AU
    assert d.min() == pytest.approx(0.98329, abs=2e-4)
    assert d.max() == pytest.approx(1.01671, abs=2e-4)
    day_min = int(np.argmin(d) * 60 // C.DAY_S)
    day_max = int(np.argmax(d) * 60 // C.DAY_S)
    assert 0 <= day_min <= 6 and 180 <= day_max <= 188


def test_visible_fraction_limits_and_monotone() -> None:
    a, b = 0.00465, 1.1
    c = np.linspace(b - a - 0.01, b + a + 0.01, 401)
    nu = S.visible_fraction(a, b, c)
    assert nu[0] == 0.0 and nu[-1] == 1.0
    assert np.all(np.diff(nu) >= -1e-12)
    # half the disc hidden where its centre meets the limb (straight-edge limit)
    assert S.visible_fraction(a, b, b) == pytest.approx(0.5, abs=0.01)


@settings(max_examples=40, deadline=None)
@given(st.floats(200e3, 2000e3), st.floats(-1.2, 1.2))
def test_closed_form_matches_the_textbook_cylinder(h: float, beta: float) -> None:
    """The quadratic-form eclipse arc equals Vallado's cos φ = √(1-(R/a)²)/cos β for a sphere."""
    s = np.array([math.cos(beta), 0.0, math.sin(beta)])  # Sun at elevation beta above plane xy
    p, q = np.array([1.0, 0, 0]), np.array([0, 1.0, 0])
    f = S.eclipse_fraction_per_orbit(p, q, s, C.R_EARTH_EQ + h, oblate=False)
    assert float(f) == pytest.approx(float(S.eclipse_fraction_beta(h, beta)), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.floats(160e3, 3000e3), st.floats(1e3, 500e3), st.floats(0.0, 1.4))
def test_eclipse_never_grows_with_altitude_at_fixed_beta(h: float, dh: float, beta: float) -> None:
    lo = float(S.eclipse_fraction_beta(h, beta))
    hi = float(S.eclipse_fraction_beta(h + dh, beta))
    assert hi <= lo + 1e-12


def test_sunlit_fraction_never_falls_with_altitude_for_a_fixed_polar_plane() -> None:
    """i = 90 deg: J2 leaves the plane fixed, so only altitude changes between the runs."""
    values = []
    for h in (300e3, 500e3, 800e3, 1200e3):
        orbit = O.inclined(h, math.pi / 2, O.year_epoch(YEAR), raan_rad=1.0)
        values.append(S.sunlight(orbit, 365 * C.DAY_S, 600.0).sunlit_fraction)
    assert values == sorted(values)


@pytest.mark.parametrize("oblate", [True, False])
def test_per_orbit_closed_form_matches_dense_sampling(oblate: bool) -> None:
    """The closed form is the penumbra-weighted eclipse: ∫(1-ν)dt / T from 2 s samples."""
    for orbit in (
        O.inclined(420e3, math.radians(51.6), O.year_epoch(YEAR)),
        O.sun_synchronous(650e3, "18:00", O.year_epoch(YEAR)),
    ):
        start = 170 * C.DAY_S  # in the dawn-dusk eclipse season
        periods = 3
        t = start + np.arange(0, periods * orbit.period_s, 2.0)
        unit, dist = S.sun_at(orbit, t)
        nu = S.illumination(orbit.positions(t), unit * dist[:, None], oblate=oblate)
        sampled = 1 - nu.mean()
        mid = start + (np.arange(periods) + 0.5) * orbit.period_s
        p, q, _ = orbit.plane(mid)
        sun, _ = S.sun_at(orbit, mid)
        closed = S.eclipse_fraction_per_orbit(p, q, sun, orbit.radius_m, oblate=oblate).mean()
        assert closed == pytest.approx(sampled, abs=1.5e-3)


def test_annual_sunlit_fraction_agrees_with_per_orbit_eclipses() -> None:
    for year in (dawn_dusk(), iss_like()):
        assert year.series.sunlit_fraction == pytest.approx(
            1 - year.per_orbit.mean_eclipse_fraction, abs=2e-3
        )


def test_sentinel_1_max_eclipse_19_minutes() -> None:
    """ESA Sentinel-1 data sheet: 693 km, LTAN 18:00, max eclipse duration 19 minutes."""
    assert sentinel_1().per_orbit.max_eclipse_s / 60 == pytest.approx(19.0, abs=1.0)


def _season_centre(year: S.OrbitYear) -> date:
    (season,) = year.seasons
    centre = (season.start_day + season.end_day) // 2
    return date.fromordinal(date(YEAR, 1, 1).toordinal() + centre % 365)


def test_dawn_dusk_650_has_one_short_season_at_a_solstice() -> None:
    """A dawn-dusk plane is shadowed only when the Sun's declination tilts the terminator
    enough: LTAN 18:00 around the June solstice (southern winter), 06:00 around December."""
    dusk, dawn = dawn_dusk("18:00"), dawn_dusk("06:00")
    for year, solstice in ((dusk, date(YEAR, 6, 21)), (dawn, date(YEAR, 12, 21))):
        assert abs((_season_centre(year) - solstice).days) <= 5
        assert 70 <= year.eclipse_season_days <= 100
        assert year.series.sunlit_fraction > 0.95
        assert year.per_orbit.max_eclipse_s / 60 == pytest.approx(19.4, abs=0.5)
    # the December season is shorter: the Sun moves faster near perihelion
    assert dawn.eclipse_season_days < dusk.eclipse_season_days


def test_iss_like_orbit() -> None:
    """ISS-like 420 km / 51.6 deg: about 36 min of shadow at beta = 0 (38-39 % of 92.9 min),
    35-38 % typical, and a few days of continuous sunlight per high-beta period."""
    year = iss_like()
    assert 0.37 <= year.per_orbit.max_eclipse_fraction <= 0.395
    assert 0.30 <= year.per_orbit.mean_eclipse_fraction <= 0.37
    assert 0.63 <= year.series.sunlit_fraction <= 0.70
    full_sun_days = 365 - year.eclipse_season_days
    assert 1 <= full_sun_days <= 20
    beta = np.degrees(year.per_orbit.beta_rad)
    assert beta.max() <= 51.6 + 23.44 + 0.1


def test_to_dict_fields() -> None:
    d: dict = dawn_dusk().to_dict()
    for key in ("sunlit_fraction", "max_eclipse_fraction", "max_eclipse_minutes"):
        assert isinstance(d[key], float)
    assert isinstance(d["eclipse_season_days"], int)
    assert d["eclipse_seasons"][0]["start"].startswith(f"{YEAR}-05")


def test_oblate_earth_shortens_polar_shadow_crossings() -> None:
    orbit = dawn_dusk().orbit
    sph = S.orbit_year(orbit, YEAR, 600.0, oblate=False)
    assert dawn_dusk().per_orbit.max_eclipse_s < sph.per_orbit.max_eclipse_s
