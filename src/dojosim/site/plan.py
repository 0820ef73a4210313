"""The site stage: an estimated job placed in a data centre on Earth or in an orbit.

Pipeline position: ``Scenario → estimate (perf) → site (here) → cost → report``.

* :func:`job_of` keeps what later stages need from an :class:`~dojosim.perf.estimate.Estimate`.
* :func:`resolve_site` turns a scenario's ``site:`` section into catalog entries
  (overrides applied) and the IT load of its system (:mod:`dojosim.site.terrestrial`).
* :func:`size_site` is pure: from those frozen inputs and a mission length it
  gives the IT and facility power, the energy per step and, in orbit, the array,
  battery, radiators, dry mass and launch cost (:mod:`power`, :mod:`thermal`,
  :mod:`mass`, :mod:`launch`), sized over the worst orbit of the sampled year at
  end of life.

On Earth, facility power = IT power × PUE. In orbit there is no PUE: the power
drawn is the IT load plus the bus's housekeeping share, and ``compute_duty`` is
below 1 in ``throttle`` mode (compute stops in eclipse). Units: W, J, s, m², kg, USD.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from dojosim.errors import SpecError
from dojosim.site.launch import launch_cost, launches_needed
from dojosim.site.mass import MassBreakdown, satellite_mass
from dojosim.site.power import PowerSizing, size_power
from dojosim.site.schema import (
    BatteryEntry,
    EarthDatacenterEntry,
    EnvironmentEntry,
    LaunchEntry,
    MassModelEntry,
    OrbitEntry,
    RadiatorEntry,
    SolarArrayEntry,
    site,
)
from dojosim.site.section import SiteSection
from dojosim.site.terrestrial import ItLoad, it_load_from_system
from dojosim.site.thermal import RadiatorSizing, size_radiator


@dataclass(frozen=True)
class Job:
    """What the site and cost stages need from an estimate. FLOP, s, tokens, FLOP/s."""

    scenario: str
    system: str
    chip: str
    chips: int
    step_time_s: float
    model_flops_per_step: float
    tokens_per_step: float
    peak_flops: float
    mfu: float

    @property
    def model_flops_per_s(self) -> float:
        """Achieved model FLOP/s (Megatron convention)."""
        return self.model_flops_per_step / self.step_time_s

    @property
    def tokens_per_s(self) -> float:
        return self.tokens_per_step / self.step_time_s


def job_of(est: Any) -> Job:
    """A :class:`Job` from an :class:`~dojosim.perf.estimate.Estimate`."""
    peak = est.model_flops_per_step / (est.step_time_s * est.mfu) if est.mfu > 0 else 0.0
    return Job(
        scenario=est.scenario,
        system=est.system,
        chip=est.chip,
        chips=int(est.chips),
        step_time_s=float(est.step_time_s),
        model_flops_per_step=float(est.model_flops_per_step),
        tokens_per_step=float(est.tokens_per_s * est.step_time_s),
        peak_flops=peak,
        mfu=float(est.mfu),
    )


@dataclass(frozen=True)
class SiteSpec:
    """A resolved site: catalog entries with the section's overrides applied, and the IT load."""

    type: str
    load: ItLoad
    datacenter: EarthDatacenterEntry
    orbit: OrbitEntry | None = None
    environment: EnvironmentEntry | None = None
    solar_array: SolarArrayEntry | None = None
    battery: BatteryEntry | None = None
    radiator: RadiatorEntry | None = None
    launch: LaunchEntry | None = None
    mass_model: MassModelEntry | None = None
    power_mode: str = "battery"
    year: int = 2026
    notes: tuple[str, ...] = ()

    def as_earth(self) -> SiteSpec:
        """The same job in the reference data centre (the Earth equivalent of an orbit site)."""
        return SiteSpec(type="earth", load=self.load, datacenter=self.datacenter, notes=self.notes)


def _entry(name: str, expect: type, file: str | None, field: str) -> Any:
    try:
        return site(name, expect)
    except SpecError as exc:
        raise SpecError(exc.detail, file=file, field=f"site.{field}") from None


