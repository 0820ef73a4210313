"""A grouped GEMM launched one GEMM per expert: its host-bound floor, checked by hand."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from dojosim import catalog
from dojosim.mapping.frameworks import framework
from dojosim.perf.compute import ComputeModel
from dojosim.perf.context import context
from dojosim.spec.resolve import load_any
from dojosim.workload.ops import matmul, matmul_backward

US = 1e-6

# 1 PFLOP/s at 50%, 2 TB/s at 100%, no shape penalty (half size 0), 10 us per kernel and
# 30 us per expert of a per-expert grouped GEMM
CM = ComputeModel(1e15, 2e12, 0.5, 0.0, 1.0, 10 * US, 0.5, group_launch=30 * US)


def test_small_experts_are_launch_bound_by_hand() -> None:
    """16 experts of 256 tokens, 2048 -> 1536, FP8: 2 x 16 x 256 x 1536 x 2048 = 25.77 GFLOP
    take 51.5 us at 0.5 PFLOP/s (the 65.0 MB of traffic 32.5 us), + 10 us = 61.5 us on the
    roofline; launched one GEMM per expert they take 16 x 30 us = 480 us."""
    op = matmul("experts_up", 256, 1536, 2048, batch=16, elem_bytes=1, grouped=True)
    roofline = 2 * 16 * 256 * 1536 * 2048 / 0.5e15 + 10 * US
    assert roofline == pytest.approx(61.54 * US, rel=1e-3)
    assert CM.op_time(op) == pytest.approx(480 * US)
    # the same products as one batched kernel, or on a stack with one grouped kernel
    flat = matmul("experts_up", 256, 1536, 2048, batch=16, elem_bytes=1)
    assert CM.op_time(flat) == pytest.approx(roofline)
    single = ComputeModel(1e15, 2e12, 0.5, 0.0, 1.0, 10 * US, 0.5)
    assert single.op_time(op) == pytest.approx(roofline)


def test_large_experts_stay_on_the_roofline() -> None:
    """8,192 tokens per expert: 824.6 GFLOP take 1,649 us, far above the 480 us floor."""
    op = matmul("experts_up", 8192, 1536, 2048, batch=16, elem_bytes=1, grouped=True)
    assert CM.op_time(op) == pytest.approx(2 * 16 * 8192 * 1536 * 2048 / 0.5e15 + 10 * US)


def test_backward_gemms_are_grouped_too() -> None:
    op = matmul("experts_down", 256, 2048, 768, batch=16, grouped=True)
    dgrad, wgrad = matmul_backward(op)
    assert dgrad.grouped and wgrad.grouped and dgrad.batch == wgrad.batch == 16
    assert CM.op_time(dgrad) == CM.op_time(wgrad) == pytest.approx(480 * US)


MOE: dict[str, Any] = {
    "model": "qwen3-30b-a3b",
    "system": "dgx-b200",
    "chips": 8,
    "precision": "fp8",
    "parallelism": {"tensor": 1, "pipeline": 1, "expert": 8, "global_batch": 64,
                    "micro_batch": 1, "recompute": "none", "zero": 1},
    "routing": {"balance": "forced"},
}  # fmt: skip


def _moe(fw: str) -> Any:
    sc = copy.deepcopy(MOE)
    sc["framework"] = fw
    return load_any(sc)


def test_frameworks_say_how_they_launch_grouped_gemms() -> None:
    """Megatron-Core (Transformer Engine's multi-stream cuBLAS) and DeepSpeed launch one GEMM
    per expert; torchtitan and MaxText one grouped kernel."""
    assert framework("megatron").per_expert_gemm and framework("deepspeed").per_expert_gemm
    assert not framework("fsdp").per_expert_gemm and not framework("maxtext").per_expert_gemm
    launch = catalog.get("calibration", "nvidia-blackwell").expert_gemm_launch
    assert launch == pytest.approx(33.4 * US)
    assert context(_moe("megatron")).cm.group_launch == pytest.approx(launch)
    assert context(_moe("fsdp")).cm.group_launch == 0.0


def test_the_fused_grouped_mlp_launches_one_kernel_per_grouped_gemm() -> None:
    """Megatron-Core with Transformer Engine's fused grouped MLP (MXFP8 on Blackwell) runs every
    expert GEMM as one cuDNN-frontend or cuBLASLt grouped kernel: no per-expert floor, so a
    launch-bound grouped GEMM (16 x 33.4 us = 534.4 us) takes its roofline time instead."""
    sc = copy.deepcopy(MOE)
    sc["fp8_recipe"] = "mxfp8"
    plain = context(load_any(copy.deepcopy(sc))).cm
    sc["routing"]["fused_grouped_mlp"] = True
    fused = context(load_any(sc)).cm
    assert plain.group_launch == pytest.approx(33.4 * US) and fused.group_launch == 0.0
    op = matmul("experts_up", 2048, 1536, 2048, batch=16, elem_bytes=1, grouped=True)
    assert plain.op_time(op) == pytest.approx(16 * 33.4 * US)
    assert fused.op_time(op) < 0.5 * plain.op_time(op)
    assert fused.op_time(op) == pytest.approx(
        dataclasses.replace(plain, group_launch=0.0).op_time(op)
    )


def test_a_layer_pays_six_launch_bound_grouped_gemms() -> None:
    """Qwen3-30B-A3B, 128 experts on 8 ranks (16 each), one 4,096-token sequence per rank and
    top-8 routing forced to balance: each expert gets 8 x 4,096 x 8 / 128 = 2,048 tokens, a
    2 x 2,048 x 1,536 x 2,048 = 12.9 GFLOP up-projection of a few microseconds, so the up and
    down GEMMs and their two backward GEMMs each are launch-bound. A layer's forward and
    backward differ from the single-kernel stack by the six grouped GEMMs' floors
    (16 x 33.4 us each) less their roofline times."""
    from dojosim.workload.transformer import backward, layer_forward

    ctx = context(_moe("megatron"))
    fields = {"micro_batch": 1, "context": 1, "tensor": 1, "sequence_parallel": False,
              "expert": 8, "expert_tensor": 1, "selective_modules": frozenset()}  # fmt: skip
    sh = ctx.layer_shape(type("Lay", (), fields)(), moe=True)
    fwd = layer_forward(ctx.sc.model, sh)
    ops = fwd + backward(fwd)
    grouped = [op for op in ops if op.grouped]
    assert len(grouped) == 6 and all(op.batch == 16 for op in grouped)
    assert {op.m for op in grouped} == {2048, 768}  # tokens per expert; wgrad: the weight rows
    single = ComputeModel.of(ctx.sc.chip, ctx.precision, ctx.calibration, per_group=False)
    extra = ctx.cm.ops_time(ops) - single.ops_time(ops)
    by_hand = sum(max(16 * ctx.cm.group_launch - single.op_time(op), 0.0) for op in grouped)
    assert extra == pytest.approx(by_hand)
    floors = 6 * 16 * 33.4 * US
    assert 0.6 * floors < extra < floors  # the roofline times are a small part
