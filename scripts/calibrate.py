"""Fit a calibration's efficiency constants on the catalog's calibration runs.

Usage:
  python scripts/calibrate.py nvidia-ampere [--write] [--cross-validate]
  python scripts/calibrate.py --residuals [--write]
  python scripts/calibrate.py --micro

Only runs with ``role: calibration`` whose chip uses the calibration are fitted;
``check`` rows are reported but never enter the objective. The objective is the
mean plus the maximum absolute relative error of the predicted step time.
With ``--write`` the fitted values and the list of fitted runs are written back
into the calibration's YAML file. ``--cross-validate`` refits once per model with
that model's rows held out and reports the held-out errors (leave-one-model-out); with
``--write`` both figures are written into the calibration (``fit_error``,
``cross_validation``), which README.md and docs/estimator.md quote (a test keeps them equal).

``--residuals`` scores every check row and prints, per calibration family, the median
of ``log(predicted step / measured step)`` and its split-conformal 80% bounds (``p10``,
``p90``; see ``dojosim.perf.interval``) that the 80% intervals use; with ``--write`` it
stores them in each calibration's ``residuals:`` (families with too few check rows get
every family's rows, ``pooled``).

``--micro`` prints the fits to micro-benchmarks that calibrations quote as ``derived``
(fused attention against sequence length).
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
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return
    if "--residuals" in sys.argv:
        residuals()
        return
    if "--micro" in sys.argv:
        micro()
        return
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
    held_errors: list[float] = []
    if "--cross-validate" in sys.argv:
        models = sorted({sc.model.name for _, sc, _ in fit_rows})
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
        text = _set_block(text, "fit_error", _figures(np.abs(e)))
        if held_errors:
            text = _set_block(text, "cross_validation", _figures(np.array(held_errors)))
        path.write_text(text)
        print(f"wrote {path}")


def _figures(errs: np.ndarray) -> str:
    return f"{{mean: {errs.mean():.4f}, max: {errs.max():.4f}}}"


def _set_block(text: str, key: str, value: str) -> str:
    """Set a top-level ``key: value`` line of a YAML file (appended when missing)."""
    if re.search(rf"^{key}:", text, flags=re.M):
        return re.sub(rf"^{key}:.*?(?=^\S|\Z)", f"{key}: {value}\n", text, flags=re.M | re.S)
    return text.rstrip("\n") + f"\n{key}: {value}\n"


def residuals() -> None:
    """Per family, the check rows' residual median and bounds (see the module docstring)."""
    from dojosim.validate import validate
    from dojosim.validate.coverage import family_residuals, residuals_by_family

    by_family = residuals_by_family(validate(["check"]))
    for name in catalog.names("calibration"):
        res = family_residuals(by_family, name)
        assert res is not None
        print(
            f"{name:20s} rows {res.rows:3d}{' (pooled)' if res.pooled else '':9s} "
            f"p10 {res.p10:+.4f}  median {res.median:+.4f}  p90 {res.p90:+.4f}"
        )
        if "--write" in sys.argv:
            path = catalog.path("calibration", name)
            block = (
                f"{{rows: {res.rows}, p10: {res.p10:.4f}, median: {res.median:.4f}, "
                f"p90: {res.p90:.4f}, pooled: {str(res.pooled).lower()}}}"
            )
            path.write_text(_set_block(path.read_text(), "residuals", block))


def micro() -> None:
    """Fits to micro-benchmarks: fused attention efficiency against sequence length, the
    MXFP8 GEMM rate over per-tensor FP8 and the backward-pass GEMM rate over the forward."""
    from dojosim.validate.micro import (
        ATTENTION_FITS,
        ATTENTION_SPEEDUPS,
        BACKWARD_GEMMS,
        FLASH_ATTENTION_1,
        MXFP8_GEMMS,
        SPEEDUP_MIN_SEQ,
        attention_fit,
        attention_speedup,
        backward_gemm_ratio,
        flash_attention_1_constants,
        gemm_recipe_ratio,
        head_dim_ratio,
        port_ratio,
    )
    from dojosim.validate.step_profile import weight_gradient_ratio

    for name in ATTENTION_FITS:
        e, s0 = attention_fit(name)
        print(f"{name}: efficiency = {e:.3f} x s / (s + {s0:.0f})")
    for name, base in ATTENTION_SPEEDUPS:
        ratio = attention_speedup(name, base)
        print(f"{name}: {ratio:.4f} x the rate of {base} ({SPEEDUP_MIN_SEQ}+ tokens)")
    ratio = head_dim_ratio("flash-attention-2-h100")
    print(f"flash-attention-2-h100: head dim 64 runs at {ratio:.3f} of head dim 128")
    print(
        f"FlashAttention-1's Triton port over the CUDA kernel (A100): {port_ratio(128):.4f} at "
        f"head dim 128, {port_ratio(64):.4f} at 64"
    )
    for family, name in FLASH_ATTENTION_1.items():
        e, s0, r64 = flash_attention_1_constants(name)
        print(
            f"{family} flash_attention_1 (from {name}): efficiency = {e:.4f} x s / (s + {s0:.0f}),"
            f" head dim 64 at {r64:.3f} of 128"
        )
    name, recipe, base = MXFP8_GEMMS
    ratio = gemm_recipe_ratio(name, recipe, base)
    print(f"{name}: {recipe} GEMMs at {ratio:.4f} of the {base} rate (mxfp8_matmul_ratio)")
    gemm_table()
    profile = "deepseek-v3-profile-h800"
    print(
        f"{profile}: blockwise FP8 weight-gradient GEMMs at "
        f"{weight_gradient_ratio(profile):.4f} of the forward rate (blockwise_wgrad_ratio)"
    )
    name, sixteen, eight = BACKWARD_GEMMS
    for recipe, field in ((sixteen, "backward_matmul_ratio"), (eight, "fp8_backward_matmul_ratio")):
        ratio = backward_gemm_ratio(name, recipe)
        print(f"{name}: {recipe} dgrad and wgrad GEMMs at {ratio:.4f} of the fprop rate ({field})")


def gemm_table() -> None:
    """The Hopper model against OpenXLA's measured H100 GEMM table, and the table's own fit."""
    from statistics import median

    from dojosim.validate.gemm_table import (
        LARGE_FLOPS,
        fit_rms,
        flops,
        model_over_measured,
        table_fit,
    )

    name = "openxla-gemm-h100"
    large = [(row, r) for row, r in model_over_measured(name) if flops(row) >= LARGE_FLOPS]
    by_batch = ", ".join(
        f"{b} per call {median(r for row, r in large if row.groups == b):.2f}" for b in (1, 2, 4)
    )
    e, h, t0 = table_fit(name)
    print(
        f"{name}: the nvidia-hopper model runs products of {LARGE_FLOPS / 1e9:.0f}+ GFLOP at "
        f"median {median(r for _, r in large):.2f} of the measured rate ({by_batch}); fitted "
        f"alone: efficiency {e:.3f}, half size {h:.0f}, {t0 * 1e6:.1f} us per kernel "
        f"(rms {fit_rms(name):.1%})"
    )


if __name__ == "__main__":
    main()
