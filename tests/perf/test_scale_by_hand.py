"""Per-step costs that grow with the job (perf/scale.py), checked against hand arithmetic."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dojosim.mapping.layout import Layout
from dojosim.perf.context import context
from dojosim.perf.scale import amax_reductions, expected_max, fp8_gemms_per_layer
from dojosim.perf.step import evaluate
from dojosim.spec.resolve import load_any

BASE: dict[str, Any] = {
    "model": {"name": "m", "layers": 8, "hidden": 1024, "heads": 16, "vocab": 32000,
              "seq_len": 1024},
    "system": "dgx-h100",
    "chips": 16,
    "precision": "fp8",
    "parallelism": {"tensor": 2, "pipeline": 2, "data": 4, "global_batch": 32,
                    "micro_batch": 2, "recompute": "none"},
}  # fmt: skip
# tensor 2 x pipeline 2 x data 4, interleave 2: 32 / (2 x 4) = 4 micro-batches, 4 layers a stage
LAYOUT = Layout(2, 2, 4, 2, 32, 2, True, "none", 1, (4, 4))


def _ctx(**over: Any) -> Any:
    sc = copy.deepcopy(BASE) | over
    return context(load_any(sc))


def test_blom_expected_maximum() -> None:
    """E[max of 2 standard normals] is 1/sqrt(pi) = 0.5642; Blom's approximation,
    Phi^-1((2 - 0.375) / (2 + 0.25)) = Phi^-1(0.7222), gives 0.5895."""
    assert expected_max(1) == 0.0
    assert expected_max(2) == pytest.approx(0.5895, abs=1e-4)


def test_a_dense_layer_has_four_fp8_gemms() -> None:
    """qkv, attention output, MLP up and down; the logits and attention stay wide."""
    assert fp8_gemms_per_layer(_ctx(), LAYOUT) == 4


def test_delayed_scaling_reduces_amaxes_twice_per_micro_batch_and_chunk() -> None:
    """Two chunks of 2 layers, 8 GEMMs each: forward 3 x 4 B x 8 = 96 B, backward 2 x 4 B x 8 =
    64 B, all-reduced over the 8 ranks of a stage, 4 micro-batches x 2 chunks."""
    ctx = _ctx(fp8_recipe="delayed")
    per_chunk = ctx.collective("all_reduce", 96.0, 8, 1) + ctx.collective("all_reduce", 64.0, 8, 1)
    assert amax_reductions(ctx, LAYOUT) == pytest.approx(4 * 2 * per_chunk, rel=1e-12)
    norm = ctx.collective("all_reduce", 4.0, 16, 1)
    assert evaluate(ctx, LAYOUT).times.fixed == pytest.approx(norm + 4 * 2 * per_chunk, rel=1e-12)


@pytest.mark.parametrize("recipe", ["tensorwise", "mxfp8", "blockwise"])
def test_scaling_from_the_tensor_itself_reduces_nothing_per_step(recipe: str) -> None:
    ctx = _ctx(fp8_recipe=recipe, system="dgx-b200")
    assert amax_reductions(ctx, LAYOUT) == 0.0
    assert evaluate(ctx, LAYOUT).times.fixed == pytest.approx(
        ctx.collective("all_reduce", 4.0, 16, 1), rel=1e-12
    )


def test_sixteen_bit_training_has_no_amaxes() -> None:
    assert amax_reductions(_ctx(precision="bf16"), LAYOUT) == 0.0


def test_a_network_has_no_transformer_amaxes() -> None:
    """A catalog network in FP8 delayed scaling pays the gradient-norm all-reduce only."""
    sc = load_any(
        {"model": "resnet50-224", "system": "dgx-h100", "chips": 16, "precision": "fp8",
         "parallelism": {"global_batch": 512, "micro_batch": 32}}
    )  # fmt: skip
    ctx = context(sc)
    assert amax_reductions(ctx, Layout(1, 1, 16, 32, 512, 1, False, "none", 0, (1,))) == 0.0
