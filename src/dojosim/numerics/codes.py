"""Codes: the bit patterns of a format, to and from their values (NumPy).

Code layout (most significant first): sign (signed formats only), exponent field
``e``, mantissa field ``f``. Decoding follows :class:`~.formats.BoundFormat`:
normal ``(1 + f/2^m) 2^(e-bias)``, denormal ``f/2^m`` times ``2^(1-bias)`` or, with
``denormals="literal"``, ``2^(-bias)`` (WP p6); IEEE/OCP formats also have their
Inf/NaN codes. 0x80 in a signed CFP8 format is -0 (WP is silent; it follows from the
sign bit).

Decoding uses a table of all 2^k values (k <= 16), built once per (format, bias,
denormal scale). Encoding takes values that are already representable (the output
of :func:`~dojosim.numerics.quantize`) and maps them back to their fields with
integer arithmetic on the float32 bits.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from dojosim.numerics.formats import BoundFormat

CODE_DTYPES: dict[int, Any] = {8: np.uint8, 16: np.uint16, 32: np.uint32}


def code_dtype(bound: BoundFormat) -> Any:
    return CODE_DTYPES[bound.fmt.bits]


def decode_fields(bound: BoundFormat, codes: np.ndarray) -> np.ndarray:
    """Values (float64) of integer ``codes``, computed from the fields by the formula."""
    fmt = bound.fmt
    m, ebits = fmt.mantissa_bits, fmt.exponent_bits
    c = codes.astype(np.int64)
    f = c & ((1 << m) - 1)
    e = (c >> m) & ((1 << ebits) - 1)
    normal = np.ldexp((f + (1 << m)).astype(np.float64), e - bound.bias - m)
    denormal = np.ldexp(f.astype(np.float64), np.full_like(e, bound.denormal_exponent))
    val = np.where(e == 0, denormal, normal)
    top_e = (1 << ebits) - 1
    if fmt.specials == "ieee":
        val = np.where(e == top_e, np.where(f == 0, np.inf, np.nan), val)
    elif fmt.specials == "nan_only":
        val = np.where((e == top_e) & (f == (1 << m) - 1), np.nan, val)
    if fmt.signed:
        negative = (c >> (fmt.bits - 1)) & 1 == 1
        val = np.where(negative, -val, val)
    return val


@functools.lru_cache(maxsize=64)
def value_table(bound: BoundFormat) -> np.ndarray:
    """All 2^k values of an 8- or 16-bit format as float32, indexed by code (read-only)."""
    table = decode_fields(bound, np.arange(1 << bound.fmt.bits)).astype(np.float32)
    table.setflags(write=False)
    return table


def decode_array(bound: BoundFormat, codes: np.ndarray) -> np.ndarray:
    """float32 values of validated integer ``codes``."""
    if bound.fmt.bits == 32:
        return codes.astype(np.uint32).view(np.float32).copy()
    return value_table(bound)[codes.astype(np.intp, copy=False)]


def encode_values(bound: BoundFormat, values: np.ndarray) -> np.ndarray:
    """Codes of float32 ``values`` that are representable in ``bound`` (from quantize)."""
    fmt = bound.fmt
    m = fmt.mantissa_bits
    bits = np.ascontiguousarray(values, dtype=np.float32).view(np.int32)
    a = (bits & 0x7FFFFFFF).astype(np.int64)
    # A normal's float32 exponent and top m mantissa bits are its code once the
    # exponent is rebiased: (a >> (23 - m)) = (E32 << m) | f.
    code = (a >> (23 - m)) - ((127 - bound.bias) << m)
    # Widening a signalling NaN (FP32 keeps them) and casting Inf/NaN lanes to int
    # raise the FPU's invalid flag; those lanes are replaced below.
    with np.errstate(invalid="ignore"):
        magnitude = np.abs(values.astype(np.float64))
        den = np.ldexp(magnitude, -bound.denormal_exponent).astype(np.int64)
    is_denormal = magnitude < bound.min_normal
    code = np.where(is_denormal, den, code)
    top_e = (1 << fmt.exponent_bits) - 1
    if fmt.specials == "ieee":
        code = np.where(np.isinf(values), top_e << m, code)
        code = np.where(np.isnan(values), (top_e << m) | (1 << (m - 1)), code)
    elif fmt.specials == "nan_only":
        code = np.where(np.isnan(values), (top_e << m) | ((1 << m) - 1), code)
    if fmt.signed:
        code = code | ((bits < 0).astype(np.int64) << (fmt.bits - 1))
    return code.astype(code_dtype(bound))


def classify(bound: BoundFormat, codes: np.ndarray) -> np.ndarray:
    """Class name of each code: zero, denormal, normal, inf or nan."""
    values = decode_fields(bound, codes)
    e = (codes.astype(np.int64) >> bound.fmt.mantissa_bits) & ((1 << bound.fmt.exponent_bits) - 1)
    out = np.where(e == 0, "denormal", "normal").astype(object)
    out[values == 0] = "zero"
    out[np.isinf(values)] = "inf"
    out[np.isnan(values)] = "nan"
    return out


def code_table(bound: BoundFormat) -> list[dict[str, Any]]:
    """One row per code: code, fields, class and value (for ``numerics info --codes``)."""
    fmt = bound.fmt
    codes = np.arange(1 << fmt.bits)
    values = decode_fields(bound, codes)
    kinds = classify(bound, codes)
    m, ebits = fmt.mantissa_bits, fmt.exponent_bits
    rows = []
    for c, v, kind in zip(codes.tolist(), values.tolist(), kinds.tolist(), strict=True):
        rows.append(
            {
                "code": c,
                "sign": (c >> (fmt.bits - 1)) & 1 if fmt.signed else 0,
                "exponent": (c >> m) & ((1 << ebits) - 1),
                "mantissa": c & ((1 << m) - 1),
                "class": kind,
                "value": v,
            }
        )
    return rows
