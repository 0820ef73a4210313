"""Goodput in time and cost to train: what the cost pipeline calls when a scenario has ``reliability:``.

:func:`apply_goodput` runs the Monte Carlo (:data:`RUNS` seeded runs, no interval
sweep) and scales the site's evaluations: time, cost and energy to train are
divided by the mean ETTR (the job holds its machine through every badput
second), delivered FLOP is multiplied by it, $/PFLOP-day divided by it. An orbit
site's Earth equivalent is simulated as the same job in a data centre: no
radiation, and every failed node swapped from the site's pool.
"""

from __future__ import annotations

import dataclasses
from typing import Any

#: Runs of the goodput Monte Carlo behind ``dojosim site`` (seed 0).
RUNS = 20


def earth_version(sc: Any) -> Any:
    """The scenario as a job in a data centre: no radiation, a spare node for every node."""
    rel = sc.reliability
    node_chips = int(getattr(sc.system, "node_chips", 1) or 1)
    nodes = max(1, -(-int(sc.chips) // node_chips))
    rel = rel.model_copy(
        update={"radiation": None, "repair": None, "spares": nodes, "while_short": None}
    )
    site = sc.site.model_copy(update={"type": "earth"}) if sc.site is not None else None
    return sc.model_copy(update={"site": site, "reliability": rel})


def _scaled(ev: Any, ettr: float) -> Any:
    """An evaluation with its delivered FLOP and time/cost/energy to train scaled by ETTR."""
    if ettr <= 0:
        ettr = 1e-12
    cost = dataclasses.replace(
        ev.cost,
        delivered_flop=ev.cost.delivered_flop * ettr,
        usd_per_pflop_day=ev.cost.usd_per_pflop_day / ettr,
        flops_per_usd_per_w=ev.cost.flops_per_usd_per_w * ettr,
    )
    train = ev.train
    if train is not None:
        train = dataclasses.replace(
            train,
            time_to_train_s=train.time_to_train_s / ettr,
            cost_to_train_usd=train.cost_to_train_usd / ettr,
            energy_to_train_j=train.energy_to_train_j / ettr,
        )
    return dataclasses.replace(ev, cost=cost, train=train)


def _block(doc: dict[str, Any]) -> dict[str, Any]:
    out = {
        "applied": True,
        "failures": doc["failures"],
        "runs": doc["runs"],
        "duration_s": doc["duration_s"],
        "ettr": doc["ettr"],
        "interruptions": doc["interruptions"],
        "job_mttf_s": doc["job_mttf_s"],
        "checkpoint_interval_s": doc["checkpoint_interval_s"]["chosen"],
        "badput_s": doc["badput_s"],
    }
    if doc.get("orbit"):
        orbit = dict(doc["orbit"])
        orbit.pop("capacity_curve", None)
        out["orbit"] = orbit
    return out


def apply_goodput(
    sc: Any, est: Any, main: Any, earth: Any
) -> tuple[Any, Any, dict[str, Any] | None]:
    """``(main, earth, goodput block)``: unchanged and None without a ``reliability:`` section."""
    if getattr(sc, "reliability", None) is None:
        return main, earth, None
    from dojosim.sim.goodput import goodput

    g = goodput(sc, runs=RUNS, seed=0, est=est, sweep_runs=0)
    block = _block(g.doc)
    main = _scaled(main, g.ettr)
    if earth is not None:
        ge = goodput(earth_version(sc), runs=RUNS, seed=0, est=est, sweep_runs=0)
        block["earth_equivalent"] = _block(ge.doc)
        earth = _scaled(earth, ge.ettr)
    block["note"] = (
        f"goodput applied: time, cost and energy to train divided by ETTR {g.ettr:.3f} and "
        f"delivered FLOP multiplied by it ({g.doc['failures']}, {RUNS} runs over "
        f"{g.doc['duration_s'] / 86400:.4g} days)"
    )
    return main, earth, block
