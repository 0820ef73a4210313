"""Published figures recomputed: one ``claim`` row each, with its source and our value.

The rows live in the ``site-claims`` catalog entry (value with units, relative
tolerance, source). Each ``id`` maps to a function here that recomputes the
figure from this room's physics, or, for Starcloud's table, from the paper's
own assumptions. Values are compared in SI units.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

from dojosim.errors import CatalogError
from dojosim.site import constants as C
from dojosim.site.formation import Formation, disc_lattice
from dojosim.site.orbit import from_entry, sun_synchronous_inclination, year_epoch
from dojosim.site.quantity import UNITS, to_unit
from dojosim.site.radiation import dose_rate
from dojosim.site.schema import ClaimsEntry, site
from dojosim.site.starcloud import Reproduction, reproduce
from dojosim.site.sunlight import eclipse_fraction_beta, orbit_year

# The calendar year used where a claim does not depend on one.
REFERENCE_YEAR = 2026


@dataclass(frozen=True)
class ClaimRow:
    """One published figure and ours, both in SI units of ``quantity``."""

    id: str
    quantity: str
    unit: str
    expected: float
    computed: float
    relative_error: float
    tolerance: float | None
    ok: bool | None
    source: str
    note: str
    restates: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@functools.cache
def _starcloud() -> Reproduction:
    return reproduce(
        site("starcloud-2024-whitepaper"),
        site("space-environment-leo"),
        site("solar-array-starcloud-silicon"),
    )


def _sentinel_max_eclipse() -> float:
    entry = site("sentinel-1-693")
    orbit = from_entry(entry, year_epoch(REFERENCE_YEAR))
    return orbit_year(orbit, REFERENCE_YEAR).per_orbit.max_eclipse_s


def _sentinel_period() -> float:
    return from_entry(site("sentinel-1-693"), year_epoch(REFERENCE_YEAR)).period_s


def _keplerian_period(altitude_m: float) -> float:
    return 2 * math.pi * math.sqrt((C.R_EARTH_EQ + altitude_m) ** 3 / C.GM_EARTH)


def _suncatcher() -> Formation:
    f = site("suncatcher-81")
    return Formation(disc_lattice(f.disc_radius), f.radial_spacing, f.along_track_spacing)


def _suncatcher_dose() -> float:
    """5-year dose at the SSO inclination behind the mass model's 10 mm of aluminium."""
    table = site("dose-depth-leo-550-spenvis")
    model = site("mass-model-compute-satellite")
    thickness = model.shielding_areal_density / 2700.0  # aluminium, kg/m^3
    inc = sun_synchronous_inclination(table.altitude)
    return dose_rate(table, inc, thickness).rate_Gy_s * 5 * C.JULIAN_YEAR_S


COMPUTE: dict[str, Callable[[], float]] = {
    "sentinel-1-inclination": lambda: sun_synchronous_inclination(site("sentinel-1-693").altitude),
    "sentinel-1-nodal-period": _sentinel_period,
    "sentinel-1-max-eclipse": _sentinel_max_eclipse,
    "beta0-280km-sunlit-fraction": lambda: 1.0 - float(eclipse_fraction_beta(280e3, 0.0)),
    "beta0-400km-eclipse": lambda: (
        float(eclipse_fraction_beta(400e3, 0.0)) * _keplerian_period(400e3)
    ),
    "starcloud-radiator-blackbody": lambda: _starcloud().radiator_blackbody_W_m2,
    "starcloud-radiator-emitted": lambda: _starcloud().radiator_emitted_W_m2,
    "starcloud-radiator-net": lambda: _starcloud().radiator_net_W_m2,
    "starcloud-energy-line": lambda: _starcloud().terrestrial[0].usd,
    "starcloud-terrestrial-total": lambda: _starcloud().terrestrial_total,
    "starcloud-space-total": lambda: _starcloud().space_total,
    "starcloud-space-energy-price": lambda: _starcloud().space_energy_price_usd_per_J,
    "starcloud-wholesale-ratio": lambda: _starcloud().wholesale_ratio(
        site("starcloud-2024-whitepaper").wholesale_price
    ),
    "starcloud-cost-ratio": lambda: _starcloud().cost_ratio,
    "starcloud-5gw-array": lambda: _starcloud().gw_array_power_W,
    "suncatcher-cluster-size": lambda: float(_suncatcher().size),
    "suncatcher-neighbour-max": lambda: _suncatcher().neighbour_distance_range_m()[1],
    "suncatcher-cluster-radius": lambda: _suncatcher().max_offset_m,
    "suncatcher-5yr-dose": _suncatcher_dose,
}


def check_claims(
    name: str = "site-claims", compute: Mapping[str, Callable[[], float]] | None = None
) -> list[ClaimRow]:
    """Recompute every claim of a ``claims`` catalog entry with ``compute`` (default: this room's).

    ``compute`` maps each row ``id`` to a zero-argument function returning the
    value in the SI unit of the row's ``quantity`` (see :data:`dojosim.site.quantity.UNITS`).
    A row with ``tolerance: null`` is informational (``ok`` is None): a published
    figure re-run with our own physics, shown with its difference explained in ``note``.
    """
    table = COMPUTE if compute is None else compute
    entry: ClaimsEntry = site(name, ClaimsEntry)
    rows = []
    for claim in entry.claims:
        fn = table.get(claim.id)
        if fn is None:
            raise CatalogError(f"claim {claim.id!r} of {name!r} has no computation registered")
        expected = to_unit(claim.value, claim.quantity)
        computed = float(fn())
        err = abs(computed - expected) / abs(expected) if expected else abs(computed)
        rows.append(
            ClaimRow(
                id=claim.id,
                quantity=claim.quantity,
                unit=UNITS[claim.quantity][0],
                expected=expected,
                computed=computed,
                relative_error=err,
                tolerance=claim.tolerance,
                ok=None if claim.tolerance is None else err <= claim.tolerance + 1e-12,
                source=claim.source,
                note=claim.note,
                restates=claim.restates or "",
            )
        )
    return rows
