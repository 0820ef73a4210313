"""Dojo's number formats: CFP8 and CFP16 (and BF16, FP16, FP32, OCP FP8), bit-exact.

    >>> from dojosim import numerics
    >>> numerics.quantize([0.1, 300.0, 1e4], "cfp8_143", bias=7)  # float32; 1e4 saturates
    array([1.015625e-01, 2.880000e+02, 4.800000e+02], dtype=float32)
    >>> numerics.encode([0.1, 300.0, 1e4], "cfp8_143", bias=7)    # uint8 codes
    array([ 29, 121, 127], dtype=uint8)
    >>> numerics.choose_bias([0.1, 300.0], "cfp8_143")
    7

Formats are data (:mod:`.formats`); the rounding algorithm is shared
(:mod:`.kernels`), runs on NumPy arrays (:mod:`.rounding`, chunked and threaded) and
torch tensors (:mod:`.torch_backend`, imported only when a tensor is passed) with
the same results. See ``docs/numerics.md``.

The array functions are imported on first use, so ``import dojosim.numerics`` (and
the CLI) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dojosim.numerics.formats import (
    BF16,
    CFP8_143,
    CFP8_152,
    CFP16_SHP,
    CFP16_UHP,
    FORMATS,
    FP8_E4M3,
    FP8_E5M2,
    FP16,
    FP32,
    BoundFormat,
    Format,
    get_format,
)

if TYPE_CHECKING:
    from dojosim.numerics.api import choose_bias, decode, encode, quantize
    from dojosim.numerics.flags import Flags

__all__ = [
    "BF16",
    "CFP8_143",
    "CFP8_152",
    "CFP16_SHP",
    "CFP16_UHP",
    "FORMATS",
    "FP8_E4M3",
    "FP8_E5M2",
    "FP16",
    "FP32",
    "BoundFormat",
    "Flags",
    "Format",
    "choose_bias",
    "decode",
    "encode",
    "get_format",
    "quantize",
]

_LAZY = {
    "quantize": "dojosim.numerics.api",
    "encode": "dojosim.numerics.api",
    "decode": "dojosim.numerics.api",
    "choose_bias": "dojosim.numerics.api",
    "Flags": "dojosim.numerics.flags",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dojosim.numerics' has no attribute {name!r}")
