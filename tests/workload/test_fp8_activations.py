"""FP8 keeps the 8-bit copy of a matmul's input for the weight gradient (Transformer Engine's
``_Linear.forward`` and ``GroupedLinear`` save the quantized input, column-wise only), checked
by hand against the 16-bit count."""

from __future__ import annotations

import pytest

from dojosim.spec.resolve import load_any
from dojosim.workload.moe_ops import moe_activation_bytes, routed_tokens
from dojosim.workload.transformer import LayerShape, activation_bytes_per_layer


def test_dense_block_keeps_its_four_matmul_inputs_in_one_byte() -> None:
    m = load_any({"model": "llama3-8b", "system": "dgx-h100", "chips": 8,
                  "parallelism": {"global_batch": 8}}).model  # fmt: skip
    s, e = 4096, 2.0
    bf16 = activation_bytes_per_layer(m, LayerShape(1, s, 1, False, True, e, 0.0), "none")
    fp8 = activation_bytes_per_layer(m, LayerShape(1, s, 1, False, True, e, 1.0), "none")
    # qkv and fc1 inputs (hidden wide), the projection input (heads x head_dim), fc2's (ffn)
    inputs = s * (2 * m.hidden + m.heads * m.dhead + m.ffn)
    assert bf16 - fp8 == pytest.approx(inputs * (e - 1.0))


def test_experts_keep_their_dispatched_and_down_inputs_in_one_byte() -> None:
    m = load_any({"model": "qwen3-30b-a3b", "system": "dgx-h100", "chips": 8,
                  "parallelism": {"global_batch": 8, "expert": 8}}).model  # fmt: skip
    e = 2.0
    sh16 = LayerShape(1, 4096, 1, False, True, e, 0.0, moe=True, ep=8)
    sh8 = LayerShape(1, 4096, 1, False, True, e, 1.0, moe=True, ep=8)
    routed = routed_tokens(m, sh16)
    inputs = routed * (m.hidden + m.expert_ffn)
    assert moe_activation_bytes(m, sh16) - moe_activation_bytes(m, sh8) == pytest.approx(
        inputs * (e - 1.0)
    )
