"""The training quantizer: the same bits as ``quantize``, the right format per role."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dojosim import numerics
from dojosim.numerics.formats import get_format
from dojosim.numerics.quantizer import TensorQuantizer, round_tensor
from dojosim.numerics.recipes import make_recipe

from .conftest import ALL_BF16, same_bits


def _inputs() -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    parts = [
        torch.randn(70_000, generator=g) * 10.0 ** torch.randint(-12, 6, (70_000,), generator=g),
        torch.from_numpy(ALL_BF16.copy()),
        torch.tensor([0.0, -0.0, 1e-45, -1e-40, 3.4e38, -3.4e38]),
    ]
    return torch.cat(parts)


@pytest.mark.parametrize(
    ("fmt", "bias"),
    [("cfp8_143", 0), ("cfp8_143", 15), ("cfp8_152", 40), ("cfp16_shp", 20), ("fp8_e4m3", None)],
)
@pytest.mark.parametrize("rounding", ["nearest", "stochastic"])
def test_round_tensor_matches_quantize_bit_for_bit(
    fmt: str, bias: int | None, rounding: str
) -> None:
    x = _inputs()
    finite = x[torch.isfinite(x)]
    got = round_tensor(finite, get_format(fmt), bias, rounding, seed=5)  # type: ignore[arg-type]
    want = numerics.quantize(finite.numpy(), fmt, bias, rounding, seed=5)  # type: ignore[arg-type]
    assert same_bits(got.numpy(), want)


def test_bf16_fast_path_is_round_to_nearest_even() -> None:
    # torch's cast against the library's kernel: every bf16 value, the halfway points
    # between neighbours (ties), values just off them, overflow, Inf and NaN.
    base = torch.from_numpy(ALL_BF16.copy())
    bits = base.view(torch.int32)
    ties = (bits | 0x8000).view(torch.float32)
    above, below = (bits | 0x8001).view(torch.float32), (bits | 0x7FFF).view(torch.float32)
    x = torch.cat([base, ties, above, below, torch.randn(10_000)])
    got = round_tensor(x, get_format("bf16"), None)
    want = numerics.quantize(x.numpy(), "bf16")
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got.numpy()), nan)
    assert same_bits(got.numpy()[~nan], want[~nan])


def test_roles_pick_the_forward_or_the_gradient_format() -> None:
    q = TensorQuantizer(make_recipe("cfp8"), seed=0)
    x = torch.linspace(-3e-6, 3e-6, 1001)
    act, grad = q(x, "fc1.act"), q(x, "fc1.grad")
    assert same_bits(act.numpy(), numerics.quantize(x.numpy(), "cfp8_143", "auto"))
    assert same_bits(grad.numpy(), numerics.quantize(x.numpy(), "cfp8_152", "auto"))
    assert q.biases == {
        "fc1.act": numerics.choose_bias(x.numpy(), "cfp8_143"),
        "fc1.grad": numerics.choose_bias(x.numpy(), "cfp8_152"),
    }
    fixed = TensorQuantizer(make_recipe("cfp8", (7, 15)))
    fixed(x, "a.weight"), fixed(x, "a.weight_grad")
    assert fixed.biases == {"a.weight": 7, "a.weight_grad": 15}


def test_stochastic_rounding_touches_gradients_only() -> None:
    q = TensorQuantizer(make_recipe("cfp8", "auto", "stochastic"), seed=3)
    x = torch.full((4096,), 1.1)  # between two 1-4-3 values: 1.0 and 1.125
    assert torch.unique(q(x, "fc.act")).tolist() == [1.125]  # nearest
    g = q(x, "fc.grad")  # 1-5-2 neighbours 1.0 and 1.25, up with probability 0.4
    assert set(torch.unique(g).tolist()) == {1.0, 1.25}
    assert 0.35 < float((g == 1.25).float().mean()) < 0.45
    again = TensorQuantizer(make_recipe("cfp8", "auto", "stochastic"), seed=3)
    again(x, "fc.act")
    assert torch.equal(again(x, "fc.grad"), g)  # reproducible from the seed


def test_amax_scaling_maps_the_largest_magnitude_to_the_format_maximum() -> None:
    q = TensorQuantizer(make_recipe("fp8"))
    x = torch.tensor([3e-4, -1.7e-3, 2.5e-5, 0.0])
    y = q(x, "w.act")
    scale = q.scales["w.act"]
    assert scale == pytest.approx(448.0 / 1.7e-3, rel=1e-6)
    assert float(y[1]) == pytest.approx(-1.7e-3, rel=1e-6)  # amax lands on 448 exactly
    want = torch.from_numpy(numerics.quantize((x * scale).numpy(), "fp8_e4m3")) / scale
    assert torch.equal(y, want)
    g = q(x, "w.grad")
    assert q.scales["w.grad"] == pytest.approx(57344.0 / 1.7e-3, rel=1e-6)
    assert float(g.abs().max()) == pytest.approx(1.7e-3, rel=1e-6)


def test_fp32_and_bf16_recipes() -> None:
    x = torch.randn(1000)
    assert TensorQuantizer(make_recipe("fp32"))(x, "a.act") is x
    y = TensorQuantizer(make_recipe("bf16"))(x, "a.grad")
    assert torch.equal(y, x.to(torch.bfloat16).float())


def test_first_keeps_the_bias_of_each_tensor_from_its_first_use() -> None:
    q = TensorQuantizer(make_recipe("cfp8", "first"))
    small, large = torch.full((8,), 1e-3), torch.full((8,), 100.0)
    q(small, "w.act")
    first = q.biases["w.act"]
    y = q(large, "w.act")  # the range grew; the bias stays and the values saturate
    assert q.biases["w.act"] == first
    assert float(y[0]) == get_format("cfp8_143").bind(first).max_value < 100.0
    q(large, "v.act")
    assert q.biases["v.act"] < first  # another tensor gets its own bias
