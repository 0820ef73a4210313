"""Sun position, Earth's umbra and penumbra, and a year of sunlight for an orbit.

* **Sun**: the Astronomical Almanac's low-precision solar coordinates (equator and
  equinox of date; 0.01° from 1950 to 2050; checked against JPL DE421 through
  skyfield in ``tests/site/test_against_skyfield.py``). The Sun–Earth distance
  gives the annual ±3.3 % swing of the solar constant.
* **Shadow**: the conical model of Montenbruck & Gill, *Satellite Orbits* (2000),
  §3.4.2: with the apparent radii of Sun ``a`` and Earth ``b`` and their apparent
  separation ``c``, the visible fraction of the solar disc ``ν`` is 1 (sunlit),
  0 (umbra, ``c <= b - a``) or ``1 - A/(π a²)`` with ``A`` the overlap of the two
  discs (penumbra). Earth is the WGS-84 ellipsoid: scaling z by R_eq/R_polar
  maps it onto a sphere and keeps straight lines straight, so the line-of-sight
  test stays exact (``oblate=False`` gives skyfield's sphere of R_eq).
* **Per orbit**: with the Sun frozen over one revolution (it moves 0.07°), the
  arc of the circle inside the shadow cylinder follows in closed form. For a
  spherical Earth it is the textbook ``cos φ = √(1 - (R/a)²) / cos β``,
  ``f = φ/π`` (Vallado §5.3); here the quadratic form ``|r|² - (r·ŝ)² = R²``
  over ``(cos u, sin u)`` also covers the ellipsoid. This ``f`` is the
  penumbra-weighted ("equivalent full shadow") fraction, ``∫(1-ν)dt / T``,
  because ν passes 1/2 where the Sun's centre meets the limb.

Times ``t`` are seconds after the orbit's epoch; distances m; angles rad.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dojosim.errors import SpecError
from dojosim.site import constants as C
from dojosim.site.orbit import CircularOrbit, jd_tt, year_epoch, year_seconds

F64 = NDArray[np.float64]


A = TypeVar("A", bound=np.ndarray)


def _frozen(a: A) -> A:
    """Mark an array read-only (results are immutable) and return it."""
    a.setflags(write=False)
    return a


def sun_position(jd: ArrayLike) -> tuple[F64, F64]:
    """Unit vector to the Sun (..., 3) and its distance (...), m, at TT Julian date(s)."""
    n = np.asarray(jd, dtype=float) - C.JD_J2000
    l0, l1 = C.SUN_MEAN_LONGITUDE_DEG
    g0, g1 = C.SUN_MEAN_ANOMALY_DEG
    c1, c2 = C.SUN_EQUATION_OF_CENTRE_DEG
    e0, e1 = C.OBLIQUITY_DEG
    r0, r1, r2 = C.SUN_DISTANCE_AU
    g = (g0 + g1 * n) * C.DEG
    lam = (l0 + l1 * n) * C.DEG + (c1 * np.sin(g) + c2 * np.sin(2 * g)) * C.DEG
    eps = (e0 + e1 * n) * C.DEG
    dist = (r0 + r1 * np.cos(g) + r2 * np.cos(2 * g)) * C.AU
    cl, sl = np.cos(lam), np.sin(lam)
    unit = np.stack([cl, np.cos(eps) * sl, np.sin(eps) * sl], axis=-1)
    return unit, dist


def _scale(oblate: bool) -> F64:
    return np.array([1.0, 1.0, C.R_EARTH_EQ / C.R_EARTH_POLAR if oblate else 1.0])


def cone_angles(r: F64, r_sun: F64, *, oblate: bool = True) -> tuple[F64, F64, F64, F64]:
    """Apparent Sun radius a, Earth radius b, Sun–Earth separation c (rad), and |r| (m).

    ``r`` and ``r_sun`` are geocentric positions (..., 3) in m, broadcast together.
    """
    k = _scale(oblate)
    rs = r * k
    d = r_sun * k - rs
    rn = np.sqrt(np.einsum("...i,...i->...", rs, rs))
    dn = np.sqrt(np.einsum("...i,...i->...", d, d))
    a = np.arcsin(C.R_SUN / dn)
    b = np.arcsin(np.minimum(C.R_EARTH_EQ / rn, 1.0))
    cos_c = -np.einsum("...i,...i->...", rs, d) / (rn * dn)
    c = np.arccos(np.clip(cos_c, -1.0, 1.0))
    return a, b, c, rn


def visible_fraction(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> F64:
    """ν, the visible fraction of the solar disc, from the cone angles (Montenbruck & Gill 3.4.2)."""
    a, b, c = np.broadcast_arrays(
        np.asarray(a, dtype=float), np.asarray(b, dtype=float), np.asarray(c, dtype=float)
    )
    nu = np.ones(a.shape)
    nu[c <= b - a] = 0.0
    part = (c < a + b) & (c > b - a)
    if np.any(part):
        ap, bp, cp = a[part], b[part], c[part]
        x = (cp**2 + ap**2 - bp**2) / (2 * cp)
        y = np.sqrt(np.maximum(ap**2 - x**2, 0.0))
        area = (
            ap**2 * np.arccos(np.clip(x / ap, -1, 1))
            + bp**2 * np.arccos(np.clip((cp - x) / bp, -1, 1))
            - cp * y
        )
        nu[part] = np.clip(1.0 - area / (math.pi * ap**2), 0.0, 1.0)
    return nu


def illumination(r: F64, r_sun: F64, *, oblate: bool = True) -> F64:
    """ν at positions ``r`` (..., 3) with the Sun at ``r_sun`` (..., 3), both geocentric, m."""
    a, b, c, _ = cone_angles(r, r_sun, oblate=oblate)
    return visible_fraction(a, b, c)


def sample_times(duration_s: float, step_s: float) -> F64:
    """Sample times 0, step, ... < duration, s."""
    if not (math.isfinite(step_s) and step_s > 0):
        raise SpecError(f"time step {step_s!r} s must be positive", field="step")
    if not (math.isfinite(duration_s) and duration_s > 0):
        raise SpecError(f"duration {duration_s!r} s must be positive", field="duration")
    return np.arange(0.0, duration_s, step_s)


def sun_at(orbit: CircularOrbit, t_s: ArrayLike) -> tuple[F64, F64]:
    """Sun unit vectors and distances (m) at times after the orbit's epoch."""
    return sun_position(jd_tt(orbit.epoch) + np.asarray(t_s) / C.DAY_S)


