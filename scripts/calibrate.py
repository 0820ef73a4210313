"""Fit a calibration's efficiency constants on the catalog's calibration runs.

Usage: python scripts/calibrate.py nvidia-ampere [--write] [--cross-validate]

Only runs with ``role: calibration`` whose chip uses the calibration are fitted;
``check`` rows are reported but never enter the objective. The objective is the
mean plus the maximum absolute relative error of the predicted step time.
With ``--write`` the fitted values and the list of fitted runs are written back
into the calibration's YAML file. ``--cross-validate`` refits once per model with
that model's rows held out and reports the held-out errors (leave-one-model-out).
"""

from __future__ import annotations

import re
import sys

import numpy as np
from scipy.optimize import minimize

from dojosim import catalog
from dojosim.perf.estimate import estimate
from dojosim.spec.resolve import load_scenario

# memory_efficiency is not fitted: it comes from a measured copy-bandwidth micro-benchmark.
PARAMS = ("matmul_efficiency", "matmul_half_size", "kernel_overhead")
BOUNDS = ((0.5, 1.0), (1.0, 2000.0), (0.0, 50e-6))


def rows(name: str, role: str) -> list[tuple[str, object, float]]:
    out = []
    for run in catalog.entries("run"):
        if run.role != role or run.metric != "step_time_s":
            continue
        sc = load_scenario(run.scenario)
        if sc.chip.calibration == name:
            out.append((run.name, sc, run.measured))
    return out


def errors(cal, data) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.array([estimate(sc, calibration=cal).step_time_s / m - 1 for _, sc, m in data])


def fit(base, fit_rows):  # type: ignore[no-untyped-def]
    """Best parameters (SI) on ``fit_rows`` from three starting points."""

    def cal_of(x: np.ndarray):  # type: ignore[no-untyped-def]
        return base.model_copy(update=dict(zip(PARAMS, (float(v) for v in x), strict=True)))

    def objective(x: np.ndarray) -> float:
        for v, (lo, hi) in zip(x, BOUNDS, strict=True):
            if not lo <= v <= hi:
                return 10.0
        e = np.abs(errors(cal_of(x), fit_rows))
        return float(e.mean() + e.max())

    scale = np.array([1.0, 100.0, 1e-5])
    x0 = np.array([getattr(base, p) for p in PARAMS]) / scale
    best = None
    for start in (x0, x0 * [0.95, 0.5, 0.5], x0 * [1.05, 2.0, 1.5]):
        res = minimize(
            lambda y: objective(y * scale),
            start,
            method="Nelder-Mead",
            options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 2000},
        )
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    x = best.x * scale
    return x, cal_of(x)


def main() -> None:
    name = sys.argv[1]
    base = catalog.get("calibration", name)
    fit_rows = rows(name, "calibration")
    if not fit_rows:
        sys.exit(f"no calibration runs use {name}")
    x, cal = fit(base, fit_rows)
    for p, v in zip(PARAMS, x, strict=True):
        print(f"{p} = {v:.6g}")
    e = errors(cal, fit_rows)
    for (n, _, m), err in zip(fit_rows, e, strict=True):
        print(f"  fitted  {n:42s} measured {m:8.2f}  error {err:+.2%}")
    print(f"  mean |error| {np.abs(e).mean():.2%}  max {np.abs(e).max():.2%}")
    for n, sc, m in rows(name, "check"):
        err = estimate(sc, calibration=cal).step_time_s / m - 1
        print(f"  check   {n:42s} measured {m:8.2f}  error {err:+.2%}")
    if "--cross-validate" in sys.argv:
        models = sorted({sc.model.name for _, sc, _ in fit_rows})
        held_errors = []
        for held in models:
            train = [r for r in fit_rows if r[1].model.name != held]
            test = [r for r in fit_rows if r[1].model.name == held]
            _, cv = fit(base, train)
            for (n, _, m), err in zip(test, errors(cv, test), strict=True):
                held_errors.append(abs(err))
                print(f"  held out {n:41s} measured {m:8.2f}  error {err:+.2%}")
        print(
            f"  leave-one-model-out: mean |error| {np.mean(held_errors):.2%}  max {np.max(held_errors):.2%}"
        )
    if "--write" in sys.argv:
        path = catalog.path("calibration", name)
        text = path.read_text()
        values = {
            "matmul_efficiency": f"{x[0]:.4f}",
            "matmul_half_size": f"{x[1]:.1f}",
            "kernel_overhead": f'"{x[2] * 1e6:.2f} us"',
        }
        for key, val in values.items():
            text = re.sub(rf"^{key}:.*$", f"{key}: {val}", text, flags=re.M)
        fitted = "".join(f"\n  - {n}" for n, _, _ in fit_rows)
        text = re.sub(r"^fitted_on:.*?(?=^\S|\Z)", f"fitted_on:{fitted}\n", text, flags=re.M | re.S)
        path.write_text(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
