"""MXFP8's block-scaled GEMMs against per-tensor FP8 on Blackwell, by hand: Transformer Engine's
GEMM profiling guide times the same twelve GEMMs of a layer, pre-quantized, on a B300 at
2.158 + 2.329 + 2.325 = 6.812 ms with per-tensor current scaling and 2.365 + 2.397 + 2.400 =
7.162 ms with MXFP8 (``catalog/measurements/te-gemm-profiling-b300.yaml``), so an MXFP8 matmul
runs at 6.812 / 7.162 of the per-tensor rate and its compute-bound time grows by 7.162 / 6.812."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.mapping.policy import precision_of
from dojosim.perf.compute import ComputeModel
from dojosim.workload.ops import Op

MEASURED = 6.812 / 7.162  # FP8 current scaling over MXFP8, per-layer GEMM time (B300)


@pytest.mark.parametrize("family", ["nvidia-blackwell", "nvidia-blackwell-gb200",
                                    "nvidia-blackwell-gb300"])  # fmt: skip
def test_the_ratio_is_the_guides_and_every_blackwell_part_carries_it(family: str) -> None:
    from dojosim.validate.micro import MXFP8_GEMMS, gemm_recipe_ratio

    assert gemm_recipe_ratio(*MXFP8_GEMMS) == pytest.approx(MEASURED)
    cal = catalog.get("calibration", family)
    assert cal.mxfp8_matmul_ratio == pytest.approx(MEASURED, abs=5e-5)


def test_hopper_has_no_mxfp8_gemm() -> None:
    assert catalog.get("calibration", "nvidia-hopper").mxfp8_matmul_ratio is None


def test_an_mxfp8_gemm_takes_the_measured_share_longer_than_a_per_tensor_one() -> None:
    chip = catalog.get("chip", "b200")
    cal = catalog.get("calibration", "nvidia-blackwell")
    cms = {
        recipe: ComputeModel.of(chip, precision_of("fp8", fp8_recipe=recipe, fp8_arch="blackwell"), cal)
        for recipe in ("tensorwise", "delayed", "mxfp8")
    }  # fmt: skip
    fp8 = cal.fp8_matmul_efficiency
    assert cms["tensorwise"].matmul_efficiency == pytest.approx(fp8)
    assert cms["delayed"].matmul_efficiency == pytest.approx(fp8)
    assert cms["mxfp8"].matmul_efficiency == pytest.approx(fp8 * 0.9511)
    # a large square GEMM is compute bound: its time less the launch grows by 1 / 0.9511
    n = 16384
    op = Op("gemm", "matmul", flops=2.0 * n**3, bytes=3.0 * n * n, m=n, n=n, k=n)
    launch = cms["mxfp8"].kernel_overhead
    t_mx, t_pt = (cms[r].op_time(op) - launch for r in ("mxfp8", "tensorwise"))
    assert t_mx / t_pt == pytest.approx(1 / 0.9511)


def test_sixteen_bit_matmuls_in_mxfp8_training_keep_their_rate() -> None:
    """The output layer (a ``wide`` op) stays in BF16 and at the 16-bit efficiency."""
    chip = catalog.get("chip", "b200")
    cal = catalog.get("calibration", "nvidia-blackwell")
    cm = ComputeModel.of(chip, precision_of("fp8", fp8_recipe="mxfp8", fp8_arch="blackwell"), cal)
    assert cm.wide_matmul_efficiency == pytest.approx(cal.matmul_efficiency)


def test_blockwise_weight_gradients_take_the_profiles_share_longer() -> None:
    """Under blockwise FP8 on Hopper a weight-gradient GEMM runs at blockwise_wgrad_ratio of the
    rate of an input-gradient GEMM of the same shape; other recipes, and 16-bit (wide) GEMMs,
    keep one rate."""
    from dojosim.mapping.policy import precision_of
    from dojosim.workload.ops import matmul

    chip = catalog.get("chip", "h800")
    cal = catalog.get("calibration", chip.calibration)
    dgrad = matmul("g.dgrad", 8192, 4096, 7168, elem_bytes=1, gradient=True)
    wgrad = matmul("g.wgrad", 8192, 4096, 7168, elem_bytes=1, gradient=True, weight_gradient=True)
    for recipe, ratio in (("blockwise", cal.blockwise_wgrad_ratio), ("tensorwise", 1.0)):
        cm = ComputeModel.of(chip, precision_of("fp8", fp8_recipe=recipe, fp8_arch="hopper"), cal)
        compute = [cm.op_time(op) - cm.kernel_overhead for op in (dgrad, wgrad)]
        assert compute[1] == pytest.approx(compute[0] / ratio)
        wide = matmul("o.wgrad", 8192, 4096, 7168, wide=True, gradient=True, weight_gradient=True)
        assert cm.matmul_efficiency_of(8192, 4096, 7168, wide=True, gradient=True) == (
            cm.matmul_efficiency_of(wide.m, wide.n, wide.k, True, True, True)
        )
    assert cal.blockwise_wgrad_ratio == pytest.approx(0.7295)
