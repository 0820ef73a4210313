"""In 8-bit training some matmuls stay at 16 bits ("wide"): the output layer (the logits over the
vocabulary), which Megatron-Core builds as a plain ``ColumnParallelLinear`` unless
``fp8_output_proj`` is set, DeepSeek-V3 keeps in its original precision (arXiv 2412.19437,
Section 3.3.1) and torchtitan's float8 recipes filter out; and the MoE router and unfused
attention's batched products, which are no Transformer Engine modules. Checked by hand on H100."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim import catalog
from dojosim.mapping.policy import PRECISIONS
from dojosim.perf.compute import ComputeModel
from dojosim.perf.context import context
from dojosim.perf.units import head
from dojosim.spec.resolve import load_scenario
from dojosim.workload.ops import matmul, matmul_backward
from dojosim.workload.transformer import LayerShape, layer_forward, logits_forward

SCENARIO = {
    "model": "llama3-8b",
    "system": "dgx-h100",
    "chips": 8,
    "precision": "fp8",
    "parallelism": {"global_batch": 8},
}


def _models() -> tuple[ComputeModel, ComputeModel, Any]:
    chip = catalog.get("chip", "h100-sxm5-80g")
    cal = catalog.get("calibration", "nvidia-hopper")
    return (
        ComputeModel.of(chip, PRECISIONS["fp8"], cal),
        ComputeModel.of(chip, PRECISIONS["bf16"], cal),
        chip,
    )


def test_eight_bit_precisions_name_a_sixteen_bit_wide_precision() -> None:
    assert PRECISIONS["fp8"].wide == "bf16"
    assert PRECISIONS["int8"].wide == "bf16"
    assert PRECISIONS["cfp8"].wide == "cfp16"
    assert PRECISIONS["bf16"].wide == ""  # the matmuls' own precision


def test_a_wide_matmul_runs_at_the_bf16_peak_and_efficiency() -> None:
    fp8, bf16, chip = _models()
    assert fp8.peak_flops == chip.peak("fp8")  # the blocks' matmuls: FP8 peak
    op = matmul("logits", 8192, 128256, 4096, wide=True)
    narrow = matmul("logits", 8192, 128256, 4096)
    assert fp8.op_time(op) == pytest.approx(bf16.op_time(op)) == pytest.approx(bf16.op_time(narrow))
    by_hand = op.flops / (chip.peak("bf16") * bf16.matmul_efficiency_of(op.m, op.n, op.k))
    assert by_hand < fp8.op_time(op) <= by_hand + fp8.kernel_overhead + 1e-12
    assert fp8.op_time(narrow) < fp8.op_time(op)  # the same matmul in FP8 is faster
    assert all(g.wide for g in matmul_backward(op))  # and so are its gradients' matmuls


def test_the_output_layer_router_and_unfused_attention_are_wide() -> None:
    fp8, bf16, _ = _models()
    m = catalog.get("model", "llama3-8b")
    sh = LayerShape(1, 8192, 1, False, True, 2.0, 1.0)
    ops = logits_forward(m, sh)
    assert [op.name for op in ops if op.kind == "matmul" and op.wide] == ["logits"]
    fab = context(load_scenario(SCENARIO)).fab
    assert head(m, sh, fp8, fab, copy=True).forward == pytest.approx(bf16.ops_time(ops))
    unfused = LayerShape(1, 8192, 1, False, False, 2.0, 1.0)
    wide = {op.name for op in layer_forward(m, unfused) if op.wide}
    assert wide == {"scores", "context"}
    moe = catalog.get("model", "qwen3-30b-a3b")
    routed = LayerShape(1, 4096, 1, False, True, 2.0, 1.0, moe=True)
    assert {op.name for op in layer_forward(moe, routed) if op.wide} == {"router"}
