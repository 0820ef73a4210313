"""Calibration constants quoted as ``derived`` from micro-benchmarks equal their fits
(``python scripts/calibrate.py --micro``), and the fits read their tables right."""

from __future__ import annotations

import math

import pytest

from dojosim import catalog
from dojosim.validate.micro import (
    ATTENTION_FITS,
    ATTENTION_SPEEDUPS,
    attention_fit,
    attention_speedup,
    head_dim_ratio,
    training_rates,
)


def test_forward_and_backward_rows_combine_by_total_flops_over_total_time() -> None:
    # FlashAttention-4 on B200 at 8k: forward 1426, backward 1284 TFLOP/s; the backward does
    # 2.5x the forward's FLOPs, so together 3.5 / (1/1426 + 2.5/1284) = 1322 TFLOP/s.
    rates = dict(training_rates(catalog.get("measurement", "flash-attention-4-b200")))
    assert rates[8192] == pytest.approx(3.5 / (1 / 1426e12 + 2.5 / 1284e12))
    assert rates[8192] / 1e12 == pytest.approx(1322, abs=0.5)
    assert sorted(rates) == [1024, 2048, 4096, 8192, 16384, 32768]


def test_against_cudnn_frontend_h200_csv() -> None:
    # cudnn-frontend 3929da2e, h200_919_only_cudnn/llama3.1_20260227_034703.csv, bfloat16,
    # top_left, 32768 tokens: fwd 25.566 ms at 688 TFLOP/s, bwd 75.688 ms at 581 TFLOP/s, so
    # the backward counts 581 x 75.688 / (688 x 25.566) = 2.5 times the forward's FLOPs
    backward_over_forward = 581 * 75.688 / (688 * 25.566)
    assert backward_over_forward == pytest.approx(2.5, abs=0.01)
    rates = dict(training_rates(catalog.get("measurement", "cudnn-9.19-frontend-attention-h200")))
    assert rates[32768] / 1e12 == pytest.approx(3.5 / (1 / 688 + 2.5 / 581))
    assert sorted(rates) == [2048, 4096, 8192, 16384, 32768]


def test_published_forward_and_backward_rows_are_taken_as_they_are() -> None:
    rates = dict(training_rates(catalog.get("measurement", "flash-attention-2-h100")))
    assert rates[16384] == pytest.approx(328e12)


@pytest.mark.parametrize(
    ("measurement", "family", "high"),
    [
        ("flash-attention-2-a100", "nvidia-ampere", False),
        ("flash-attention-2-h100", "nvidia-hopper", False),
        ("cudnn-9.19-frontend-attention-h200", "nvidia-hopper", True),
        ("cudnn-9.13-attention-b200", "nvidia-blackwell", False),
        ("flash-attention-4-b200", "nvidia-blackwell", True),
    ],
)
def test_calibration_quotes_the_attention_fit(measurement: str, family: str, high: bool) -> None:
    assert measurement in ATTENTION_FITS
    e, s0 = attention_fit(measurement)
    cal = catalog.get("calibration", family)
    if high:  # the newer kernel is the range's high end
        assert cal.ranges["flash_attention_efficiency"][1] == pytest.approx(e, abs=5e-4)
    else:
        assert cal.flash_attention_efficiency == pytest.approx(e, abs=5e-4)
        assert cal.attention_half_seq == pytest.approx(s0, abs=0.5)


def test_fit_reproduces_its_points() -> None:
    e, s0 = attention_fit("cudnn-9.13-attention-b200")
    entry = catalog.get("measurement", "cudnn-9.13-attention-b200")
    peak = catalog.get("chip", entry.chip).peak("bf16")
    for s, rate in training_rates(entry):
        assert e * s / (s + s0) == pytest.approx(rate / peak, rel=0.08)


def _half_size(r: float, x: float = 512, big: float = 4096) -> float:
    """h of g(x) = x / (x + h) from the rate at x over the rate at ``big``."""
    return x * big * (1 - r) / (big * r - x)


def test_against_xla_gemm_table_blackwell_half_size() -> None:
    # OpenXLA matmul_interpolator_data.h @ 71feeddf, bf16, one dimension swept with the other
    # two at 4096: TFLOP/s at 512 and at 4096 (m, n, k), H100 (sm_90) and B200 (sm_100).
    h100 = {"m": (661.6, 780.2), "n": (662.0, 780.2), "k": (551.8, 780.2)}
    b200 = {"m": (990.5, 1416.9), "n": (991.5, 1416.9), "k": (805.3, 1416.9)}
    assert _half_size(551.8 / 780.2) == pytest.approx(257.4, abs=0.1)
    ratios = [
        _half_size(b200[d][0] / b200[d][1]) / _half_size(h100[d][0] / h100[d][1]) for d in "mnk"
    ]
    times = math.prod(ratios) ** (1 / 3)
    hopper = catalog.get("calibration", "nvidia-hopper").matmul_half_size
    blackwell = catalog.get("calibration", "nvidia-blackwell").matmul_half_size
    assert blackwell / hopper == pytest.approx(times, abs=5e-4)
    assert blackwell > hopper  # larger tiles need larger matrices to fill them


