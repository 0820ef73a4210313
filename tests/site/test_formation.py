"""Suncatcher's 81-satellite cluster: lattice, HCW geometry, and shared-geometry sunlight."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest

from dojosim.site import constants as C
from dojosim.site import orbit as O
from dojosim.site.formation import (
    Formation,
    disc_lattice,
    formation_sunlight,
    formation_sunlight_bruteforce,
)
from dojosim.site.schema import FormationEntry, site


def suncatcher() -> Formation:
    f: FormationEntry = site("suncatcher-81", FormationEntry)
    return Formation(disc_lattice(f.disc_radius), f.radial_spacing, f.along_track_spacing)


def test_81_members_within_1_km_neighbours_100_to_200_m() -> None:
    """arXiv:2511.19468: 81 satellites within a 1 km radius; neighbours 100-200 m apart."""
    f = suncatcher()
    assert f.size == site("suncatcher-81").satellites == 81
    assert f.max_offset_m == pytest.approx(1000.0)
    lo, hi = f.neighbour_distance_range_m()
    assert lo == pytest.approx(100.0, abs=0.5) and hi == pytest.approx(200.0, abs=0.5)


def test_members_follow_hcw_ellipses() -> None:
    """Relative motion x = A cos(nt+φ), y = -2A sin(nt+φ): bounded, period 2π/n."""
    f = suncatcher()
    n = 1.1e-3
    t = np.linspace(0, 2 * math.pi / n, 9)
    d = f.offsets(n, t)
    assert np.allclose(d[:, 0], d[:, -1], atol=1e-9)
    x, y = d[..., 0], d[..., 1]
    amp = np.hypot(x / 100.0, y / 200.0)
    assert np.allclose(amp, amp[:, :1])  # each member stays on its 2:1 ellipse


@pytest.mark.parametrize(
    "orbit",
    [
        O.sun_synchronous(650e3, "18:00", datetime(2026, 6, 1, tzinfo=UTC)),  # in season
        O.inclined(420e3, math.radians(51.6), datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_shared_geometry_equals_brute_force(orbit: O.CircularOrbit) -> None:
    f = suncatcher()
    days = 6 * C.DAY_S
    shared = formation_sunlight(orbit, f, days, 60.0)
    brute = formation_sunlight_bruteforce(orbit, f, days, 60.0)
    members = np.stack([shared.member(k) for k in range(f.size)])
    assert np.array_equal(members, brute)
    assert np.allclose(shared.sunlit_fraction, brute.mean(axis=1), atol=1e-12)
    assert shared.edge_index.size < 0.05 * shared.reference.t_s.size
