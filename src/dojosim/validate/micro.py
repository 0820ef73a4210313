"""Fits of calibration constants to published micro-benchmarks (``catalog/measurements``).

A calibration quotes these as ``derived`` (``python scripts/calibrate.py --micro`` prints
them; ``tests/validate/test_micro_fits.py`` keeps the two equal).

Fused attention: the fraction of the chip's dense peak that forward and backward together
reach against the keys each query attends to, ``E x s / (s + s0)`` (``E`` the long-sequence
fraction, ``s0`` the sequence length, in tokens, at half of it), fitted by least squares on
the entry's causal head-dim-128 rows; its rate with 64-wide heads over 128-wide ones, the
geometric mean over the sequence lengths measured at both; and one chip's rate over another's
where one script measured both.

FlashAttention-1's Triton port (``attention_kernel: flash-attention-1``) has its own three
constants per family (:func:`flash_attention_1_constants`): fitted to the port on A100, or, on
Hopper, to the CUDA FlashAttention-1 on H100 times the port's rate over the CUDA kernel's on
A100 (both measured in one figure).
"""

from __future__ import annotations

import numpy as np

from dojosim import catalog
from dojosim.spec.measurement import AttentionEntry, LayerGemmEntry
from dojosim.workload.ops import ATTENTION_BACKWARD_FLOPS

#: Attention measurements whose fits calibrations quote (scripts/calibrate.py --micro prints them).
ATTENTION_FITS = (
    "flash-attention-2-a100",
    "flash-attention-2-h100",
    "cudnn-9.19-frontend-attention-h200",
    "cudnn-9.13-attention-b200",
    "flash-attention-4-b200",
)


def training_rates(
    entry: AttentionEntry, head_dim: int = 128, causal: bool = True
) -> list[tuple[int, float]]:
    """``(seq_len, FLOP/s)`` of forward and backward together, by sequence length: the
    published forward+backward rate, or the total FLOPs over the total time of a forward and a
    backward row of the same length, ``(1 + r) / (1 / fwd + r / bwd)``,
    ``r = ATTENTION_BACKWARD_FLOPS``."""
    rows = [
        row
        for row in entry.rows
        if row.head_dim == head_dim and row.causal == causal and row.window is None
    ]
    by_pass = {(row.passes, row.seq_len): row.flop_rate for row in rows}
    r = ATTENTION_BACKWARD_FLOPS
    out = {}
    for (passes, s), rate in by_pass.items():
        if passes == "forward+backward":
            out[s] = rate
        elif passes == "forward" and ("backward", s) in by_pass:
            out.setdefault(s, (1 + r) / (1 / rate + r / by_pass[("backward", s)]))
    return sorted(out.items())


def attention_fit(name: str) -> tuple[float, float]:
    """``(E, s0)`` of ``E x s / (s + s0)`` fitted to a measurement entry's causal, head-dim-128
    forward-and-backward rates as fractions of its chip's dense peak (s0 in tokens)."""
    from scipy.optimize import curve_fit

    entry = catalog.get("measurement", name)
    peak = catalog.get("chip", entry.chip).peak(entry.precision)
    points = training_rates(entry)
    if len(points) < 3:
        raise ValueError(f"measurement {name!r} has fewer than 3 forward+backward points")
    s = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] / peak for p in points])
    (e, s0), _ = curve_fit(lambda x, a, b: a * x / (x + b), s, y, p0=[float(y.max()), 500.0])
    return float(e), float(s0)


#: Pairs of attention measurements taken with one script on two chips, or in two precisions on
#: one chip (``(measured, base)``),
#: whose forward+backward speedup a calibration quotes; below ``SPEEDUP_MIN_SEQ`` tokens one
#: batch-1 call measures launch latency more than the kernel.
ATTENTION_SPEEDUPS = (
    ("cudnn-9.13-frontend-attention-gb300", "cudnn-9.13-frontend-attention-b200"),
    ("cudnn-9.13-frontend-attention-fp8-b200", "cudnn-9.13-frontend-attention-b200"),
    ("cudnn-9.13-frontend-attention-fp8-gb300", "cudnn-9.13-frontend-attention-gb300"),
)
SPEEDUP_MIN_SEQ = 4096


def attention_speedup(
    name: str, base: str, min_seq: int = SPEEDUP_MIN_SEQ, head_dim: int = 128
) -> float:
    """Geometric mean, over the sequence lengths of at least ``min_seq`` tokens that both entries
    measured, of entry ``name``'s causal forward-and-backward FLOP rate at ``head_dim`` over
    entry ``base``'s (the same kernel and script on two chips, or two kernels in one figure)."""
    ours = dict(training_rates(catalog.get("measurement", name), head_dim))
    theirs = dict(training_rates(catalog.get("measurement", base), head_dim))
    both = [s for s in set(ours) & set(theirs) if s >= min_seq]
    if not both:
        raise ValueError(f"measurements {name!r} and {base!r} share no length of {min_seq}+ tokens")
    return _geometric_mean_ratio(ours, theirs, both)


