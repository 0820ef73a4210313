"""Orbit: failure and upset rates from the site's radiation model, and the spares a mission needs.

In orbit nothing is repaired: a chip or node that breaks is replaced from the
spares launched with the cluster, and once they are gone the job shrinks.
Radiation adds two effects (:mod:`dojosim.site.radiation`):

* **Single-event upsets.** The failure model's ``upset_driven`` causes (memory
  errors seen on the ground) scale by the ratio of the orbit's upset rate per bit
  (the part's ``radiation-tolerance`` range: its low or high end, or ``mid``, the
  geometric mean) to the ground rate per bit the failure model was observed under.
  This keeps the share of upsets that ECC does not absorb as it was on the ground.
* **Total ionising dose.** The dose rate behind the satellite's shielding (the
  mass model's areal density as aluminium, the SPENVIS dose-depth table at the
  orbit's inclination) reaches the part's TID onset after ``tid_lifetime_s``;
  from then every chip, spares included, is counted as failed.

:func:`attrition` is the closed-form companion of the Monte Carlo for the cost
room: the expected failed chips and nodes over a mission and the spares that
cover them with a given confidence. Units: s, Gy, 1/s.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from dojosim.errors import SpecError
from dojosim.sim.failure_model import FailureModelEntry
from dojosim.sim.section import RadiationSection
from dojosim.site import constants as C
from dojosim.site import radiation
from dojosim.site.schema import (
    DoseDepthEntry,
    MassModelEntry,
    OrbitEntry,
    RadiationToleranceEntry,
    site,
)
from dojosim.site.section import SiteSection

# Density of aluminium, kg/m^3 (CRC Handbook of Chemistry and Physics: 2.70 g/cm^3 at 20 degC):
# turns the mass model's shielding areal density into the equivalent Al thickness of the dose table.
ALUMINIUM_DENSITY = 2700.0


@dataclass(frozen=True)
class RadiationEffects:
    """What the orbit's radiation does to the fleet. Gy/s, s, 1/s per bit, ratio."""

    dose_rate_Gy_s: float
    shielding_m: float
    tid_lifetime_s: float
    upset_rate_per_bit_s: float
    ground_upset_rate_per_bit_s: float | None
    upset_multiplier: float
    upsets: str
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["dose_rate_rad_per_year"] = self.dose_rate_Gy_s * 100.0 * C.JULIAN_YEAR_S
        out["notes"] = list(self.notes)
        return out


def _entry(name: str, expect: type, file: str | None, field: str) -> Any:
    try:
        return site(name, expect)
    except SpecError as exc:
        raise SpecError(exc.detail, file=file, field=field) from None


def _inclination(orbit: OrbitEntry) -> float:
    from dojosim.site.orbit import sun_synchronous_inclination

    if orbit.sun_synchronous:
        return sun_synchronous_inclination(orbit.altitude)
    assert orbit.inclination is not None
    return orbit.inclination


def effects(
    site_section: SiteSection,
    rad: RadiationSection,
    model: FailureModelEntry,
    file: str | None = None,
) -> RadiationEffects:
    """Dose rate, TID lifetime and the upset multiplier for an orbit site."""
    field = "reliability.radiation"
    orbit = _entry(site_section.orbit, OrbitEntry, file, "site.orbit")
    mass = _entry(site_section.mass_model, MassModelEntry, file, "site.mass_model")
    table = _entry(rad.dose, DoseDepthEntry, file, f"{field}.dose")
    part = _entry(rad.tolerance, RadiationToleranceEntry, file, f"{field}.tolerance")
    notes: list[str] = []
    thickness = mass.shielding_areal_density / ALUMINIUM_DENSITY
    dose = radiation.dose_rate(table, _inclination(orbit), thickness)
    if dose.note:
        notes.append(f"dose: {dose.note}")
    if abs(dose.table_altitude_m - orbit.altitude) > 1.0:
        notes.append(
            f"dose table at {dose.table_altitude_m / 1e3:g} km used for an orbit at "
            f"{orbit.altitude / 1e3:g} km (trapped-particle dose rises with altitude)"
        )
    life = radiation.tid_lifetime(part.tid_onset, dose.rate_Gy_s)
    low, high = part.seu_rate_per_bit_low, part.seu_rate_per_bit_high
    if low is None or high is None:
        rate = 0.0
        notes.append(f"{part.name} gives no upset rates: upset-driven causes are not scaled")
    else:
        rate = {"low": low, "high": high, "mid": math.sqrt(low * high)}[rad.upsets]
    ground = model.ground_upset_rate
    upset_driven = any(c.upset_driven for c in model.causes)
    if rate > 0 and ground:
        multiplier = rate / ground
    else:
        multiplier = 1.0
        if upset_driven and rate > 0:
            notes.append(
                f"failure model {model.name!r} gives no ground_upset_rate: upset-driven causes "
                "keep their ground rates"
            )
    return RadiationEffects(
        dose_rate_Gy_s=dose.rate_Gy_s,
        shielding_m=thickness,
        tid_lifetime_s=life,
        upset_rate_per_bit_s=rate,
        ground_upset_rate_per_bit_s=ground,
        upset_multiplier=multiplier,
        upsets=rad.upsets,
        notes=tuple(notes),
    )


