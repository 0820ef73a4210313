"""The casts of 8-bit training by recipe, by hand: how many 8-bit copies Transformer Engine writes
of a tensor both GEMM passes read (two on Hopper's TN-only FP8 GEMMs, one on Blackwell; always two
for MXFP8 and blockwise scaling), their scales, and the 16-bit round trips (tensorwise's amax
pass, the unfused norm of MXFP8 and blockwise). The backward pass quantizes every 8-bit
matmul's output gradient."""

from __future__ import annotations

import pytest

from dojosim.errors import SpecError
from dojosim.mapping.policy import precision_of
from dojosim.mapping.quantization import quantization
from dojosim.spec.resolve import load_scenario
from dojosim.workload.transformer import LayerShape, grad_casts, layer_forward

E = 2.0  # bytes of a bf16 element


def test_copies_scales_and_rereads_by_recipe_and_chip() -> None:
    got = {
        (recipe, arch): quantization("fp8", recipe, arch)
        for recipe in ("delayed", "tensorwise", "mxfp8", "blockwise")
        for arch in ("hopper", "blackwell")
    }
    assert got["delayed", "hopper"].copies == 2  # data and transpose
    assert got["delayed", "blackwell"].copies == 1  # any-layout FP8 GEMMs: one copy
    assert got["tensorwise", "blackwell"].rereads == (1.0, 1.0, 1.0)  # the amax pass
    mx = got["mxfp8", "blackwell"]
    assert (mx.copies, mx.scale_bytes, mx.rereads) == (2, 1 / 16, (1.0, 0.0, 0.0))
    bw = got["blockwise", "hopper"]
    assert (bw.copies, bw.scale_bytes, bw.rereads) == (2, 1 / 16, (1.0, 1.0, 0.0))
    # beyond reading the input and writing one copy
    assert got["delayed", "blackwell"].extra("norm", E) == 0.0
    assert got["delayed", "hopper"].extra("alone", E) == 1.0
    assert got["tensorwise", "hopper"].extra("norm", E) == 1.0 + 2.0
    assert mx.extra("norm", E) == pytest.approx(1 + 1 / 16 + 2)
    assert mx.extra("act", E) == pytest.approx(1 + 1 / 16)  # fused into the activation
    assert [
        got[r, "blackwell"].kernels for r in ("delayed", "tensorwise", "mxfp8", "blockwise")
    ] == [
        (0, 0, 0),
        (2, 2, 2),
        (1, 0, 0),
        (1, 1, 0),
    ]  # kernels added at a norm, an activation and alone
    assert precision_of("bf16", fp8_arch="hopper").quant is None  # 16-bit matmuls: no casts
    assert precision_of("fp8", fp8_recipe="mxfp8", fp8_arch="blackwell").quant == mx
    cfp8 = quantization("cfp8", "delayed", None)
    assert cfp8 is not None and cfp8.extra("alone", E) == 0.0  # one copy, no recipe published


def _shape(recipe: str, arch: str) -> LayerShape:
    return LayerShape(1, 8192, 1, False, True, E, 1.0, quantization("fp8", recipe, arch))


def test_a_norm_and_the_attention_output_cast_by_hand() -> None:
    from dojosim import catalog

    m = catalog.get("model", "llama3-8b")
    tok, h = 8192, m.hidden
    for recipe, arch, norm, alone in (
        ("delayed", "blackwell", 2 * E + 1, E + 1),
        ("delayed", "hopper", 2 * E + 2, E + 2),
        ("tensorwise", "hopper", 3 * E + 2, 2 * E + 2),
        ("mxfp8", "blackwell", 3 * E + 2 + 1 / 16, E + 2 + 1 / 16),
    ):
        ops = {op.name: op for op in layer_forward(m, _shape(recipe, arch))}
        assert ops["norm1"].bytes == pytest.approx(tok * h * norm), recipe
        assert ops["cast_proj"].bytes == pytest.approx(tok * m.heads * m.dhead * alone), recipe


@pytest.mark.parametrize(
    ("recipe", "arch", "norm", "act", "alone"),
    [
        ("delayed", "hopper", 1, 1, 1),  # fused into the norm and activation; one cast kernel
        ("tensorwise", "blackwell", 3, 3, 3),  # + scale from amax and quantize (alone: amax)
        ("mxfp8", "blackwell", 2, 1, 1),  # a norm leaves the quantize to its own kernel
        ("blockwise", "hopper", 2, 2, 1),  # so do a norm and an activation
    ],
)
def test_each_step_of_a_cast_is_a_kernel_and_the_backward_does_not_repeat_it(
    recipe: str, arch: str, norm: int, act: int, alone: int
) -> None:
    """Transformer Engine's current scaling computes the amax, then the scale, then quantizes,
    each a kernel (``Float8CurrentScalingQuantizer::quantize_impl``); a norm or activation that
    writes the amax skips the first. The backward of the norm or activation is its own kernel."""
    from dojosim import catalog
    from dojosim.workload.transformer import backward

    m = catalog.get("model", "llama3-8b")
    sh = _shape(recipe, arch)
    fwd = layer_forward(m, sh)
    ops = {op.name: op for op in fwd}
    assert (ops["norm1"].launches, ops["mlp_swiglu"].launches) == (norm, act)
    assert ops["cast_proj"].launches == alone
    assert {op.launches for op in grad_casts(fwd, sh)} == {alone}
    bwd = {op.name: op for op in backward(fwd)}
    assert bwd["norm1.bwd"].launches == bwd["mlp_swiglu.bwd"].launches == 1
    bf16 = {op.name: op for op in layer_forward(m, LayerShape(1, 8192, 1, False, True, E))}
    assert bf16["norm1"].launches == bf16["mlp_swiglu"].launches == 1


