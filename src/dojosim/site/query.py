"""A year of sunlight from plain parameters, as the CLI's flags and the web app's query give them.

:func:`orbit_year_for` checks each parameter (naming it in the error: ``altitude_km``,
``ltan``, ``inclination_deg``, ``step_s``, ``year``) and computes the
:class:`~dojosim.site.sunlight.OrbitYear`. Results are cached: the function is
pure and a year at 60 s steps takes about 0.1 s.

The calendar year defaults to :data:`DEFAULT_YEAR`, never today's date, so the
same command prints the same figures whenever it runs.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

from dojosim.errors import SpecError

if TYPE_CHECKING:  # the orbit code needs NumPy; the CLI imports this module only for its default
    from dojosim.site.sunlight import OrbitYear

#: The calendar year sampled when none is given (also the default of a scenario's ``site.year``).
DEFAULT_YEAR = 2026

#: Largest sampling step accepted, s (an hour: coarser steps miss whole eclipses).
MAX_STEP_S = 3600.0


def _fail(message: str, field: str) -> SpecError:
    return SpecError(message, field=field)


@functools.lru_cache(maxsize=64)
def orbit_year_for(
    altitude_km: float,
    *,
    sun_synchronous: bool = False,
    ltan: str | None = None,
    inclination_deg: float | None = None,
    raan_deg: float = 0.0,
    year: int = DEFAULT_YEAR,
    step_s: float = 60.0,
    spherical: bool = False,
) -> OrbitYear:
    """The year of sunlight of a circular orbit: sun-synchronous at ``ltan`` or inclined.

    ``altitude_km`` in km, angles in degrees (``raan_deg`` on 1 January), ``step_s``
    in seconds; ``spherical`` uses a sphere of R_eq instead of the WGS-84 ellipsoid.
    Bad values raise :class:`SpecError` naming the parameter.
    """
    from dojosim.site import orbit as O
    from dojosim.site.sunlight import orbit_year

    if not math.isfinite(altitude_km) or altitude_km < O.MIN_ALTITUDE_M / 1e3:
        raise _fail(
            f"{altitude_km:g} km is below {O.MIN_ALTITUDE_M / 1e3:g} km "
            "(no circular orbit survives there)",
            "altitude_km",
        )
    if sun_synchronous == (inclination_deg is not None):
        raise _fail("give either sun_synchronous (with ltan) or inclination_deg", "sun_synchronous")
    if not (math.isfinite(step_s) and 0 < step_s <= MAX_STEP_S):
        raise _fail(f"{step_s:g} must lie in (0, {MAX_STEP_S:g}] seconds", "step_s")
    if not math.isfinite(raan_deg):
        raise _fail(f"{raan_deg:g} is not a finite angle", "raan_deg")
    if not O.YEARS[0] <= year <= O.YEARS[1]:
        raise _fail(f"{year} is outside {O.YEARS[0]}..{O.YEARS[1]}", "year")
    epoch = O.year_epoch(year)
    if sun_synchronous:
        if ltan is None:
            raise _fail("sun_synchronous needs ltan HH:MM (e.g. 18:00 for dawn-dusk)", "ltan")
        try:
            orbit = O.sun_synchronous(altitude_km * 1e3, ltan, epoch)
        except SpecError as exc:
            raise _fail(exc.detail, "ltan") from None
    else:
        if ltan is not None:
            raise _fail("ltan applies only with sun_synchronous", "ltan")
        assert inclination_deg is not None
        if not (math.isfinite(inclination_deg) and 0 <= inclination_deg <= 180):
            raise _fail(f"{inclination_deg:g} must lie in 0..180 degrees", "inclination_deg")
        orbit = O.inclined(
            altitude_km * 1e3, math.radians(inclination_deg), epoch, math.radians(raan_deg)
        )
    return orbit_year(orbit, year, step_s, oblate=not spherical)
