"""A close formation (Suncatcher-style cluster) and a year of its sunlight at the cost of one orbit.

Members fly passive relative orbits about a circular reference orbit. In the
Hill–Clohessy–Wiltshire solution without drift, a member with in-plane lattice
coordinates ``(i, j)`` at t = 0 sits at

    x(t) = Δx·(i cos nt + j sin nt)          (radial)
    y(t) = Δy·(j cos nt - i sin nt)          (along-track), with Δy = 2 Δx

so the lattice turns rigidly on the 2:1 HCW ellipse and neighbours stay
between Δx and Δy apart (Clohessy & Wiltshire 1960; Suncatcher's 100 m × 200 m
disc of radius 5 holds 81 members).

**Shared geometry.** Every member sees the same Sun and almost the same Earth.
Moving a satellite by δ changes the Sun–Earth separation ``c`` by at most
δ/|r| and Earth's apparent radius ``b`` by at most δ·tan b/|r|. So wherever the
reference orbit is more than ``(1 + tan b)·δ_max/(|r| - δ_max)`` (times a
safety factor) inside full sunlight or the umbra, all members share its ν; only
the few samples near a shadow edge are evaluated per member. The result equals
the brute-force evaluation (``tests/site/test_formation.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dojosim.site.orbit import CircularOrbit
from dojosim.site.sunlight import (
    F64,
    SunlightSeries,
    _frozen,
    cone_angles,
    sample_times,
    sun_at,
    sunlight,
    visible_fraction,
)

# Margin multiplier over the first-order bound (covers the ellipsoid's z-scaling, 0.34 %).
SAFETY = 2.0


def disc_lattice(radius: int) -> NDArray[np.int64]:
    """Integer points (i, j) with i² + j² <= radius², shape (K, 2), sorted."""
    r = int(radius)
    pts = [(i, j) for i in range(-r, r + 1) for j in range(-r, r + 1) if i * i + j * j <= r * r]
    return np.array(sorted(pts), dtype=np.int64)


@dataclass(frozen=True)
class Formation:
    """Lattice members on 2:1 HCW ellipses: radial spacing Δx and along-track spacing Δy (m)."""

    lattice: NDArray[np.int64]
    radial_spacing_m: float
    along_track_spacing_m: float

    @property
    def size(self) -> int:
        return int(self.lattice.shape[0])

    @property
    def max_offset_m(self) -> float:
        """Largest distance of any member from the reference point at any time, m (bound)."""
        rho = np.hypot(self.lattice[:, 0], self.lattice[:, 1]).max(initial=0.0)
        return float(rho * max(self.radial_spacing_m, self.along_track_spacing_m))

    def offsets(self, mean_motion: float, t_s: F64) -> F64:
        """LVLH offsets (K, T, 3): radial, along-track, cross-track, m."""
        nt = mean_motion * np.asarray(t_s, dtype=float)[None, :]
        i = self.lattice[:, 0:1].astype(float)
        j = self.lattice[:, 1:2].astype(float)
        c, s = np.cos(nt), np.sin(nt)
        x = self.radial_spacing_m * (i * c + j * s)
        y = self.along_track_spacing_m * (j * c - i * s)
        return np.stack([x, y, np.zeros_like(x)], axis=-1)

    def positions(self, orbit: CircularOrbit, t_s: F64) -> F64:
        """Geocentric member positions (K, T, 3), m."""
        t = np.asarray(t_s, dtype=float)
        radial, along, normal = orbit.lvlh(t)
        d = self.offsets(orbit.mean_motion, t)
        return (
            orbit.positions(t)[None]
            + d[..., 0:1] * radial[None]
            + d[..., 1:2] * along[None]
            + d[..., 2:3] * normal[None]
        )

    def neighbour_distance_range_m(self) -> tuple[float, float]:
        """Min and max nearest-neighbour distance over one revolution (m)."""
        t = np.linspace(0.0, 2 * math.pi, 73)
        d = self.offsets(1.0, t)  # (K, T, 3)
        diff = d[:, None] - d[None, :]
        dist = np.linalg.norm(diff, axis=-1)
        k = np.arange(self.size)
        dist[k, k] = np.inf
        nearest = dist.min(axis=1)  # (K, T)
        return float(nearest.min()), float(nearest.max())


@dataclass(frozen=True)
class FormationSunlight:
    """ν of every member: the reference series plus per-member values at edge samples."""

    reference: SunlightSeries
    edge_index: NDArray[np.int64]
    edge_illumination: F64  # (K, E)
    size: int

    def member(self, k: int) -> F64:
        """The full ν series of member ``k``."""
        nu = np.array(self.reference.illumination)
        nu[self.edge_index] = self.edge_illumination[k]
        return nu

    @property
    def sunlit_fraction(self) -> F64:
        """Time-averaged ν of each member (K,)."""
        ref = self.reference.illumination
        base = ref.sum() - ref[self.edge_index].sum()
        return (base + self.edge_illumination.sum(axis=1)) / ref.size


def formation_sunlight(
    orbit: CircularOrbit,
    formation: Formation,
    duration_s: float,
    step_s: float = 60.0,
    *,
    oblate: bool = True,
) -> FormationSunlight:
    """A formation's sunlight, sharing the reference orbit's geometry away from shadow edges."""
    ref = sunlight(orbit, duration_s, step_s, oblate=oblate)
    t = ref.t_s
    unit, dist = sun_at(orbit, t)
    r_sun = unit * dist[:, None]
    a, b, c, rn = cone_angles(orbit.positions(t), r_sun, oblate=oblate)
    delta = formation.max_offset_m
    margin = SAFETY * delta * (1.0 + np.tan(b)) / np.maximum(rn - delta, 1.0)
    lit = c - (a + b) > margin
    dark = (b - a) - c > margin
    edge = np.flatnonzero(~(lit | dark))
    if edge.size:
        pos = formation.positions(orbit, t[edge])  # (K, E, 3)
        nu = visible_fraction(*cone_angles(pos, r_sun[edge][None], oblate=oblate)[:3])
    else:
        nu = np.empty((formation.size, 0))
    return FormationSunlight(ref, _frozen(edge), _frozen(nu), formation.size)


def formation_sunlight_bruteforce(
    orbit: CircularOrbit,
    formation: Formation,
    duration_s: float,
    step_s: float = 60.0,
    *,
    oblate: bool = True,
    chunk: int = 1 << 15,
) -> F64:
    """Every member at every sample (K, T), in time chunks: the reference for the shortcut."""
    t = sample_times(duration_s, step_s)
    out = np.empty((formation.size, t.size))
    for start in range(0, t.size, chunk):
        tc = t[start : start + chunk]
        unit, dist = sun_at(orbit, tc)
        pos = formation.positions(orbit, tc)
        a, b, c, _ = cone_angles(pos, (unit * dist[:, None])[None], oblate=oblate)
        out[:, start : start + chunk] = visible_fraction(a, b, c)
    return out
