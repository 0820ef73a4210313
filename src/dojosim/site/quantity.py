"""Quantity types for the site catalog: irradiance, W/kg, kg/m², USD/kg, dose, ...

Like :mod:`dojosim.spec.quantities`, a value may be a quantity string
(``"1361 W/m^2"``), a bare number already in the unit below, or a mapping
``{value: ..., source: ...}`` / ``{value: ..., derived: ...}``. Every value
becomes a plain float in the unit of its kind (SI, except ``per_year``, which is
a fraction per year, as degradation rates are always quoted).

Spelling helpers: ``rad(Si)`` and ``krad(Si)`` are read as 1 cGy and 10 Gy
(1 rad = 0.01 Gy exactly); ``FIT`` is one failure per 1e9 device-hours.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from annotated_types import Ge, Gt, Le
from pydantic import BeforeValidator

# kind -> (unit the float is expressed in, example shown in errors)
UNITS: dict[str, tuple[str, str]] = {
    "length": ("m", "'650 km'"),
    "area": ("m^2", "'2.5 m^2'"),
    "volume": ("m^3", "'0.15 m^3'"),
    "mass": ("kg", "'60 kg'"),
    "power": ("W", "'700 W'"),
    "energy": ("J", "'1.2 kWh'"),
    "time": ("s", "'10 year'"),
    "temperature": ("K", "'20 degC'"),
    "angle": ("rad", "'98 deg'"),
    "fraction": ("dimensionless", "'0.3' or '30 %'"),
    "irradiance": ("W/m^2", "'1361 W/m^2'"),
    "specific_power": ("W/kg", "'150 W/kg'"),
    "specific_mass": ("kg/W", "'12.8 kg/kW'"),
    "areal_density": ("kg/m^2", "'6 kg/m^2'"),
    "density": ("kg/m^3", "'850 kg/m^3'"),
    "specific_energy": ("J/kg", "'150 Wh/kg'"),
    "usd": ("USD", "'5e6 USD'"),
    "usd_per_kg": ("USD/kg", "'200 USD/kg'"),
    "usd_per_W": ("USD/W", "'0.03 USD/W'"),
    "usd_per_J": ("USD/J", "'0.04 USD/kWh'"),
    "co2_per_J": ("kg/J", "'0.367 kg/kWh'"),
    "per_year": ("1/year", "'1 %/yr'"),
    "per_kelvin": ("1/K", "'-0.2 %/K'"),
    "dose": ("Gy", "'750 rad(Si)'"),
    "dose_rate": ("Gy/s", "'150 rad(Si)/yr'"),
    "rate": ("1/s", "'1e-9 /day' or '200 FIT'"),
    "speed": ("m/s", "'120 m/s'"),
    "mass_ratio": ("dimensionless", "'18 kg/kg'"),
}

_SPELLINGS = (
    (re.compile(r"krad\(Si\)"), "daGy"),
    (re.compile(r"rad\(Si\)"), "cGy"),
    (re.compile(r"\bFIT\b"), "/ (1e9 hour)"),
    (re.compile(r"°C"), "degC"),
    (re.compile(r"²"), "^2"),
)


def to_unit(value: Any, kind: str) -> float:
    """Convert ``value`` to a float in the unit of ``kind``; ``ValueError`` says what was expected."""
    unit, example = UNITS[kind]
    if isinstance(value, dict):
        if "value" not in value:
            raise ValueError("expected a mapping with 'value:' and 'source:' (or 'derived:')")
        value = value["value"]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a {kind} such as {example}, got {value!r}")
    if isinstance(value, int | float):
        return float(value)
    text = value.strip()
    for pattern, repl in _SPELLINGS:
        text = pattern.sub(repl, text)
    from dojosim.units import registry

    ureg = registry()
    try:
        q = ureg.Quantity(text)
    except Exception as exc:  # pint raises several unrelated types for bad text
        raise ValueError(f"expected a {kind} such as {example}, got {value!r} ({exc})") from None
    try:
        return float(q.to(unit).magnitude)
    except Exception:
        raise ValueError(
            f"expected a {kind} such as {example}, got {value!r} (wrong units)"
        ) from None


def _parser(kind: str) -> BeforeValidator:
    return BeforeValidator(lambda v: to_unit(v, kind))


Length = Annotated[float, _parser("length"), Gt(0)]
Area = Annotated[float, _parser("area"), Gt(0)]
Volume = Annotated[float, _parser("volume"), Gt(0)]
Mass = Annotated[float, _parser("mass"), Gt(0)]
Power = Annotated[float, _parser("power"), Gt(0)]
Duration = Annotated[float, _parser("time"), Gt(0)]
Temperature = Annotated[float, _parser("temperature"), Ge(0)]
Angle = Annotated[float, _parser("angle")]
Fraction = Annotated[float, _parser("fraction"), Ge(0), Le(1)]
PosFraction = Annotated[float, _parser("fraction"), Gt(0), Le(1)]
Ratio = Annotated[float, _parser("fraction"), Ge(1)]
Irradiance = Annotated[float, _parser("irradiance"), Ge(0)]
SpecificPower = Annotated[float, _parser("specific_power"), Gt(0)]
SpecificMass = Annotated[float, _parser("specific_mass"), Ge(0)]
ArealDensity = Annotated[float, _parser("areal_density"), Ge(0)]
Density = Annotated[float, _parser("density"), Gt(0)]
SpecificEnergy = Annotated[float, _parser("specific_energy"), Gt(0)]
Usd = Annotated[float, _parser("usd"), Ge(0)]
UsdPerKg = Annotated[float, _parser("usd_per_kg"), Ge(0)]
UsdPerWatt = Annotated[float, _parser("usd_per_W"), Ge(0)]
UsdPerJoule = Annotated[float, _parser("usd_per_J"), Ge(0)]
Co2PerJoule = Annotated[float, _parser("co2_per_J"), Ge(0)]
PerYear = Annotated[float, _parser("per_year"), Ge(0), Le(1)]
PerKelvin = Annotated[float, _parser("per_kelvin")]
Dose = Annotated[float, _parser("dose"), Ge(0)]
DoseRate = Annotated[float, _parser("dose_rate"), Ge(0)]
Rate = Annotated[float, _parser("rate"), Ge(0)]
Speed = Annotated[float, _parser("speed"), Ge(0)]
MassRatio = Annotated[float, _parser("mass_ratio"), Ge(0)]
