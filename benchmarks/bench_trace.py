"""Time to trace networks on the meta device with `dojosim.workload.from_torch` (goal: ViT-B/16 <= 10 s).

Run: ``python benchmarks/bench_trace.py``. Each row builds the catalog network's module on the
meta device and traces it (two passes, at batch 1 and 2); the first row includes torch's one-time
dispatch warm-up.
"""

from __future__ import annotations

import time

import torch

from dojosim.catalog import get
from dojosim.workload.builders import build
from dojosim.workload.torch_import import from_torch

GOAL_S = {"vit-b16-224": 10.0}


def trace_seconds(name: str) -> tuple[float, float, float]:
    """(build s, trace s, forward GFLOP per sample) for a catalog network."""
    spec = get("network", name)
    t0 = time.perf_counter()
    with torch.device("meta"):
        module = build(spec.builder, dict(spec.config))
    t1 = time.perf_counter()
    w = from_torch(module, torch.empty((1, *spec.input), device="meta"), name=name)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, w.forward_flops / 1e9


def main() -> None:
    print(f"{'network':<24} {'build s':>8} {'trace s':>8} {'GFLOP':>10}  goal")
    for name in ("vit-b16-224", "vit-b16-224", "resnet50-224", "fsd-multicam-8cam"):
        b, t, g = trace_seconds(name)
        goal = GOAL_S.get(name)
        verdict = "" if goal is None else f"<= {goal:g} s: {'ok' if t <= goal else 'MISSED'}"
        print(f"{name:<24} {b:8.3f} {t:8.3f} {g:10.2f}  {verdict}")


if __name__ == "__main__":
    main()