def test_the_backward_pass_quantizes_each_output_gradient() -> None:
    from dojosim import catalog

    m = catalog.get("model", "llama3-8b")
    sh = _shape("tensorwise", "hopper")
    casts = {op.name: op.bytes for op in grad_casts(layer_forward(m, sh), sh)}
    per = E + E + 2  # read, the amax pass's read, two copies
    width = {"qkv": 6144, "proj": 4096, "mlp_up": 2 * 14336, "mlp_down": 4096}
    assert casts == {f"{k}.grad_cast": pytest.approx(8192 * n * per) for k, n in width.items()}
    bf16 = LayerShape(1, 8192, 1, False, True, E)
    assert grad_casts(layer_forward(m, bf16), bf16) == []


def test_a_moe_block_casts_its_experts_input_and_not_its_router() -> None:
    from dojosim import catalog

    m = catalog.get("model", "qwen3-30b-a3b")
    sh = LayerShape(
        1, 4096, 1, False, True, E, 1.0, quantization("fp8", "mxfp8", "blackwell"), moe=True
    )
    ops = layer_forward(m, sh)
    names = [op.name for op in grad_casts(ops, sh)]
    assert "router.grad_cast" not in names and "experts_up.grad_cast" in names
    cast = next(op for op in ops if op.name == "experts_cast")
    assert cast.bytes == pytest.approx(4096 * m.top_k * m.hidden * (E + 2 + 1 / 16))


BASE = {"model": "llama3-8b", "chips": 8, "parallelism": {"global_batch": 8}}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"system": "dgx-h100", "precision": "fp8", "fp8_recipe": "mxfp8"}, "fp8_recipe"),
        ({"system": "dgx-b200", "precision": "bf16", "fp8_recipe": "tensorwise"}, "fp8_recipe"),
        ({"system": "dgx-b200", "precision": "fp8", "fp8_recipe": "blockwize"}, "fp8_recipe"),
    ],
)
def test_a_recipe_the_job_cannot_run_is_one_clear_error(change: dict, field: str) -> None:
    with pytest.raises(SpecError) as err:
        load_scenario({**BASE, **change})
    assert field in str(err.value)


def test_the_default_recipe_is_megatron_cores() -> None:
    sc = load_scenario({**BASE, "system": "dgx-b200", "precision": "fp8"})
    assert sc.fp8_recipe == "delayed"  # TransformerConfig.fp8_recipe's default
    sc = load_scenario({**BASE, "system": "dgx-b200", "precision": "fp8", "fp8_recipe": "mxfp8"})
    assert sc.fp8_recipe == "mxfp8"


def test_the_fused_grouped_mlp_runs_the_activation_and_its_casts_inside_the_gemms() -> None:
    """Transformer Engine's CuTe DSL grouped MLP: the first GEMM's epilogue applies SwiGLU and
    writes it quantized; the backward kernel writes the first GEMM's output gradient quantized."""
    import dataclasses

    from dojosim import catalog

    m = catalog.get("model", "qwen3-30b-a3b")
    q = quantization("fp8", "mxfp8", "blackwell")
    sh = LayerShape(1, 4096, 1, False, True, E, 1.0, q, moe=True)
    fused = dataclasses.replace(sh, fused_mlp=True)
    plain = {op.name for op in layer_forward(m, sh)}
    ops = layer_forward(m, fused)
    assert plain - {op.name for op in ops} == {"experts_act"}
    assert {op.name for op in grad_casts(ops, fused)} == {
        op.name for op in grad_casts(layer_forward(m, sh), sh)
    } - {"experts_up.grad_cast"}
    assert "experts_cast" in {op.name for op in ops}  # its input is still quantized first


def test_the_fused_grouped_mlp_needs_mxfp8() -> None:
    base = {
        "model": "qwen3-30b-a3b",
        "system": "dgx-b200",
        "chips": 8,
        "precision": "fp8",
        "routing": {"fused_grouped_mlp": True},
        "parallelism": {"global_batch": 8, "expert": 8},
    }
    with pytest.raises(SpecError, match="fused_grouped_mlp"):
        load_scenario(base)
    assert load_scenario({**base, "fp8_recipe": "mxfp8"}).routing.fused_grouped_mlp
