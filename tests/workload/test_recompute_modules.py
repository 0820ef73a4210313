"""Megatron-Core's ``recompute_modules``, checked by hand: what each module frees from a
layer's kept activations, what it runs again, the FLOPs it adds and the layouts it refuses
(``TransformerConfig`` and the modules' checkpoints at Megatron-LM d98e8a64)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dojosim import estimate
from dojosim.errors import SpecError
from dojosim.spec.resolve import load_any
from dojosim.workload.recompute_modules import dropped_bytes, rerun, transient_bytes
from dojosim.workload.transformer import LayerShape, activation_bytes_per_layer, layer_forward

# one 4,096-token sequence, no tensor parallelism, flash attention, 16-bit
BF16 = LayerShape(1, 4096, 1, False, True, 2.0)
QWEN_MOE = replace(BF16, moe=True, ep=8)


def _model(name: str) -> Any:
    return load_any(_scenario(name)).model


def _scenario(model: str, **knobs: Any) -> dict[str, Any]:
    par = {"tensor": 1, "pipeline": 1, "data": 8, "global_batch": 64, "micro_batch": 1,
           "zero": 1, "recompute": "auto"}  # fmt: skip
    if model != "llama3-8b":
        par["expert"] = 8
    return {
        "name": "modules",
        "model": model,
        "system": "dgx-h100",
        "chips": 8,
        "precision": "bf16",
        "parallelism": par | knobs,
    }


def test_moe_act_frees_the_experts_activation_output() -> None:
    # Qwen3-30B-A3B: 4,096 tokens x top-8 = 32,768 routed rows of 768 (expert FFN), 2 bytes
    m = _model("qwen3-30b-a3b")
    sh = replace(QWEN_MOE, modules=frozenset({"moe_act"}))
    assert dropped_bytes(m, sh) == 32768 * 768 * 2
    assert [op.name for op in rerun(m, sh, layer_forward(m, sh))] == ["experts_act"]


def test_layernorm_frees_only_the_separate_norms() -> None:
    m = _model("qwen3-30b-a3b")
    sh = replace(QWEN_MOE, modules=frozenset({"layernorm"}))
    # a MoE layer's pre-MLP norm is a module of its own; the input norm is fused into QKV
    assert dropped_bytes(m, sh) == 4096 * 2048 * 2
    assert [op.name for op in rerun(m, sh, layer_forward(m, sh))] == ["norm2"]
    dense = replace(BF16, modules=frozenset({"layernorm"}))
    assert dropped_bytes(_model("llama3-8b"), dense) == 0.0  # both norms fused


def test_mla_up_proj_frees_queries_keys_and_values() -> None:
    # DeepSeek-V3: 128 heads x (2 x 192 + 128) = 65,536 values per token, 2 bytes
    m = _model("deepseek-v3")
    sh = replace(BF16, modules=frozenset({"mla_up_proj"}))
    assert dropped_bytes(m, sh) == 4096 * 128 * 512 * 2
    names = [op.name for op in rerun(m, sh, layer_forward(m, sh))]
    assert names == ["q_norm", "q_up", "kv_norm", "kv_up", "rope"]


def test_mlp_keeps_only_the_input_of_a_dense_mlp() -> None:
    # Llama 3 8B: gate and up (2 x 14,336) and the down projection's input (14,336), 2 bytes
    # each, and the fused norm's output (4,096) that feeds them
    m = _model("llama3-8b")
    sh = replace(BF16, modules=frozenset({"mlp"}))
    mlp = 4096 * 14336 * (2 * 2 + 2) + 4096 * 4096 * 2
    assert dropped_bytes(m, sh) == mlp
    assert transient_bytes(m, sh) == mlp  # held again while the backward reruns it
    none = activation_bytes_per_layer(m, BF16, "none")
    assert activation_bytes_per_layer(m, sh, "selective") == none - mlp
    names = [op.name for op in rerun(m, sh, layer_forward(m, sh))]
    assert names == ["norm2", "mlp_up", "mlp_swiglu", "mlp_down"]
    assert dropped_bytes(_model("qwen3-30b-a3b"), replace(QWEN_MOE, modules=sh.modules)) == 0.0


def test_default_is_megatrons_core_attn() -> None:
    m = _model("llama3-8b")
    unfused = replace(BF16, flash=False)
    scores = 32 * 4096 * 4096 * 2  # the softmax output: Llama trains without dropout
    none = activation_bytes_per_layer(m, unfused, "none")
    assert activation_bytes_per_layer(m, unfused, "selective") == none - scores
    moe_act_only = replace(unfused, modules=frozenset({"mlp"}))
    mlp = 4096 * 14336 * 6 + 4096 * 4096 * 2
    assert activation_bytes_per_layer(m, moe_act_only, "selective") == none - mlp


def test_the_hardware_flops_count_the_rerun_matmuls() -> None:
    plain = estimate(_scenario("llama3-8b", recompute="selective"))
    mlp = estimate(_scenario("llama3-8b", recompute_modules=["mlp"]))
    # 64 x 8,192 tokens x 32 layers x (2 x 4,096 x 28,672 + 2 x 14,336 x 4,096) FLOPs
    extra = 64 * 8192 * 32 * (2 * 4096 * 28672 + 2 * 14336 * 4096)
    model = mlp.model_flops_per_step
    assert model == plain.model_flops_per_step and plain.hfu == plain.mfu  # fused attention
    assert model * mlp.hfu / mlp.mfu == pytest.approx(model + extra, rel=1e-9)
    assert mlp.layout["recompute"] == "selective" and mlp.layout["recompute_modules"] == ["mlp"]
    assert mlp.step_time_s > plain.step_time_s
    assert mlp.memory["activations"] < plain.memory["activations"]


@pytest.mark.parametrize(
    ("model", "knobs", "words"),
    [
        ("qwen3-30b-a3b", {"recompute": "none", "recompute_modules": ["moe_act"]}, "selective"),
        ("qwen3-30b-a3b", {"recompute_modules": ["mla_up_proj"]}, "multi-head latent"),
        ("llama3-8b", {"recompute_modules": ["moe_act"]}, "mixture-of-experts"),
        (
            "qwen3-30b-a3b",
            {"recompute": "selective", "recompute_layers": 2, "recompute_modules": ["moe_act"]},
            "recompute_layers",
        ),
    ],
)
def test_layouts_megatron_refuses(model: str, knobs: dict[str, Any], words: str) -> None:
    with pytest.raises(SpecError) as err:
        estimate(_scenario(model, **knobs))
    assert err.value.field == "parallelism.recompute_modules"
    assert words in str(err.value)


def test_only_megatron_names_modules() -> None:
    with pytest.raises(SpecError) as err:
        estimate(_scenario("llama3-8b", recompute_modules=["mlp"]) | {"framework": "fsdp"})
    assert "Megatron-Core's, not fsdp's" in str(err.value)


def test_an_unknown_module_is_a_clear_error() -> None:
    with pytest.raises(SpecError) as err:
        estimate(_scenario("qwen3-30b-a3b", recompute_modules=["moe_acts"]))
    assert "recompute_modules" in str(err.value) and "moe_act" in str(err.value)


def test_the_layout_line_names_the_modules() -> None:
    from dojosim.report.tables import layout_text

    lay = {"tensor": 1, "pipeline": 1, "data": 8, "recompute": "selective"}
    assert layout_text(lay | {"recompute_modules": ["core_attn"]}).endswith("recompute selective")
    named = layout_text(lay | {"recompute_modules": ["layernorm", "moe_act"]})
    assert named.endswith("recompute selective (layernorm, moe_act)")


def test_the_modules_each_model_has() -> None:
    from dojosim.workload.recompute_modules import applicable

    assert applicable(_model("llama3-8b"), flash=True) == ("mlp",)
    assert applicable(_model("llama3-8b"), flash=False) == ("core_attn", "mlp")
    assert applicable(_model("qwen3-30b-a3b"), flash=True) == ("layernorm", "moe_act")
    deepseek = ("layernorm", "moe_act", "mla_up_proj", "mlp", "shared_experts")
    assert applicable(_model("deepseek-v3"), flash=True) == deepseek
    # the output-discarding ones only (Megatron's own split of checkpoint kinds)
    light = ("layernorm", "moe_act", "mla_up_proj")
    assert applicable(_model("deepseek-v3"), flash=True, light=True) == light


DEEPSEEK_256: dict[str, Any] = {
    "name": "modules-auto",
    "model": "deepseek-v3",
    "system": "gb200-nvl72",
    "chips": 256,
    "precision": "fp8",
    "parallelism": {
        "tensor": 1, "pipeline": 4, "data": 64, "expert": 64, "global_batch": 4096,
        "interleave": 4, "zero": 1, "overlap_expert_parallel": True,
    },
}  # fmt: skip


def test_auto_recomputes_the_cheaper_modules_first() -> None:
    # the combined 1F1B refuses full recomputation: the modules are what is left to free memory.
    # At 4,096 tokens the output-discarding ones (norms, expert activation, MLA up projections)
    # fit; at 6,144 only every module does (the dense MLPs and shared experts too)
    par = DEEPSEEK_256["parallelism"]
    default = estimate(DEEPSEEK_256 | {"parallelism": par | {"recompute": "selective"}})
    assert not default.fits_in_memory
    light, every = (
        ["layernorm", "moe_act", "mla_up_proj"],
        ["layernorm", "moe_act", "mla_up_proj", "mlp", "shared_experts"],
    )
    auto = estimate(DEEPSEEK_256 | {"parallelism": par | {"recompute": "auto"}})
    assert auto.fits_in_memory
    assert auto.chosen == {"recompute": "selective", "recompute_modules": light}
    longer = DEEPSEEK_256 | {"seq_len": 6144, "parallelism": par | {"recompute": "auto"}}
    named = longer | {"parallelism": par | {"recompute": "selective", "recompute_modules": light}}
    assert not estimate(named).fits_in_memory
    assert estimate(longer).chosen == {"recompute": "selective", "recompute_modules": every}


def test_other_frameworks_never_get_modules_from_auto() -> None:
    r = estimate(_scenario("llama3-8b", recompute="auto", zero=2) | {"framework": "fsdp"})
    assert r.layout["recompute"] != "selective" or r.layout["recompute_modules"] == ["core_attn"]
