"""The fused attention kernel a scenario runs (``attention_kernel``), checked by hand:
FlashAttention-1 and its Triton port at half the family's fused-kernel speed (FlashAttention-2,
arXiv 2307.08691, abstract: FlashAttention-1 25-40% of A100 peak, FlashAttention-2 about twice
that; llm-foundry's ``flash_attn_triton.py`` header: slightly slower than the CUDA kernel)."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim import catalog, estimate
from dojosim.errors import SpecError
from dojosim.mapping.policy import PRECISIONS
from dojosim.perf.compute import ComputeModel
from dojosim.perf.interval import _applies
from dojosim.spec.resolve import load_any
from dojosim.workload.ops import Op

MPT: dict[str, Any] = {
    "model": "mpt-7b", "system": "dgx-a100-80g", "chips": 8, "framework": "fsdp",
    "parallelism": {"tensor": 1, "pipeline": 1, "data": 8, "global_batch": 96,
                    "micro_batch": 6, "recompute": "none", "zero": 3},
}  # fmt: skip


def test_the_ratio_is_sourced_and_carried_to_newer_gpus() -> None:
    ampere = catalog.get("calibration", "nvidia-ampere")
    assert ampere.flash_attention_1_ratio == pytest.approx(0.5)
    assert ampere.ranges["flash_attention_1_ratio"] == (0.42, 0.67)
    for family in ("nvidia-hopper", "nvidia-blackwell"):
        assert catalog.get("calibration", family).flash_attention_1_ratio == pytest.approx(0.5)


def test_an_attention_op_takes_twice_the_compute_by_hand() -> None:
    sc = load_any(MPT)
    chip, cal = sc.chip, sc.calibration
    prec = PRECISIONS["bf16"]
    fa2 = ComputeModel.of(chip, prec, cal)
    fa1 = ComputeModel.of(chip, prec, cal, attention_kernel="flash-attention-1")
    assert fa1.flash_attention_efficiency == pytest.approx(0.5 * fa2.flash_attention_efficiency)
    op = Op("flash_attention", "attention", 1e12, 1e6, m=2048, n=2048)  # compute-bound
    overhead = fa2.kernel_overhead
    assert fa1.op_time(op) - overhead == pytest.approx(2 * (fa2.op_time(op) - overhead))


def test_the_step_slows_and_only_then_is_the_ratio_in_the_interval() -> None:
    fa2 = estimate(MPT)
    fa1 = estimate(MPT | {"attention_kernel": "flash-attention-1"})
    assert fa1.breakdown["forward_s"] > fa2.breakdown["forward_s"]
    assert fa1.step_time_s > fa2.step_time_s
    assert not _applies("flash_attention_1_ratio", load_any(MPT))
    assert _applies(
        "flash_attention_1_ratio", load_any(MPT | {"attention_kernel": "flash-attention-1"})
    )


def test_bad_kernels_name_the_field() -> None:
    with pytest.raises(SpecError, match=r"attention_kernel.*flash_attention: true"):
        load_any(MPT | {"flash_attention": False, "attention_kernel": "flash-attention-1"})
    with pytest.raises(SpecError, match="attention_kernel"):
        load_any(MPT | {"attention_kernel": "flash-attention-3"})
    d1 = {"model": "gpt3-175b", "system": "dojo-tile", "chips": 25,
          "parallelism": {"global_batch": 25}, "attention_kernel": "flash-attention-1"}  # fmt: skip
    with pytest.raises(SpecError, match="flash_attention_1_ratio"):
        load_any(d1)
