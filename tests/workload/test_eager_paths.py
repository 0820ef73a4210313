"""Megatron-Core's eager kernels for expert biases, clamped activations and YaRN RoPE, by hand."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.mapping.eager import eager_paths
from dojosim.mapping.frameworks import framework
from dojosim.mapping.layout import Layout
from dojosim.perf.compute import ComputeModel
from dojosim.perf.context import context
from dojosim.spec.resolve import load_any
from dojosim.spec.workload import ModelSpec
from dojosim.workload.transformer import LayerShape, backward, layer_forward

US = 1e-6

# 2 TB/s at 100%, 10 us per kernel
CM = ComputeModel(1e15, 2e12, 0.5, 0.0, 1.0, 10 * US, 0.5)

# 4 experts of 256 -> 512 (gated), top 2, 4 query heads and 2 key/value heads of 64
TOY = ModelSpec(
    name="toy-oss", layers=2, hidden=256, heads=4, kv_heads=2, head_dim=64, vocab=1000,
    seq_len=128, gated_mlp=True, bias=True, norm="rmsnorm", experts=4, top_k=2,
    expert_ffn_hidden=512, activation_clamp=7.0, rope_scaling="yarn", dropout=0.0,
)  # fmt: skip


def _ops(eager: frozenset[str], ep: int = 1) -> dict[str, Any]:
    sh = LayerShape(1, 128, 1, False, True, 2.0, moe=True, ep=ep, eager=eager)
    return {op.name: op for op in layer_forward(TOY, sh)}


def test_megatron_takes_every_eager_path_of_a_gpt_oss_like_layer() -> None:
    mega = framework("megatron")
    every = frozenset(("expert_bias", "activation_clamp", "scaled_rope"))
    assert eager_paths(mega, TOY, moe=True, fused_mlp=False) == every
    # the fused grouped MLP clamps and adds the bias in its kernels; RoPE stays unfused
    assert eager_paths(mega, TOY, moe=True, fused_mlp=True) == {"scaled_rope"}
    assert eager_paths(mega, TOY, moe=False, fused_mlp=False) == {"scaled_rope"}
    plain = TOY.model_copy(update={"bias": False, "activation_clamp": None, "rope_scaling": "none"})
    assert eager_paths(mega, plain, moe=True, fused_mlp=False) == frozenset()
    for other in ("fsdp", "maxtext", "deepspeed"):
        assert eager_paths(framework(other), TOY, moe=True, fused_mlp=False) == frozenset()


def test_unfused_yarn_rope_moves_six_times_the_bytes_in_twelve_kernels() -> None:
    """q and k: 128 tokens x (4 + 2) heads x 64 x 2 B = 98,304 B. Fused: one read and one write,
    196,608 B in one kernel. Unfused: 12 passes, 1,179,648 B (0.59 us at 2 TB/s) in 12 kernels
    (120 us at 10 us each)."""
    fused, eager = _ops(frozenset())["rope"], _ops(frozenset({"scaled_rope"}))["rope"]
    assert (fused.bytes, fused.launches) == (196_608, 1)
    assert (eager.bytes, eager.launches) == (1_179_648, 12)
    assert CM.op_time(eager) == pytest.approx(1_179_648 / 2e12 + 120 * US)
    # the backward pass: twice the bytes, as many kernels
    (back,) = [op for op in backward([eager]) if op.name == "rope.bwd"]
    assert (back.bytes, back.launches) == (2_359_296, 12)


def test_clamp_and_expert_bias_by_hand() -> None:
    """256 routed rows (128 tokens x top 2). Clamp: 2 clamps of a 512-wide half (read and write)
    and a cat of the 1,024-wide row (read and write) = 8 x 512 x 2 B = 8,192 B a row, 2,097,152 B
    in 3 kernels. Bias: a multiply (writes 256 x 2 B), an add (reads 2, writes 1) and a cat (reads,
    writes) = 6 x 256 x 2 B = 3,072 B a row, 786,432 B in 2 x 4 experts + 1 = 9 kernels; at
    expert parallelism 2 each rank holds 2 experts: 5 kernels."""
    ops = _ops(frozenset({"expert_bias", "activation_clamp"}))
    clamp, bias = ops["experts_clamp"], ops["experts_bias"]
    assert (clamp.bytes, clamp.launches) == (2_097_152, 3)
    assert (bias.bytes, bias.launches) == (786_432, 9)
    assert CM.op_time(bias) == pytest.approx(786_432 / 2e12 + 90 * US)
    names = list(ops)
    assert names.index("experts_up") < names.index("experts_clamp") < names.index("experts_act")
    assert names.index("experts_down") < names.index("experts_bias") < names.index("unpermute")
    assert _ops(frozenset({"expert_bias"}), ep=2)["experts_bias"].launches == 5
    assert not {"experts_clamp", "experts_bias"} & set(_ops(frozenset()))


#: the 25.11 gpt-oss-120b row on 64 B200 (bf16, EP 8, no fused grouped MLP)
GPT_OSS: dict[str, Any] = dict(catalog.get("run", "bridge-gpt-oss-120b-64-b200-bf16").scenario)


def test_the_catalog_gpt_oss_takes_them_under_megatron_only() -> None:
    sc = load_any(GPT_OSS)
    ctx = context(sc)
    lay = Layout(1, 1, 64, 4, 512, 1, False, "none", 1, (36,), expert=8)
    assert ctx.layer_shape(lay, moe=True).eager == {
        "expert_bias", "activation_clamp", "scaled_rope"
    }  # fmt: skip
    fsdp = copy.deepcopy(GPT_OSS)
    fsdp["framework"] = "fsdp"
    fsdp["parallelism"]["zero"] = 3
    assert context(load_any(fsdp)).layer_shape(lay, moe=True).eager == frozenset()


def test_activation_clamp_needs_a_gated_mlp() -> None:
    with pytest.raises(SpecError, match="activation_clamp"):
        load_any({**GPT_OSS, "model": {"base": "gpt3-175b", "activation_clamp": 7.0}})


def test_qk_norm_runs_a_kernel_for_the_queries_and_one_for_the_keys() -> None:
    """Qwen3's per-head RMSNorm (Megatron-Core's q_layernorm and k_layernorm, two TENorm calls
    after the QKV projection): 128 tokens x (4 + 2) heads x 64 x 2 B read and written =
    196,608 B in 2 kernels; none without qk_norm."""
    sh = LayerShape(1, 128, 1, False, True, 2.0)
    dense = TOY.model_copy(update={"experts": 1, "top_k": 1, "expert_ffn_hidden": None,
                                   "activation_clamp": None, "qk_norm": True})  # fmt: skip
    ops = {op.name: op for op in layer_forward(dense, sh)}
    names = list(ops)
    assert (ops["qk_norm"].bytes, ops["qk_norm"].launches) == (196_608, 2)
    assert names.index("qkv") < names.index("qk_norm") < names.index("rope")
    plain = dense.model_copy(update={"qk_norm": False})
    assert "qk_norm" not in {op.name for op in layer_forward(plain, sh)}
