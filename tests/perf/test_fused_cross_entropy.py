"""Transformer Engine's fused cross-entropy (``cross_entropy: te``), against its kernel
(transformer_engine/pytorch/triton/cross_entropy.py): the forward reads the 16-bit logits
twice (online softmax, then loss and gradient) and writes the gradient over them, which is
all it saves; the backward scales that gradient in place. The unfused loss holds the logits,
an fp32 softmax and its fp32 gradient. Byte counts worked by hand for Llama 3 8B (vocabulary
128,256) at TP 2, micro-batch 2 of 8 tokens."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.perf.context import context
from dojosim.perf.estimate import estimate
from dojosim.perf.units import head
from dojosim.spec.resolve import load_any, load_scenario
from dojosim.workload.transformer import LayerShape, logits_backward, logits_forward

TOKENS, VOCAB_SHARD = 2 * 8, 64_128  # b x s; ceil(128256 / 2)
SCENARIO: dict[str, Any] = {
    "model": "llama3-8b",
    "system": "dgx-h100",
    "chips": 8,
    "precision": "bf16",
    "parallelism": {"tensor": 2, "pipeline": 1, "data": 4, "global_batch": 8, "micro_batch": 2},
}


def _shape(te: bool) -> LayerShape:
    return LayerShape(2, 8, 2, False, True, 2.0, te_loss=te)


def _bytes(ops: list[Any], name: str) -> float:
    return float(next(op.bytes for op in ops if op.name == name))


def test_te_kernel_moves_six_bytes_forward_and_four_backward_per_bf16_logit() -> None:
    m = catalog.get("model", "llama3-8b")
    te, unfused = _shape(True), _shape(False)
    assert _bytes(logits_forward(m, te), "cross_entropy") == TOKENS * VOCAB_SHARD * 6
    assert _bytes(logits_backward(m, te), "cross_entropy.bwd") == TOKENS * VOCAB_SHARD * 4
    assert _bytes(logits_forward(m, unfused), "cross_entropy") == TOKENS * VOCAB_SHARD * 10
    assert _bytes(logits_backward(m, unfused), "cross_entropy.bwd") == TOKENS * VOCAB_SHARD * 20


def test_te_kernel_holds_only_the_logits() -> None:
    m = catalog.get("model", "llama3-8b")
    ctx = context(load_scenario(SCENARIO))
    te = head(m, _shape(True), ctx.cm, ctx.fab, copy=True)
    unfused = head(m, _shape(False), ctx.cm, ctx.fab, copy=True)
    assert te.work == TOKENS * VOCAB_SHARD * 2  # 16-bit logits, gradient written over them
    assert unfused.work == TOKENS * VOCAB_SHARD * 10  # + fp32 softmax + its fp32 gradient
    assert te.forward < unfused.forward and te.backward < unfused.backward


def test_te_loss_is_faster_and_smaller_through_the_estimate() -> None:
    unfused = estimate(SCENARIO)
    te = estimate({**SCENARIO, "cross_entropy": "te"})
    assert te.step_time_s < unfused.step_time_s
    assert te.memory_per_chip_bytes <= unfused.memory_per_chip_bytes


def test_cross_entropy_is_a_transformer_knob() -> None:
    net = {"model": "r3d18-16x112", "system": "dgx-a100-80g", "chips": 8, "cross_entropy": "te"}
    net["parallelism"] = {"global_batch": 256}
    with pytest.raises(SpecError) as err:
        load_any(net)
    assert err.value.field == "cross_entropy"


def test_unknown_cross_entropy_names_the_choices() -> None:
    with pytest.raises(SpecError) as err:
        load_scenario({**SCENARIO, "cross_entropy": "fused"})
    assert "cross_entropy" in str(err.value) and "'te'" in str(err.value)
