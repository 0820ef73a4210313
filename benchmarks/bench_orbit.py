"""Speed of a year of sunlight: one orbit, and Suncatcher's 81-satellite cluster.

Run: ``python benchmarks/bench_orbit.py [--brute-force]``. Prints figures; asserts nothing
(targets from the issue: one orbit-year at 60 s <= 1 s; the 81-satellite cluster <= 5 s).
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from typing import Any

from dojosim.site import orbit as O
from dojosim.site.formation import (
    Formation,
    disc_lattice,
    formation_sunlight,
    formation_sunlight_bruteforce,
)
from dojosim.site.schema import site
from dojosim.site.sunlight import orbit_year

YEAR = 2026
STEP = 60.0


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Fastest wall time of ``repeat`` runs, s, and the last result."""
    best, out = math.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--brute-force", action="store_true", help="also time every member")
    args = parser.parse_args()
    epoch = O.year_epoch(YEAR)
    seconds = O.year_seconds(YEAR)
    samples = int(seconds // STEP)
    orbits = {
        "dawn-dusk 650 km (LTAN 18:00)": O.sun_synchronous(650e3, "18:00", epoch),
        "ISS-like 420 km / 51.6 deg": O.inclined(420e3, math.radians(51.6), epoch),
    }
    print(f"a year ({YEAR}) at {STEP:g} s steps = {samples:,} samples per satellite")
    for name, orbit in orbits.items():
        t, year = best_of(lambda orbit=orbit: orbit_year(orbit, YEAR, STEP))
        print(
            f"  one orbit-year, {name}: {t:.3f} s  (sunlit {year.series.sunlit_fraction:.4f}, "
            f"max eclipse {year.per_orbit.max_eclipse_s / 60:.2f} min, "
            f"{year.per_orbit.t_mid_s.size} orbits)"
        )
    f = site("suncatcher-81")
    cluster = Formation(disc_lattice(f.disc_radius), f.radial_spacing, f.along_track_spacing)
    for name, orbit in orbits.items():
        t, fs = best_of(lambda orbit=orbit: formation_sunlight(orbit, cluster, seconds, STEP))
        print(
            f"  {cluster.size}-satellite cluster-year, {name}: {t:.3f} s  "
            f"({fs.edge_index.size:,} shadow-edge samples evaluated per member; sunlit "
            f"{fs.sunlit_fraction.min():.5f}..{fs.sunlit_fraction.max():.5f})"
        )
    if args.brute_force:
        orbit = orbits["ISS-like 420 km / 51.6 deg"]
        t, _ = best_of(lambda: formation_sunlight_bruteforce(orbit, cluster, seconds, STEP), 1)
        print(f"  brute force, every member at every sample (ISS-like): {t:.2f} s")


if __name__ == "__main__":
    main()
