"""GEMM rates by shape: a chip family's compute model against a measured table of products.

A ``grouped-gemm`` measurement whose rows are ``layout: batched`` (OpenXLA's H100 table,
``catalog/measurements/openxla-gemm-h100.yaml``: ``b`` products of ``(m x k) @ (k x n)`` in one
call, every ``m``, ``n`` and ``k`` from 256 to 4,096, the time of the kernel alone) is scored two
ways:

* :func:`model_over_measured`: the rate the family's compute model gives each row (its shape
  law and memory bound, :meth:`dojosim.perf.compute.ComputeModel.op_time` without the fixed
  ``kernel_overhead``, which stands for launch gaps a kernel-only time does not see) over the
  measured rate;
* :func:`table_fit`: the same law fitted to the table alone, the time of a row
  ``max(2 b m n k / (P E g(m) g(n) g(k)), bytes / B) + t0`` with ``g(x) = x / (x + h)``, ``P``
  the chip's dense peak and ``B`` its memory bandwidth times the calibration's copy fraction:
  ``E``, ``h`` (elements) and a fixed time per kernel ``t0`` (s), least squares on the log of
  the time. The calibration's own ``matmul_efficiency`` and ``matmul_half_size`` are fitted on
  whole training steps (nvidia-ampere) and carried to later families by ratios, so the two
  need not agree; docs/estimator.md (Known limits) quotes both.

:func:`batch_gain` is what the table measures about batching: the rate of ``b`` products in
one call over the rate of one product of the same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

from dojosim import catalog
from dojosim.mapping.policy import precision_of
from dojosim.perf.compute import ComputeModel
from dojosim.spec.measurement import GroupedGemmEntry, GroupedGemmRow
from dojosim.workload.ops import matmul

#: Rows of at least this many FLOPs take long enough (tens of microseconds) that a fixed time per
#: kernel of a few microseconds does not decide their rate.
LARGE_FLOPS = 2e10


def _entry(name: str) -> GroupedGemmEntry:
    entry = catalog.get("measurement", name)
    if not isinstance(entry, GroupedGemmEntry) or any(r.layout != "batched" for r in entry.rows):
        raise ValueError(f"measurement {name!r} is not a table of batched GEMMs")
    return entry


def _shape(row: GroupedGemmRow) -> tuple[int, int, int, int]:
    return row.groups or 1, row.m_per_group or 0, row.n, row.k


def flops(row: GroupedGemmRow) -> float:
    """FLOPs of one table row: ``2 b m n k``."""
    b, m, n, k = _shape(row)
    return 2.0 * b * m * n * k


def _compute_model(entry: GroupedGemmEntry) -> ComputeModel:
    chip = catalog.get("chip", entry.chip)
    cal = catalog.get("calibration", chip.calibration)
    return ComputeModel.of(chip, precision_of(entry.precision), cal)


def model_over_measured(
    name: str, batch_as_rows: bool = False
) -> list[tuple[GroupedGemmRow, float]]:
    """Each row of measurement ``name`` with the compute model's rate for it over the measured
    rate (the model's kernel time without its fixed per-kernel overhead). ``batch_as_rows``: the
    shape factor takes a batch of ``b`` products of ``m`` rows as one product of ``b m`` rows
    (what the model does not do; the table's batched rows test it)."""
    entry = _entry(name)
    cm = _compute_model(entry)
    out = []
    for row in entry.rows:
        b, m, n, k = _shape(row)
        op = matmul("gemm", m, n, k, batch=b, elem_bytes=2)
        if batch_as_rows:  # the same law and memory bound as op_time, the batch taken as rows
            rate = cm.peak_flops * cm.matmul_efficiency_of(b * m, n, k)
            memory = op.bytes / (cm.memory_bandwidth * cm.memory_efficiency)
            seconds = max(op.flops / rate, memory)
        else:
            seconds = cm.op_time(op) - cm.kernel_overhead * op.launches
        out.append((row, op.flops / seconds / row.flop_rate))
    return out


def _law(entry: GroupedGemmEntry) -> tuple[np.ndarray, Callable[[float, float, float], np.ndarray]]:
    """The table's measured kernel times (s) and a function of ``(E, h, t0)`` giving the
    shape law's times for the same rows (see the module docstring)."""
    cm = _compute_model(entry)
    peak = catalog.get("chip", entry.chip).peak(entry.precision)
    bandwidth = cm.memory_bandwidth * cm.memory_efficiency
    b, m, n, k = np.array([_shape(r) for r in entry.rows], dtype=float).T
    work = 2.0 * b * m * n * k
    memory = b * (m * k + k * n + m * n) * 2.0 / bandwidth
    measured = np.array([flops(r) / r.flop_rate for r in entry.rows])

    def times(e: float, h: float, t0: float) -> np.ndarray:
        shape = (m / (m + h)) * (n / (n + h)) * (k / (k + h))
        return np.maximum(work / (peak * e * shape), memory) + t0

    return measured, times


@cache  # the catalog does not change within a process; fit_rms and the reports reuse the fit
def table_fit(name: str) -> tuple[float, float, float]:
    """``(E, h, t0)`` of the compute model's shape law plus a fixed time per kernel, fitted to
    every row of measurement ``name`` (see the module docstring)."""
    from scipy.optimize import least_squares

    measured, times = _law(_entry(name))

    def residuals(p: np.ndarray) -> np.ndarray:  # scaled to order one: E, h / 100, t0 in us
        return np.log(times(p[0], p[1] * 100.0, p[2] * 1e-6)) - np.log(measured)

    fit = least_squares(residuals, x0=[0.9, 1.0, 3.0], bounds=([0.1, 0.0, 0.0], [1.5, 50, 100]))
    return float(fit.x[0]), float(fit.x[1] * 100.0), float(fit.x[2] * 1e-6)


def fit_rms(name: str) -> float:
    """Root mean square of the log error of :func:`table_fit` over the table's rows."""
    measured, times = _law(_entry(name))
    return float(np.sqrt(np.mean(np.log(times(*table_fit(name)) / measured) ** 2)))


def batch_gain(name: str, batch: int) -> list[float]:
    """For every shape measured both alone and ``batch`` times in one call, the batched rate
    over the single product's rate."""
    rates = {_shape(r): r.flop_rate for r in _entry(name).rows}
    return [
        rate / rates[(1, m, n, k)]
        for (b, m, n, k), rate in sorted(rates.items())
        if b == batch and (1, m, n, k) in rates
    ]


__all__ = ["LARGE_FLOPS", "batch_gain", "fit_rms", "flops", "model_over_measured", "table_fit"]
