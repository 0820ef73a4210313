"""torch tensors (CPU, and CUDA where present) give NumPy's results bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dojosim import numerics
from dojosim.numerics.formats import FORMATS

from .conftest import ALL_BF16, same_bits

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
X = np.concatenate(
    [ALL_BF16, np.random.default_rng(1).standard_normal(50_000, dtype=np.float32) * 1e-3]
)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("rounding", ["nearest", "stochastic"])
def test_quantize_encode_decode(device: str, name: str, rounding: str) -> None:
    fmt = FORMATS[name]
    modes = ("ieee", "literal") if fmt.is_cfp else ("ieee",)
    biases = (0, 20, 63) if fmt.configurable_bias else (None,)
    t = torch.from_numpy(X).to(device)
    for mode in modes:
        for bias in biases:
            kw = {"denormals": mode}
            want = numerics.quantize(X, name, bias, rounding, seed=5, **kw)
            got = numerics.quantize(t, name, bias, rounding, seed=5, **kw)
            assert got.dtype == torch.float32 and got.device.type == device
            assert same_bits(got.cpu().numpy(), want), (name, mode, bias)
            codes = numerics.encode(t, name, bias, rounding, seed=5, **kw)
            want_codes = numerics.encode(X, name, bias, rounding, seed=5, **kw)
            assert np.array_equal(codes.cpu().numpy().astype(np.int64), want_codes.astype(np.int64))
            back = numerics.decode(codes, name, bias, **kw)
            assert same_bits(back.cpu().numpy(), numerics.decode(want_codes, name, bias, **kw))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64, torch.int32])
def test_other_input_dtypes(dtype: torch.dtype) -> None:
    x = (torch.linspace(-300, 300, 4001, dtype=torch.float64)).to(dtype)
    want = numerics.quantize(x.to(torch.float64).numpy(), "cfp8_143", 7)
    got = numerics.quantize(x, "cfp8_143", 7)
    assert same_bits(got.numpy(), want)


def test_float64_stochastic_uses_the_same_stream() -> None:
    x = np.random.default_rng(2).standard_normal(10_000)
    want = numerics.quantize(x, "cfp8_152", 15, "stochastic", seed=9)
    got = numerics.quantize(torch.from_numpy(x), "cfp8_152", 15, "stochastic", seed=9)
    assert same_bits(got.numpy(), want)


def test_auto_bias_and_shape() -> None:
    x = np.random.default_rng(3).standard_normal((3, 5, 7)).astype(np.float32) * 1e-4
    got = numerics.quantize(torch.from_numpy(x), "cfp8_143", "auto")
    assert got.shape == (3, 5, 7)
    assert same_bits(got.numpy(), numerics.quantize(x, "cfp8_143", "auto"))
    assert numerics.choose_bias(torch.from_numpy(x), "cfp8_143") == numerics.choose_bias(
        x, "cfp8_143"
    )


def test_result_does_not_track_gradients() -> None:
    x = torch.randn(10, requires_grad=True)
    q = numerics.quantize(x, "cfp8_143", 7)
    assert not q.requires_grad
