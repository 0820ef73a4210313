"""The cost formulas against hand calculations from the catalog's sourced numbers."""

from __future__ import annotations

import dataclasses
import math

import pytest

from dojosim.cost.model import PFLOP_DAY, CostInputs, tco, train_cost
from dojosim.cost.pipeline import cost_inputs, evaluate
from dojosim.errors import SpecError
from dojosim.site.plan import size_site
from tests.cost.conftest import JOB, spec

YEAR = 365.25 * 86400
KWH = 3.6e6


def test_earth_power_and_energy_per_step_by_hand() -> None:
    s = spec("earth")
    site = size_site(s, JOB, 6.0)
    # DGX H100: 8 x 700 W + (10.2 kW - 5.6 kW) per node, 128 nodes
    assert site.it_power_W == pytest.approx(1024 * 700 + 128 * 4600)
    assert site.facility_power_W == pytest.approx(1_305_600 * 1.56)
    assert site.energy_per_step_J == pytest.approx(1_305_600 * 1.56 * 8.0)


def test_earth_tco_by_hand() -> None:
    s = spec("earth")
    inputs = cost_inputs(None, s, "dgx-h100")
    assert inputs.unit_price_usd == 270_000 and inputs.per == "node"
    assert inputs.lifetime_s == pytest.approx(6 * YEAR)  # the data centre's IT life
    ev = evaluate(JOB, s, inputs, 300e9)
    c = ev.cost
    it = 1_305_600.0
    energy = it * 1.56 * 6 * YEAR
    systems = 128 * 270_000
    network, storage = 1024 * 4904.0, 1024 * 1000.0  # earth-cost-gpu-fat-tree base values
    facility = it * 11.7
    assert c.capex_usd == pytest.approx(
        {"systems": systems, "network": network, "storage": storage, "facility": facility * 0.3}
    )
    assert c.opex_usd["electricity"] == pytest.approx(energy / KWH * 0.0806)
    assert c.opex_usd["facility_opex"] == pytest.approx(facility * 0.03 * 6)
    assert c.opex_usd["maintenance"] == pytest.approx(systems * 0.10 * 6)
    assert c.opex_usd["network_storage_upkeep"] == pytest.approx((network + storage) * 0.10 * 6)
    assert c.opex_usd["staff"] == pytest.approx(it / 1e6 * 450_000 * 6)
    assert c.co2_kg == pytest.approx(energy / KWH * 0.81 * 0.45359237)
    total = sum(c.capex_usd.values()) + sum(c.opex_usd.values())
    assert c.tco_usd == pytest.approx(total)
    assert c.usd_per_chip_hour == pytest.approx(total / (1024 * 6 * YEAR / 3600))
    flops = 1024 * 400e12
    assert c.usd_per_pflop_day == pytest.approx(total / (flops * 6 * YEAR / PFLOP_DAY))
    assert c.flops_per_usd_per_w == pytest.approx(flops / total / (it * 1.56))
    # 300 B tokens at 1536 x 2048 tokens per 8 s step
    t = ev.train
    assert t is not None
    steps = 300e9 / (1536 * 2048)
    assert t.time_to_train_s == pytest.approx(steps * 8.0)
    assert t.cost_to_train_usd == pytest.approx(total / (6 * YEAR) * steps * 8.0)
    assert t.energy_to_train_j == pytest.approx(it * 1.56 * steps * 8.0)


