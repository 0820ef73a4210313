"""The break-even launch price: Brent's method on a monotone gap, checked against its definition."""

from __future__ import annotations

import dataclasses

import pytest

from dojosim.cost.breakeven import breakeven_launch_price, orbit_cost_at_launch_price
from dojosim.cost.pipeline import cost_inputs
from dojosim.cost.uncertainty import cost_at
from tests.cost.conftest import JOB, spec


def test_no_breakeven_when_orbit_loses_at_a_free_launch() -> None:
    s = spec("orbit")
    be = breakeven_launch_price(JOB, s, cost_inputs(None, s, "dgx-h100"))
    assert be.launch_usd_per_kg is None
    assert be.orbit_usd_per_pflop_day_at_zero_launch > be.earth_usd_per_pflop_day


def test_breakeven_price_equalises_orbit_and_earth() -> None:
    s = spec("orbit", solar_array="solar-array-mass-production")
    base = cost_inputs(None, s, "dgx-h100")
    # Make Earth dear enough that a break-even exists: a costly building on a short life.
    dc = s.datacenter.model_copy(update={"electricity_price": 1e-6})  # $3.6/kWh
    s = dataclasses.replace(s, datacenter=dc)
    be = breakeven_launch_price(JOB, s, base)
    assert be.launch_usd_per_kg is not None and be.launch_usd_per_kg > 0
    earth = cost_at(JOB, s.as_earth(), base).usd_per_pflop_day
    at = orbit_cost_at_launch_price(JOB, s, base, be.launch_usd_per_kg)
    assert at == pytest.approx(earth, rel=1e-6)
    assert orbit_cost_at_launch_price(JOB, s, base, be.launch_usd_per_kg * 1.1) > earth


def test_bisection_agrees_with_brent(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    from dojosim.cost import breakeven

    def f(p: float) -> float:
        return p * p - 2.0

    brent = breakeven._root(f, 0.0, 10.0)
    real_import = builtins.__import__

    def no_scipy(name: str, *args: object, **kw: object) -> object:
        if name.startswith("scipy"):
            raise ImportError(name)
        return real_import(name, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    assert breakeven._root(f, 0.0, 10.0) == pytest.approx(brent, abs=1e-3)
    assert brent == pytest.approx(2**0.5, abs=1e-3)  # solved to a thousandth of a USD/kg
