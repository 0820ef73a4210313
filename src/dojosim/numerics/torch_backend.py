"""torch twins of the NumPy paths: same kernels, same random bits, same results.

The kernels in :mod:`~dojosim.numerics.kernels` run unchanged on tensors through
:class:`TorchOps`; they use only exact integer operations and IEEE float32/float64
add/subtract, which round identically on CPU and CUDA. Results stay on the input's
device. Quantizing is not differentiable; :mod:`~dojosim.numerics.train` wraps it
in autograd functions with a straight-through gradient.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from dojosim.errors import FormatError
from dojosim.numerics import bias as _bias
from dojosim.numerics import codes as _codes
from dojosim.numerics import kernels
from dojosim.numerics.flags import Flags, count_conversion, count_decode
from dojosim.numerics.formats import BoundFormat, Format
from dojosim.numerics.kernels import make_plan
from dojosim.numerics.rng import seed_keys, words_torch

CODE_DTYPES = {8: torch.uint8, 16: torch.uint16, 32: torch.uint32}


class TorchOps:
    """The operations the kernels need, on tensors, in place where possible."""

    @staticmethod
    def as_float(a: Any) -> Any:
        return a.view(torch.float64 if a.dtype == torch.int64 else torch.float32)

    @staticmethod
    def bitwise_and(a: Any, k: Any, out: Any) -> None:
        torch.bitwise_and(a, k, out=out)

    @staticmethod
    def bitwise_or(a: Any, b: Any, out: Any) -> None:
        torch.bitwise_or(a, b, out=out)

    @staticmethod
    def minimum(a: Any, k: int, out: Any) -> None:
        torch.clamp(a, max=k, out=out)

    @staticmethod
    def maximum(a: Any, k: int, out: Any) -> None:
        torch.clamp(a, min=k, out=out)

    @staticmethod
    def add(a: Any, b: Any, out: Any) -> None:
        torch.add(a, b, out=out)

    @staticmethod
    def subtract(a: Any, b: Any, out: Any) -> None:
        torch.sub(a, b, out=out)

    @staticmethod
    def less(a: Any, k: int, out: Any) -> None:
        torch.lt(a, k, out=out)

    @staticmethod
    def multiply(a: Any, k: int, out: Any) -> None:
        torch.mul(a, k, out=out)

    @staticmethod
    def set_where(a: Any, cond: Any, value: Any) -> None:
        a.masked_fill_(cond, value)

    @staticmethod
    def to_float64(a: Any) -> Any:
        return a.to(torch.float64)

    @staticmethod
    def rint(a: Any) -> Any:
        return torch.round(a)  # half to even


def as_float_tensor(x: torch.Tensor) -> tuple[torch.Tensor, bool]:
    """A contiguous float32 or float64 tensor, and whether it is float64."""
    if x.is_complex():
        raise FormatError(f"input must be real numbers, got a tensor of {x.dtype}")
    x = x.detach()
    if x.dtype == torch.float32:
        return x.contiguous(), False
    if x.dtype == torch.float64:
        return x.contiguous(), True
    if x.is_floating_point():  # float16, bfloat16, float8: exact in float32
        return x.to(torch.float32).contiguous(), False
    return x.to(torch.float64).contiguous(), True


def _bias_for(f: Format, bias: object, x: torch.Tensor, denormals: str) -> int:
    from dojosim.numerics.api import resolve_bias

    if isinstance(bias, str) and bias == "auto":
        return _bias.bias_for_amax(f, amax(x), 0, denormals)
    return resolve_bias(f, bias, None, denormals)


@torch.no_grad()
def quantize(
    x: torch.Tensor,
    f: Format,
    bias: object,
    rounding: str,
    seed: int | None,
    denormals: str,
    flags: Flags | None,
) -> torch.Tensor:
    """torch twin of :func:`dojosim.numerics.quantize`; returns float32 on x's device."""
    xt, wide = as_float_tensor(x)
    bound = f.bind(_bias_for(f, bias, xt, denormals), denormals)
    plan = make_plan(bound, wide)
    flat = xt.reshape(-1)
    if plan.identity:
        out = flat.to(torch.float32, copy=True)
    else:
        bits = flat.to(torch.float64).view(torch.int64) if plan.wide else flat.view(torch.int32)
        work = torch.empty_like(bits)
        tmp = torch.empty_like(bits)
        rnd = None
        if rounding == "stochastic":
            words = words_torch(flat.numel(), seed_keys(seed), flat.device)
            rnd = _random_bits(words, plan)
            kernels.round_stochastic(TorchOps, bits, work, tmp, rnd, plan)
        else:
            kernels.round_nearest(TorchOps, bits, work, tmp, plan)
        kernels.finish(TorchOps, bits, work, tmp, plan, rnd)
        out = TorchOps.as_float(work).to(torch.float32)
    if flags is not None:
        count_conversion(flags, flat.cpu().numpy(), out.cpu().numpy(), bound, rounding)
    return out.reshape(x.shape)


