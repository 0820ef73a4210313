"""Property tests (hypothesis): round trip, monotonicity, nearest-ness, ties to even."""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dojosim import numerics
from dojosim.numerics.formats import FORMATS, BoundFormat

from .conftest import same_bits

SETTINGS = settings(max_examples=150, deadline=None)
finite32 = st.floats(width=32, allow_nan=False, allow_infinity=False)


@st.composite
def bound_formats(draw: st.DrawFn, names: tuple[str, ...] = tuple(FORMATS)) -> BoundFormat:
    fmt = FORMATS[draw(st.sampled_from(sorted(names)))]
    bias = draw(st.integers(0, 63)) if fmt.configurable_bias else None
    mode = draw(st.sampled_from(["ieee", "literal"])) if fmt.is_cfp else "ieee"
    return fmt.bind(bias, mode)


def q(x: object, b: BoundFormat, rounding: str = "nearest", seed: int = 0) -> np.ndarray:
    return numerics.quantize(
        np.asarray(x, np.float32), b.fmt, b.bias, rounding, seed, denormals=b.denormals
    )


@functools.lru_cache(maxsize=256)
def sorted_values(b: BoundFormat) -> np.ndarray:
    """Every finite value of the format, ascending (its own decode, checked exhaustively)."""
    codes = np.arange(1 << min(b.fmt.bits, 16))
    v = numerics.decode(codes, b.fmt, b.bias, denormals=b.denormals).astype(np.float64)
    return np.unique(v[np.isfinite(v)])


NOT_FP32 = tuple(n for n in FORMATS if n != "fp32")


@SETTINGS
@given(bound_formats(), st.lists(finite32, min_size=1, max_size=20))
def test_decode_of_encode_is_quantize(b: BoundFormat, xs: list[float]) -> None:
    x = np.array(xs, np.float32)
    codes = numerics.encode(x, b.fmt, b.bias, denormals=b.denormals)
    assert same_bits(numerics.decode(codes, b.fmt, b.bias, denormals=b.denormals), q(x, b))


@SETTINGS
@given(bound_formats(), st.lists(finite32, min_size=1, max_size=20))
def test_quantize_is_idempotent(b: BoundFormat, xs: list[float]) -> None:
    once = q(xs, b)
    assert same_bits(q(once, b), once)


@SETTINGS
@given(bound_formats(), finite32, finite32)
def test_monotonic(b: BoundFormat, x: float, y: float) -> None:
    lo, hi = sorted((x, y))
    qlo, qhi = q([lo], b)[0], q([hi], b)[0]
    if np.isnan(qlo) or np.isnan(qhi):  # OCP E4M3 overflows to NaN
        return
    assert qlo <= qhi


@SETTINGS
@given(bound_formats(NOT_FP32), finite32)
def test_result_is_a_nearest_value(b: BoundFormat, x: float) -> None:
    values = sorted_values(b)
    r = float(q([x], b)[0])
    if not b.fmt.signed and x < 0:
        assert r == 0.0
        return
    ax = abs(float(np.float32(x)))
    if ax > values[-1]:
        if b.fmt.is_cfp:
            assert abs(r) == values[-1]  # saturation (WP p8)
        return
    assert abs(abs(r) - ax) == np.min(np.abs(values - ax))
    assert r == 0 or np.sign(r) == np.sign(x)


@SETTINGS
@given(bound_formats(NOT_FP32), st.data())
def test_ties_go_to_the_even_code(b: BoundFormat, data: st.DataObject) -> None:
    top = 1 << (b.fmt.bits - int(b.fmt.signed))  # non-negative codes
    c = data.draw(st.integers(0, top - 2))
    kw = {"denormals": b.denormals}
    v = numerics.decode(np.array([c, c + 1]), b.fmt, b.bias, **kw).astype(np.float64)
    if not np.isfinite(v).all():  # c + 1 is Inf or NaN
        return
    mid = (v[0] + v[1]) / 2  # exact in float32: m + 2 significant bits
    assert float(np.float32(mid)) == mid
    got = int(numerics.encode(np.float32([mid]), b.fmt, b.bias, **kw)[0])
    assert got == (c if c % 2 == 0 else c + 1), (c, mid)


@SETTINGS
@given(bound_formats(NOT_FP32), finite32, st.integers(0, 2**32 - 1))
def test_stochastic_result_is_a_neighbour(b: BoundFormat, x: float, seed: int) -> None:
    values = sorted_values(b)
    r = abs(float(q([x], b, "stochastic", seed)[0]))
    if not b.fmt.signed and x < 0:
        assert r == 0.0
        return
    ax = abs(float(np.float32(x)))
    if ax >= values[-1]:
        return
    i = np.searchsorted(values, ax)
    neighbours = {values[i]} | ({values[i - 1]} if i > 0 else set())
    assert r in neighbours


@SETTINGS
@given(bound_formats(), st.lists(finite32, min_size=1, max_size=20))
def test_signed_formats_are_symmetric(b: BoundFormat, xs: list[float]) -> None:
    if not b.fmt.signed:
        return
    x = np.array(xs, np.float32)
    assert same_bits(q(-x, b), -q(x, b))