def test_calibration_quotes_the_head_dim_ratio() -> None:
    ratio = head_dim_ratio("flash-attention-2-h100")
    # by hand: the six causal pairs of the FlashAttention-2 H100 figure, hd 64 over hd 128
    pairs = [(141, 163), (192, 221), (232, 265), (257, 294), (273, 308), (284, 328)]
    assert ratio == pytest.approx(math.prod(a / b for a, b in pairs) ** (1 / 6))
    for family in ("nvidia-ampere", "nvidia-hopper", "nvidia-blackwell"):
        cal = catalog.get("calibration", family)
        assert cal.attention_head_dim_64_ratio == pytest.approx(ratio, abs=5e-4)


def test_gb300_attention_is_the_b200_fit_times_the_measured_speedup() -> None:
    gb300, b200 = "cudnn-9.13-frontend-attention-gb300", "cudnn-9.13-frontend-attention-b200"
    assert (gb300, b200) in ATTENTION_SPEEDUPS
    # by hand at 8k, the CSV's bf16 rows: B200 1384.231 / 994.850, GB300 1716.056 / 1150.498
    # TFLOP/s forward / backward; together 3.5 / (1/f + 2.5/b)
    b = 3.5 / (1 / 1384.231 + 2.5 / 994.850)
    g = 3.5 / (1 / 1716.056 + 2.5 / 1150.498)
    rates = {name: dict(training_rates(catalog.get("measurement", name))) for name in (gb300, b200)}
    assert rates[gb300][8192] / rates[b200][8192] == pytest.approx(g / b)
    assert g / b == pytest.approx(1.174, abs=5e-4)
    speedup = attention_speedup(gb300, b200)
    assert 1.14 < speedup < 1.21  # 4k-128k: 1.159, 1.174, 1.148, 1.166, 1.154, 1.201
    ours = catalog.get("calibration", "nvidia-blackwell-gb300")
    base = catalog.get("calibration", "nvidia-blackwell")
    peak = catalog.get("chip", "b300-gb300").peak("bf16") / catalog.get("chip", "b200").peak("bf16")
    expected = base.flash_attention_efficiency * speedup / peak
    assert ours.flash_attention_efficiency == pytest.approx(expected, abs=5e-4)
    assert ours.ranges["flash_attention_efficiency"][0] == pytest.approx(expected, abs=5e-4)
    fa4 = base.ranges["flash_attention_efficiency"][1]
    assert ours.ranges["flash_attention_efficiency"][1] == pytest.approx(fa4 / peak, abs=5e-4)
    assert ours.matmul_efficiency == base.matmul_efficiency
    assert catalog.get("chip", "b300-gb300").calibration == "nvidia-blackwell-gb300"


@pytest.mark.parametrize(
    ("chip", "family", "by_hand_8k"),
    [
        # 3.5 / (1/f + 2.5/b) at 8k, FP8 over BF16: B200 fp8 1502.114/1254.687, bf16
        # 1384.231/994.850; GB300 fp8 2073.580/1513.772, bf16 1716.056/1150.498 TFLOP/s
        ("b200", "nvidia-blackwell", (1502.114, 1254.687, 1384.231, 994.850)),
        ("gb300", "nvidia-blackwell-gb300", (2073.580, 1513.772, 1716.056, 1150.498)),
    ],
)
def test_fp8_attention_speedup_is_the_measured_fp8_over_bf16_rate(
    chip: str, family: str, by_hand_8k: tuple[float, float, float, float]
) -> None:
    fp8, bf16 = f"cudnn-9.13-frontend-attention-fp8-{chip}", f"cudnn-9.13-frontend-attention-{chip}"
    assert (fp8, bf16) in ATTENTION_SPEEDUPS
    ff, fb, bf, bb = by_hand_8k
    rates = {n: dict(training_rates(catalog.get("measurement", n))) for n in (fp8, bf16)}
    expected = (3.5 / (1 / ff + 2.5 / fb)) / (3.5 / (1 / bf + 2.5 / bb))
    assert rates[fp8][8192] / rates[bf16][8192] == pytest.approx(expected)
    speedup = attention_speedup(fp8, bf16)
    assert catalog.get("calibration", family).fp8_attention_speedup == pytest.approx(
        speedup, abs=5e-4
    )
    assert 1.2 < speedup < 1.4


@pytest.mark.parametrize(
    ("family", "measurement"),
    [
        ("nvidia-hopper", "cudnn-9.19-frontend-attention-h200"),
        ("nvidia-blackwell", "flash-attention-4-b200"),
    ],
)
def test_newest_attention_is_the_range_high_ends_fit(family: str, measurement: str) -> None:
    """attention_kernel: newest runs the fit that gives the efficiency range its high end."""
    e, s0 = attention_fit(measurement)
    cal = catalog.get("calibration", family)
    assert cal.ranges["flash_attention_efficiency"][1] == pytest.approx(e, abs=5e-4)
    assert cal.newest_attention_half_seq == pytest.approx(s0, abs=0.5)


def test_blockwise_weight_gradient_ratio_is_the_profiles() -> None:
    from dojosim.validate.step_profile import weight_gradient_ratio

    # by hand from the profile's rows: (6.879 + 13.179) / (9.554 + 20.251 - 2.311) ms
    ratio = weight_gradient_ratio("deepseek-v3-profile-h800")
    assert ratio == pytest.approx((6.879 + 13.179) / (9.554 + 20.251 - 2.311))
    cal = catalog.get("calibration", "nvidia-hopper")
    assert cal.blockwise_wgrad_ratio == pytest.approx(ratio, abs=5e-5)
    assert catalog.get("calibration", "nvidia-blackwell").blockwise_wgrad_ratio is None
