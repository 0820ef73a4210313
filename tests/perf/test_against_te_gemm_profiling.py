"""The compute model's Blackwell GEMMs against Transformer Engine's measured layer GEMMs on B300.

``catalog/measurements/te-gemm-profiling-b300.yaml`` holds the GEMM profiling guide's times of
one layer's twelve GEMMs (15,872 tokens through QKV, attention output, MLP up and down) in BF16,
FP8 current scaling and MXFP8. The BF16 and per-tensor FP8 efficiencies of
``nvidia-blackwell-gb300`` come from the MAMF table and OpenXLA's GEMM table, never from these
rows, so the forward (fprop) rows check the model; the backward rows gave
``backward_matmul_ratio`` and ``fp8_backward_matmul_ratio`` (their rate over the forward rows'),
and the MXFP8 rows ``mxfp8_matmul_ratio`` (relative to the per-tensor rows): those check only
that the ratios are applied. Each GEMM pays its ``kernel_overhead``, as
the benchmark's CUDA events time a loop of back-to-back kernels.

The autocast rows time the same GEMMs as Transformer Engine's ``Linear`` forward, which quantizes
both operands on every call: autocast less kernel is the time of the casts, which the model
builds with the estimator's own cast (``workload.transformer.cast_alone``).
"""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.mapping.policy import precision_of
from dojosim.mapping.quantization import quantization
from dojosim.perf.compute import ComputeModel
from dojosim.spec.measurement import LayerGemmEntry, LayerGemmRow
from dojosim.workload.ops import matmul
from dojosim.workload.transformer import LayerShape, cast_alone

ENTRY = catalog.get("measurement", "te-gemm-profiling-b300")
assert isinstance(ENTRY, LayerGemmEntry)
KERNEL = [r for r in ENTRY.rows if r.quantized == "kernel"]


def _model_time(row: LayerGemmRow) -> float:
    """Seconds the compute model gives the row's GEMMs on the entry's chip."""
    chip = catalog.get("chip", ENTRY.chip)
    cal = catalog.get("calibration", chip.calibration)
    if row.recipe == "bf16":
        precision, elem = precision_of("bf16"), 2
    else:
        precision, elem = precision_of("fp8", fp8_recipe=row.recipe, fp8_arch=chip.fp8_arch), 1
    cm = ComputeModel.of(chip, precision, cal)
    backward = row.gemm != "fprop"
    return sum(cm.op_time(matmul("gemm", m, n, k, elem_bytes=elem, gradient=backward))
               for m, n, k in ENTRY.gemms(row))  # fmt: skip


def test_the_entry_holds_every_pass_of_three_recipes() -> None:
    got = {(r.recipe, r.gemm) for r in KERNEL}
    assert got == {(a, b) for a in ("bf16", "tensorwise", "mxfp8")
                   for b in ("fprop", "dgrad", "wgrad")}  # fmt: skip
    assert ENTRY.gemms(KERNEL[0])[0] == (15872, 12288, 4096)  # fprop of QKV: [M, K] @ [K, N]


@pytest.mark.parametrize("row", KERNEL, ids=lambda r: f"{r.recipe}-{r.gemm}")
def test_every_pass_within_4_percent(row: LayerGemmRow) -> None:
    """Each pass's four GEMMs, kernel only: the forward ones 0.1% under (BF16) and 1.2% over
    (FP8 current scaling); MXFP8's forward 3.1% under and its backward 2.9-3.0% over, as the
    per-tensor pass ratios times one MXFP8 ratio split its passes more evenly than measured."""
    assert _model_time(row) == pytest.approx(row.time, rel=0.04)


@pytest.mark.parametrize("recipe", ["bf16", "tensorwise", "mxfp8"])
def test_the_whole_layer_within_2_percent(recipe: str) -> None:
    """All twelve GEMMs: BF16 0.1% under, FP8 current scaling 1.0% and MXFP8 0.9% over."""
    rows = [r for r in KERNEL if r.recipe == recipe]
    model = sum(_model_time(r) for r in rows)
    measured = sum(r.time for r in rows)
    assert model / measured == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("recipe", ["bf16", "tensorwise"])
