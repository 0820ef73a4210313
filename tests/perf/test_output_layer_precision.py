"""In 8-bit training the output layer (the logits over the vocabulary) stays at 16 bits:
Megatron-Core builds it as a plain ``ColumnParallelLinear`` unless ``fp8_output_proj`` is set,
DeepSeek-V3 keeps its output head in the original precision (arXiv 2412.19437, Section 3.3.1)
and torchtitan's float8 recipes filter out ``output``. Checked by hand on H100."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.mapping.policy import PRECISIONS
from dojosim.perf.compute import ComputeModel
from dojosim.perf.context import context
from dojosim.perf.units import head
from dojosim.spec.resolve import load_scenario
from dojosim.workload.transformer import LayerShape, logits_forward

SCENARIO = {
    "model": "llama3-8b",
    "system": "dgx-h100",
    "chips": 8,
    "precision": "fp8",
    "parallelism": {"global_batch": 8},
}


def test_eight_bit_precisions_name_a_sixteen_bit_output_layer() -> None:
    assert PRECISIONS["fp8"].head == "bf16"
    assert PRECISIONS["int8"].head == "bf16"
    assert PRECISIONS["cfp8"].head == "cfp16"
    assert PRECISIONS["bf16"].head == ""  # the matmuls' own precision


def test_the_logits_matmul_runs_at_the_bf16_peak_and_efficiency() -> None:
    chip = catalog.get("chip", "h100-sxm5-80g")
    cal = catalog.get("calibration", "nvidia-hopper")
    fp8 = ComputeModel.of(chip, PRECISIONS["fp8"], cal)
    bf16 = ComputeModel.of(chip, PRECISIONS["bf16"], cal)
    assert fp8.peak_flops == chip.peak("fp8")  # the blocks' matmuls: FP8 peak
    out = fp8.for_head()
    assert out.peak_flops == chip.peak("bf16") == bf16.peak_flops
    assert out.matmul_efficiency == cal.matmul_efficiency == bf16.matmul_efficiency
    assert bf16.for_head() is bf16  # nothing to change in 16-bit training

    m = catalog.get("model", "llama3-8b")
    sh = LayerShape(1, 8192, 1, False, True, 2.0, 1.0)
    fab = context(load_scenario(SCENARIO)).fab
    unit = head(m, sh, fp8, fab, copy=True)
    ops = logits_forward(m, sh)
    assert unit.forward == pytest.approx(bf16.ops_time(ops))
    logits = next(op for op in ops if op.name == "logits")
    by_hand = logits.flops / (
        chip.peak("bf16") * bf16.matmul_efficiency_of(logits.m, logits.n, logits.k)
    )
    assert by_hand < bf16.op_time(logits) <= by_hand + bf16.kernel_overhead + 1e-12
    assert unit.forward > fp8.ops_time(ops)  # slower than if the logits ran in FP8
