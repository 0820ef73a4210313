"""Speed of the estimator (printed, never asserted on time).

Goals from the estimator issue: one estimate <= 5 ms in-process; `dojosim estimate` as a
whole process <= 1.5 s; resolving every `auto` knob for GPT-3 175B on 1,024 A100 <= 2 s.
From the Dojo issue: GPT-3 175B on a full ExaPOD, layout search included, <= 5 s.

Run: python benchmarks/bench_estimate.py
"""

from __future__ import annotations

import subprocess
import sys
import time

from dojosim import catalog, scenarios
from dojosim.perf.estimate import estimate
from dojosim.spec.resolve import load_scenario


def best_of(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    sc = load_scenario(catalog.get("run", "korthikanti22-175b-selective").scenario)
    estimate(sc)
    one = best_of(lambda: estimate(sc), 50)
    print(
        f"one estimate (GPT-3 175B, 64 A100, explicit layout): {one * 1e3:.2f} ms  (goal <= 5 ms)"
    )

    auto = load_scenario(scenarios.path("gpt3-175b-1024-a100"))  # type: ignore[arg-type]
    t_auto = best_of(lambda: estimate(auto), 3)
    n = estimate(auto).candidates_evaluated
    print(
        f"every auto knob, GPT-3 175B on 1,024 A100: {t_auto:.3f} s for {n} candidates  (goal <= 2 s)"
    )

    pod = load_scenario(scenarios.path("gpt3-175b-dojo-exapod"))  # type: ignore[arg-type]
    t_pod = best_of(lambda: estimate(pod), 3)
    n_pod = estimate(pod).candidates_evaluated
    print(
        f"GPT-3 175B on a full ExaPOD, every knob searched: {t_pod:.3f} s for {n_pod} candidates"
        "  (goal <= 5 s)"
    )

    cmd = [
        sys.executable,
        "-m",
        "dojosim.cli",
        "estimate",
        str(scenarios.path("gpt3-175b-1024-a100")),
        "--json",
    ]
    proc = best_of(lambda: subprocess.run(cmd, check=True, capture_output=True), 3)
    print(f"`dojosim estimate` whole process (auto scenario): {proc:.3f} s  (goal <= 1.5 s)")


if __name__ == "__main__":
    main()
