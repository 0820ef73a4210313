"""The fast model against the field's libraries: skyfield (JPL DE421 from skyfield-data) and SGP4.

Nothing is downloaded: the ephemeris ships in skyfield-data and the timescale is
skyfield's built-in one.
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any

import numpy as np
import pytest

from dojosim.site import constants as C
from dojosim.site import orbit as O
from dojosim.site import sunlight as S

skyfield_api = pytest.importorskip("skyfield.api")
framelib = pytest.importorskip("skyfield.framelib")
sgp4_api = pytest.importorskip("sgp4.api")

YEAR = 2026


@functools.cache
def _sky() -> tuple[Any, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skyfield-data's expired finals file; unused
        import skyfield_data

        load = skyfield_api.Loader(skyfield_data.get_skyfield_data_path(), verbose=False)
        ts = load.timescale(builtin=True)
        eph = load("de421.bsp")
    return ts, eph


def _times(t_s: np.ndarray) -> Any:
    ts, _ = _sky()
    return ts.utc(YEAR, 1, 1, 0, 0, t_s)


def _xyz(position: Any) -> np.ndarray:
    return position.frame_xyz(framelib.true_equator_and_equinox_of_date).m.T


def _satellite(orbit: O.CircularOrbit) -> Any:
    """An SGP4 satellite from our mean elements (WGS-72 SGP4 constants, no drag)."""
    ts, _ = _sky()
    sat = sgp4_api.Satrec()
    epoch_utc_jd = O.jd_tt(orbit.epoch) - C.TT_MINUS_UTC_S / C.DAY_S
    sat.sgp4init(
        sgp4_api.WGS72,
        "i",
        1,
        epoch_utc_jd - 2433281.5,  # days since 1949-12-31 00:00 UT
        0.0,
        0.0,
        0.0,
        1e-7,
        0.0,
        orbit.inclination_rad,
        orbit.arg_latitude_rad,
        orbit.mean_motion * 60.0,  # rad/min
        orbit.raan_rad,
    )
    return skyfield_api.EarthSatellite.from_satrec(sat, ts)


def test_sun_direction_and_distance_match_de421() -> None:
    """Astronomical Almanac low-precision Sun within 0.02 deg and 2e-4 in distance of DE421."""
    _, eph = _sky()
    t_s = np.linspace(0, 365 * C.DAY_S, 120)
    ref = _xyz((eph["sun"] - eph["earth"]).at(_times(t_s)))
    orbit = O.inclined(500e3, 1.0, O.year_epoch(YEAR))
    unit, dist = S.sun_at(orbit, t_s)
    ref_norm = np.linalg.norm(ref, axis=1)
    angle = np.degrees(np.arccos(np.clip(np.sum(unit * ref / ref_norm[:, None], axis=1), -1, 1)))
    assert angle.max() < 0.02
    assert np.abs(dist / ref_norm - 1).max() < 2e-4


def test_shadow_model_agrees_with_is_sunlit_on_identical_positions() -> None:
    """Same SGP4 positions and DE421 Sun: our ν > 1/2 equals skyfield's is_sunlit everywhere
    outside the penumbra (skyfield tests the Sun's centre against a sphere of R_eq)."""
    _, eph = _sky()
    orbit = O.inclined(420e3, math.radians(51.6), O.year_epoch(YEAR))
    sat = _satellite(orbit)
    t_s = np.arange(0, 3 * C.DAY_S, 20.0)
    pos = sat.at(_times(t_s))
    lit = pos.is_sunlit(eph)
    sun = _xyz((eph["sun"] - eph["earth"]).at(_times(t_s)))
    nu = S.illumination(_xyz(pos), sun, oblate=False)
    full = (nu == 0) | (nu == 1)
    assert full.sum() > 0.99 * t_s.size
    assert np.array_equal(nu[full] > 0.5, lit[full])
    assert np.mean((nu > 0.5) == lit) > 0.999


@pytest.mark.parametrize(
    ("name", "orbit"),
    [
        ("dawn-dusk 650", O.sun_synchronous(650e3, "18:00", O.year_epoch(YEAR))),
        ("ISS-like", O.inclined(420e3, math.radians(51.6), O.year_epoch(YEAR))),
    ],
)
def test_propagator_and_annual_sunlight_against_sgp4_and_skyfield(
    name: str, orbit: O.CircularOrbit
) -> None:
    """Our J2 circular orbit against SGP4 for a year (30-min samples): the planes stay within
    1 deg (SGP4 adds J4 to the node drift), the radius within SGP4's ±8 km short-period J2
    terms, and the annual sunlit fraction within 0.3 percentage points of skyfield's."""
    _, eph = _sky()
    t_s = np.arange(0, 365 * C.DAY_S, 1800.0)
    pos = _satellite(orbit).at(_times(t_s))
    r = _xyz(pos)
    v = pos.frame_xyz_and_velocity(framelib.true_equator_and_equinox_of_date)[1].m_per_s.T
    h = np.cross(r, v)
    h /= np.linalg.norm(h, axis=1)[:, None]
    _, _, n = orbit.plane(t_s)
    tilt = np.degrees(np.arccos(np.clip(np.sum(h * n, axis=1), -1, 1)))
    assert tilt.max() < 1.0, name
    dr = np.linalg.norm(r, axis=1) - orbit.radius_m
    assert np.abs(dr).max() < 12e3 and abs(dr.mean()) < 2e3, name
    theirs = pos.is_sunlit(eph).mean()
    ours = S.sunlight(orbit, 365 * C.DAY_S, 1800.0, oblate=False).sunlit_fraction
    assert ours == pytest.approx(theirs, abs=3e-3), name
