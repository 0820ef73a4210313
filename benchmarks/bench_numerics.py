"""Throughput of float32 -> CFP8 rounding, side by side with ml_dtypes and a plain copy.

Run: ``python benchmarks/bench_numerics.py [--elements N] [--repeats R] [--json]``

Every contender gets the same 16 Mi float32 elements (standard normal, seed 0) and
allocates its output, as ``ndarray.astype`` does. Each is timed ``R`` times in
interleaved rounds (so a noisy neighbour hurts all of them alike) and the best time
is reported, in millions of elements per second. Targets (issue "numerics"):
round-to-nearest >= 2x the ml_dtypes float8_e4m3fn cast; stochastic >= 1x.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable

import ml_dtypes
import numpy as np

from dojosim import numerics
from dojosim.numerics.rounding import num_threads


def _timings(cases: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    best = dict.fromkeys(cases, float("inf"))
    for f in cases.values():  # warm-up: page in, build caches, start the thread pool
        f()
    for _ in range(repeats):
        for name, f in cases.items():
            t0 = time.perf_counter()
            f()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=16 * 2**20)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args(argv)

    n = args.elements
    x = np.random.default_rng(0).standard_normal(n, dtype=np.float32)
    cases: dict[str, Callable[[], object]] = {
        "float32 copy": lambda: x.copy(),
        "ml_dtypes float8_e4m3fn cast": lambda: x.astype(ml_dtypes.float8_e4m3fn),
        "dojosim cfp8_143 nearest": lambda: numerics.quantize(x, "cfp8_143", bias=7),
        "dojosim cfp8_143 stochastic": lambda: numerics.quantize(
            x, "cfp8_143", bias=7, rounding="stochastic", seed=0
        ),
    }
    best = _timings(cases, args.repeats)
    rate = {k: n / t / 1e6 for k, t in best.items()}
    ref = rate["ml_dtypes float8_e4m3fn cast"]
    ratios = {
        "nearest / ml_dtypes": rate["dojosim cfp8_143 nearest"] / ref,
        "stochastic / ml_dtypes": rate["dojosim cfp8_143 stochastic"] / ref,
        "nearest / float32 copy": rate["dojosim cfp8_143 nearest"] / rate["float32 copy"],
    }
    targets = {
        "nearest >= 2x ml_dtypes": ratios["nearest / ml_dtypes"] >= 2.0,
        "stochastic >= 1x ml_dtypes": ratios["stochastic / ml_dtypes"] >= 1.0,
    }
    machine = {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "threads_used": num_threads(),
        "numpy": np.__version__,
        "ml_dtypes": ml_dtypes.__version__,
        "python": platform.python_version(),
    }
    if args.json:
        doc = {
            "elements": n,
            "repeats": args.repeats,
            "melem_per_s": rate,
            "ratios": ratios,
            "targets_met": targets,
            "machine": machine,
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return 0
    print(f"float32 -> 8-bit rounding, {n:,} elements, best of {args.repeats}")
    print("machine: " + ", ".join(f"{k} {v}" for k, v in machine.items()))
    for name, r in rate.items():
        print(f"  {name:32s} {r:9.1f} M elements/s")
    for name, r in ratios.items():
        print(f"  {name:32s} {r:9.2f}x")
    for name, ok in targets.items():
        print(f"  target {name:25s} {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
