"""Schema of a calibration (catalog kind ``calibration``): the efficiency model of a chip family.

A calibration holds the few constants of the compute model that are not on a
datasheet. Each says what it was fitted on (``fitted_on``: calibration runs or
measured micro-benchmarks) and what it is checked on (``checked_on``: held-out
runs that were never fitted).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from dojosim.spec.base import CatalogEntry, Frozen
from dojosim.spec.quantities import Efficiency, Fraction, PosRatio, Seconds
from dojosim.units import to_si

#: Units of the constants that may carry a range.
RANGED = {
    "matmul_efficiency": "dimensionless",
    "matmul_half_size": "dimensionless",
    "memory_efficiency": "dimensionless",
    "kernel_overhead": "time",
    "flash_attention_efficiency": "dimensionless",
    "fp8_matmul_efficiency": "dimensionless",
    "flash_attention_1_efficiency": "dimensionless",
    "flash_attention_1_half_seq": "dimensionless",
    "attention_half_seq": "dimensionless",
    "attention_head_dim_64_ratio": "dimensionless",
    "straggler_cv": "dimensionless",
    "expert_gemm_launch": "time",
    "overlap_slowdown": "dimensionless",
    "combined_1f1b_hidden_share": "dimensionless",
}


class Residuals(Frozen):
    """How a family's predictions missed its check rows: the median of ``log(predicted step /
    measured step)`` over ``rows`` rows and its split-conformal 80% bounds ``p10`` and ``p90``
    (order statistics ``floor(0.1 (n + 1))`` and ``ceil(0.9 (n + 1))``; see
    :mod:`dojosim.perf.interval`). ``pooled``: every family's rows, for a family with too few.

    Written by ``python scripts/calibrate.py --residuals``; a test keeps them current.
    """

    rows: int
    p10: float
    median: float
    p90: float
    pooled: bool = False


class Calibration(CatalogEntry):
    """Efficiency constants of the compute model (see ``dojosim.perf.compute``).

    * ``matmul_efficiency``: fraction of the dense peak a large matrix multiply reaches.
    * ``matmul_half_size``: the matrix dimension (elements) at which that dimension alone
      halves the efficiency; small or skinny matrices are slow.
    * ``memory_efficiency``: fraction of memory bandwidth a streaming (element-wise) kernel reaches.
    * ``kernel_overhead``: fixed time per kernel (launch, tail, synchronisation), seconds.
    * ``flash_attention_efficiency``: fraction of the dense peak a fused attention kernel
      reaches on its (causal-halved) FLOPs.
    * ``fp8_matmul_efficiency``: as ``matmul_efficiency``, for 8-bit matmuls of their peak.
    * ``flash_attention_1_efficiency``, ``flash_attention_1_half_seq`` and
      ``flash_attention_1_head_dim_64_ratio``: the same three constants for FlashAttention-1's
      Triton port (a scenario's ``attention_kernel: flash-attention-1``), measured on its own.
    * ``attention_half_seq``: the sequence length (tokens) at which fused attention runs at
      half its ``flash_attention_efficiency``.
    * ``attention_head_dim_64_ratio``: fused attention with 64-wide heads runs at this fraction
      of its rate with 128-wide heads (less work per load of K and V).
    * ``straggler_cv``: the spread of chip speeds (coefficient of variation).
    * ``expert_gemm_launch``: seconds per expert of a grouped GEMM that the stack launches
      as one GEMM per expert (a floor on the grouped GEMM's time: ``experts x`` this).
    * ``fp8_attention_speedup``: fused attention with FP8 inputs and outputs (Transformer
      Engine's ``fp8_dot_product_attention``; a scenario's ``fp8_attention``) runs this many
      times as fast as the BF16 kernel on the same chip; None: not measured.
    * ``mxfp8_matmul_ratio``: an MXFP8 GEMM (a scale per 32 values, the ``mxfp8`` recipe) runs
      at this fraction of the rate of a per-tensor-scaled FP8 GEMM of the same shape; None: not
      measured (the two run alike).
    * ``backward_matmul_ratio``: a backward-pass GEMM (input gradient or weight gradient) runs
      at this fraction of the rate of the forward GEMM of the same shape; None: not measured
      (the passes run alike). ``fp8_backward_matmul_ratio``: the same for 8-bit GEMMs; None:
      the 16-bit ratio. ``blockwise_wgrad_ratio``: under blockwise FP8 scaling (DeepSeek-V3's
      tiles), the weight-gradient GEMMs' rate over the forward ones'; None: not measured.
    * ``newest_attention_half_seq``: the half-rate sequence length of the family's newest
      measured fused attention kernel, whose long-sequence fraction is the high end of
      ``flash_attention_efficiency``'s range (a scenario's ``attention_kernel: newest``).
    * ``overlap_slowdown``: how much slower compute runs while a collective overlaps it
      (NCCL's kernels take SMs and memory bandwidth); see :func:`dojosim.perf.compute.under`.
    * ``combined_1f1b_hidden_share``: the share of the expert all-to-alls that Megatron-Core's
      combined 1F1B (``parallelism.overlap_expert_parallel``) actually runs under the paired
      micro-batch's compute; the rest stays exposed. 1: the ideal pairing.

    A calibration may name a ``base:`` calibration; constants it does not give are
    carried over from there (and stay in step when the base is refitted).
    """

    kind: Literal["calibration"] = "calibration"
    base: str | None = None  # constants not given here are carried over from this calibration
    matmul_efficiency: Efficiency
    matmul_half_size: PosRatio
    memory_efficiency: Efficiency
    kernel_overhead: Seconds
    flash_attention_efficiency: Efficiency
    # Fraction of the 8-bit peak an 8-bit (FP8, CFP8) matmul reaches; FP8 GEMMs reach a
    # lower fraction of their peak than 16-bit ones. Unset: the 16-bit matmul_efficiency.
    fp8_matmul_efficiency: Efficiency | None = None
    # FlashAttention-1's Triton port: its long-sequence fraction of the dense peak, half-rate
    # sequence length (tokens) and 64-wide-head ratio (it can exceed 1); None: not measured.
    flash_attention_1_efficiency: Efficiency | None = None
    flash_attention_1_half_seq: Fraction = 0.0
    flash_attention_1_head_dim_64_ratio: PosRatio = 1.0
    # Fused attention slows on short sequences: efficiency x s / (s + attention_half_seq),
    # s the keys per query (tokens). 0: no dependence on the sequence length.
    attention_half_seq: Fraction = 0.0
    # Fused attention with 64-wide heads runs at this fraction of its 128-wide rate; between 64
    # and 128 the fraction is interpolated, from 128 up it is 1 (dojosim.perf.compute). 1: no effect.
    attention_head_dim_64_ratio: Efficiency = 1.0
    # Coefficient of variation of the chips' speed: a synchronous step waits for the slowest
    # of N chips, E[max of N] standard deviations above the mean (dojosim.perf.scale).
    straggler_cv: Fraction = 0.0
    # Host-bound floor of a grouped GEMM launched one GEMM per expert (Transformer Engine's
    # multi-stream cuBLAS path), per expert. 0: not modelled.
    expert_gemm_launch: Seconds = 0.0
    # FP8 fused attention's forward+backward rate over the BF16 kernel's; None: not measured.
    fp8_attention_speedup: PosRatio | None = None
    # MXFP8 GEMMs' rate over per-tensor FP8 GEMMs' on the same shapes; None: not measured.
    mxfp8_matmul_ratio: Efficiency | None = None
    # Backward-pass GEMMs' rate over forward GEMMs' of the same shape, 16-bit and 8-bit;
    # None: not measured (alike; the 8-bit one falls back on the 16-bit one).
    backward_matmul_ratio: Efficiency | None = None
    fp8_backward_matmul_ratio: Efficiency | None = None
    # Blockwise-scaled FP8 (the blockwise recipe) weight-gradient GEMMs' rate over its forward
    # GEMMs'; None: not measured (alike).
    blockwise_wgrad_ratio: Efficiency | None = None
    # The sequence length (tokens) at which the family's newest measured fused attention kernel
    # (the high end of flash_attention_efficiency's range; attention_kernel: newest) runs at half
    # its long-sequence rate. 0: not measured.
    newest_attention_half_seq: Fraction = 0.0
    # Compute slowdown while a collective runs under it (0.189: 18.9% slower). 0: none.
    overlap_slowdown: Fraction = 0.0
    # Share of the expert all-to-alls the combined 1F1B hides (measured in a profile, not the
    # ideal pairing's); 1: all that fits under the paired compute.
    combined_1f1b_hidden_share: Efficiency = 1.0
    network_efficiency_scale: PosRatio = 1.0
    fitted_on: list[str] = Field(default_factory=list)
    checked_on: list[str] = Field(default_factory=list)
    what_if: bool = False
    # Where a constant is an assumption: its (low, high) in SI units, from ``{value, low, high}``.
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict)
    residuals: Residuals | None = None
    # Mean and max |error| of the fit on its calibration rows, and held out model by model
    # (python scripts/calibrate.py NAME --cross-validate --write).
    fit_error: dict[str, float] | None = None
    cross_validation: dict[str, float] | None = None

    @model_validator(mode="before")
    @classmethod
    def _ranges(cls, data: Any) -> Any:
        """Collect ``low`` and ``high`` of every ``{value, low, high}`` constant into ``ranges``."""
        if not isinstance(data, dict):
            return data
        found = dict(data.get("ranges") or {})
        for name, kind in RANGED.items():
            v = data.get(name)
            if isinstance(v, dict) and "low" in v and "high" in v:
                lo, hi = to_si(v["low"], kind), to_si(v["high"], kind)
                if lo > hi:
                    raise ValueError(f"{name}: low ({lo:g}) is above high ({hi:g})")
                found[name] = (lo, hi)
        return {**data, "ranges": found} if found else data


__all__ = ["RANGED", "Calibration", "Residuals"]
