"""Radiators: the area that rejects a heat load at a chosen temperature, orbit by orbit.

Net heat rejected per m² of panel (Gilmore, *Spacecraft Thermal Control Handbook*,
2nd ed., ch. 2 and 6), summed over the panel's radiating sides:

    q = Σ_sides [ ε σ (T⁴ - T_sink⁴) - α S ν max(0, n·ŝ) - ε q_IR F_E - α a S F_E max(0, r̂·ŝ) ]

* ``S``: irradiance at the Sun distance; ``ν``: visible fraction of the Sun.
* ``F_E``: view factor from a flat plate to the Earth sphere, with ``H = (R+h)/R``
  and the plate normal at angle θ from nadir (Howell, *A Catalog of Radiation
  Heat Transfer Configuration Factors*, planar element to sphere):
  ``F = cos θ / H²`` while the whole Earth is in view (θ <= π/2 - asin(1/H));
  a closed form for the partial view; 0 once Earth is behind the plate.
* Albedo scales with the cosine of the Sun's zenith angle at the sub-satellite
  point (the usual first-order model; Gilmore ch. 2).

Panel attitudes: ``edge-on-vertical`` (normal ⟂ Sun and ⟂ local vertical: no
direct Sun, both faces see Earth's limb), ``zenith-facing`` (one face to space,
the other to nadir) and ``sun-facing`` (a worst case). The design case is the
hottest instant of the period given (``case="hot"``) or its mean (``"mean"``).
Units: W, m², K, kg.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from dojosim.errors import DojosimError
from dojosim.site import constants as C
from dojosim.site.orbit import CircularOrbit
from dojosim.site.power import irradiance
from dojosim.site.schema import EnvironmentEntry, RadiatorEntry
from dojosim.site.sunlight import F64, SunlightSeries, sun_at


def emitted_flux(
    temperature_K: F64 | float, emissivity: float, sides: int = 1, sink_K: float = 0.0
) -> F64:
    """Grey-body emission, W per m² of panel: sides · ε σ (T⁴ - T_sink⁴)."""
    t = np.asarray(temperature_K, dtype=float)
    return sides * emissivity * C.SIGMA * (t**4 - sink_K**4)


def earth_view_factor(altitude_m: F64 | float, theta_rad: F64 | float) -> F64:
    """View factor from a flat plate to the Earth; θ is the angle of its normal from nadir."""
    h = (C.R_EARTH_EQ + np.asarray(altitude_m, dtype=float)) / C.R_EARTH_EQ
    th = np.abs(np.asarray(theta_rad, dtype=float))
    h, th = np.broadcast_arrays(h, th)
    half = np.arcsin(1.0 / h)
    out = np.where(th <= math.pi / 2 - half, np.cos(th) / h**2, 0.0)
    part = (th > math.pi / 2 - half) & (th < math.pi / 2 + half)
    if np.any(part):
        hp, tp = h[part], th[part]
        root = np.sqrt(hp**2 - 1.0)
        st, ct = np.sin(tp), np.cos(tp)
        inner = np.sqrt(np.clip(1.0 - hp**2 * ct**2, 0.0, None))
        out = np.array(out, dtype=float)
        out[part] = (
            0.5
            - np.arcsin(np.clip(root / (hp * st), -1, 1)) / math.pi
            + (ct * np.arccos(np.clip(-root * ct / st, -1, 1)) - root * inner) / (math.pi * hp**2)
        )
    return np.asarray(out, dtype=float)


def _normals(orientation: str, radial: F64, sun: F64, along: F64) -> F64:
    if orientation == "zenith-facing":
        return radial
    if orientation == "sun-facing":
        return sun
    if orientation == "edge-on-vertical":
        n = np.cross(sun, radial)
        norm = np.linalg.norm(n, axis=-1, keepdims=True)
        return np.where(norm > 1e-9, n / np.maximum(norm, 1e-12), along)
    raise DojosimError(f"unknown radiator orientation {orientation!r}")


def absorbed_flux(
    radiator: RadiatorEntry,
    env: EnvironmentEntry,
    orbit: CircularOrbit,
    series: SunlightSeries,
) -> F64:
    """Environmental heat absorbed per m² of panel (all radiating sides), W/m², per sample."""
    t = series.t_s
    radial, along, _ = orbit.lvlh(t)
    sun, dist = sun_at(orbit, t)
    s = irradiance(env, dist)
    normal = _normals(radiator.orientation, radial, sun, along)
    sub_solar = np.clip(np.einsum("...i,...i->...", radial, sun), 0.0, None)
    total = np.zeros(t.shape)
    for sign in (1.0, -1.0)[: radiator.sides]:
        n = sign * normal
        cos_sun = np.clip(np.einsum("...i,...i->...", n, sun), 0.0, None)
        theta = np.arccos(np.clip(-np.einsum("...i,...i->...", n, radial), -1.0, 1.0))
        f_e = earth_view_factor(orbit.altitude_m, theta)
        total += radiator.absorptivity * s * series.illumination * cos_sun
        total += radiator.emissivity * env.earth_ir * f_e
        total += radiator.absorptivity * env.albedo * s * f_e * sub_solar
    return total


@dataclass(frozen=True)
class RadiatorSizing:
    """Radiator area and mass for a heat load; fluxes per m² of panel (all sides)."""

    heat_W: float
    temperature_K: float
    emitted_W_m2: float
    absorbed_design_W_m2: float
    absorbed_mean_W_m2: float
    net_W_m2: float
    area_m2: float
    mass_kg: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def size_radiator(
    heat_W: float,
    radiator: RadiatorEntry,
    env: EnvironmentEntry,
    absorbed_W_m2: F64 | float = 0.0,
    *,
    case: Literal["hot", "mean"] = "hot",
    temperature_K: float | None = None,
) -> RadiatorSizing:
    """Area = heat / (emitted - absorbed), with the hot (max) or mean absorbed flux."""
    if heat_W < 0:
        raise DojosimError("heat load must not be negative")
    temp = radiator.temperature if temperature_K is None else temperature_K
    absorbed = np.asarray(absorbed_W_m2, dtype=float)
    design = float(absorbed.max() if case == "hot" else absorbed.mean())
    emitted = float(emitted_flux(temp, radiator.emissivity, radiator.sides, env.sink_temperature))
    net = emitted - design
    if net <= 0:
        raise DojosimError(
            f"a radiator at {temp:.1f} K absorbs more than it emits ({design:.0f} vs "
            f"{emitted:.0f} W/m²): raise its temperature or change its attitude"
        )
    area = heat_W / net
    return RadiatorSizing(
        heat_W=heat_W,
        temperature_K=temp,
        emitted_W_m2=emitted,
        absorbed_design_W_m2=design,
        absorbed_mean_W_m2=float(absorbed.mean()),
        net_W_m2=net,
        area_m2=area,
        mass_kg=area * radiator.areal_density * (1.0 + radiator.loop_mass_fraction),
    )
