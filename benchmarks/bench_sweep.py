"""Speed, Ray overhead and memory of sweeps (printed; the goals are checked by reading them).

Goals from the explore issue: a 10,000-point sweep of fixed-layout scenarios <= 20 s on
2 cores with the local backend; the same sweep on a local Ray gives identical rows, and its
overhead is reported; memory stays flat as the number of points grows (rows stream to the
store and are never all held).

Run: python benchmarks/bench_sweep.py            (everything, about 2-3 minutes on 2 cores)
     python benchmarks/bench_sweep.py --no-ray --no-memory
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# GPT-3 175B on DGX A100 with a fixed layout (TP 8, PP 8, data parallel over the rest):
# 4 x 5 x 25 x 20 = 10,000 points, each a valid layout.
BASE: dict[str, Any] = {
    "name": "bench-gpt3-a100",
    "model": "gpt3-175b",
    "system": "dgx-a100-80g",
    "chips": 64,
    "precision": "bf16",
    "parallelism": {
        "tensor": 8,
        "pipeline": 8,
        "global_batch": 512,
        "micro_batch": 1,
        "interleave": 1,
        "sequence_parallel": True,
        "recompute": "selective",
    },
}


def spec(points: int) -> dict[str, Any]:
    """A grid of ``points`` (a multiple of 400) fixed-layout scenarios."""
    assert points % 400 == 0
    return {
        "name": f"bench-{points}",
        "base": BASE,
        "axes": {
            "chips": [64, 128, 256, 512],
            "parallelism.global_batch": [512, 1024, 1536, 2048, 3072],
            "system.chip.memory_bandwidth": {"low": "1 TB/s", "high": "4 TB/s", "num": 20},
            "system.network.1.bandwidth": {
                "low": "100 Gb/s",
                "high": "800 Gb/s",
                "num": points // 400,
            },
        },
        "outputs": [
            "step_time_s",
            "mfu",
            "tokens_per_s",
            "memory_per_chip_bytes",
            "fits_in_memory",
        ],
    }


def timed_sweep(points: int, out: Path, **kw: Any) -> tuple[float, Any]:
    from dojosim.explore import run_sweep

    t0 = time.perf_counter()
    s = run_sweep(spec(points), out, **kw)
    return time.perf_counter() - t0, s


def cpu_seconds(before: Any) -> tuple[float, float]:
    """CPU seconds of the worker processes and of this process since ``before``.

    The workers are children of multiprocessing's fork server, so their time reaches this
    process's RUSAGE_CHILDREN once the fork server has reaped them and been stopped.
    """
    import multiprocessing.forkserver as fs

    server = getattr(fs, "_forkserver", None)
    if server is not None and hasattr(server, "_stop"):
        server._stop()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    me = resource.getrusage(resource.RUSAGE_SELF)
    mine = me.ru_utime + me.ru_stime - before.ru_utime - before.ru_stime
    return kids.ru_utime + kids.ru_stime, mine


def memory_child(points: int, out: str) -> None:
    """In a fresh process: run the sweep, print the peak resident memory of this process."""
    from dojosim.explore import run_sweep

    run_sweep(spec(points), out, workers=2)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"points": points, "peak_mib": peak_kib / 1024}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--memory-child", nargs=2, metavar=("POINTS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(int(args.memory_child[0]), args.memory_child[1])
        return

    from dojosim.explore import read_table

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cores} cores, load average {os.getloadavg()[0]:.1f} (other work slows every figure)")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        c0 = resource.getrusage(resource.RUSAGE_SELF)
        t_local, s = timed_sweep(args.points, d / "local.duckdb", workers=2)
        print(
            f"local backend, 2 workers: {s.points:,} points in {t_local:.1f} s = "
            f"{s.points / t_local:,.0f} points/s ({s.ok:,} ok; {s.batch} points per task)"
            "  (goal <= 20 s)"
        )
        workers, main_cpu = cpu_seconds(c0)
        print(
            f"CPU used: workers {workers:.1f} s ({workers / s.points * 1e3:.2f} ms per point), "
            f"this process {main_cpu:.1f} s; on 2 idle cores about {workers / 2 + main_cpu:.1f} s"
        )
        if not args.no_ray:
            import ray

            t0 = time.perf_counter()
            ray.init(
                num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False
            )
            t_init = time.perf_counter() - t0
            try:
                t_ray, _ = timed_sweep(args.points, d / "ray.parquet", backend="ray", workers=2)
            finally:
                ray.shutdown()
            same = read_table(d / "local.duckdb").equals(read_table(d / "ray.parquet"))
            print(
                f"local Ray, 2 CPUs: {t_ray:.1f} s ({args.points / t_ray:,.0f} points/s) after "
                f"{t_init:.1f} s to start Ray; overhead against the local backend "
                f"{t_ray - t_local:+.1f} s ({(t_ray - t_local) / t_local:+.0%}), "
                f"{t_ray + t_init - t_local:+.1f} s with the start; rows identical: {same}"
            )
        if not args.no_memory:
            print("peak memory of the sweep's own process (rows stream to the store):")
            for n in (2_000, 4_000, 10_000, 20_000):
                out = d / f"mem-{n}.duckdb"
                r = subprocess.run(
                    [sys.executable, __file__, "--memory-child", str(n), str(out)],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                m = json.loads(r.stdout.strip().splitlines()[-1])
                print(f"  {n:>6,} points: {m['peak_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
