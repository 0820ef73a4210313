"""Mass of a compute satellite: compute, arrays, radiators, battery, shielding, structure, bus.

Model (SMAD §10.5 style, parameters from a ``mass-model`` catalog entry):

* compute  = IT power × compute kg/W (a server node's mass over its power);
* shielding = areal density × the surface of the compute enclosure, taken as a
  cube holding the compute at the node's density: area = 6 (m/ρ)^(2/3);
* arrays, radiators and battery from :mod:`power` and :mod:`thermal`;
* structure and bus (ADCS, avionics, propulsion, comms) as fractions of dry mass:
  dry = Σ(above) / (1 - f_structure - f_bus).

Units: kg, W, m².
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from dojosim.errors import DojosimError
from dojosim.site.schema import MassModelEntry


@dataclass(frozen=True)
class MassBreakdown:
    """Dry mass of one satellite by subsystem, kg."""

    compute_kg: float
    arrays_kg: float
    radiators_kg: float
    battery_kg: float
    shielding_kg: float
    structure_kg: float
    bus_kg: float

    @property
    def total_kg(self) -> float:
        return (
            self.compute_kg
            + self.arrays_kg
            + self.radiators_kg
            + self.battery_kg
            + self.shielding_kg
            + self.structure_kg
            + self.bus_kg
        )

    def to_dict(self) -> dict[str, float]:
        out = asdict(self)
        out["total_kg"] = self.total_kg
        return out


def compute_mass(it_power_W: float, model: MassModelEntry) -> float:
    """Mass of the compute hardware for an IT power, kg."""
    return it_power_W * model.compute_specific_mass


def shielding_mass(compute_kg: float, model: MassModelEntry) -> float:
    """Shield mass over a cubic enclosure of the compute, kg."""
    volume = compute_kg / model.compute_density
    return model.shielding_areal_density * 6.0 * volume ** (2.0 / 3.0)


def satellite_mass(
    it_power_W: float,
    model: MassModelEntry,
    *,
    arrays_kg: float,
    radiators_kg: float,
    battery_kg: float = 0.0,
) -> MassBreakdown:
    """The dry-mass breakdown of a satellite carrying ``it_power_W`` of compute."""
    if min(it_power_W, arrays_kg, radiators_kg, battery_kg) < 0:
        raise DojosimError("masses and powers must not be negative")
    compute = compute_mass(it_power_W, model)
    shield = shielding_mass(compute, model)
    subtotal = compute + arrays_kg + radiators_kg + battery_kg + shield
    dry = subtotal / (1.0 - model.structure_fraction - model.bus_fraction)
    return MassBreakdown(
        compute_kg=compute,
        arrays_kg=arrays_kg,
        radiators_kg=radiators_kg,
        battery_kg=battery_kg,
        shielding_kg=shield,
        structure_kg=dry * model.structure_fraction,
        bus_kg=dry * model.bus_fraction,
    )
