"""Circular orbits with Earth's J2 secular drift: plane, position and sun-synchronous design.

A :class:`CircularOrbit` is a mean circular orbit: radius ``a = R_E + h``,
inclination ``i``, right ascension of the ascending node ``Ω`` and argument of
latitude ``u``. Earth's oblateness (J2) turns the plane and shifts the phase
secularly (Vallado, *Fundamentals of Astrodynamics*, 4th ed., eq. 9-41; e = 0):

    dΩ/dt = -3/2 n J2 (R_E/a)² cos i
    du/dt =  n [1 + 3/4 J2 (R_E/a)² (3cos²i - 1)] + 3/4 n J2 (R_E/a)² (5cos²i - 1)

A sun-synchronous plane turns once per tropical year, which fixes ``cos i``;
its local time of the ascending node (LTAN) fixes ``Ω`` from the mean Sun:
``Ω = α_mean_sun + 15°·(LTAN - 12 h)``. Drag, J3+ and eccentricity are left
out: they move eclipse times by seconds, not the geometry (the tests compare
with SGP4). Frame: Earth's equator and equinox of date, as the Sun model.
Units: metres, seconds, radians; ``t`` is seconds after the epoch (UTC).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dojosim.errors import SpecError
from dojosim.site import constants as C

# Below about 150 km a circular orbit decays within a day (drag); the CLI refuses it.
MIN_ALTITUDE_M = 150e3
# The Sun model and the orbit frame hold for these years (see sunlight.py).
YEARS = (1950, 2100)

_LTAN = re.compile(r"^\s*(\d{1,2}):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?\s*$")


def parse_ltan(text: str) -> float:
    """Local time of the ascending node ``"HH:MM"`` (or ``"HH:MM:SS"``) as hours in [0, 24)."""
    m = _LTAN.match(str(text))
    if not m or int(m.group(1)) > 23:
        raise SpecError(
            f"unknown LTAN format {text!r}: expected HH:MM from 00:00 to 23:59, e.g. 18:00"
        )
    return int(m.group(1)) + int(m.group(2)) / 60.0 + float(m.group(3) or 0.0) / 3600.0


def format_ltan(hours: float) -> str:
    """``18.0`` -> ``"18:00"``."""
    minutes = round(hours * 60.0) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_altitude(altitude_m: float) -> float:
    """Refuse altitudes below :data:`MIN_ALTITUDE_M` (and non-finite ones)."""
    if not math.isfinite(altitude_m) or altitude_m < MIN_ALTITUDE_M:
        raise SpecError(
            f"altitude {altitude_m / 1e3:g} km is below {MIN_ALTITUDE_M / 1e3:g} km "
            "(no circular orbit survives there)",
            field="altitude",
        )
    return altitude_m


def year_epoch(year: int) -> datetime:
    """1 January of ``year``, 00:00 UTC; the year must lie in :data:`YEARS`."""
    if not YEARS[0] <= int(year) <= YEARS[1]:
        raise SpecError(f"year {year} is outside {YEARS[0]}..{YEARS[1]}", field="year")
    return datetime(int(year), 1, 1, tzinfo=UTC)


def year_seconds(year: int) -> float:
    """Length of the calendar year in seconds (365 or 366 days)."""
    start = year_epoch(year)
    return (datetime(start.year + 1, 1, 1, tzinfo=UTC) - start).total_seconds()


def jd_tt(epoch: datetime) -> float:
    """Julian date on the TT scale of a UTC epoch."""
    if epoch.tzinfo is None:
        epoch = epoch.replace(tzinfo=UTC)
    unix = epoch.timestamp()
    return C.JD_UNIX_EPOCH + (unix + C.TT_MINUS_UTC_S) / C.DAY_S


def mean_sun_right_ascension(jd: ArrayLike) -> float | NDArray[np.float64]:
    """Right ascension of the mean Sun (its mean longitude), rad, at TT Julian date(s)."""
    n = np.asarray(jd) - C.JD_J2000
    l0, l1 = C.SUN_MEAN_LONGITUDE_DEG
    out = np.mod((l0 + l1 * n) * C.DEG, 2 * math.pi)
    return float(out) if np.ndim(out) == 0 else out


def _j2_factor(a: float) -> float:
    return C.J2 * (C.R_EARTH_EQ / a) ** 2


def sun_synchronous_inclination(altitude_m: float) -> float:
    """Inclination (rad) that makes a circular orbit's plane turn once per tropical year."""
    a = C.R_EARTH_EQ + check_altitude(altitude_m)
    n = math.sqrt(C.GM_EARTH / a**3)
    rate = 2 * math.pi / (C.TROPICAL_YEAR_DAYS * C.DAY_S)
    cos_i = -rate / (1.5 * n * _j2_factor(a))
    if cos_i < -1.0:
        raise SpecError(
            f"no sun-synchronous circular orbit at {altitude_m / 1e3:g} km (too high for J2)",
            field="altitude",
        )
    return math.acos(cos_i)


