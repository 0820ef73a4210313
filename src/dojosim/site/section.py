"""The scenario's ``site:`` section: where the job runs — a data centre on Earth, or an orbit.

```yaml
site:
  type: earth                       # earth (default) | orbit
  datacenter: earth-datacenter-us-average   # on Earth: the site; in orbit: the Earth reference
  utilisation: 1.0                  # mean fraction of chip power drawn (0..1)
  pue: 1.2                          # optional overrides of the data centre's figures
  electricity_price: "0.06 USD/kWh"
  # orbit only (defaults are catalog entries of kind site):
  orbit: leo-dawn-dusk-650
  solar_array: solar-array-iii-v-flexible
  battery: battery-li-ion-leo
  radiator: radiator-deployable-heritage
  launch: launch-suncatcher-2035
  launch_price: "500 USD/kg"        # optional override of the launch entry's $/kg
  mass_model: mass-model-compute-satellite
  environment: space-environment-leo
  power_mode: battery               # battery | throttle (compute stops in eclipse)
  year: 2026                        # the calendar year of sunlight sampled
```

Values are checked here (a negative price, a PUE below 1, a utilisation above 1
are errors naming ``site.<field>``); catalog names are checked when the site is
built (:mod:`dojosim.site.plan`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dojosim.site.quantity import Co2PerJoule, Fraction, Ratio, UsdPerJoule, UsdPerKg
from dojosim.spec.base import Frozen


class SiteSection(Frozen):
    """Where a scenario runs; every name is a ``site`` catalog entry. Units as in the catalog."""

    type: Literal["earth", "orbit"] = "earth"
    datacenter: str = "earth-datacenter-us-average"
    utilisation: Fraction = 1.0
    pue: Ratio | None = None
    electricity_price: UsdPerJoule | None = None
    carbon_intensity: Co2PerJoule | None = None
    orbit: str = "leo-dawn-dusk-650"
    solar_array: str = "solar-array-iii-v-flexible"
    battery: str = "battery-li-ion-leo"
    radiator: str = "radiator-deployable-heritage"
    launch: str = "launch-suncatcher-2035"
    launch_price: UsdPerKg | None = None
    mass_model: str = "mass-model-compute-satellite"
    environment: str = "space-environment-leo"
    power_mode: Literal["battery", "throttle"] = "battery"
    year: int = Field(default=2026, ge=1950, le=2100)
