"""Agreement with gfloat (Graphcore's generic float library), an independent oracle.

gfloat expresses every format here except the whitepaper-literal denormal scale
(tested against the whitepaper's own formula in test_exhaustive.py). Tesla CFP
formats are gfloat formats with no Inf/NaN (``Domain.Finite``, no NaN codes),
subnormals and the given bias; rounding uses ``sat=True`` (WP p8: overflow clamps).
"""

from __future__ import annotations

import numpy as np
import pytest
from gfloat import RoundMode, decode_ndarray, encode_ndarray, round_ndarray

from dojosim import numerics
from dojosim.numerics.formats import FORMATS
from dojosim.numerics.rng import random_bits

from .conftest import (
    ALL_BF16,
    ALL_FP16,
    BIASES,
    CFP,
    CFP8,
    first_mismatch,
    gfloat_info,
    gfloat_standard,
    same_bits,
)

FINITE_BF16 = ALL_BF16[np.isfinite(ALL_BF16)]
FINITE_FP16 = ALL_FP16[np.isfinite(ALL_FP16)]


def _cfp_biases(name: str) -> tuple[int, ...]:
    return BIASES if name in CFP8 else (0, 15, 31, 63)


def _inputs(name: str, x: np.ndarray) -> np.ndarray:
    """gfloat does not define negative inputs for unsigned formats: keep x >= +0 for UHP."""
    return x if FORMATS[name].signed else x[~np.signbit(x)]


@pytest.mark.parametrize("name", CFP)
def test_decode_every_code(name: str) -> None:
    fmt = FORMATS[name]
    codes = np.arange(1 << fmt.bits)
    for bias in _cfp_biases(name):
        want = decode_ndarray(gfloat_info(fmt, bias), codes).astype(np.float32)
        got = numerics.decode(codes, name, bias)
        assert same_bits(got, want), (bias, first_mismatch(codes, got, want))


@pytest.mark.parametrize("name", ["bf16", "fp16", "fp8_e4m3", "fp8_e5m2"])
def test_decode_standard_formats(name: str) -> None:
    codes = np.arange(1 << FORMATS[name].bits)
    want = decode_ndarray(gfloat_standard(name), codes).astype(np.float32)
    got = numerics.decode(codes, name)
    assert same_bits(got, want), first_mismatch(codes, got, want)


@pytest.mark.parametrize("name", CFP)
@pytest.mark.parametrize("inputs", ["bf16", "fp16"])
def test_round_nearest_all_16bit_inputs(name: str, inputs: str) -> None:
    x = _inputs(name, FINITE_BF16 if inputs == "bf16" else FINITE_FP16)
    fmt = FORMATS[name]
    for bias in _cfp_biases(name):
        want = round_ndarray(gfloat_info(fmt, bias), x.astype(np.float64), sat=True)
        got = numerics.quantize(x, name, bias)
        assert same_bits(got, want.astype(np.float32)), (bias, first_mismatch(x, got, want))


@pytest.mark.parametrize("name", CFP)
def test_stochastic_matches_gfloat_given_the_same_random_bits(name: str) -> None:
    """gfloat's RoundMode.Stochastic with srbits = our bits gives our results exactly."""
    fmt = FORMATS[name]
    x = _inputs(name, FINITE_BF16)
    n = 23 - fmt.mantissa_bits
    bits = random_bits(x.shape, 1234, n)
    for bias in _cfp_biases(name)[::2]:
        want = round_ndarray(
            gfloat_info(fmt, bias),
            x.astype(np.float64),
            RoundMode.Stochastic,
            sat=True,
            srbits=bits,
            srnumbits=n,
        )
        got = numerics.quantize(x, name, bias, rounding="stochastic", seed=1234)
        assert same_bits(got, want.astype(np.float32)), (bias, first_mismatch(x, got, want))


@pytest.mark.parametrize("name", CFP)
def test_encode_matches_gfloat(name: str) -> None:
    fmt = FORMATS[name]
    x = _inputs(name, FINITE_FP16)
    for bias in (0, 15, 63):
        info = gfloat_info(fmt, bias)
        want = encode_ndarray(info, round_ndarray(info, x.astype(np.float64), sat=True))
        got = numerics.encode(x, name, bias)
        assert got.dtype == (np.uint8 if fmt.bits == 8 else np.uint16)
        assert np.array_equal(got.astype(np.int64), np.asarray(want, dtype=np.int64)), bias


@pytest.mark.parametrize("name", ["bf16", "fp16", "fp8_e4m3", "fp8_e5m2"])
def test_standard_formats_overflow_to_inf_or_nan(name: str) -> None:
    """IEEE/OCP formats keep their own semantics: overflow to Inf (or NaN for E4M3)."""
    x = ALL_BF16
    with np.errstate(invalid="ignore"):  # gfloat casts NaN lanes to int
        want = round_ndarray(gfloat_standard(name), x.astype(np.float64), sat=False)
    got = numerics.quantize(x, name)
    assert same_bits(got, want.astype(np.float32)), first_mismatch(x, got, want)


@pytest.mark.parametrize("name", ["cfp8_143", "cfp8_152", "cfp16_shp", "bf16", "fp32"])
def test_float64_inputs_round_once(name: str) -> None:
    """float64 inputs are rounded directly (no double rounding through float32)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal(20_000) * np.exp2(rng.integers(-20, 20, 20_000))
    # Values a hair off float32 ties: a detour through float32 would round them wrongly.
    x = np.concatenate([x, np.float32(x).astype(np.float64) * (1 + 2.0**-40)])
    fmt = FORMATS[name]
    info = gfloat_info(fmt, fmt.bias) if fmt.is_cfp else gfloat_standard(name)
    want = round_ndarray(info, x, sat=fmt.is_cfp).astype(np.float32)
    got = numerics.quantize(x, name)
    assert same_bits(got, want), first_mismatch(x, got, want)