def resolve_site(
    section: SiteSection | None, system: Any, chip: Any, chips: int, file: str | None = None
) -> SiteSpec:
    """Catalog entries for a ``site:`` section (default: an Earth data centre) and the IT load."""
    sec = section or SiteSection()
    load = it_load_from_system(system, chip, chips, sec.utilisation)
    notes: list[str] = []
    if getattr(system, "node_power", None) is None:
        notes.append(
            f"system {system.name!r} gives no node_power: IT power counts the chips' TDP only "
            "(no host, NIC or switch overhead)"
        )
    dc = _entry(sec.datacenter, EarthDatacenterEntry, file, "datacenter")
    update = {
        k: v
        for k, v in (
            ("pue", sec.pue),
            ("electricity_price", sec.electricity_price),
            ("carbon_intensity", sec.carbon_intensity),
        )
        if v is not None
    }
    if update:  # an override replaces the catalog value and its range
        ranges = {k: v for k, v in dc.ranges.items() if k not in update}
        dc = dc.model_copy(update={**update, "ranges": ranges})
    if sec.type == "earth":
        return SiteSpec(type="earth", load=load, datacenter=dc, notes=tuple(notes))
    launch = _entry(sec.launch, LaunchEntry, file, "launch")
    if sec.launch_price is not None:
        ranges = {k: v for k, v in launch.ranges.items() if k != "price_per_kg"}
        launch = launch.model_copy(update={"price_per_kg": sec.launch_price, "ranges": ranges})
    return SiteSpec(
        type="orbit",
        load=load,
        datacenter=dc,
        orbit=_entry(sec.orbit, OrbitEntry, file, "orbit"),
        environment=_entry(sec.environment, EnvironmentEntry, file, "environment"),
        solar_array=_entry(sec.solar_array, SolarArrayEntry, file, "solar_array"),
        battery=_entry(sec.battery, BatteryEntry, file, "battery"),
        radiator=_entry(sec.radiator, RadiatorEntry, file, "radiator"),
        launch=launch,
        mass_model=_entry(sec.mass_model, MassModelEntry, file, "mass_model"),
        power_mode=sec.power_mode,
        year=sec.year,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class OrbitContext:
    """A year of sunlight in an orbit and the radiator's absorbed flux through it (W/m²)."""

    period_s: float
    max_eclipse_s: float
    max_sun_distance_m: float
    sunlit_fraction: float
    absorbed_W_m2: tuple[float, float]  # (hottest sample, mean)
    description: dict[str, Any]


def orbit_context(
    orbit: OrbitEntry, year: int, radiator: RadiatorEntry, env: EnvironmentEntry
) -> OrbitContext:
    """Sample the orbit's year once (about 0.2 s); cached on the entries' contents."""
    # Only what the sunlight and absorbed flux depend on: mass and cost fields (and their
    # ranges, varied by the cost stage's sweeps) must not force a new orbit-year.
    optics = {"emissivity", "absorptivity", "sides", "temperature", "orientation"}
    key = (
        orbit.model_dump_json(exclude={"ranges"}),
        year,
        radiator.model_dump_json(include=optics),
        env.model_dump_json(exclude={"ranges"}),
    )
    return _orbit_context(key, orbit, year, radiator, env)


_CONTEXTS: dict[tuple[str, int, str, str], OrbitContext] = {}


def _orbit_context(
    key: tuple[str, int, str, str],
    orbit: OrbitEntry,
    year: int,
    radiator: RadiatorEntry,
    env: EnvironmentEntry,
) -> OrbitContext:
    if key in _CONTEXTS:
        return _CONTEXTS[key]
    from dojosim.site.orbit import from_entry, year_epoch
    from dojosim.site.sunlight import orbit_year
    from dojosim.site.thermal import absorbed_flux

    y = orbit_year(from_entry(orbit, year_epoch(year)), year)
    absorbed = absorbed_flux(radiator, env, y.orbit, y.series)
    ctx = OrbitContext(
        period_s=y.per_orbit.period_s,
        max_eclipse_s=y.per_orbit.max_eclipse_s,
        max_sun_distance_m=float(np.max(y.series.sun_distance_m)),
        sunlit_fraction=float(y.series.sunlit_fraction),
        absorbed_W_m2=(float(np.max(absorbed)), float(np.mean(absorbed))),
        description=y.orbit.describe(),
    )
    if len(_CONTEXTS) > 64:
        _CONTEXTS.clear()
    _CONTEXTS[key] = ctx
    return ctx


@dataclass(frozen=True)
class OrbitSizing:
    """A compute satellite sized for the job: power, radiators, mass, launch."""

    housekeeping_W: float
    power: PowerSizing
    radiator: RadiatorSizing
    mass: MassBreakdown
    launch_usd_per_kg: float
    launch_cost_usd: float
    launches: int | None
    sunlit_fraction: float
    max_eclipse_minutes: float
    orbit: dict[str, Any]


@dataclass(frozen=True)
class SiteResult:
    """The job at its site. W, J (per step), fraction."""

    type: str
    nodes: int
    it_power_W: float
    facility_power_W: float
    energy_per_step_J: float
    compute_duty: float
    pue: float | None
    orbit: OrbitSizing | None = None


def size_orbit(spec: SiteSpec, years: float) -> OrbitSizing:
    """Array, battery, radiators, mass and launch for the IT load over ``years`` (end of life)."""
    assert spec.orbit and spec.environment and spec.solar_array and spec.battery
    assert spec.radiator and spec.launch and spec.mass_model
    ctx = orbit_context(spec.orbit, spec.year, spec.radiator, spec.environment)
    load = spec.load.power_W
    hk = load * spec.mass_model.housekeeping_power_fraction
    power = size_power(
        load,
        ctx.period_s,
        ctx.max_eclipse_s,
        spec.solar_array,
        spec.battery,
        spec.environment,
        years=years,
        housekeeping_W=hk,
        mode="throttle" if spec.power_mode == "throttle" else "battery",
        max_sun_distance_m=ctx.max_sun_distance_m,
    )
    rad = size_radiator(load + hk, spec.radiator, spec.environment, ctx.absorbed_W_m2[0])
    rad = replace(rad, absorbed_mean_W_m2=ctx.absorbed_W_m2[1])
    mass = satellite_mass(
        load,
        spec.mass_model,
        arrays_kg=power.array_mass_kg,
        radiators_kg=rad.mass_kg,
        battery_kg=power.battery_mass_kg,
    )
    return OrbitSizing(
        housekeeping_W=hk,
        power=power,
        radiator=rad,
        mass=mass,
        launch_usd_per_kg=spec.launch.usd_per_kg,
        launch_cost_usd=launch_cost(mass.total_kg, spec.launch),
        launches=launches_needed(mass.total_kg, spec.launch)
        if spec.launch.payload_to_leo
        else None,
        sunlit_fraction=ctx.sunlit_fraction,
        max_eclipse_minutes=ctx.max_eclipse_s / 60.0,
        orbit=ctx.description,
    )


def size_site(spec: SiteSpec, job: Job, years: float) -> SiteResult:
    """The job's power and energy per step at its site; in orbit, the satellite that carries it."""
    if years <= 0:
        raise SpecError("the lifetime must be positive", field="cost.lifetime")
    it = spec.load.power_W
    if spec.type == "earth":
        facility = it * spec.datacenter.pue
        return SiteResult(
            type="earth",
            nodes=spec.load.nodes,
            it_power_W=it,
            facility_power_W=facility,
            energy_per_step_J=facility * job.step_time_s,
            compute_duty=1.0,
            pue=spec.datacenter.pue,
        )
    sizing = size_orbit(spec, years)
    drawn = it + sizing.housekeeping_W
    return SiteResult(
        type="orbit",
        nodes=spec.load.nodes,
        it_power_W=it,
        facility_power_W=drawn,
        energy_per_step_J=drawn * job.step_time_s,
        compute_duty=sizing.power.compute_duty,
        pue=None,
        orbit=sizing,
    )