def poisson_quantile(mean: float, confidence: float) -> int:
    """Smallest k with P(Poisson(mean) <= k) >= confidence, summed in log space (any mean)."""
    if not 0 < confidence < 1:
        raise SpecError("confidence must lie strictly between 0 and 1", field="confidence")
    if mean <= 0:
        return 0
    # Start 12 standard deviations below the mean: the mass below is negligible.
    k = max(0, math.floor(mean - 12.0 * math.sqrt(mean)))
    total = 0.0
    while True:
        total += math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1.0))
        if total >= confidence:
            return k
        k += 1


@dataclass(frozen=True)
class Attrition:
    """Hardware lost over a mission without repair, and the spares that keep the cluster whole.

    ``expected_failed_chips`` and ``expected_failed_nodes`` are the losses with no
    spares (each unit fails at most once: ``n (1 - e^{-lambda t})``), and
    ``expected_lost_chips`` the chips out of service, lost to their own failure or their
    node's (``chips (1 - e^{-(lambda_chip + lambda_node) t})``);
    ``spares_chips`` keeps all ``chips`` working through the mission with probability
    ``confidence``: spares replace failed units at once, so failures are Poisson with
    mean ``n lambda t`` (spares are dormant until used and do not fail before). A
    satellite is one node of the scenario's system (``satellite_chips``): the chips lost
    and the spares in satellites' worth, for pricing replacement launches.
    """

    mission_s: float
    chips: int
    satellite_chips: int
    expected_failed_chips: float
    expected_failed_nodes: float
    node_chips: int
    expected_replacements_chips: float
    spares_chips: int
    confidence: float
    tid_lifetime_s: float
    expected_lost_chips: float
    by_cause: dict[str, float]
    notes: tuple[str, ...]

    @property
    def expected_lost_satellites(self) -> float:
        """The chips lost without spares, in satellites' worth."""
        return self.expected_lost_chips / self.satellite_chips

    @property
    def spare_satellites(self) -> int:
        """Satellites' worth of spare chips (rounded up)."""
        return math.ceil(self.spares_chips / self.satellite_chips)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["expected_lost_satellites"] = self.expected_lost_satellites
        out["spare_satellites"] = self.spare_satellites
        out["notes"] = list(self.notes)
        return out


def attrition(scenario: Any, confidence: float = 0.95, mission_s: float | None = None) -> Attrition:
    """Failed chips and nodes over an orbit scenario's mission, and the spare chips needed.

    ``scenario`` is a path, built-in name, mapping or resolved scenario with a
    ``reliability:`` section; ``mission_s`` defaults to its ``duration``. Chip
    failures are its ``swap`` causes per GPU, node failures its ``swap`` causes per
    node (each taking the failure model's ``node_gpus`` chips); upsets break no
    hardware. A mission longer than the TID lifetime loses every chip (in ``notes``).
    """
    from dojosim.sim.plan import context

    ctx = context(scenario)
    sc, model = ctx.scenario, ctx.model
    if sc.site is None or sc.site.type != "orbit":
        raise SpecError("attrition applies to an orbit site (site.type: orbit)", field="site.type")
    t = mission_s if mission_s is not None else ctx.duration_s
    notes: list[str] = []
    chip_rate = node_rate = 0.0
    by_cause: dict[str, float] = {}
    for cause in model.causes:
        if cause.action != "swap" or cause.per not in ("gpu", "node"):
            continue
        rate = model.rate(cause)  # upsets add soft errors only: they break no hardware
        units = model.units(cause.per, sc.chips)
        by_cause[cause.name] = radiation.expected_failures(1, rate, t) * units
        if cause.per == "gpu":
            chip_rate += rate
        else:
            node_rate += rate
    nodes = max(1, round(sc.chips / model.node_gpus))
    chip_mean, node_mean = sc.chips * chip_rate * t, nodes * node_rate * t
    spares = poisson_quantile(chip_mean, confidence) + model.node_gpus * poisson_quantile(
        node_mean, confidence
    )
    life = ctx.radiation.tid_lifetime_s if ctx.radiation else math.inf
    if life < t:
        notes.append(
            f"the TID lifetime ({life / C.JULIAN_YEAR_S:.2f} years) ends before the mission: every "
            "chip (spares included) reaches its dose limit"
        )
    return Attrition(
        mission_s=t,
        chips=sc.chips,
        satellite_chips=int(getattr(sc.system, "node_chips", 1) or 1),
        expected_failed_chips=radiation.expected_failures(sc.chips, chip_rate, t),
        expected_failed_nodes=radiation.expected_failures(nodes, node_rate, t),
        node_chips=model.node_gpus,
        expected_replacements_chips=chip_mean + model.node_gpus * node_mean,
        expected_lost_chips=radiation.expected_failures(sc.chips, chip_rate + node_rate, t),
        spares_chips=spares,
        confidence=confidence,
        tid_lifetime_s=life,
        by_cause=by_cause,
        notes=tuple(notes),
    )