@dataclass(frozen=True)
class SunlightSeries:
    """ν(t) of one orbit, sampled every ``step_s``; ``sun_distance_m`` for the solar constant."""

    t_s: F64
    illumination: F64
    sun_distance_m: F64
    step_s: float

    @property
    def sunlit_fraction(self) -> float:
        """Time-averaged ν: the fraction of full sunlight received."""
        return float(np.mean(self.illumination))

    def daily_sunlit_fraction(self) -> F64:
        """Mean ν per whole day (days, ), for plots."""
        per_day = round(C.DAY_S / self.step_s)
        n = len(self.illumination) // per_day
        return self.illumination[: n * per_day].reshape(n, per_day).mean(axis=1)


def sunlight(
    orbit: CircularOrbit, duration_s: float, step_s: float = 60.0, *, oblate: bool = True
) -> SunlightSeries:
    """Sample ν along ``orbit`` for ``duration_s`` at ``step_s``."""
    t = sample_times(duration_s, step_s)
    unit, dist = sun_at(orbit, t)
    nu = illumination(orbit.positions(t), unit * dist[:, None], oblate=oblate)
    return SunlightSeries(_frozen(t), _frozen(nu), _frozen(dist), float(step_s))


def eclipse_fraction_per_orbit(
    p: F64, q: F64, sun_unit: F64, radius_m: float, *, oblate: bool = True
) -> F64:
    """Fraction of each revolution in Earth's shadow cylinder (ν-weighted), broadcast over orbits.

    ``p``, ``q``: in-plane unit vectors (..., 3) (node and 90° ahead); ``sun_unit`` (..., 3).
    """
    k = _scale(oblate)
    p, q = p * k, q * k
    s = sun_unit * k
    s = s / np.linalg.norm(s, axis=-1, keepdims=True)
    ps = np.einsum("...i,...i->...", p, s)
    qs = np.einsum("...i,...i->...", q, s)
    m11 = np.einsum("...i,...i->...", p, p) - ps**2
    m22 = np.einsum("...i,...i->...", q, q) - qs**2
    m12 = np.einsum("...i,...i->...", p, q) - ps * qs
    r2 = (C.R_EARTH_EQ / radius_m) ** 2
    kk = 0.5 * (m11 + m22) - r2
    ll = np.sqrt((0.5 * (m11 - m22)) ** 2 + m12**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ll > 0, kk / np.where(ll > 0, ll, 1.0), np.sign(kk) * 2.0)
    return np.arccos(np.clip(ratio, -1.0, 1.0)) / (2 * math.pi)


