"""How 8-bit training quantizes a matmul's operands: the memory traffic of the casts, by recipe.

Transformer Engine (at NVIDIA/TransformerEngine d0067d0d, the stack Megatron-Core trains FP8
with) quantizes every 16-bit input of an FP8 linear layer before its forward GEMM and every
output gradient before its two backward GEMMs (``_Linear.forward`` and ``backward``; a grouped
linear's inputs in one ``split_quantize``). A tensor that both a forward and a backward GEMM
read is written as two 8-bit copies where the GEMMs need them laid out differently:

* ``delayed`` and ``tensorwise`` (one scale per tensor, from the amax history or the tensor's
  own amax): Hopper's FP8 GEMMs take only the TN layout, so a transposed copy is written as
  well; Blackwell's take any layout and one copy serves both (``pytorch/csrc/quantizer.cpp``:
  ``with_transpose = columnwise_usage && !nvte_is_non_tn_fp8_gemm_supported()``;
  ``common/comm_gemm/comm_gemm.cpp``: "Hopper ... only TN FP8 GEMMs are supported",
  "Blackwell+ ... any FP8 GEMM layout is supported").
* ``mxfp8`` (Blackwell only): a scale per 32 consecutive values along the GEMM's inner
  dimension, an E8M0 byte each (``common/recipe/__init__.py``, ``MXFP8BlockScaling``), so the
  row-wise and column-wise copies differ and both are written: 2 B and 2/32 B of scales.
* ``blockwise`` (DeepSeek-V3's 1x128 tiles; TE's ``Float8BlockScaling``): likewise two copies,
  with a float32 scale per 128 values in each: 2 B and 8/128 B.

Where the cast runs costs 16-bit traffic too (``pytorch/csrc/extensions/normalization.cpp``
and ``activation.cpp``, the ``Impl`` each picks): a norm or an activation function whose
output feeds the GEMM writes the 8-bit copy itself under ``delayed`` (and an activation under
``mxfp8``); under ``tensorwise`` it first writes its 16-bit output with its amax and a second
kernel reads it back to quantize; under ``mxfp8`` (a norm) and ``blockwise`` it writes the 16-bit
output and a quantize kernel reads it back. A cast with no producer to fuse into (the attention
output before its projection, each output gradient in the backward pass) reads its input, and
under ``tensorwise`` reads it once more for the amax first.

Each step is a kernel of its own (``pytorch/csrc/quantizer.cpp``,
``Float8CurrentScalingQuantizer::quantize_impl``: ``nvte_compute_amax``, then
``nvte_compute_scale_from_amax``, then ``nvte_quantize_v2``; a norm or activation that writes
its amax skips the first), so a cast adds kernels beyond its producer's, or beyond its one
quantize kernel when it runs alone: ``tensorwise`` two (the scale, and the quantize or the
amax), ``mxfp8`` and ``blockwise`` one where a norm (or, for ``blockwise``, an activation)
leaves the quantize to a kernel of its own, ``delayed`` none (the scale is last step's).

The 8-bit operand the GEMM reads is counted by the matmul itself; this module counts what the
casts add. Dojo's CFP8 and int8 have no published recipe: one copy, written by its producer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from dojosim.spec.scenario import Fp8Recipe

# Where a cast runs: fused into a norm, into an activation function, or on its own.
Where = Literal["norm", "act", "alone"]
_WHERE = {"norm": 0, "act": 1, "alone": 2}

EIGHT_BIT_BYTES = 1.0  # bytes of one 8-bit element


@dataclass(frozen=True, slots=True)
class Quantization:
    """The casts of one 8-bit recipe on one chip (bytes per element of the 16-bit tensor)."""

    recipe: str
    copies: int  # 8-bit copies written of a tensor both a forward and a backward GEMM read
    scale_bytes: float  # bytes of scales per element, all copies together
    rereads: tuple[float, float, float]  # extra 16-bit passes over the tensor, per ``Where``
    kernels: tuple[int, int, int]  # kernels added beyond the producer's (or one quantize)

    def written(self) -> float:
        """Bytes per element the cast writes: its copies and their scales."""
        return self.copies * EIGHT_BIT_BYTES + self.scale_bytes

    def added_kernels(self, where: Where) -> int:
        """Kernels a cast run ``where`` adds beyond its producer's, or beyond its one quantize
        kernel when it runs alone."""
        return self.kernels[_WHERE[where]]

    def extra(self, where: Where, e: float) -> float:
        """Bytes per element beyond reading the input and writing one 8-bit copy: the other
        copy, the scales and any 16-bit round trip (``e``: bytes of a 16-bit element)."""
        return self.written() - EIGHT_BIT_BYTES + self.rereads[_WHERE[where]] * e


# Per recipe: 8-bit copies written (None: one per GEMM layout the chip needs), bytes of scales
# per element over those copies, the 16-bit re-reads and the added kernels per ``Where`` (norm,
# act, alone; see the module docstring).
_RECIPES: dict[str, tuple[int | None, float, tuple[float, float, float], tuple[int, int, int]]] = {
    "delayed": (None, 0.0, (0.0, 0.0, 0.0), (0, 0, 0)),
    "tensorwise": (None, 0.0, (1.0, 1.0, 1.0), (2, 2, 2)),
    "mxfp8": (2, 2 / 32, (1.0, 0.0, 0.0), (1, 0, 0)),
    "blockwise": (2, 2 * 4 / 128, (1.0, 1.0, 0.0), (1, 1, 0)),
}
assert set(_RECIPES) == set(get_args(Fp8Recipe))  # one entry per recipe a scenario may name


def quantization(matmul: str, recipe: str, fp8_arch: str | None) -> Quantization:
    """The casts of 8-bit training whose matmuls run in ``matmul`` (a precision name) with
    ``recipe`` on a chip of ``fp8_arch`` (``hopper``, ``blackwell`` or None: not known)."""
    if matmul != "fp8":  # CFP8 and int8: no published recipe
        return Quantization(matmul, 1, 0.0, (0.0, 0.0, 0.0), (0, 0, 0))
    copies, scales, rereads, kernels = _RECIPES[recipe]
    if copies is None:  # Hopper's TN-only FP8 GEMMs need a transposed copy
        copies = 2 if fp8_arch == "hopper" else 1
    return Quantization(recipe, copies, scales, rereads, kernels)


__all__ = ["Quantization", "Where", "quantization"]
