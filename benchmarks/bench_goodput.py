"""Speed of the goodput Monte Carlo: 16,384 GPUs x 54 days and 100,000 GPUs x 30 days, 100 runs.

Run: ``python benchmarks/bench_goodput.py [--runs N]``. Prints figures; asserts nothing
(targets from the issue: 16,384 GPUs x 54 d x 100 runs <= 10 s; 100,000 GPUs x 30 d x 100
runs <= 30 s). Times are the Monte Carlo alone (the step estimate is made once, before), as
wall seconds (best of 3) and CPU seconds of this process, since the machine is shared.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import replace
from typing import Any

import numpy as np

from dojosim.perf.estimate import estimate
from dojosim.sim.goodput import goodput, simulate
from dojosim.sim.plan import SimPlan, build, context

DAY = 86400.0


def plan_of(name: str) -> SimPlan:
    ctx = context(name)
    return build(ctx, estimate(ctx.scenario))


def scaled(plan: SimPlan, chips: int, days: float) -> SimPlan:
    """The same fleet at ``chips`` GPUs: per-GPU, per-node and per-link rates scale, per-job not."""
    factor = np.array([1.0 if p == "job" else chips / plan.chips for p in plan.per])
    return replace(plan, chips=chips, rates=plan.rates * factor, duration_s=days * DAY)


def timed(plan: SimPlan, runs: int) -> tuple[float, float, Any]:
    """(best wall s of 3, CPU s of the best, the result)."""
    best, cpu, out = math.inf, 0.0, None
    for _ in range(3):
        w0, c0 = time.perf_counter(), time.process_time()
        out = simulate(plan, runs, 0)
        w, c = time.perf_counter() - w0, time.process_time() - c0
        if w < best:
            best, cpu = w, c
    return best, cpu, out


def line(label: str, plan: SimPlan, runs: int, target: float) -> None:
    wall, cpu, sim = timed(plan, runs)
    failures = sim.counts.sum()
    print(
        f"  {label}: {wall:.2f} s wall, {cpu:.2f} s CPU (target <= {target:g} s); "
        f"{failures / runs:,.0f} failures per run, {failures / cpu:,.0f} failures/CPU-s; "
        f"ETTR {sim.ettr.mean():.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    runs = args.runs
    llama = plan_of("llama3-405b-16k-h100-goodput")
    print(f"goodput Monte Carlo, {runs} runs (failure model llama3-h100 unless said)")
    line("16,384 GPUs x 54 d", llama, runs, 10)
    line("100,000 GPUs x 30 d", scaled(llama, 100_000, 30), runs, 30)
    ft = plan_of("ft-hsdp-100k-h100-sync")
    line("98,304 GPUs x 30 d, RSC-1 rates, repairs (ft-hsdp-100k-h100-sync)", ft, runs, 30)
    w0 = time.perf_counter()
    goodput("llama3-405b-16k-h100-goodput", runs=runs)
    print(
        f"  whole `dojosim goodput llama3-405b-16k-h100-goodput` (estimate, {runs} runs, "
        f"interval sweep): {time.perf_counter() - w0:.2f} s wall"
    )


if __name__ == "__main__":
    main()
