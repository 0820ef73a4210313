"""Solar arrays and batteries: the power a compute satellite gets, and what it takes to size it.

Array output per unit area (W/m²), following SMAD (Wertz & Larson, *Space
Mission Analysis and Design*, 3rd ed., §11.4):

    p = S0 (AU/d)² · η · packing · [1 + γ (T_op - T_ref)] · (1 - pointing loss)
        · conditioning efficiency · (1 - d)^years · ν

with the solar constant ``S0`` at 1 AU (catalog), the Sun distance ``d`` from
the Sun model (±3.3 % over the year), AM0 cell efficiency ``η``, temperature
coefficient ``γ`` (1/K, negative), degradation ``d`` per year, and ν the
visible fraction of the Sun from :mod:`dojosim.site.sunlight`.

Sizing over the worst orbit (longest eclipse ``Te``, sunlit time ``Td``), at
end of life and aphelion (SMAD eq. 11-5, with the battery path efficiency
``ηc·ηd`` in place of ``Xe/Xd``):

    battery mode:   P_array = (P_e·Te/(ηc ηd) + P_d·Td) / Td,   P_e = P_d = load + housekeeping
    throttle mode:  compute stops in eclipse, P_e = housekeeping only
    battery energy: E = P_e·Te / (DoD · ηd),   mass = E / (Wh/kg)

Units: W, J, m², kg, s, USD.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from dojosim.errors import SpecError
from dojosim.site import constants as C
from dojosim.site.schema import BatteryEntry, EnvironmentEntry, SolarArrayEntry
from dojosim.site.sunlight import F64, SunlightSeries

Mode = Literal["battery", "throttle"]


def irradiance(env: EnvironmentEntry, sun_distance_m: F64 | float) -> F64:
    """Solar irradiance at the Sun distance(s), W/m² (inverse square from the 1 AU constant)."""
    return env.solar_constant * (C.AU / np.asarray(sun_distance_m, dtype=float)) ** 2


def conversion_factor(array: SolarArrayEntry) -> float:
    """Delivered electrical W per W/m² of sunlight per m² of array, before degradation."""
    temp = 1.0 + array.temperature_coefficient * (
        array.operating_temperature - array.reference_temperature
    )
    if temp <= 0:
        raise SpecError(
            "array temperature derating leaves no output", field="operating_temperature"
        )
    return (
        array.cell_efficiency
        * array.packing_factor
        * temp
        * (1.0 - array.pointing_loss)
        * array.conditioning_efficiency
    )


def degradation(array: SolarArrayEntry, years: F64 | float) -> F64:
    """Remaining fraction of output after ``years`` in orbit: (1 - d)^years."""
    return (1.0 - array.degradation_per_year) ** np.asarray(years, dtype=float)


def array_power(
    array: SolarArrayEntry,
    env: EnvironmentEntry,
    area_m2: float,
    sun_distance_m: F64 | float,
    illumination: F64 | float = 1.0,
    years: F64 | float = 0.0,
) -> F64:
    """Delivered array power, W, broadcast over time samples."""
    return (
        irradiance(env, sun_distance_m)
        * conversion_factor(array)
        * area_m2
        * degradation(array, years)
        * np.asarray(illumination, dtype=float)
    )


def annual_energy(
    array: SolarArrayEntry, env: EnvironmentEntry, area_m2: float, series: SunlightSeries
) -> float:
    """Energy delivered over the sampled period, J (degradation taken at the start)."""
    p = array_power(array, env, area_m2, series.sun_distance_m, series.illumination)
    return float(np.sum(p) * series.step_s)


@dataclass(frozen=True)
class PowerSizing:
    """An array and battery sized for a load over the worst orbit, end of life, aphelion."""

    mode: str
    load_W: float
    housekeeping_W: float
    period_s: float
    eclipse_s: float
    design_irradiance_W_m2: float
    end_of_life_factor: float
    array_required_W: float
    array_area_m2: float
    array_rated_W: float
    array_mass_kg: float
    array_cost_usd: float | None
    battery_energy_J: float
    battery_mass_kg: float
    compute_duty: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def size_power(
    load_W: float,
    period_s: float,
    eclipse_s: float,
    array: SolarArrayEntry,
    battery: BatteryEntry,
    env: EnvironmentEntry,
    *,
    years: float,
    mode: Mode = "battery",
    housekeeping_W: float = 0.0,
    max_sun_distance_m: float = C.AU,
) -> PowerSizing:
    """Size the array and battery for ``load_W`` (compute) plus ``housekeeping_W`` (bus)."""
    if load_W < 0 or housekeeping_W < 0:
        raise SpecError("power loads must not be negative", field="load")
    if not 0 <= eclipse_s < period_s:
        raise SpecError("eclipse must be shorter than the orbit period", field="eclipse")
    if years < 0:
        raise SpecError("mission years must not be negative", field="years")
    if mode not in ("battery", "throttle"):
        raise SpecError(f"unknown power mode {mode!r}: use 'battery' or 'throttle'", field="mode")
    sunlit_s = period_s - eclipse_s
    p_day = load_W + housekeeping_W
    p_night = p_day if mode == "battery" else housekeeping_W
    round_trip = battery.charge_efficiency * battery.discharge_efficiency
    required = (p_night * eclipse_s / round_trip + p_day * sunlit_s) / sunlit_s
    s_design = float(irradiance(env, max_sun_distance_m))
    eol = float(degradation(array, years))
    per_m2 = s_design * conversion_factor(array) * eol
    area = required / per_m2
    rated = area * env.solar_constant * conversion_factor(array)
    energy = p_night * eclipse_s / (battery.depth_of_discharge * battery.discharge_efficiency)
    cost = None if array.cost_per_watt is None else rated * array.cost_per_watt
    return PowerSizing(
        mode=mode,
        load_W=load_W,
        housekeeping_W=housekeeping_W,
        period_s=period_s,
        eclipse_s=eclipse_s,
        design_irradiance_W_m2=s_design,
        end_of_life_factor=eol,
        array_required_W=required,
        array_area_m2=area,
        array_rated_W=rated,
        array_mass_kg=rated / array.specific_power,
        array_cost_usd=cost,
        battery_energy_J=energy,
        battery_mass_kg=energy / battery.specific_energy,
        compute_duty=1.0 if mode == "battery" else sunlit_s / period_s,
    )