@dataclass(frozen=True)
class CircularOrbit:
    """A mean circular orbit; angles in rad at ``epoch`` (UTC), altitude in m above R_E(WGS-84)."""

    altitude_m: float
    inclination_rad: float
    raan_rad: float
    epoch: datetime
    arg_latitude_rad: float = 0.0
    sun_synchronous: bool = False
    ltan_hours: float | None = None

    def __post_init__(self) -> None:
        check_altitude(self.altitude_m)
        if not 0.0 <= self.inclination_rad <= math.pi:
            raise SpecError(
                f"inclination {math.degrees(self.inclination_rad):g} deg is outside 0..180 deg",
                field="inclination",
            )

    @property
    def radius_m(self) -> float:
        return C.R_EARTH_EQ + self.altitude_m

    @property
    def mean_motion(self) -> float:
        """Keplerian mean motion n, rad/s."""
        return math.sqrt(C.GM_EARTH / self.radius_m**3)

    @property
    def raan_rate(self) -> float:
        """Secular dΩ/dt from J2, rad/s."""
        return -1.5 * self.mean_motion * _j2_factor(self.radius_m) * math.cos(self.inclination_rad)

    @property
    def arg_latitude_rate(self) -> float:
        """Secular du/dt from J2 (argument of perigee + mean anomaly), rad/s."""
        c2 = math.cos(self.inclination_rad) ** 2
        k = 0.75 * _j2_factor(self.radius_m)
        return self.mean_motion * (1.0 + k * (3 * c2 - 1) + k * (5 * c2 - 1))

    @property
    def period_s(self) -> float:
        """Nodal period (ascending node to ascending node), s."""
        return 2 * math.pi / self.arg_latitude_rate

    @property
    def speed_m_s(self) -> float:
        return self.radius_m * self.arg_latitude_rate

    def raan(self, t_s: ArrayLike) -> NDArray[np.float64]:
        """Ω(t), rad (not wrapped)."""
        return self.raan_rad + self.raan_rate * np.asarray(t_s, dtype=float)

    def arg_latitude(self, t_s: ArrayLike) -> NDArray[np.float64]:
        """u(t), rad (not wrapped); u = 0 at the ascending node."""
        return self.arg_latitude_rad + self.arg_latitude_rate * np.asarray(t_s, dtype=float)

    def plane(self, t_s: ArrayLike) -> tuple[NDArray[np.float64], ...]:
        """Unit vectors (..., 3): P towards the ascending node, Q 90° ahead in the plane, N normal."""
        return plane_vectors(self.inclination_rad, self.raan(t_s))

    def positions(self, t_s: ArrayLike) -> NDArray[np.float64]:
        """Positions r(t), shape (..., 3), m."""
        p, q, _ = self.plane(t_s)
        u = self.arg_latitude(t_s)[..., None]
        return self.radius_m * (np.cos(u) * p + np.sin(u) * q)

    def lvlh(self, t_s: ArrayLike) -> tuple[NDArray[np.float64], ...]:
        """Radial, along-track and orbit-normal unit vectors (..., 3) at t."""
        p, q, n = self.plane(t_s)
        u = self.arg_latitude(t_s)[..., None]
        radial = np.cos(u) * p + np.sin(u) * q
        along = -np.sin(u) * p + np.cos(u) * q
        return radial, along, n

    def describe(self) -> dict[str, object]:
        """Plain-data description for reports."""
        return {
            "altitude_km": self.altitude_m / 1e3,
            "inclination_deg": math.degrees(self.inclination_rad),
            "raan_deg": math.degrees(self.raan_rad) % 360.0,
            "sun_synchronous": self.sun_synchronous,
            "ltan": None if self.ltan_hours is None else format_ltan(self.ltan_hours),
            "period_minutes": self.period_s / 60.0,
            "epoch": self.epoch.isoformat(),
        }


def plane_vectors(
    inclination: ArrayLike, raan: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """P (node), Q (in-plane, 90° ahead) and N (normal) unit vectors, broadcast over inputs."""
    ci, si = np.cos(inclination), np.sin(inclination)
    co, so = np.cos(raan), np.sin(raan)
    ci, si, co, so = np.broadcast_arrays(ci, si, co, so)
    p = np.stack([co, so, np.zeros_like(co)], axis=-1)
    q = np.stack([-ci * so, ci * co, si], axis=-1)
    n = np.stack([si * so, -si * co, ci], axis=-1)
    return p, q, n


def sun_synchronous(altitude_m: float, ltan: str | float, epoch: datetime) -> CircularOrbit:
    """The sun-synchronous circular orbit at ``altitude_m`` with the given LTAN at ``epoch``."""
    hours = parse_ltan(ltan) if isinstance(ltan, str) else float(ltan)
    if not 0.0 <= hours < 24.0:
        raise SpecError(f"LTAN {hours:g} h is outside 0..24 h", field="ltan")
    inc = sun_synchronous_inclination(altitude_m)
    raan = float(mean_sun_right_ascension(jd_tt(epoch))) + (hours - 12.0) * math.pi / 12.0
    return CircularOrbit(
        altitude_m=altitude_m,
        inclination_rad=inc,
        raan_rad=raan % (2 * math.pi),
        epoch=epoch,
        sun_synchronous=True,
        ltan_hours=hours,
    )


def inclined(
    altitude_m: float, inclination_rad: float, epoch: datetime, raan_rad: float = 0.0
) -> CircularOrbit:
    """A circular orbit of given inclination with node ``raan_rad`` at the epoch."""
    return CircularOrbit(
        altitude_m=altitude_m,
        inclination_rad=inclination_rad,
        raan_rad=raan_rad % (2 * math.pi),
        epoch=epoch,
    )


class OrbitLike(Protocol):
    """What :func:`from_entry` reads (an ``OrbitEntry`` from the catalog)."""

    @property
    def altitude(self) -> float: ...
    @property
    def inclination(self) -> float | None: ...
    @property
    def sun_synchronous(self) -> bool: ...
    @property
    def ltan(self) -> str | None: ...
    @property
    def raan(self) -> float: ...


def from_entry(entry: OrbitLike, epoch: datetime) -> CircularOrbit:
    """The orbit of an ``orbit`` catalog entry at ``epoch``."""
    if entry.sun_synchronous:
        return sun_synchronous(entry.altitude, str(entry.ltan), epoch)
    return inclined(entry.altitude, float(entry.inclination or 0.0), epoch, entry.raan)
