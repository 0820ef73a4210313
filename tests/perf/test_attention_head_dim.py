"""Fused attention slows with heads narrower than 128, checked by hand: the measured ratio at
64 (FlashAttention-2 on H100, ``attention_head_dim_64_ratio``), linear between 64 and 128."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.mapping.policy import PRECISIONS
from dojosim.perf.compute import ComputeModel, head_dim_factor
from dojosim.workload.ops import Op
from dojosim.workload.transformer import LayerShape, attention_core_forward, backward


def test_factor_by_hand() -> None:
    assert head_dim_factor(128, 0.873) == 1.0
    assert head_dim_factor(192, 0.873) == 1.0  # not extrapolated above 128
    assert head_dim_factor(64, 0.873) == 0.873
    assert head_dim_factor(32, 0.873) == 0.873  # nor below 64
    assert head_dim_factor(96, 0.873) == pytest.approx(0.873 + 0.127 / 2)


def test_an_op_with_narrow_heads_takes_longer_by_the_ratio() -> None:
    chip = catalog.get("chip", "h100-sxm5-80g")
    cal = catalog.get("calibration", "nvidia-hopper")
    cm = ComputeModel.of(chip, PRECISIONS["bf16"], cal)
    ratio = cal.attention_head_dim_64_ratio

    def compute(k: int) -> float:  # compute-bound op, less its fixed overhead
        return (
            cm.op_time(Op("fa", "attention", 1e12, 1e6, m=4096, n=4096, k=k)) - cm.kernel_overhead
        )

    assert compute(64) == pytest.approx(compute(128) / ratio)
    assert compute(0) == pytest.approx(compute(128))  # head dim unknown: no factor


def test_transformer_attention_ops_carry_the_head_dim() -> None:
    m = catalog.get("model", "gpt-oss-120b")  # 64 heads of 64
    fwd = attention_core_forward(m, LayerShape(1, 4096, 1, False, True, 2))
    ops = fwd + backward(fwd)
    assert [op.k for op in ops if op.kind == "attention"] == [64, 64]


def test_the_array_timing_uses_the_same_efficiency() -> None:
    import numpy as np

    chip = catalog.get("chip", "b200")
    cal = catalog.get("calibration", "nvidia-blackwell")
    cm = ComputeModel.of(chip, PRECISIONS["bf16"], cal)
    keys, dims = np.array([512, 4096, 4096, 0]), np.array([64, 96, 0, 128])
    got = cm.attention_efficiency(keys, dims)
    for i, (s, d) in enumerate(zip(keys, dims, strict=True)):
        by_hand = cal.flash_attention_efficiency
        by_hand *= s / (s + cal.attention_half_seq) if s else 1.0
        by_hand *= head_dim_factor(d, cal.attention_head_dim_64_ratio) if d else 1.0
        assert got[i] == pytest.approx(by_hand)
        assert float(cm.attention_efficiency(s, d)) == pytest.approx(by_hand)