def test_a_backward_gemm_takes_the_measured_share_longer_than_a_forward_one(recipe: str) -> None:
    """By hand: a large compute-bound GEMM's backward copy, less its launch, takes
    1 / 0.9602 (BF16) or 1 / 0.9274 (FP8) of the forward one's time on Blackwell, and the
    same on Hopper, which has no measured pass ratio."""
    from dojosim.validate.micro import BACKWARD_GEMMS, backward_gemm_ratio

    ratio = {"bf16": 4.250 / ((4.434 + 4.418) / 2), "tensorwise": 2.158 / ((2.329 + 2.325) / 2)}
    assert backward_gemm_ratio(BACKWARD_GEMMS[0], recipe) == pytest.approx(ratio[recipe])
    for chip_name, expected in (("b200", ratio[recipe]), ("h100-sxm5-80g", 1.0)):
        chip = catalog.get("chip", chip_name)
        cal = catalog.get("calibration", chip.calibration)
        fp8 = recipe != "bf16"
        precision = (
            precision_of("fp8", fp8_recipe=recipe, fp8_arch=chip.fp8_arch)
            if fp8
            else precision_of("bf16")
        )
        cm = ComputeModel.of(chip, precision, cal)
        n = 16384
        fwd, bwd = (cm.op_time(matmul("g", n, n, n, elem_bytes=1 if fp8 else 2, gradient=g))
                    - cm.kernel_overhead for g in (False, True))  # fmt: skip
        assert fwd / bwd == pytest.approx(expected, rel=1e-3)


LINEAR = {r.linear: r for r in ENTRY.rows if r.linear}


@pytest.mark.parametrize("name", ["qkv", "mlp_up", "mlp_down"])
def test_each_wide_bf16_forward_gemm_within_3_percent(name: str) -> None:
    """One GEMM at a time (BF16 quantizes nothing, so the autocast run times the kernels): the
    three with an output or input of 12,288 or 16,384 come within 3% (-2.3% to +0.0%)."""
    row = LINEAR[name]
    assert _model_time(row) == pytest.approx(row.time, rel=0.03)


def test_the_square_4096_gemm_is_slower_in_the_model_a_known_limit() -> None:
    """The attention output (15,872 x 4,096 x 4,096) ran at 1,735 TFLOP/s, faster than the wider
    three (1,492-1,529): the model's shape factor, whose half size transfers OpenXLA's B200 sweep,
    makes it 30% slower than measured instead (docs/estimator.md, Known limits)."""
    row = LINEAR["attn_out"]
    assert 1.2 < _model_time(row) / row.time < 1.4


def _model_casts(row: LayerGemmRow) -> float:
    """Seconds the estimator's casts take for both operands of each of the row's GEMMs."""
    chip = catalog.get("chip", ENTRY.chip)
    cal = catalog.get("calibration", chip.calibration)
    precision = precision_of("fp8", fp8_recipe=row.recipe, fp8_arch=chip.fp8_arch)
    cm = ComputeModel.of(chip, precision, cal)
    sh = LayerShape(1, 1, 1, False, True, 2.0, 1.0, quantization("fp8", row.recipe, chip.fp8_arch))
    return sum(
        cm.op_time(cast_alone("cast", n, sh))
        for m, n_out, k in ENTRY.gemms(row)
        for n in (m * k, k * n_out)
    )


AUTOCAST = [r for r in ENTRY.rows if r.quantized == "autocast" and r.recipe != "bf16"]


def _cast_time(row: LayerGemmRow) -> float:
    """The measured casts: the autocast row less the kernel row of the same recipe and pass."""
    kernel = next(r for r in KERNEL if (r.recipe, r.gemm) == (row.recipe, row.gemm))
    return row.time - kernel.time


@pytest.mark.parametrize("row", AUTOCAST, ids=lambda r: f"{r.recipe}-{r.gemm}")
def test_the_casts_of_each_pass_within_20_percent(row: LayerGemmRow) -> None:
    """The casts of a pass's four GEMMs: 13% under to 19% over the measured difference."""
    assert _model_casts(row) == pytest.approx(_cast_time(row), rel=0.20)


@pytest.mark.parametrize(
    ("recipe", "low", "high"), [("tensorwise", 1.10, 1.20), ("mxfp8", 0.95, 1.0)]
)
def test_the_casts_of_the_whole_layer(recipe: str, low: float, high: float) -> None:
    """All 24 casts: current scaling's three kernels each (amax, scale, quantize) come out 15%
    over the measured 2.335 ms, MXFP8's one 3% under its 1.822 ms. The model charges each of the
    two small kernels current scaling adds the full ``kernel_overhead`` (docs/estimator.md)."""
    rows = [r for r in AUTOCAST if r.recipe == recipe]
    model = sum(_model_casts(r) for r in rows)
    measured = sum(_cast_time(r) for r in rows)
    assert low < model / measured < high