def _random_bits(words: torch.Tensor, plan: kernels.Plan) -> torch.Tensor:
    """``n`` random bits per element from int32 words holding uint32 bits."""
    if not plan.wide:
        return words.bitwise_right_shift_(32 - plan.n).bitwise_and_((1 << plan.n) - 1)
    w = words.to(torch.int64) & 0xFFFFFFFF
    return w >> (32 - plan.n) if plan.n <= 32 else w << (plan.n - 32)


@torch.no_grad()
def encode(
    x: torch.Tensor,
    f: Format,
    bias: object,
    rounding: str,
    seed: int | None,
    denormals: str,
    flags: Flags | None,
) -> torch.Tensor:
    """torch twin of :func:`dojosim.numerics.encode`: codes as uint8/uint16/uint32."""
    xt, _ = as_float_tensor(x)
    b = _bias_for(f, bias, xt, denormals)
    values = quantize(xt, f, b, rounding, seed, denormals, flags).reshape(-1)
    bound = f.bind(b, denormals)
    return encode_values(bound, values).reshape(x.shape)


def encode_values(bound: BoundFormat, values: torch.Tensor) -> torch.Tensor:
    """Codes of representable float32 ``values`` (the integer recipe of codes.py)."""
    fmt = bound.fmt
    m = fmt.mantissa_bits
    bits = values.view(torch.int32)
    a = (bits & 0x7FFFFFFF).to(torch.int64)
    code = (a >> (23 - m)) - ((127 - bound.bias) << m)
    magnitude = values.abs().to(torch.float64)
    den = torch.ldexp(magnitude, torch.tensor(-bound.denormal_exponent, dtype=torch.float64))
    code = torch.where(magnitude < bound.min_normal, den.to(torch.int64), code)
    top_e = (1 << fmt.exponent_bits) - 1
    if fmt.specials == "ieee":
        code = torch.where(values.isinf(), torch.full_like(code, top_e << m), code)
        nan_code = (top_e << m) | (1 << (m - 1))
        code = torch.where(values.isnan(), torch.full_like(code, nan_code), code)
    elif fmt.specials == "nan_only":
        nan_code = (top_e << m) | ((1 << m) - 1)
        code = torch.where(values.isnan(), torch.full_like(code, nan_code), code)
    if fmt.signed:
        code = code | ((bits < 0).to(torch.int64) << (fmt.bits - 1))
    return code.to(CODE_DTYPES[fmt.bits])


@torch.no_grad()
def decode(codes: torch.Tensor, bound: BoundFormat, flags: Flags | None) -> torch.Tensor:
    """torch twin of :func:`dojosim.numerics.decode`: float32 on the codes' device."""
    from dojosim.numerics.api import check_code_range

    if codes.is_floating_point() or codes.is_complex() or codes.dtype == torch.bool:
        raise FormatError(f"codes must be integers, got a tensor of {codes.dtype}")
    c = codes.to(torch.int64)
    if c.numel():
        check_code_range(int(c.min()), int(c.max()), bound.fmt)
    if bound.fmt.bits == 32:
        signed = torch.where(c >= 1 << 31, c - (1 << 32), c)  # uint32 bits as int32
        values = signed.to(torch.int32).view(torch.float32).clone()
    else:
        table = torch.from_numpy(np.array(_codes.value_table(bound))).to(c.device)
        values = table[c]
    if flags is not None:
        count_decode(flags, c.cpu().numpy(), values.cpu().numpy(), bound)
    return values


def amax(x: torch.Tensor) -> float:
    """Largest finite magnitude of a tensor (0.0 if none)."""
    xt = x.detach()
    if not xt.is_floating_point():
        xt = xt.to(torch.float64)
    if not xt.numel():
        return 0.0
    # One pass when every entry is finite (the common case in training); the max is
    # then NaN or Inf otherwise, and the masked pass below runs.
    first = float(xt.abs().amax())
    if math.isfinite(first):
        return first
    a = xt.abs()
    a = torch.where(torch.isfinite(a), a, torch.zeros_like(a))
    return float(a.max()) if a.numel() else 0.0
