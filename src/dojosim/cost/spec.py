"""Schemas of the ``price`` catalog kind (``catalog/prices/``): what hardware, sites and orbits cost.

Like the ``site`` kind, one kind holds several schemas and the field ``type``
selects one (``PriceEntry`` dispatches on it):

* ``system-price``: the price of a catalog system's unit: a ``node`` (a DGX, a
  Dojo tile), a ``chip``, or a rented ``chip-hour`` (cloud TPUs), with its basis
  (list, street, cloud on-demand, estimate) and year;
* ``earth-cost``: what a cluster on Earth costs beyond its systems and building:
  the scale-out network and storage per accelerator, vendor maintenance, their
  upkeep and the staff;
* ``orbit-cost``: what a compute satellite costs beyond its servers and launch:
  the spacecraft per kg, the array per W (where the array entry gives none),
  operations, ground segment, insurance, failures to replace, deorbit
  propellant, and launch and re-entry emissions per kg;
* ``sensitivity-ranges``: ranges of choices that no entry field holds (the lifetime).

Every entry names its ``source`` (required here, not only by the loader);
``estimate: true`` marks our own inferences. Prices and masses per unit are
``{low, base, high}`` ranges with a source for each end (:mod:`dojosim.site.ranged`).
Values parse to SI floats (USD, W, kg, s, J) through :mod:`dojosim.site.quantity`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from dojosim.site.quantity import (
    Duration,
    Fraction,
    MassRatio,
    PerYear,
    Speed,
    Usd,
    UsdPerKg,
    UsdPerWatt,
    to_unit,
)
from dojosim.site.ranged import RangedModel
from dojosim.spec.base import Frozen, Registry, TypedEntry


class PriceEntry(TypedEntry, RangedModel):
    """Base of every price entry; validating ``PriceEntry`` returns the schema named by ``type``."""

    kind: Literal["price"] = "price"
    source: str | list[str]  # required: a price without a source is not accepted
    year: int | None = None

    @classmethod
    def registry(cls) -> Registry:
        return PRICE_TYPES


Per = Literal["node", "chip", "chip-hour"]


class SystemPriceEntry(PriceEntry):
    """The price of one unit of catalog ``systems``: per node, per chip, or per rented chip-hour.

    ``price`` is in USD (per hour for ``chip-hour``). ``basis`` says what kind of
    price it is: ``list`` (vendor list price), ``street``, ``cloud-on-demand`` or
    ``estimate``. ``earth_cost`` names the ``earth-cost`` entry for the network,
    storage, maintenance and staff that go with the systems on Earth.
    """

    type: Literal["system-price"] = "system-price"
    systems: list[str] = Field(min_length=1)
    per: Per = "node"
    price: Usd
    basis: Literal["list", "street", "cloud-on-demand", "estimate"] = "list"
    earth_cost: str = "earth-cost-gpu-fat-tree"


class EarthCostEntry(PriceEntry):
    """A cluster's costs on Earth beyond its systems and building. USD, fractions per year.

    ``network_per_chip`` and ``storage_per_chip`` are capex per accelerator (switches,
    NICs, optics, cables; a parallel file system); ``maintenance_fraction_per_year`` is
    the systems' support contract, ``upkeep_fraction_per_year`` the same for network and
    storage; ``staff_usd_per_mw_year`` the operations staff per MW of IT power.
    """

    type: Literal["earth-cost"] = "earth-cost"
    network_per_chip: Usd
    storage_per_chip: Usd
    maintenance_fraction_per_year: Fraction
    upkeep_fraction_per_year: Fraction
    staff_usd_per_mw_year: Usd


class OrbitCostEntry(PriceEntry):
    """A compute satellite's costs beyond its servers and launch. USD, kg, W, m/s, fractions.

    * ``spacecraft_cost_per_kg``: bus, structure, radiators, battery, integration, per kg
      of dry mass other than the servers and the arrays;
    * ``array_cost_per_watt``: used where the array entry gives no ``cost_per_watt``;
    * ``operations_fraction_per_year``: of the orbital hardware (arrays + spacecraft);
    * ``ground_usd_per_satellite_year``: ground stations and downlink;
    * ``insurance_fraction``: launch plus first year, of hardware and launch;
    * ``annual_failure_rate``: satellites lost per year, whose replacements are built and
      launched (overridden by the scenario's ``cost.replacement_fraction``);
    * ``deorbit_delta_v`` and ``thruster_isp``: propellant carried to deorbit at end of life;
    * ``launch_co2_per_kg`` and ``reentry_co2_per_kg``: kg CO2 per kg put in orbit.
    """

    type: Literal["orbit-cost"] = "orbit-cost"
    spacecraft_cost_per_kg: UsdPerKg
    array_cost_per_watt: UsdPerWatt
    operations_fraction_per_year: Fraction = 0.0
    ground_usd_per_satellite_year: Usd = 0.0
    insurance_fraction: Fraction = 0.0
    annual_failure_rate: PerYear = 0.0
    deorbit_delta_v: Speed = 0.0
    thruster_isp: Duration = 1500.0
    launch_co2_per_kg: MassRatio = 0.0
    reentry_co2_per_kg: MassRatio = 0.0


# Choices a sensitivity range may vary that no catalog field holds, with their quantity kind.
# (Prices and masses per unit carry their own ranges on their entries.)
SENSITIVITY_PARAMETERS: dict[str, str] = {"lifetime": "time"}


class SensitivityRange(Frozen):
    """One parameter's low and high value, with units."""

    parameter: str
    low: str | float
    high: str | float
    source: str
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> SensitivityRange:
        kind = SENSITIVITY_PARAMETERS.get(self.parameter)
        if kind is None:
            raise ValueError(
                f"unknown sensitivity parameter {self.parameter!r}; "
                f"expected one of {sorted(SENSITIVITY_PARAMETERS)}"
            )
        lo, hi = to_unit(self.low, kind), to_unit(self.high, kind)
        if not 0 <= lo <= hi:
            raise ValueError(f"{self.parameter}: need 0 <= low <= high, got {lo:g} and {hi:g}")
        return self

    def values(self) -> tuple[float, float]:
        """(low, high) in SI units."""
        kind = SENSITIVITY_PARAMETERS[self.parameter]
        return to_unit(self.low, kind), to_unit(self.high, kind)


class SensitivityRangesEntry(PriceEntry):
    """Ranges of choices (the lifetime) swept with the catalog's own ranges."""

    type: Literal["sensitivity-ranges"] = "sensitivity-ranges"
    choices: list[SensitivityRange] = Field(min_length=1)


PRICE_TYPES: dict[str, type[PriceEntry]] = {
    cls.model_fields["type"].default: cls
    for cls in (SystemPriceEntry, EarthCostEntry, OrbitCostEntry, SensitivityRangesEntry)
}


def price(name: str, expect: type[PriceEntry] | None = None) -> Any:
    """A validated price entry from the catalog, optionally checked to be of schema ``expect``."""
    from dojosim import catalog
    from dojosim.errors import CatalogError

    entry = catalog.get("price", name)
    if expect is not None and not isinstance(entry, expect):
        want = expect.model_fields["type"].default
        raise CatalogError(f"price entry {name!r} is a {entry.type}, not a {want}", field="type")
    return entry


def system_price_for(system: str) -> SystemPriceEntry | None:
    """The catalog price of a system (the first ``system-price`` entry naming it), or None."""
    from dojosim import catalog

    for name in catalog.names("price"):
        entry = catalog.get("price", name)
        if isinstance(entry, SystemPriceEntry) and system in entry.systems:
            return entry
    return None
