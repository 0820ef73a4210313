"""Physical and astronomical constants of the site room, each with its reference.

These are constants of nature or of reference systems, not design choices; every
engineering or economic number lives in the catalog (``catalog/sites/*.yaml``).
All values are SI: metres, seconds, kilograms, watts, kelvin, radians.
"""

from __future__ import annotations

import math

# CODATA 2018 (exact since the 2019 SI redefinition): Stefan–Boltzmann constant, W m^-2 K^-4.
SIGMA = 5.670374419e-8

# IERS Conventions (2010), Table 1.1 / WGS-84: Earth's gravitational parameter, m^3 s^-2.
GM_EARTH = 3.986004418e14
# WGS-84: equatorial radius (m) and flattening.
R_EARTH_EQ = 6378137.0
FLATTENING = 1.0 / 298.257223563
R_EARTH_POLAR = R_EARTH_EQ * (1.0 - FLATTENING)
# IERS Conventions (2010), Table 1.1: dynamical form factor J2 (zero-tide).
J2 = 1.0826359e-3

# IAU 2012 Resolution B2: the astronomical unit, m.
AU = 149_597_870_700.0
# IAU 2015 Resolution B3: nominal solar radius, m.
R_SUN = 695_700_000.0

# Seconds in a day, and the tropical year in days (Astronomical Almanac, mean tropical
# year at J2000): a sun-synchronous plane turns 2*pi per tropical year.
DAY_S = 86_400.0
TROPICAL_YEAR_DAYS = 365.242190
JULIAN_YEAR_S = 365.25 * DAY_S

# TT - UTC = (TT - TAI) + (TAI - UTC) = 32.184 s + 37 s since 2017-01-01
# (IERS Bulletin C). Used to put UTC epochs on the TT scale of the Sun model;
# a minute's error moves the Sun by 0.0007 deg.
TT_MINUS_UTC_S = 69.184

# Julian date of J2000.0 (2000-01-01 12:00 TT).
JD_J2000 = 2451545.0
# Julian date of the Unix epoch 1970-01-01 00:00 UTC.
JD_UNIX_EPOCH = 2440587.5

# The Astronomical Almanac's low-precision formulae for the Sun (section C,
# "Low precision formulas for the Sun"; accurate to 0.01 deg from 1950 to 2050),
# n = days from J2000.0 (TT). Angles in degrees, distance in AU.
SUN_MEAN_LONGITUDE_DEG = (280.460, 0.9856474)  # L = L0 + L1 * n
SUN_MEAN_ANOMALY_DEG = (357.528, 0.9856003)  # g = g0 + g1 * n
SUN_EQUATION_OF_CENTRE_DEG = (1.915, 0.020)  # lambda = L + c1 sin g + c2 sin 2g
OBLIQUITY_DEG = (23.439, -0.0000004)  # eps = e0 + e1 * n
SUN_DISTANCE_AU = (1.00014, -0.01671, -0.00014)  # R = r0 + r1 cos g + r2 cos 2g

DEG = math.pi / 180.0
