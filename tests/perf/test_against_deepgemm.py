"""The compute model's FP8 grouped and dense GEMMs on Hopper against DeepGEMM's measured rates.

``catalog/measurements/deepgemm-h800-fp8.yaml`` holds DeepGEMM's README tables on H800 at
DeepSeek-V3's shapes. DeepGEMM runs a grouped GEMM as one kernel and its benchmark times the
kernel alone, so the model is compared with no per-expert launch and no per-kernel overhead:
what is checked is the shape factor and the FP8 efficiency of ``nvidia-hopper``, which were set
from other measurements (OpenXLA's GEMM table, the MAMF table) and never from these rows.
"""

from __future__ import annotations

import dataclasses

import pytest

from dojosim import catalog
from dojosim.mapping.policy import precision_of
from dojosim.perf.compute import ComputeModel
from dojosim.spec.measurement import GroupedGemmEntry, GroupedGemmRow
from dojosim.workload.ops import matmul

ENTRY = catalog.get("measurement", "deepgemm-h800-fp8")
assert isinstance(ENTRY, GroupedGemmEntry)


def _model_rate(row: GroupedGemmRow) -> float:
    """FLOP/s the compute model gives the row's GEMM on the entry's chip (kernel time only)."""
    chip = catalog.get("chip", ENTRY.chip)
    cal = catalog.get("calibration", chip.calibration)  # nvidia-hopper
    precision = precision_of("fp8", fp8_recipe="blockwise", fp8_arch=chip.fp8_arch)
    cm = ComputeModel.of(chip, precision, cal, per_group=False)
    cm = dataclasses.replace(cm, kernel_overhead=0.0)
    assert row.m_per_group is not None and row.groups is not None
    op = matmul("gemm", row.m_per_group, row.n, row.k, batch=row.groups, elem_bytes=1)
    return op.flops / cm.op_time(op)


LARGE = [r for r in ENTRY.rows if (r.m_per_group or 0) >= 1024]
SMALL = [r for r in ENTRY.rows if (r.m_per_group or 0) < 1024]


def test_the_entry_has_both_kinds_of_rows() -> None:
    assert len(LARGE) == 9 and len(SMALL) == 6


@pytest.mark.parametrize("row", LARGE, ids=lambda r: f"{r.layout}-m{r.m_per_group}-n{r.n}-k{r.k}")
def test_large_gemms_within_15_percent(row: GroupedGemmRow) -> None:
    """1,024 rows per expert and more: the model is within 15% of DeepGEMM (-12% to +10%)."""
    assert _model_rate(row) == pytest.approx(row.flop_rate, rel=0.15)


@pytest.mark.parametrize("row", SMALL, ids=lambda r: f"{r.layout}-m{r.m_per_group}-n{r.n}-k{r.k}")
def test_small_gemms_come_out_slower_than_measured(row: GroupedGemmRow) -> None:
    """64 to 512 rows per expert: the shape factor's single half size (the same for m, n and k)
    makes short GEMMs 9-30% slower than DeepGEMM runs them, never faster: a known limit of the
    model (docs/estimator.md), which errs towards the slow side for small experts."""
    ratio = _model_rate(row) / row.flop_rate
    assert 0.69 < ratio < 0.92  # 9% to 30% slower (docs/estimator.md, Known limits)
