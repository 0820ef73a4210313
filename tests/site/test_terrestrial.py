"""A data centre on Earth: IT power, PUE, energy per step and run, costs and CO2."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.errors import DojosimError
from dojosim.site import constants as C
from dojosim.site.schema import EarthDatacenterEntry, ItNodeEntry, site
from dojosim.site.terrestrial import (
    ItLoad,
    annual_costs,
    it_load_from_node,
    it_load_from_system,
    run_energy,
    systems_capex,
)

DC: EarthDatacenterEntry = site("earth-datacenter-us-average", EarthDatacenterEntry)
NODE: ItNodeEntry = site("dgx-h100-node", ItNodeEntry)


def test_dgx_node_overhead() -> None:
    """10.2 kW per DGX H100 less 8 x 700 W of GPUs = 4.6 kW of CPUs, switches, NICs, fans."""
    assert NODE.overhead_W == pytest.approx(4600.0)
    load = it_load_from_node(NODE, 1024)
    assert load.nodes == 128
    assert load.power_W == pytest.approx(128 * 10.2e3)
    assert it_load_from_node(NODE, 9).nodes == 2
    assert systems_capex(NODE, 1024) == pytest.approx(128 * 270_000)  # base of the price range


def test_run_energy_arithmetic() -> None:
    r = run_energy(1e6, DC, step_time_s=2.0, steps=1000)
    assert r.facility_W == pytest.approx(1.56e6)
    assert r.energy_per_step_J == pytest.approx(3.12e6)
    assert r.energy_J == pytest.approx(3.12e9)
    kwh = 3.12e9 / 3.6e6
    assert r.electricity_usd == pytest.approx(kwh * 0.0806)
    assert r.co2_kg == pytest.approx(kwh * 0.81 * 0.45359237)


def test_annual_costs_of_40_mw() -> None:
    """40 MW IT at PUE 1.56 and 8.06 c/kWh: about $44M a year; $468M of building."""
    c = annual_costs(40e6, DC)
    assert c.electricity_usd == pytest.approx(40e3 * 1.56 * 8766 * 0.0806, rel=1e-6)
    assert c.facility_capex_usd == pytest.approx(468e6)
    assert c.facility_depreciation_usd == pytest.approx(468e6 / 20)
    assert c.energy_J == pytest.approx(40e6 * 1.56 * C.JULIAN_YEAR_S)


def test_bad_terrestrial_inputs() -> None:
    with pytest.raises(DojosimError):
        ItLoad(8, 700.0, 8, 100.0, utilisation=1.5)
    with pytest.raises(DojosimError):
        run_energy(1e6, DC, step_time_s=0.0, steps=1)


def test_from_catalog_system_when_present() -> None:
    if "dgx-h100" not in catalog.names("system"):
        pytest.skip("system catalog entry dgx-h100 not present")
    system = catalog.get("system", "dgx-h100")
    chip = catalog.get("chip", system.chip)
    load = it_load_from_system(system, chip, 16)
    assert load.power_W == pytest.approx(2 * 10.2e3)