def eclipse_fraction_beta(altitude_m: ArrayLike, beta_rad: ArrayLike) -> F64:
    """Textbook cylinder eclipse fraction for a spherical Earth of radius R_eq (Vallado §5.3)."""
    x = C.R_EARTH_EQ / (C.R_EARTH_EQ + np.asarray(altitude_m, dtype=float))
    cos_phi = np.sqrt(1.0 - x**2) / np.cos(np.asarray(beta_rad, dtype=float))
    return np.arccos(np.clip(cos_phi, -1.0, 1.0)) / math.pi


@dataclass(frozen=True)
class OrbitEclipses:
    """Per-revolution eclipse geometry: mid-times (s), β (rad) and eclipse fraction."""

    t_mid_s: F64
    beta_rad: F64
    eclipse_fraction: F64
    period_s: float

    @property
    def eclipse_s(self) -> F64:
        return self.eclipse_fraction * self.period_s

    @property
    def max_eclipse_fraction(self) -> float:
        return float(np.max(self.eclipse_fraction)) if self.eclipse_fraction.size else 0.0

    @property
    def max_eclipse_s(self) -> float:
        return self.max_eclipse_fraction * self.period_s

    @property
    def mean_eclipse_fraction(self) -> float:
        return float(np.mean(self.eclipse_fraction)) if self.eclipse_fraction.size else 0.0


