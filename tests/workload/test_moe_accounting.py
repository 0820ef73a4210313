"""Parameter and FLOP arithmetic of dense, MoE and MLA models, computed by hand."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.spec.loader import parse
from dojosim.spec.workload import ModelSpec
from dojosim.workload import accounting as acc
from dojosim.workload.transformer import (
    embedding_params,
    model_flops_per_token,
    params_per_layer,
    total_params,
)

MLA = {"kv_lora_rank": 8, "qk_nope_head_dim": 8, "qk_rope_head_dim": 4, "v_head_dim": 8}
BASE = {"name": "t", "layers": 4, "hidden": 64, "heads": 4, "vocab": 1000, "seq_len": 128}


def _m(**kw: object) -> ModelSpec:
    return parse(ModelSpec, {**BASE, **kw})


def test_tiny_moe_by_hand() -> None:
    """4 layers, the first dense (ffn 256), then 3 MoE layers of 8 experts (width 32), top-2,
    1 shared; SwiGLU, RMSNorm, MHA, untied."""
    m = _m(ffn_hidden=256, gated_mlp=True, norm="rmsnorm", experts=8, top_k=2,
           shared_experts=1, expert_ffn_hidden=32, dense_layers=1)  # fmt: skip
    h = 64
    attn = 4 * h * h
    norms = 2 * h
    dense = attn + norms + 3 * h * 256
    expert = 3 * h * 32
    moe = attn + norms + h * 8 + 9 * expert
    emb = 1000 * h
    assert acc.dense_layer_params(m) == dense
    assert acc.moe_layer_params(m) == moe
    assert acc.total_params(m) == dense + 3 * moe + 2 * emb + h
    assert acc.active_params(m) == dense + 3 * (moe - 6 * expert) + 2 * emb + h
    assert acc.active_params(m, count_embedding=False) == acc.active_params(m) - emb
    assert [m.is_moe_layer(i) for i in range(4)] == [False, True, True, True]
    assert params_per_layer(m) * 4 == pytest.approx(dense + 3 * moe)
    # training FLOPs per token: 6 x active matmul weights + 12 x s x heads x dh per layer
    matmuls = 4 * attn + 3 * h * 256 + 3 * (h * 8 + 3 * expert) + h * 1000
    attention = 4 * 12 * 128 * 4 * 16
    assert acc.training_flops_per_token(m) == pytest.approx(6 * matmuls + attention)
    assert acc.training_flops_per_token(m, causal=True) == pytest.approx(
        6 * matmuls + attention / 2
    )
    assert model_flops_per_token(m, 128) == pytest.approx(acc.training_flops_per_token(m) / 3)


def test_moe_every_interleaves_as_llama4() -> None:
    m = _m(experts=4, moe_every=2, gated_mlp=True)
    assert [m.is_moe_layer(i) for i in range(4)] == [False, True, False, True]
    assert m.moe_layers == 2 and acc.dense_layer_count(m) == 2


def test_mla_projections_by_hand() -> None:
    """DeepSeek-V3's MLA: q 7168 -> 1536 -> 128 x 192, kv 7168 -> 512 + 64, 512 -> 128 x 256."""
    m = catalog.get("model", "deepseek-v3")
    q = 7168 * 1536 + 1536 + 1536 * 128 * 192
    kv = 7168 * 576 + 512 + 512 * 128 * 256
    o = 128 * 128 * 7168
    assert acc.attention_params(m) == q + kv + o
    # attention core: QK^T over 192 dims and AV over 128, full sequence of 4096, 6x for training
    core = acc.training_flops_breakdown(m)["attention"]
    assert core == pytest.approx(6 * 61 * 128 * 4096 * (192 + 128))


