"""The public functions: ``quantize``, ``encode``, ``decode``, ``choose_bias``.

Each takes a NumPy array (or anything ``numpy.asarray`` accepts) or a torch tensor
and returns the same kind, with the same results bit for bit. torch is imported
only when a tensor is passed. Every input error raises
:class:`~dojosim.errors.FormatError` (a ``ValueError``).
"""

from __future__ import annotations

import sys
from typing import Any, Literal

import numpy as np

from dojosim.errors import FormatError
from dojosim.numerics import bias as _bias
from dojosim.numerics import codes as _codes
from dojosim.numerics.flags import Flags, count_conversion, count_decode
from dojosim.numerics.formats import DEFAULT_DENORMALS, Format, check_bias, get_format
from dojosim.numerics.kernels import make_plan
from dojosim.numerics.rng import seed_keys
from dojosim.numerics.rounding import quantize_array

Rounding = Literal["nearest", "stochastic"]
ROUNDINGS = ("nearest", "stochastic")
BiasArg = int | Literal["auto"] | None


def is_tensor(x: object) -> bool:
    """True for a torch tensor, without importing torch."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def quantize(
    x: Any,
    fmt: str | Format,
    bias: BiasArg = None,
    rounding: Rounding = "nearest",
    seed: int | None = None,
    *,
    denormals: str = DEFAULT_DENORMALS,
    flags: Flags | None = None,
) -> Any:
    """Round ``x`` to the nearest values of a format; returns float32 of the same shape.

    Args:
        x: numbers (array-like or torch tensor; float16/bfloat16/float32/float64 or
            integers).
        fmt: a format name (``"cfp8_143"``, ``"cfp8_152"``, ``"cfp16_shp"``,
            ``"cfp16_uhp"``, ``"bf16"``, ``"fp16"``, ``"fp32"``, ``"fp8_e4m3"``,
            ``"fp8_e5m2"``) or a :class:`Format`.
        bias: exponent bias 0..63 for CFP formats; ``None`` is the format's default;
            ``"auto"`` chooses it from ``x`` with :func:`choose_bias`.
        rounding: ``"nearest"`` (ties to even) or ``"stochastic"`` (rounds up with
            probability equal to the discarded fraction; reproducible per ``seed``).
        seed: seed of the stochastic rounding; ``None`` draws a fresh one.
        denormals: ``"ieee"`` (denormal step 2^(1-bias-m), the default) or
            ``"literal"`` (2^(-bias-m), WP p6 as written). CFP formats only.
        flags: a :class:`Flags` to which the exception counts are added.

    CFP formats saturate: overflow, ±Inf and NaN become the largest finite value of
    the sign (WP p4, p8). IEEE formats overflow to Inf and keep NaN; OCP E4M3
    overflows to NaN. Float64 inputs are rounded once, directly.
    """
    f = get_format(fmt)
    _check_rounding(rounding)
    if is_tensor(x):
        from dojosim.numerics import torch_backend

        return torch_backend.quantize(x, f, bias, rounding, seed, denormals, flags)
    arr, wide = as_float_array(x)
    bound = f.bind(resolve_bias(f, bias, arr, denormals), denormals)
    keys = seed_keys(seed) if rounding == "stochastic" else None
    flat = np.ascontiguousarray(arr).reshape(-1)
    out = quantize_array(flat, make_plan(bound, wide), rounding, keys)
    if flags is not None:
        count_conversion(flags, flat, out, bound, rounding)
    return out.reshape(arr.shape)


def encode(
    x: Any,
    fmt: str | Format,
    bias: BiasArg = None,
    rounding: Rounding = "nearest",
    seed: int | None = None,
    *,
    denormals: str = DEFAULT_DENORMALS,
    flags: Flags | None = None,
) -> Any:
    """Round ``x`` into a format and return its codes: uint8 for 8-bit formats,
    uint16 for 16-bit, uint32 for FP32. Arguments as for :func:`quantize`.

    NaN in IEEE formats becomes the canonical quiet NaN with the input's sign.
    """
    f = get_format(fmt)
    _check_rounding(rounding)
    if is_tensor(x):
        from dojosim.numerics import torch_backend

        return torch_backend.encode(x, f, bias, rounding, seed, denormals, flags)
    arr, _ = as_float_array(x)
    b = resolve_bias(f, bias, arr, denormals)
    values = quantize(arr, f, b, rounding, seed, denormals=denormals, flags=flags)
    bound = f.bind(b, denormals)
    return _codes.encode_values(bound, values.reshape(-1)).reshape(arr.shape)


def decode(
    codes: Any,
    fmt: str | Format,
    bias: int | None = None,
    *,
    denormals: str = DEFAULT_DENORMALS,
    flags: Flags | None = None,
) -> Any:
    """The float32 values of integer ``codes`` of a format (same shape).

    Raises FormatError for non-integer codes or codes outside 0 .. 2^bits - 1.
    """
    f = get_format(fmt)
    bound = f.bind(bias, denormals)
    if is_tensor(codes):
        from dojosim.numerics import torch_backend

        return torch_backend.decode(codes, bound, flags)
    arr = as_code_array(codes, bound.fmt)
    values = _codes.decode_array(bound, arr.reshape(-1)).reshape(arr.shape)
    if flags is not None:
        count_decode(flags, arr, values, bound)
    return values


def choose_bias(
    x: Any, fmt: str | Format, *, margin: int = 0, denormals: str = DEFAULT_DENORMALS
) -> int:
    """The bias that fits ``x``'s range (per tensor): the largest bias in 0..63 whose
    largest finite value is at least ``max|x| * 2^margin``.

    Non-finite entries are ignored; an all-zero (or empty) ``x`` gets the format's
    default bias; fixed-bias formats return their bias.
    """
    f = get_format(fmt)
    f.bind(None, denormals)  # validates the switch
    if isinstance(margin, bool) or not isinstance(margin, int):
        raise FormatError(f"margin must be an integer, got {margin!r}")
    if is_tensor(x):
        from dojosim.numerics import torch_backend

        amax = torch_backend.amax(x)
    else:
        arr, _ = as_float_array(x)
        amax = _bias.amax_numpy(arr)
    return _bias.bias_for_amax(f, amax, margin, denormals)


def resolve_bias(f: Format, bias: object, x: Any, denormals: str) -> int:
    """An explicit bias checked, ``None`` as the default, ``"auto"`` chosen from ``x``."""
    if isinstance(bias, str):
        if bias != "auto":
            raise FormatError(f"bias must be an integer 0..63 or 'auto', got {bias!r}")
        return choose_bias(x, f, denormals=denormals)
    return check_bias(f, bias)


def _check_rounding(rounding: object) -> None:
    if rounding not in ROUNDINGS:
        raise FormatError(f"rounding must be 'nearest' or 'stochastic', got {rounding!r}")


def as_float_array(x: Any) -> tuple[np.ndarray, bool]:
    """``x`` as a float32 or float64 NumPy array, and whether it is float64.

    float16, bfloat16 and the other ml_dtypes floats widen exactly to float32;
    integers and bools go to float64 (exact below 2^53). Anything else is refused.
    """
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise FormatError(f"input is not numeric: {exc}") from None
    kind = arr.dtype.kind
    if kind == "f":
        if arr.dtype == np.float32:
            return arr, False
        if arr.dtype.itemsize < 4:
            return arr.astype(np.float32), False
        return arr.astype(np.float64, copy=False), True
    if kind in "iub":
        return arr.astype(np.float64), True
    if kind == "V" and arr.dtype.itemsize <= 2:  # ml_dtypes bfloat16, float8_*
        try:
            return arr.astype(np.float32), False
        except (TypeError, ValueError):
            pass
    if kind == "O":
        try:
            return np.asarray(x, dtype=np.float64), True
        except (TypeError, ValueError):
            pass
    raise FormatError(f"input must be real numbers, got an array of {arr.dtype}")


def as_code_array(codes: Any, fmt: Format) -> np.ndarray:
    """Validated integer codes of ``fmt`` as a NumPy array."""
    try:
        arr = np.asarray(codes)
    except (TypeError, ValueError) as exc:
        raise FormatError(f"codes are not integers: {exc}") from None
    if arr.size == 0:
        return arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise FormatError(f"codes must be integers, got an array of {arr.dtype}")
    check_code_range(int(arr.min()), int(arr.max()), fmt)
    return arr


def check_code_range(lo: int, hi: int, fmt: Format) -> None:
    top = (1 << fmt.bits) - 1
    if lo < 0 or hi > top:
        bad = lo if lo < 0 else hi
        raise FormatError(f"code {bad} is out of range for {fmt.name}: codes are 0..{top}")