def test_orbit_costs_add_up() -> None:
    s = spec("orbit")
    inputs = cost_inputs(None, s, "dgx-h100")
    ev = evaluate(JOB, s, inputs, None)
    o = ev.site.orbit
    assert o is not None
    m = o.mass
    assert ev.site.facility_power_W == pytest.approx(1_305_600 * 1.03)  # 3 % bus power
    assert ev.site.pue is None
    assert o.launch_cost_usd == pytest.approx(m.total_kg * 200.0)  # Suncatcher's $200/kg
    c = ev.cost
    assert c.capex_usd["launch"] == pytest.approx(m.total_kg * 200.0)
    rest = m.total_kg - m.compute_kg - m.arrays_kg
    assert c.capex_usd["spacecraft"] == pytest.approx(rest * 1096.0)  # Starlink V2 mini $/kg
    # the heritage III-V array at its own base price, $400/W
    assert c.capex_usd["solar_array"] == pytest.approx(o.power.array_rated_W * 400.0)
    # deorbit: the rocket equation at 136 m/s and 1,500 s; paid at the launch price
    prop = m.total_kg * (math.exp(136.0 / (9.80665 * 1500.0)) - 1)
    assert c.extra["propellant_kg"] == pytest.approx(prop)
    assert c.capex_usd["deorbit"] == pytest.approx(prop * 200.0)
    # 1 %/yr of satellites fail over 6 years and are rebuilt and relaunched
    f = 1 - 0.99**6
    hardware = c.capex_usd["systems"] + c.capex_usd["solar_array"] + c.capex_usd["spacecraft"]
    assert c.capex_usd["replacements"] == pytest.approx(
        f * (hardware + c.capex_usd["launch"] + c.capex_usd["deorbit"])
    )
    assert c.capex_usd["insurance"] == pytest.approx(0.10 * (hardware + c.capex_usd["launch"]))
    assert c.opex_usd["operations"] == pytest.approx(
        (c.capex_usd["solar_array"] + c.capex_usd["spacecraft"]) * 0.01 * 6
    )
    assert c.opex_usd["ground"] == pytest.approx(200_000 * 6)
    assert c.tco_usd == pytest.approx(sum(c.capex_usd.values()) + sum(c.opex_usd.values()))
    assert "electricity" not in c.opex_usd
    # launch emissions: every kg put in orbit, replacements included, at 26.8 kg CO2/kg
    assert c.co2_kg == pytest.approx((m.total_kg + prop) * (1 + f) * 26.8)
    assert c.co2_kg > 0
    # the servers at the DGX H100's 12.79 kg/kW
    assert m.compute_kg == pytest.approx(1_305_600 * 12.79e-3, rel=1e-3)


def test_a_given_replacement_fraction_overrides_the_failure_rate() -> None:
    s = spec("orbit")
    inputs = dataclasses.replace(cost_inputs(None, s, "dgx-h100"), replacement_fraction=0.25)
    c = evaluate(JOB, s, inputs, None).cost
    assert c.extra["replacement_fraction"] == 0.25


def test_throttle_mode_lowers_duty_and_battery() -> None:
    bat = evaluate(JOB, spec("orbit"), cost_inputs(None, spec("orbit"), "dgx-h100"), 1e9)
    thr_spec = spec("orbit", power_mode="throttle")
    thr = evaluate(JOB, thr_spec, cost_inputs(None, thr_spec, "dgx-h100"), 1e9)
    assert bat.site.orbit and thr.site.orbit
    assert thr.site.compute_duty < 1.0 == bat.site.compute_duty
    assert thr.site.orbit.mass.battery_kg < 0.1 * bat.site.orbit.mass.battery_kg
    assert thr.train and bat.train
    assert thr.train.time_to_train_s == pytest.approx(
        bat.train.time_to_train_s / thr.site.compute_duty
    )


def test_rented_chip_hours_have_no_facility_or_electricity() -> None:
    s = spec("earth")
    site = size_site(s, JOB, 1.0)
    inputs = CostInputs(lifetime_s=YEAR, unit_price_usd=2.0, per="chip-hour")
    c = tco(JOB, s, site, inputs)
    assert c.opex_usd == {"rental": pytest.approx(1024 * YEAR / 3600 * 2.0)}
    assert c.capex_usd == {}


def test_train_cost_rejects_empty_budget() -> None:
    s = spec("earth")
    site = size_site(s, JOB, 1.0)
    c = tco(JOB, s, site, CostInputs(lifetime_s=YEAR, unit_price_usd=1.0))
    with pytest.raises(SpecError):
        train_cost(JOB, site, c, 0.0)


@pytest.mark.parametrize(
    "bad",
    [
        {"lifetime_s": 0.0},
        {"lifetime_s": math.inf},
        {"unit_price_usd": -1.0},
        {"replacement_fraction": 1.5},
        {"per": "rack"},
    ],
)
def test_cost_inputs_reject_bad_values(bad: dict[str, object]) -> None:
    base = {"lifetime_s": YEAR, "unit_price_usd": 1.0}
    with pytest.raises(SpecError):
        CostInputs(**{**base, **bad})  # type: ignore[arg-type]


def test_earth_equivalent_shares_the_load() -> None:
    s = spec("orbit")
    e = s.as_earth()
    assert e.type == "earth" and e.load == s.load and e.orbit is None
    assert dataclasses.replace(e).datacenter.name == "earth-datacenter-us-average"
