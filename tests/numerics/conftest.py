"""Shared inputs and references for the numerics tests."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from dojosim.numerics.formats import BoundFormat, Format

#: Every bfloat16 bit pattern, as float32 (exact), and every float16 one.
ALL_BF16 = (np.arange(1 << 16, dtype=np.uint32) << 16).view(np.float32)
ALL_FP16 = np.arange(1 << 16, dtype=np.uint16).view(np.float16).astype(np.float32)

CFP8 = ("cfp8_143", "cfp8_152")
CFP16 = ("cfp16_shp", "cfp16_uhp")
CFP = CFP8 + CFP16
EIGHT_BIT = ("cfp8_143", "cfp8_152", "fp8_e4m3", "fp8_e5m2")
#: Biases exercised everywhere: both ends of the 6-bit range and a spread between.
BIASES = (0, 1, 7, 15, 31, 48, 62, 63)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Bitwise equality of float32 arrays, any NaN equal to any NaN."""
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    nan = np.isnan(a) & np.isnan(b)
    return bool(np.all((a.view(np.uint32) == b.view(np.uint32)) | nan))


def first_mismatch(x: np.ndarray, got: np.ndarray, want: np.ndarray) -> str:
    g, w = np.asarray(got, np.float32), np.asarray(want, np.float32)
    bad = np.nonzero((g.view(np.uint32) != w.view(np.uint32)) & ~(np.isnan(g) & np.isnan(w)))[0]
    if not bad.size:
        return "no mismatch"
    i = bad[0]
    return f"{bad.size} mismatches, first x={x[i]!r} got={g[i]!r} want={w[i]!r}"


def whitepaper_value(bound: BoundFormat, code: int) -> Fraction | str:
    """A code's value straight from the whitepaper's definitions (WP p5-p6, p8), exact.

    Returns a Fraction, or 'inf'/'-inf'/'nan' for IEEE/OCP special codes.
    """
    fmt = bound.fmt
    m, e_bits = fmt.mantissa_bits, fmt.exponent_bits
    negative = fmt.signed and (code >> (fmt.bits - 1)) & 1
    e = (code >> m) & ((1 << e_bits) - 1)
    f = code & ((1 << m) - 1)
    top = (1 << e_bits) - 1
    if fmt.specials == "ieee" and e == top:
        return "nan" if f else ("-inf" if negative else "inf")
    if fmt.specials == "nan_only" and e == top and f == (1 << m) - 1:
        return "nan"
    if e == 0:
        scale = 1 - bound.bias if bound.denormals == "ieee" else -bound.bias
        v = Fraction(f, 1 << m) * Fraction(2) ** scale
    else:
        v = (1 + Fraction(f, 1 << m)) * Fraction(2) ** (e - bound.bias)
    return -v if negative else v


def table_round(bound: BoundFormat, x: np.ndarray) -> np.ndarray:
    """Reference round-to-nearest-even by search in the sorted table of values.

    Independent of the library's algorithm: it knows only the list of values and
    their codes. Saturating formats clamp; IEEE/OCP formats are not handled.
    """
    fmt = bound.fmt
    assert fmt.specials == "saturate"
    codes = np.arange(1 << (fmt.bits - int(fmt.signed)))  # non-negative codes
    vals = np.array([float(whitepaper_value(bound, int(c))) for c in codes])
    order = np.argsort(vals, kind="stable")
    vals, codes = vals[order], codes[order]
    keep = np.concatenate([[True], np.diff(vals) > 0])  # drop duplicate zero (none for CFP)
    vals, codes = vals[keep], codes[keep]
    with np.errstate(invalid="ignore"):  # signalling NaNs among the inputs
        xv = x.astype(np.float64)
    ax = np.abs(xv)
    ax = np.where(np.isnan(ax), np.inf, ax)  # NaN saturates like +-Inf (WP p8)
    hi = np.clip(np.searchsorted(vals, ax, side="left"), 0, len(vals) - 1)
    lo = np.clip(hi - 1, 0, len(vals) - 1)
    dlo, dhi = ax - vals[lo], vals[hi] - ax
    pick_hi = (dhi < dlo) | ((dhi == dlo) & (codes[hi] % 2 == 0))
    pick_hi |= ax <= vals[0]
    r = np.where(pick_hi, vals[hi], vals[lo])
    r = np.where(ax >= vals[-1], vals[-1], r)
    negative = np.signbit(xv)
    if not fmt.signed:  # negatives go to 0; NaN of either sign saturates
        negative &= ~np.isnan(xv)
        r = np.where(negative, 0.0, r)
    r = np.where(negative & fmt.signed, -r, r)
    return r.astype(np.float32)


def gfloat_info(fmt: Format, bias: int) -> Any:
    """gfloat's description of a Tesla CFP format with IEEE-style denormals."""
    from gfloat import Domain, FormatInfo

    return FormatInfo(
        fmt.name,
        fmt.bits,
        fmt.mantissa_bits + 1,
        bias=bias,
        is_signed=fmt.signed,
        domain=Domain.Finite,
        has_nz=fmt.signed,
        num_high_nans=0,
        has_subnormals=True,
        is_twos_complement=False,
    )


def gfloat_standard(name: str) -> Any:
    """gfloat's own description of the IEEE/OCP formats."""
    from gfloat import formats as g

    return {
        "bf16": g.format_info_bfloat16,
        "fp16": g.format_info_binary16,
        "fp32": g.format_info_binary32,
        "fp8_e4m3": g.format_info_ocp_e4m3,
        "fp8_e5m2": g.format_info_ocp_e5m2,
    }[name]
