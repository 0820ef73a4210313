"""Schemas of the ``price`` catalog kind (``catalog/prices/``): what hardware and orbits cost.

Like the ``site`` kind, one kind holds several schemas and the field ``type``
selects one (``PriceEntry`` dispatches on it):

* ``system-price``: the price of a catalog system's unit — a ``node`` (a DGX, a
  Dojo tile), a ``chip``, or a rented ``chip-hour`` (cloud TPUs) — with its basis
  (list, street, cloud on-demand, estimate) and year;
* ``orbit-cost``: what a compute satellite costs beyond its servers and launch —
  spacecraft (bus, structure, radiators, integration) per kg, solar array per W
  where the array entry gives no price, operations per year;
* ``sensitivity-ranges``: the low and high value of each parameter that
  ``dojosim site`` varies for its tornado plot.

Every entry names its ``source`` (required here, not only by the loader);
``estimate: true`` marks our own inferences. Values parse to SI floats (USD, W, kg,
s, J) through :mod:`dojosim.site.quantity`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from dojosim.site.quantity import Fraction, Usd, UsdPerKg, UsdPerWatt, to_unit
from dojosim.spec.base import Frozen, Registry, TypedEntry


class PriceEntry(TypedEntry):
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
    ``estimate``.
    """

    type: Literal["system-price"] = "system-price"
    systems: list[str] = Field(min_length=1)
    per: Per = "node"
    price: Usd
    basis: Literal["list", "street", "cloud-on-demand", "estimate"] = "list"


class OrbitCostEntry(PriceEntry):
    """Costs of a compute satellite beyond its servers and its launch (USD, per kg, per W)."""

    type: Literal["orbit-cost"] = "orbit-cost"
    spacecraft_cost_per_kg: UsdPerKg
    array_cost_per_watt: UsdPerWatt
    operations_fraction_per_year: Fraction = 0.0


# Parameters a sensitivity range may vary, with the quantity kind of their values.
SENSITIVITY_PARAMETERS: dict[str, str] = {
    "launch_price": "usd_per_kg",
    "array_specific_power": "specific_power",
    "system_price": "fraction",  # a factor on the system's catalog price
    "electricity_price": "usd_per_J",
    "lifetime": "time",
    "pue": "fraction",
    "spacecraft_cost_per_kg": "usd_per_kg",
    "array_cost_per_watt": "usd_per_W",
}


class SensitivityRange(Frozen):
    """One parameter's low and high value, with units (a factor for ``system_price``)."""

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
        """(low, high) in SI units (a plain factor for ``system_price``)."""
        kind = SENSITIVITY_PARAMETERS[self.parameter]
        return to_unit(self.low, kind), to_unit(self.high, kind)


class SensitivityRangesEntry(PriceEntry):
    """The ranges ``dojosim site`` sweeps one at a time for its sensitivity table and tornado."""

    type: Literal["sensitivity-ranges"] = "sensitivity-ranges"
    ranges: list[SensitivityRange] = Field(min_length=1)


PRICE_TYPES: dict[str, type[PriceEntry]] = {
    cls.model_fields["type"].default: cls
    for cls in (SystemPriceEntry, OrbitCostEntry, SensitivityRangesEntry)
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
