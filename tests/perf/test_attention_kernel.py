"""The fused attention kernel a scenario runs (``attention_kernel``), checked by hand:
FlashAttention-1's Triton port with its own measured constants (the FlashAttention-2 README's
A100 and H100 figures, catalog/measurements/flash-attention-{triton-a100,1-a100,1-h100})."""

from __future__ import annotations

import math
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


def test_the_constants_are_the_measured_ones_by_hand() -> None:
    from dojosim.validate.micro import attention_fit, flash_attention_1_constants, port_ratio

    ampere = catalog.get("calibration", "nvidia-ampere")
    hopper = catalog.get("calibration", "nvidia-hopper")
    # the Triton port over the CUDA kernel on A100, causal head dim 128, 512 to 16k tokens
    by_hand = math.prod([50 / 55, 61 / 62, 68 / 69, 74 / 76, 78 / 80, 80 / 83]) ** (1 / 6)
    assert port_ratio(128) == pytest.approx(by_hand)
    for cal, name in ((ampere, "flash-attention-triton-a100"), (hopper, "flash-attention-1-h100")):
        e, s0, r64 = flash_attention_1_constants(name)
        assert cal.flash_attention_1_efficiency == pytest.approx(e, abs=5e-5)
        assert cal.flash_attention_1_half_seq == pytest.approx(s0, abs=0.5)
        assert cal.flash_attention_1_head_dim_64_ratio == pytest.approx(r64, abs=5e-4)
    # Hopper's is the CUDA kernel's fit on H100 times the port's A100 ratio
    e_h100, _ = attention_fit("flash-attention-1-h100")
    assert hopper.flash_attention_1_efficiency == pytest.approx(e_h100 * by_hand, abs=5e-5)
    assert catalog.get("calibration", "nvidia-blackwell").flash_attention_1_efficiency == (
        hopper.flash_attention_1_efficiency
    )


def test_an_attention_op_runs_at_the_ports_own_curve_by_hand() -> None:
    sc = load_any(MPT)
    chip, cal = sc.chip, sc.calibration
    prec = PRECISIONS["bf16"]
    fa2 = ComputeModel.of(chip, prec, cal)
    fa1 = ComputeModel.of(chip, prec, cal, attention_kernel="flash-attention-1")
    # 2,048 keys per query, heads 128 wide: E x s / (s + s0)
    expected = cal.flash_attention_1_efficiency * 2048 / (2048 + cal.flash_attention_1_half_seq)
    assert float(fa1.attention_efficiency(2048, 128)) == pytest.approx(expected)
    # 64-wide heads: the port's own ratio (above 1), not the family kernel's
    assert float(fa1.attention_efficiency(2048, 64)) == pytest.approx(expected * 1.098)
    assert float(fa2.attention_efficiency(2048, 64)) < float(fa2.attention_efficiency(2048, 128))
    op = Op("flash_attention", "attention", 1e12, 1e6, m=2048, n=2048, k=128)  # compute-bound
    assert fa1.op_time(op) - fa1.kernel_overhead == pytest.approx(1e12 / (312e12 * expected))


def test_the_step_slows_and_only_then_is_the_ratio_in_the_interval() -> None:
    fa2 = estimate(MPT)
    fa1 = estimate(MPT | {"attention_kernel": "flash-attention-1"})
    assert fa1.breakdown["forward_s"] > fa2.breakdown["forward_s"]
    assert fa1.step_time_s > fa2.step_time_s
    assert not _applies("flash_attention_1_efficiency", load_any(MPT), None)
    fa1_scenario = load_any(MPT | {"attention_kernel": "flash-attention-1"})
    assert _applies("flash_attention_1_efficiency", fa1_scenario, None)


def test_bad_kernels_name_the_field() -> None:
    with pytest.raises(SpecError, match=r"attention_kernel.*flash_attention: true"):
        load_any(MPT | {"flash_attention": False, "attention_kernel": "flash-attention-1"})
    with pytest.raises(SpecError, match="attention_kernel"):
        load_any(MPT | {"attention_kernel": "flash-attention-3"})
    d1 = {"model": "gpt3-175b", "system": "dojo-tile", "chips": 25,
          "parallelism": {"global_batch": 25}, "attention_kernel": "flash-attention-1"}  # fmt: skip
    with pytest.raises(SpecError, match="flash_attention_1_efficiency"):
        load_any(d1)


def test_the_newest_kernel_runs_the_range_high_end_by_hand() -> None:
    """attention_kernel: newest on H100: cuDNN 9.19's fit (the efficiency range's high end and
    its own half-rate length); an A100 has no newer kernel measured and says so."""
    h100 = MPT | {"system": "dgx-h100", "attention_kernel": "newest"}
    sc = load_any(h100)
    cal = sc.calibration
    newest = ComputeModel.of(sc.chip, PRECISIONS["bf16"], cal, attention_kernel="newest")
    high = cal.ranges["flash_attention_efficiency"][1]
    expected = high * 4096 / (4096 + cal.newest_attention_half_seq)
    assert float(newest.attention_efficiency(4096, 128)) == pytest.approx(expected)
    assert expected == pytest.approx(0.649 * 4096 / (4096 + 1202), abs=1e-3)
    assert estimate(h100).step_time_s < estimate(h100 | {"attention_kernel": "auto"}).step_time_s
    assert _applies(
        "flash_attention_efficiency", load_any(h100 | {"attention_kernel": "auto"}), None
    )
    assert not _applies("flash_attention_efficiency", sc, None)  # the kernel is named
    with pytest.raises(SpecError, match=r"attention_kernel.*newest measured"):
        load_any(MPT | {"attention_kernel": "newest"})
