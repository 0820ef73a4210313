"""The rounding algorithm, written once for NumPy arrays and torch tensors.

Every function here works on the *bits* of IEEE floats (int32 for float32, int64
for float64) through a tiny ``ops`` adapter (:class:`NumpyOps` here, ``TorchOps``
in :mod:`dojosim.numerics.torch_backend`), so both array libraries run the same
sequence of exact integer and float operations and give the same bits.

Round to nearest, ties to even (``nearest``)::

    a  = |x|                                  (clear the sign bit)
    a  = min(a, clamp)                        (saturate: NaN, Inf, overflow -> max)
    M  = 2^(max(exponent(a), emin) + P - m)   (P = source mantissa bits)
    y  = (a + M) - M                          (the FPU rounds to a multiple of ulp(M))

``ulp(M) = 2^(max(e, emin) - m)`` is the target's step at ``a``: ``m`` bits below
the leading bit for normals, the fixed denormal step below ``2^emin``. The hardware
addition rounds to nearest-even, so no tie logic is needed, and a carry into the
next binade or from the denormals into the normals comes out right by itself.

Stochastic rounding (``stochastic``): in bit space the discarded ``n = P - m`` low
bits of a normal are a linear fraction of the step, so adding ``n`` uniform random
bits and truncating rounds up with probability exactly ``fraction``. Values below
``2^emin`` are first shifted into ``[2^emin, 2^(emin+1))`` by adding ``2^emin``
(where the step is the denormal step and the bits are again linear), rounded the
same way, and shifted back. This is gfloat's ``RoundMode.Stochastic`` with
``srnumbits = n``: the fraction is first rounded to ``n`` bits, then compared with
the random bits.

:func:`finish` then applies what is not plain rounding: the gap of the literal
denormal reading (:func:`_literal_gap`), Inf/NaN for IEEE/OCP targets, and the sign.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from dojosim.numerics.formats import BoundFormat


def float_bits(value: float, wide: bool) -> int:
    """The IEEE bit pattern of ``value`` as float64 (``wide``) or float32, as a Python int."""
    if wide:
        return int(np.array(value, dtype=np.float64).view(np.int64))
    with np.errstate(over="ignore"):  # 2^128 (FP32's clamp, unused: identity) becomes Inf
        return int(np.array(value, dtype=np.float32).view(np.int32))


@dataclass(frozen=True)
class Plan:
    """The integer constants of one rounding: a bound format in a working precision.

    ``wide`` selects float64 as the working precision; it is needed for float64
    inputs (to round once, directly) and for targets whose range makes the
    magic number ``M`` overflow float32 (BF16, FP32).
    """

    bound: BoundFormat
    wide: bool
    P: int  # mantissa bits of the working float
    n: int  # bits discarded from a normal: P - m
    sign_mask: int
    abs_mask: int
    exp_mask: int
    inf_bits: int
    qnan_bits: int
    clamp_bits: int  # inputs are clamped to this before rounding
    max_bits: int  # largest finite value of the target
    emin_bits: int  # 2^emin: below it the step is the denormal step
    magic_add: int  # adds (P - m) to an exponent field
    trunc_mask: int  # clears the n low bits
    unsigned: bool
    saturate: bool
    overflow_bits: int  # what an overflow becomes for non-saturating formats
    literal_gap: tuple[float, float, float] | None  # (max denormal, mid, min normal)

    @property
    def identity(self) -> bool:
        """True when the target holds every value of the working precision (FP32 <- float32)."""
        return self.n == 0

    @property
    def int_dtype(self) -> Any:
        return np.int64 if self.wide else np.int32


def make_plan(bound: BoundFormat, source_is_float64: bool) -> Plan:
    """Constants for rounding into ``bound`` from float32 or float64 inputs."""
    fmt = bound.fmt
    m = fmt.mantissa_bits
    literal = bound.denormals == "literal"
    # With literal denormals the denormal step is 2^(-bias-m): round on a grid that
    # also has the binade [2^-bias, 2^(1-bias)) and fix up the gap afterwards.
    emin_eff = -bound.bias if literal else bound.emin
    clamp = bound.max_value if fmt.specials == "saturate" else math.ldexp(1.0, bound.emax + 1)
    if m == 23 and not source_is_float64:
        wide = False  # FP32 from float32: nothing to round (Plan.identity)
    else:
        wide = source_is_float64 or (bound.emax + 1 + 23 - m > 127) or emin_eff < -126
    P, width = (52, 64) if wide else (23, 32)
    exp_mask = ((1 << (width - 1 - P)) - 1) << P
    qnan = exp_mask | (1 << (P - 1))
    gap = None
    if literal:
        maxden, minnorm = bound.max_denormal, bound.min_normal
        gap = (maxden, (maxden + minnorm) / 2, minnorm)
    return Plan(
        bound=bound,
        wide=wide,
        P=P,
        n=P - m,
        sign_mask=-(1 << (width - 1)),
        abs_mask=(1 << (width - 1)) - 1,
        exp_mask=exp_mask,
        inf_bits=exp_mask,
        qnan_bits=qnan,
        clamp_bits=float_bits(clamp, wide),
        max_bits=float_bits(bound.max_value, wide),
        emin_bits=float_bits(math.ldexp(1.0, emin_eff), wide),
        magic_add=(P - m) << P,
        trunc_mask=-(1 << (P - m)),
        unsigned=not fmt.signed,
        saturate=fmt.specials == "saturate",
        overflow_bits=exp_mask if fmt.specials == "ieee" else qnan,
        literal_gap=gap,
    )


class NumpyOps:
    """The operations the kernels need, on NumPy arrays, in place where possible."""

    @staticmethod
    def as_float(a: Any) -> Any:
        return a.view(np.float64 if a.dtype == np.int64 else np.float32)

    @staticmethod
    def bitwise_and(a: Any, k: Any, out: Any) -> None:
        np.bitwise_and(a, k, out=out)

    @staticmethod
    def bitwise_or(a: Any, b: Any, out: Any) -> None:
        np.bitwise_or(a, b, out=out)

    # NumPy's minimum/maximum against a scalar run about 4x slower than against an
    # array (the broadcast loop is not vectorised), so large chunks compare with a
    # cached array filled with the constant.
    _consts: ClassVar[dict[tuple[int, str], np.ndarray]] = {}

    @classmethod
    def _full(cls, k: int, like: np.ndarray) -> Any:
        if like.size < 4096:
            return k
        key = (k, like.dtype.str)
        arr = cls._consts.get(key)
        if arr is None or arr.size < like.size:
            if len(cls._consts) > 32:
                cls._consts.clear()
            arr = np.full(like.size, k, dtype=like.dtype)
            cls._consts[key] = arr
        return arr[: like.size]

    @classmethod
    def minimum(cls, a: Any, k: int, out: Any) -> None:
        np.minimum(a, cls._full(k, a), out=out)

    @classmethod
    def maximum(cls, a: Any, k: int, out: Any) -> None:
        np.maximum(a, cls._full(k, a), out=out)

    @staticmethod
    def add(a: Any, b: Any, out: Any) -> None:
        np.add(a, b, out=out)

    @staticmethod
    def subtract(a: Any, b: Any, out: Any) -> None:
        np.subtract(a, b, out=out)

    @staticmethod
    def less(a: Any, k: int, out: Any) -> None:
        np.less(a, k, out=out)

    @staticmethod
    def multiply(a: Any, k: int, out: Any) -> None:
        np.multiply(a, k, out=out)

    @staticmethod
    def set_where(a: Any, cond: Any, value: Any) -> None:
        np.copyto(a, value, where=cond)

    @staticmethod
    def to_float64(a: Any) -> Any:
        return a.astype(np.float64)

    @staticmethod
    def rint(a: Any) -> Any:
        return np.rint(a)  # half to even


def magnitude(ops: Any, bits: Any, out: Any, plan: Plan) -> None:
    """``out = min(|x|, clamp)`` in bits; negatives become 0 for unsigned formats."""
    ops.bitwise_and(bits, plan.abs_mask, out)
    if plan.unsigned:
        # Nothing below zero is representable: negatives (and -Inf) go to +0; NaN of
        # either sign still saturates to the maximum below.
        ops.set_where(out, (bits < 0) & (out <= plan.inf_bits), 0)
    ops.minimum(out, plan.clamp_bits, out)


def round_nearest(ops: Any, bits: Any, out: Any, tmp: Any, plan: Plan) -> None:
    """Round the magnitudes of ``bits`` to nearest-even into ``out`` (bits); ``tmp`` scratch."""
    magnitude(ops, bits, out, plan)
    ops.maximum(out, plan.emin_bits, tmp)
    ops.bitwise_and(tmp, plan.exp_mask, tmp)
    ops.add(tmp, plan.magic_add, tmp)  # tmp = bits of M
    of, mf = ops.as_float(out), ops.as_float(tmp)
    ops.add(of, mf, of)
    ops.subtract(of, mf, of)


def round_stochastic(ops: Any, bits: Any, out: Any, tmp: Any, rnd: Any, plan: Plan) -> None:
    """Round magnitudes stochastically; ``rnd`` holds ``n`` uniform random bits per element."""
    magnitude(ops, bits, out, plan)
    ops.less(out, plan.emin_bits, tmp)
    ops.multiply(tmp, plan.emin_bits, tmp)  # tmp = 2^emin below 2^emin, else +0.0
    of, tf = ops.as_float(out), ops.as_float(tmp)
    ops.add(of, tf, of)  # RNE to n bits of the denormal step: gfloat's "drnd"
    ops.add(out, rnd, out)
    ops.bitwise_and(out, plan.trunc_mask, out)
    ops.subtract(of, tf, of)


def finish(ops: Any, bits: Any, out: Any, tmp: Any, plan: Plan, rnd: Any = None) -> None:
    """Literal-denormal gap, IEEE/OCP specials and the sign, after rounding."""
    if plan.literal_gap is not None:
        _literal_gap(ops, bits, out, plan, rnd)
    if not plan.saturate:
        ops.bitwise_and(bits, plan.abs_mask, tmp)
        is_nan = tmp > plan.inf_bits
        ops.set_where(out, out > plan.max_bits, plan.overflow_bits)
        ops.set_where(out, is_nan, plan.qnan_bits)
    if not plan.unsigned:
        ops.bitwise_and(bits, plan.sign_mask, tmp)
        ops.bitwise_or(out, tmp, out)


def _literal_gap(ops: Any, bits: Any, out: Any, plan: Plan, rnd: Any) -> None:
    """With denormals scaled by 2^-bias nothing lies strictly between the largest
    denormal and the smallest normal: round such inputs to one of the two ends.

    Nearest: below the midpoint goes down; the midpoint goes to the smallest normal,
    whose code (mantissa 0) is the even one. Stochastic: up with probability
    (a - max_denormal) / (min_normal - max_denormal), resolved to ``n`` bits.
    """
    assert plan.literal_gap is not None
    lo, mid, hi = plan.literal_gap
    lo_bits, mid_bits, hi_bits = (float_bits(v, plan.wide) for v in (lo, mid, hi))
    a = bits & plan.abs_mask
    in_gap = (a > lo_bits) & (a < hi_bits)
    if plan.unsigned:
        in_gap = in_gap & (bits >= 0)  # negatives already went to 0
    if rnd is None:
        up = a >= mid_bits
    else:
        frac = (ops.to_float64(ops.as_float(a)) - lo) / (hi - lo)
        d = ops.rint(frac * float(2**plan.n))
        up = (d + ops.to_float64(rnd)) >= float(2**plan.n)
    ops.set_where(out, in_gap & up, hi_bits)
    ops.set_where(out, in_gap & ~up, lo_bits)
