"""Radiation: ionising dose by orbit and shielding, upsets, failures, spares and lifetime.

* **Dose**: a ``dose-depth`` catalog entry tabulates the mission dose behind an
  aluminium sphere of radius t (SPENVIS: AP-8/AE-8 trapped particles through
  SHIELDOSE-2, Si target) at one altitude for several inclinations. The dose is
  interpolated linearly in log(dose) against thickness, then linearly in
  log(dose) against inclination; outside the table the nearest row is used and
  said so. Other altitudes are *not* scaled (trapped-proton dose rises steeply
  with altitude); the result names the altitude of the table.
* **Upsets** (SEU): rate per bit (a range in the catalog, orders of magnitude
  wide) × bits.
* **Failures**: a constant hazard λ (per device-second) gives
  ``E[N] = n (1 - e^{-λ t})``; the spares that cover the failures with a chosen
  confidence are the Poisson quantile of that mean.
* **TID lifetime**: the dose at which a part starts to misbehave over the dose rate.

Units: Gy (1 rad = 0.01 Gy), Gy/s, m, s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from dojosim.errors import DojosimError
from dojosim.site import constants as C
from dojosim.site.quantity import to_unit
from dojosim.site.schema import DoseDepthEntry


@dataclass(frozen=True)
class DoseEstimate:
    """Dose rate behind a shield, with what the table could and could not cover."""

    rate_Gy_s: float
    inclination_rad: float
    thickness_m: float
    table_altitude_m: float
    note: str

    @property
    def per_year_Gy(self) -> float:
        return self.rate_Gy_s * C.JULIAN_YEAR_S

    @property
    def per_year_rad(self) -> float:
        return self.per_year_Gy * 100.0


def _table(entry: DoseDepthEntry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t_unit = to_unit(f"1 {entry.thickness_unit}", "length")
    d_unit = to_unit(f"1 {entry.dose_unit}", "dose")
    rows = sorted((to_unit(k, "angle"), v) for k, v in entry.dose.items())
    inc = np.array([r[0] for r in rows])
    rate = np.array([r[1] for r in rows], dtype=float) * d_unit / entry.mission_duration
    return inc, np.asarray(entry.thickness, dtype=float) * t_unit, rate


def dose_rate(entry: DoseDepthEntry, inclination_rad: float, thickness_m: float) -> DoseEstimate:
    """Dose rate (Gy/s) at an inclination behind ``thickness_m`` of aluminium."""
    if thickness_m < 0 or not math.isfinite(thickness_m):
        raise DojosimError("shield thickness must be a non-negative length")
    inc, thick, rate = _table(entry)
    notes = []
    x = thickness_m
    if x < thick[0] or x > thick[-1]:
        notes.append(f"thickness clamped to the table's {thick[0]:g}..{thick[-1]:g} m")
        x = min(max(x, thick[0]), thick[-1])
    log_rows = np.array([np.interp(x, thick, np.log(r)) for r in rate])
    i = float(inclination_rad)
    if i < inc[0] or i > inc[-1]:
        notes.append(
            f"inclination {math.degrees(i):.1f} deg outside the table "
            f"({math.degrees(inc[0]):g}..{math.degrees(inc[-1]):g} deg): nearest row used"
        )
    value = float(np.exp(np.interp(i, inc, log_rows)))
    return DoseEstimate(value, i, thickness_m, entry.altitude, "; ".join(notes))


def tid_lifetime(limit_Gy: float, rate_Gy_s: float) -> float:
    """Seconds until the accumulated dose reaches ``limit_Gy``."""
    if rate_Gy_s <= 0:
        return math.inf
    return limit_Gy / rate_Gy_s


def upsets_per_day(bits: float, rate_per_bit_s: float) -> float:
    """Expected single-event upsets per day in ``bits`` of memory."""
    if bits < 0 or rate_per_bit_s < 0:
        raise DojosimError("bits and upset rates must not be negative")
    return bits * rate_per_bit_s * C.DAY_S


def expected_failures(devices: int, hazard_per_s: float, duration_s: float) -> float:
    """Expected failed devices after ``duration_s`` at a constant hazard."""
    if devices < 0 or hazard_per_s < 0 or duration_s < 0:
        raise DojosimError("devices, hazard and duration must not be negative")
    return devices * -math.expm1(-hazard_per_s * duration_s)


def spares_needed(mean_failures: float, confidence: float = 0.95) -> int:
    """Smallest k with P(Poisson(mean) <= k) >= confidence."""
    if not 0 < confidence < 1:
        raise DojosimError("confidence must lie strictly between 0 and 1")
    if mean_failures <= 0:
        return 0
    k, term = 0, math.exp(-mean_failures)
    total = term
    while total < confidence:
        k += 1
        term *= mean_failures / k
        total += term
        if k > 10 * mean_failures + 1000:  # pragma: no cover - numerical guard
            break
    return k