#: FlashAttention-1's Triton port and the CUDA kernel it ports, measured in one A100 figure.
TRITON_PORT = ("flash-attention-triton-a100", "flash-attention-1-a100")
#: The FlashAttention-1 measurement each calibration's ``flash_attention_1_*`` constants fit.
FLASH_ATTENTION_1 = {
    "nvidia-ampere": "flash-attention-triton-a100",
    "nvidia-hopper": "flash-attention-1-h100",
}


def port_ratio(head_dim: int = 128) -> float:
    """Geometric mean, over every sequence length measured, of the Triton port's causal
    forward-and-backward rate over the CUDA FlashAttention-1's at ``head_dim`` (A100)."""
    return attention_speedup(*TRITON_PORT, min_seq=0, head_dim=head_dim)


def flash_attention_1_constants(name: str) -> tuple[float, float, float]:
    """``(efficiency, half_seq, head_dim_64_ratio)`` of the Triton port from measurement
    ``name``: its fit and head-dim ratio, times the port's rate over the CUDA kernel's (and that
    ratio's head-dim-64 change) where ``name`` measured the CUDA kernel."""
    e, s0 = attention_fit(name)
    r64 = head_dim_ratio(name)
    if name != TRITON_PORT[0]:
        e *= port_ratio(128)
        r64 *= port_ratio(64) / port_ratio(128)
    return e, s0, r64


def head_dim_ratio(name: str, small: int = 64, big: int = 128) -> float:
    """Geometric mean, over the sequence lengths measured at both head dims, of a measurement
    entry's causal forward-and-backward rate at head dim ``small`` over its rate at ``big``."""
    entry = catalog.get("measurement", name)
    narrow = dict(training_rates(entry, head_dim=small))
    wide = dict(training_rates(entry, head_dim=big))
    both = list(set(narrow) & set(wide))
    if not both:
        raise ValueError(
            f"measurement {name!r} has no sequence length at head dims {small} and {big}"
        )
    return _geometric_mean_ratio(narrow, wide, both)


def _geometric_mean_ratio(
    ours: dict[int, float], theirs: dict[int, float], lengths: list[int]
) -> float:
    """Geometric mean over ``lengths`` of ``ours[s] / theirs[s]`` (rates by sequence length)."""
    return float(np.exp(np.mean([np.log(ours[s] / theirs[s]) for s in sorted(lengths)])))


#: The layer GEMM measurement whose recipes' kernel times give ``mxfp8_matmul_ratio``: the
#: measurement, the recipe and the recipe it is compared with.
MXFP8_GEMMS = ("te-gemm-profiling-b300", "mxfp8", "tensorwise")
#: The layer GEMM measurement and the recipes whose passes give ``backward_matmul_ratio``
#: (16-bit) and ``fp8_backward_matmul_ratio`` (8-bit, per-tensor scaling).
BACKWARD_GEMMS = ("te-gemm-profiling-b300", "bf16", "tensorwise")


def _pass_times(name: str, recipe: str) -> dict[str, float]:
    """Kernel-only time (s) of the whole layer's GEMMs of each pass (``fprop``, ``dgrad``,
    ``wgrad``) in ``recipe``, from layer-GEMM measurement ``name``."""
    entry = catalog.get("measurement", name)
    if not isinstance(entry, LayerGemmEntry):
        raise ValueError(f"measurement {name!r} is not a layer-gemms entry")
    rows = [r for r in entry.rows
            if r.recipe == recipe and r.quantized == "kernel" and r.linear is None]  # fmt: skip
    times: dict[str, float] = {r.gemm: r.time for r in rows}
    if set(times) != {"fprop", "dgrad", "wgrad"}:
        raise ValueError(f"measurement {name!r} lacks a kernel time of every pass in {recipe}")
    return times


def gemm_recipe_ratio(name: str, recipe: str, base: str) -> float:
    """The rate of ``recipe``'s GEMMs over ``base``'s in layer-GEMM measurement ``name``: the
    kernel-only time of the whole layer's fprop, dgrad and wgrad GEMMs in ``base`` over that
    in ``recipe`` (the same GEMMs, so the ratio of times is the ratio of rates)."""
    return sum(_pass_times(name, base).values()) / sum(_pass_times(name, recipe).values())


def backward_gemm_ratio(name: str, recipe: str) -> float:
    """The rate of the backward-pass GEMMs over the forward ones in ``recipe``: the layer's
    fprop kernel time over the mean of its dgrad and wgrad times (each pass does the same FLOPs
    on the same three dimensions, so the ratio of times is the ratio of rates)."""
    t = _pass_times(name, recipe)
    return t["fprop"] / ((t["dgrad"] + t["wgrad"]) / 2)
