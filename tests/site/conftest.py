"""Shared, cached orbit-years for the site tests (each takes about 0.2 s)."""

from __future__ import annotations

import functools
import math

from dojosim.site import orbit as O
from dojosim.site.schema import site
from dojosim.site.sunlight import OrbitYear, orbit_year

YEAR = 2026


@functools.cache
def dawn_dusk(ltan: str = "18:00", altitude_km: float = 650.0) -> OrbitYear:
    orbit = O.sun_synchronous(altitude_km * 1e3, ltan, O.year_epoch(YEAR))
    return orbit_year(orbit, YEAR)


@functools.cache
def iss_like() -> OrbitYear:
    entry = site("iss-like-420")
    return orbit_year(O.from_entry(entry, O.year_epoch(YEAR)), YEAR)


@functools.cache
def sentinel_1() -> OrbitYear:
    return orbit_year(O.from_entry(site("sentinel-1-693"), O.year_epoch(YEAR)), YEAR)


def deg(x: float) -> float:
    return math.radians(x)
