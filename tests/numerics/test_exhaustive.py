"""Exhaustive checks: every code of every 8-bit format, every bf16 and fp16 input.

The references here know nothing of the library's algorithm:

* ``whitepaper_value`` evaluates each code with exact fractions from the
  whitepaper's definitions (WP p5-p6; both denormal readings);
* ``table_round`` rounds by searching the sorted list of values, ties to the even
  code, saturating at the largest value (WP p8);
* ml_dtypes casts for the IEEE/OCP formats.
"""

from __future__ import annotations

import math
from fractions import Fraction

import ml_dtypes
import numpy as np
import pytest

from dojosim import numerics
from dojosim.numerics.formats import FORMATS, BoundFormat

from .conftest import (
    ALL_BF16,
    ALL_FP16,
    BIASES,
    CFP8,
    EIGHT_BIT,
    first_mismatch,
    same_bits,
    table_round,
    whitepaper_value,
)

MODES = ("ieee", "literal")


def _bounds(name: str) -> list[BoundFormat]:
    fmt = FORMATS[name]
    if not fmt.is_cfp:
        return [fmt.bind()]
    return [fmt.bind(b, mode) for b in BIASES for mode in MODES]


def _as_float(v: Fraction | str) -> float:
    specials = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
    return specials[v] if isinstance(v, str) else float(v)


@pytest.mark.parametrize("name", EIGHT_BIT)
def test_every_code_decodes_to_the_whitepaper_value(name: str) -> None:
    codes = np.arange(256)
    for bound in _bounds(name):
        want = np.array([_as_float(whitepaper_value(bound, c)) for c in range(256)])
        want = np.where(codes >= 0x80, -np.abs(want), want)  # the Fraction lost -0's sign
        got = numerics.decode(codes, bound.fmt, bound.bias, denormals=bound.denormals)
        assert got.dtype == np.float32
        assert same_bits(got, want.astype(np.float32)), (bound, first_mismatch(codes, got, want))
        # -0 has its own code (WP: the sign bit is independent of the magnitude).
        assert np.signbit(got[0x80]) and got[0x80] == 0


@pytest.mark.parametrize("name", EIGHT_BIT)
def test_every_code_round_trips(name: str) -> None:
    codes = np.arange(256, dtype=np.uint8)
    for bound in _bounds(name):
        kw = {"denormals": bound.denormals}
        values = numerics.decode(codes, bound.fmt, bound.bias, **kw)
        nan = np.isnan(values)
        # Representable values are fixed points of rounding, in both modes...
        for rounding in ("nearest", "stochastic"):
            q = numerics.quantize(values[~nan], bound.fmt, bound.bias, rounding, seed=3, **kw)
            assert same_bits(q, values[~nan]), (bound, rounding)
        # ...and encode back to their own code.
        again = numerics.encode(values, bound.fmt, bound.bias, **kw)
        assert np.array_equal(again[~nan], codes[~nan]), bound
        assert np.isnan(numerics.decode(again[nan], bound.fmt, bound.bias, **kw)).all()


@pytest.mark.parametrize("name", CFP8)
@pytest.mark.parametrize("inputs", ["bf16", "fp16"])
def test_all_16bit_inputs_round_like_the_value_table(name: str, inputs: str) -> None:
    """Round-to-nearest-even of every bf16/fp16 number (incl. ±Inf, NaN, ±0)."""
    x = ALL_BF16 if inputs == "bf16" else ALL_FP16
    for bound in _bounds(name):
        want = table_round(bound, x)
        got = numerics.quantize(x, bound.fmt, bound.bias, denormals=bound.denormals)
        assert same_bits(got, want), (bound, first_mismatch(x, got, want))


@pytest.mark.parametrize("name", ["cfp16_shp", "cfp16_uhp"])
@pytest.mark.parametrize("mode", MODES)
def test_cfp16_all_bf16_inputs_round_like_the_value_table(name: str, mode: str) -> None:
    x = ALL_BF16
    for bias in (0, 31, 63):
        bound = FORMATS[name].bind(bias, mode)
        want = table_round(bound, x)
        got = numerics.quantize(x, name, bias, denormals=mode)
        assert same_bits(got, want), (bound, first_mismatch(x, got, want))


ML_DTYPES = {
    "bf16": ml_dtypes.bfloat16,
    "fp16": np.float16,
    "fp8_e4m3": ml_dtypes.float8_e4m3fn,
    "fp8_e5m2": ml_dtypes.float8_e5m2,
}


@pytest.mark.parametrize("name", sorted(ML_DTYPES))
@pytest.mark.parametrize("inputs", ["bf16", "fp16"])
def test_standard_formats_match_ml_dtypes(name: str, inputs: str) -> None:
    """Values and codes of every bf16/fp16 input, bit for bit (NaN payloads aside)."""
    x = ALL_BF16 if inputs == "bf16" else ALL_FP16
    with np.errstate(all="ignore"):
        cast = x.astype(ML_DTYPES[name])
    want = cast.astype(np.float32)
    got = numerics.quantize(x, name)
    assert same_bits(got, want), first_mismatch(x, got, want)
    codes = numerics.encode(x, name)
    want_codes = cast.view(codes.dtype)
    nan = np.isnan(want)
    assert np.array_equal(codes[~nan], want_codes[~nan])


def test_fp32_is_the_identity_on_float32() -> None:
    x = np.random.default_rng(0).standard_normal(100_000, dtype=np.float32)
    x = np.concatenate([x, ALL_BF16[np.isfinite(ALL_BF16)], np.float32([np.inf, -np.inf])])
    assert same_bits(numerics.quantize(x, "fp32"), x)
    assert np.array_equal(numerics.encode(x, "fp32"), x.view(np.uint32))
    assert same_bits(numerics.decode(x.view(np.uint32), "fp32"), x)
