"""The whitepaper's four exception status flags, counted per element.

WP p9: "The following exception status flags are supported in operations with
CFloat8, SHP, and UHP operands and results: Invalid, Denormal, Overflow and
Underflow." Their response is "implementation dependent"; here a conversion never
traps, it counts. Pass a :class:`Flags` to ``quantize``/``encode``/``decode`` and it
accumulates, like sticky status flags that also say how often.

What each counts, for a conversion into a format (``quantize``, ``encode``):

* ``invalid``: NaN inputs (a "NaN operand", WP p9); for the unsigned UHP also
  negative inputs (-Inf included), which have "no useful definable result" and
  become +0.
* ``overflow``: inputs whose correctly rounded magnitude (with an unbounded
  exponent) exceeds the largest finite value, plus ±Inf inputs for formats without
  Inf (they clamp, WP p8). Under stochastic rounding: inputs above the maximum.
* ``underflow``: non-zero finite inputs below the smallest normal whose result is
  inexact (IEEE 754 tininess before rounding).
* ``denormal``: results that are non-zero denormals of the format; each will be a
  "denormal operand" (WP p9) of whatever reads it.

For ``decode`` (a conversion *from* the format) ``denormal`` counts denormal codes,
the operands themselves, and ``invalid`` counts NaN codes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from dojosim.numerics.formats import BoundFormat


@dataclass
class Flags:
    """Counts of the four exception conditions; accumulates over calls."""

    invalid: int = 0
    denormal: int = 0
    overflow: int = 0
    underflow: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __bool__(self) -> bool:
        return any(self.as_dict().values())


def count_conversion(
    flags: Flags, x: np.ndarray, result: np.ndarray, bound: BoundFormat, rounding: str
) -> None:
    """Add the flags raised by converting ``x`` (float) into ``result`` (float32)."""
    xv = np.asarray(x, dtype=np.float64).reshape(-1)
    rv = np.asarray(result, dtype=np.float64).reshape(-1)
    ax = np.abs(xv)
    finite = np.isfinite(xv)
    nan = np.isnan(xv)
    invalid = int(nan.sum())
    # Unsigned formats: negative inputs (-Inf included) have no useful result; they
    # become 0 and count as invalid, not as overflow.
    counts = np.ones_like(xv, dtype=bool) if bound.fmt.signed else ~(xv < 0)
    invalid += int((~counts).sum())
    # Rounding with an unbounded exponent overflows from max + half a step (RNE; the
    # tie goes up because max has an odd mantissa) or, stochastically, above max.
    # (OCP E4M3's max has an even mantissa, so there the tie stays at max.)
    half_step = math.ldexp(0.5, bound.emax - bound.fmt.mantissa_bits)
    if rounding != "nearest":
        over = ax > bound.max_value
    elif bound.fmt.specials == "nan_only":
        over = ax > bound.max_value + half_step
    else:
        over = ax >= bound.max_value + half_step
    overflow = int((over & finite & counts).sum())
    if bound.fmt.specials == "saturate":
        overflow += int((np.isinf(xv) & counts).sum())
    tiny = (ax < bound.min_normal) & (ax > 0) & finite & counts
    underflow = int((tiny & (rv != xv)).sum())
    ar = np.abs(rv)
    denormal = int(((ar > 0) & (ar < bound.min_normal)).sum())
    flags.invalid += invalid
    flags.overflow += overflow
    flags.underflow += underflow
    flags.denormal += denormal


def count_decode(flags: Flags, codes: np.ndarray, values: Any, bound: BoundFormat) -> None:
    """Add the flags of reading ``codes``: denormal operands and NaN operands."""
    c = np.asarray(codes).astype(np.int64).reshape(-1)
    m, ebits = bound.fmt.mantissa_bits, bound.fmt.exponent_bits
    e = (c >> m) & ((1 << ebits) - 1)
    f = c & ((1 << m) - 1)
    flags.denormal += int(((e == 0) & (f != 0)).sum())
    flags.invalid += int(np.isnan(np.asarray(values, dtype=np.float64)).sum())