def test_deepseek_v3_training_flops_at_4k() -> None:
    """6 x 37.55 B active matmul weights (less the 0.93 B embedding lookup) + MLA attention +
    one MTP module: about 292 GFLOP per token at 4K (261 with causal attention)."""
    m = catalog.get("model", "deepseek-v3")
    b = acc.training_flops_breakdown(m)
    matmul_weights = acc.active_params(m) - acc.embedding_params(m)
    main = sum(v for k, v in b.items() if k not in ("attention", "mtp"))
    # norms are weights but not matmuls: 6 x (active - embedding) overcounts by 6 x 0.88 M
    assert main == pytest.approx(6 * matmul_weights, rel=1e-4)
    assert sum(b.values()) == pytest.approx(291.85e9, rel=1e-3)
    # causal halves the attention of the 61 layers and of the MTP layer (6 x 128 x 320 x 4096)
    halved = (b["attention"] + 6 * 128 * 320 * 4096) / 2
    assert acc.training_flops_per_token(m, causal=True) == pytest.approx(sum(b.values()) - halved)


def test_dense_training_flops_are_three_times_the_megatron_forward() -> None:
    for name in ("gpt3-175b", "llama3-405b", "megatron-1t"):
        m = catalog.get("model", name)
        assert acc.training_flops_per_token(m) == pytest.approx(
            3 * model_flops_per_token(m, m.seq_len), rel=1e-12
        )
        assert total_params(m) == acc.total_params(m)
        assert embedding_params(m) == m.vocab * m.hidden


def test_local_attention_sees_its_window() -> None:
    """gpt-oss: 18 global layers see 4096 keys, 18 banded layers about 128 (full convention:
    twice the causal band of 128 - 128^2 / (2 x 4096))."""
    m = catalog.get("model", "gpt-oss-120b")
    per_key = 6 * 64 * (64 + 64)
    band = 2 * (128 - 128 * 128 / (2 * 4096))
    want = per_key * (18 * 4096 + 18 * band)
    assert acc.training_flops_breakdown(m)["attention"] == pytest.approx(want)
    scout = catalog.get("model", "llama4-scout")
    at_256k = acc.training_flops_breakdown(scout, 262144)["attention"]
    per_key = 6 * 40 * 256
    assert at_256k == pytest.approx(per_key * (12 * 262144 + 36 * 8192))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"experts": 8, "top_k": 9}, "top_k (9) exceeds experts (8)"),
        ({"shared_experts": 1}, "shared_experts needs a mixture of experts"),
        ({"dense_layers": 2}, "dense_layers needs a mixture of experts"),
        ({"moe_every": 2}, "moe_every needs a mixture of experts"),
        ({"experts": 8, "dense_layers": 4}, "no MoE layer"),
        ({"experts": 8, "moe_every": 5}, "no MoE layer"),
        ({"attention": "mla"}, "attention: mla needs an mla: block"),
        ({"mla": MLA}, "an mla: block needs attention: mla"),
        ({"experts": 0}, "greater than 0"),
        ({"attention": "gqa"}, "'mha' or 'mla'"),
        ({"params_published": {"tolerance": 0.1}}, "give total and/or active"),
    ],
)
def test_bad_models_are_one_line_errors(fields: dict[str, object], message: str) -> None:
    with pytest.raises(SpecError) as err:
        parse(ModelSpec, {**BASE, **fields}, file="m.yaml")
    text = str(err.value)
    assert message in text and "\n" not in text and text.startswith("m.yaml")


def test_published_number_is_still_the_total() -> None:
    m = _m(params_published="22e9")
    assert m.params_published[0].total == 22e9


def test_the_estimator_times_moe_and_mla_layers() -> None:
    """MoE and MLA layers reach the engine: an MoE job costs more per token than its active
    parameters alone would on the same chips (router, permutation, all-to-all)."""
    import dojosim

    job = {"name": "x", "system": "dgx-h100", "chips": 8, "precision": "bf16"}
    lay = {"global_batch": 64, "expert": 8, "recompute": "full", "zero": 1}
    moe = dojosim.estimate({**job, "model": "qwen3-30b-a3b", "parallelism": lay})
    assert moe.step_time_s > 0 and 0 < moe.mfu < 1
    assert moe.layout["expert"] == 8
    dense_mla = {"base": "deepseek-v3", "layers": 4, "experts": 1, "top_k": 1, "shared_experts": 0,
                 "dense_layers": 0, "expert_ffn_hidden": None, "node_limit": None}  # fmt: skip
    mla = dojosim.estimate({**job, "model": dense_mla, "parallelism": {"global_batch": 8}})
    assert mla.step_time_s > 0
