"""The goodput room's validation rows (``goodput-checks``, role ``check``): computed, never fitted.

Each function returns the value in the SI unit of its row's quantity; the
row's ``value.inputs`` (in ``catalog/sites/goodput-checks.yaml``) names the
scenario, failure model or published parameters it uses, so the data stays in
the catalog. Simulations are seeded (seed 0) and cached per input.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from dojosim.sim import optimum
from dojosim.site.quantity import to_unit

ENTRY = "goodput-checks"


@functools.cache
def inputs(row: str) -> dict[str, Any]:
    """The ``inputs:`` of a row of the checks entry."""
    from dojosim.site.schema import ClaimsEntry, site

    entry: ClaimsEntry = site(ENTRY, ClaimsEntry)
    for claim in entry.claims:
        if claim.id == row:
            value = claim.value
            return dict(value.get("inputs", {})) if isinstance(value, dict) else {}
    raise KeyError(row)


@functools.cache
def _scenario(name: str, runs: int) -> dict[str, Any]:
    from dojosim.sim.goodput import goodput

    return goodput(name, runs=runs, seed=0, sweep_runs=0).as_dict()


def _scenario_value(row: str, key: str) -> float:
    i = inputs(row)
    doc = _scenario(str(i["scenario"]), int(i.get("runs", 30)))
    value = doc[key]
    return float(value["mean"] if isinstance(value, dict) else value)


def _mttf(row: str) -> float:
    """Simulated job MTTF (s) of ``chips`` GPUs under a catalog failure model."""
    from dojosim import catalog
    from dojosim.sim.goodput import simulate
    from dojosim.sim.plan import synthetic

    i = inputs(row)
    model = catalog.get("failure-model", str(i["failures"]))
    chips = int(i["chips"])
    rates = {c.name: model.rate(c) * model.units(c.per, chips) for c in model.causes}
    # MTTF counts failures per hour the job holds its nodes; recovery and checkpoints do not
    # change it, so restart and save are nominal.
    plan = synthetic(rates, float(i["days"]) * 86400.0, 600.0, 0.0, interval_s=0.0)
    sim = simulate(plan, int(i["runs"]), 0)
    return float(sim.exposure.sum() / sim.counts.sum())


def _daly(row: str) -> tuple[float, float, float, float]:
    """(MTBF, restart, save, solve time) of a Daly (2006) figure, s."""
    i = inputs(row)
    return tuple(to_unit(i[k], "time") for k in ("mtbf", "restart", "save", "solve"))  # type: ignore[return-value]


def _exact(row: str) -> float:
    mtbf, _, save, _ = _daly(row)
    return float(optimum.exact(save, mtbf))


def _simulated(row: str) -> float:
    from dojosim.sim.goodput import simulate, simulated_optimum
    from dojosim.sim.plan import synthetic

    mtbf, restart, save, solve = _daly(row)
    runs = int(inputs(row).get("runs", 200))
    best = float(optimum.exact(save, mtbf))
    # Wall clock long enough to finish the solve time at the optimum's ETTR.
    wall = solve / float(optimum.ettr(best, save, mtbf, restart))
    rows = []
    for m in np.geomspace(0.5, 2.0, 9):
        plan = synthetic({"failure": 1.0 / mtbf}, wall, restart, save, interval_s=best * m)
        rows.append(
            {"interval_s": best * m, "ettr_simulated": float(simulate(plan, runs, 0).ettr.mean())}
        )
    found = simulated_optimum(rows)
    assert found is not None
    return found


COMPUTE: dict[str, Callable[[], float]] = {
    "llama3-405b-unexpected-interruptions": lambda: _scenario_value(
        "llama3-405b-unexpected-interruptions", "interruptions"
    ),
    "llama3-405b-effective-training-time": lambda: _scenario_value(
        "llama3-405b-effective-training-time", "ettr"
    ),
    "kokolis-mttf-1024-gpus": lambda: _mttf("kokolis-mttf-1024-gpus"),
    "kokolis-mttf-16k-gpus": lambda: _mttf("kokolis-mttf-16k-gpus"),
    "kokolis-mttf-131k-gpus": lambda: _mttf("kokolis-mttf-131k-gpus"),
    "ft-hsdp-ettr-synchronous": lambda: _scenario_value("ft-hsdp-ettr-synchronous", "ettr"),
    "ft-hsdp-ettr-fault-tolerant": lambda: _scenario_value("ft-hsdp-ettr-fault-tolerant", "ettr"),
    "daly2006-optimum-mtbf-24h": lambda: _exact("daly2006-optimum-mtbf-24h"),
    "daly2006-optimum-mtbf-6h": lambda: _exact("daly2006-optimum-mtbf-6h"),
    "daly2006-optimum-mtbf-15min": lambda: _exact("daly2006-optimum-mtbf-15min"),
    "daly2006-simulated-optimum-mtbf-6h": lambda: _simulated("daly2006-simulated-optimum-mtbf-6h"),
}