def eclipses(orbit: CircularOrbit, duration_s: float, *, oblate: bool = True) -> OrbitEclipses:
    """Eclipse fraction and β of every whole revolution in ``duration_s``."""
    period = orbit.period_s
    count = int(duration_s // period)
    t_mid: F64 = (np.arange(count, dtype=np.float64) + 0.5) * period
    p, q, n = orbit.plane(t_mid)
    sun, _ = sun_at(orbit, t_mid)
    beta = np.arcsin(np.clip(np.einsum("...i,...i->...", n, sun), -1.0, 1.0))
    frac = eclipse_fraction_per_orbit(p, q, sun, orbit.radius_m, oblate=oblate)
    return OrbitEclipses(_frozen(t_mid), _frozen(beta), _frozen(frac), period)


@dataclass(frozen=True)
class Season:
    """A run of consecutive days with at least one eclipse (day 0 = 1 January).

    A season of a sun-synchronous orbit that spans New Year is one run whose
    ``end_day`` lies past the year's last day (its date falls in January).
    """

    start_day: int
    end_day: int
    max_eclipse_s: float

    @property
    def days(self) -> int:
        return self.end_day - self.start_day + 1


@dataclass(frozen=True)
class OrbitYear:
    """A calendar year of sunlight for one orbit: the sampled ν and the per-orbit eclipses."""

    orbit: CircularOrbit
    year: int
    series: SunlightSeries
    per_orbit: OrbitEclipses
    oblate: bool = True
    seasons: tuple[Season, ...] = field(default=())

    @property
    def eclipse_day_mask(self) -> NDArray[np.bool_]:
        days = round(year_seconds(self.year) / C.DAY_S)
        mask = np.zeros(days, dtype=bool)
        idx = (self.per_orbit.t_mid_s // C.DAY_S).astype(int)
        mask[idx[self.per_orbit.eclipse_fraction > 0]] = True
        return mask

    @property
    def eclipse_season_days(self) -> int:
        return int(self.eclipse_day_mask.sum())

    def to_dict(self) -> dict[str, object]:
        """The figures the ``dojosim orbit`` command prints (plain data)."""
        e = self.per_orbit
        epoch = year_epoch(self.year)

        def date(day: int) -> str:
            return (epoch + timedelta(days=day)).date().isoformat()

        return {
            "orbit": self.orbit.describe(),
            "year": self.year,
            "step_s": self.series.step_s,
            "sunlit_fraction": self.series.sunlit_fraction,
            "mean_eclipse_fraction": e.mean_eclipse_fraction,
            "max_eclipse_fraction": e.max_eclipse_fraction,
            "max_eclipse_minutes": e.max_eclipse_s / 60.0,
            "eclipse_season_days": self.eclipse_season_days,
            "eclipse_seasons": [
                {
                    "start": date(s.start_day),
                    "end": date(s.end_day),
                    "days": s.days,
                    "max_eclipse_minutes": s.max_eclipse_s / 60.0,
                }
                for s in self.seasons
            ],
            "beta_deg": {
                "min": float(np.degrees(e.beta_rad.min())) if e.beta_rad.size else None,
                "max": float(np.degrees(e.beta_rad.max())) if e.beta_rad.size else None,
            },
            "orbits": int(e.t_mid_s.size),
            "solar_distance_au": {
                "min": float(self.series.sun_distance_m.min() / C.AU),
                "max": float(self.series.sun_distance_m.max() / C.AU),
            },
            "model": {
                "shadow": "conical umbra/penumbra, WGS-84 ellipsoid"
                if self.oblate
                else "conical umbra/penumbra, sphere of R_eq",
                "sun": "Astronomical Almanac low-precision (0.01 deg)",
                "propagator": "circular orbit + J2 secular drift",
                "eclipse_fraction": "penumbra-weighted, per revolution",
            },
        }


def _seasons(mask: NDArray[np.bool_], per_orbit: OrbitEclipses, wrap: bool) -> tuple[Season, ...]:
    """Runs of eclipse days; with ``wrap`` a run touching 31 Dec joins the one on 1 Jan."""
    days = np.flatnonzero(mask)
    if days.size == 0:
        return ()
    breaks = np.flatnonzero(np.diff(days) > 1)
    starts = np.concatenate([[days[0]], days[breaks + 1]])
    ends = np.concatenate([days[breaks], [days[-1]]])
    day_of_orbit = (per_orbit.t_mid_s // C.DAY_S).astype(int)
    runs: list[Season] = []
    for s, e in zip(starts, ends, strict=True):
        sel = (day_of_orbit >= s) & (day_of_orbit <= e)
        runs.append(Season(int(s), int(e), float(per_orbit.eclipse_s[sel].max())))
    if wrap and len(runs) > 1 and runs[0].start_day == 0 and runs[-1].end_day == mask.size - 1:
        first, last = runs.pop(0), runs.pop()
        runs.append(
            Season(
                last.start_day,
                first.end_day + mask.size,
                max(last.max_eclipse_s, first.max_eclipse_s),
            )
        )
    return tuple(runs)


def orbit_year(
    orbit: CircularOrbit, year: int, step_s: float = 60.0, *, oblate: bool = True
) -> OrbitYear:
    """A calendar year of sunlight for ``orbit`` (its epoch should be 1 January of ``year``)."""
    duration = year_seconds(year)
    series = sunlight(orbit, duration, step_s, oblate=oblate)
    per_orbit = eclipses(orbit, duration, oblate=oblate)
    partial = OrbitYear(orbit, year, series, per_orbit, oblate)
    seasons = _seasons(partial.eclipse_day_mask, per_orbit, wrap=orbit.sun_synchronous)
    return OrbitYear(orbit, year, series, per_orbit, oblate, seasons)
