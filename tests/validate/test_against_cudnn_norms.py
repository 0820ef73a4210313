"""Blackwell's memory efficiency against the memory-bound kernel it is transferred by.

NVIDIA/cudnn-frontend @3929da2e, benchmark/norms/results/{gb200,h200}/all_models_*.csv:
cuDNN 9.19.1 RMSNorm forward (bf16), GB/s, on the model shapes of 32M elements or more.
"""

import math

import pytest

from dojosim import catalog

GB200 = {
    "llama3-70b": 5997.4,
    "llama3-8b": 6424.6,
    "llama31-405b": 6119.7,
    "llama4-e16": 5986.8,
    "mixtral-8x7b": 5843.7,
    "nemotronh-56b": 5934.0,
    "qwen3-235b": 6000.5,
}
H200 = {
    "llama3-70b": 3770.9,
    "llama3-8b": 3708.1,
    "llama31-405b": 3845.2,
    "llama4-e16": 3762.0,
    "mixtral-8x7b": 3790.3,
    "nemotronh-56b": 3311.3,
    "qwen3-235b": 3770.2,
}


def test_blackwell_memory_efficiency_is_hoppers_times_the_norm_ratio() -> None:
    gb200 = catalog.get("chip", "b200-gb200").memory_bandwidth / 1e9  # GB/s
    h200 = catalog.get("chip", "h200-sxm-141g").memory_bandwidth / 1e9
    assert (gb200, h200) == (8000, 4800)
    ratios = [(GB200[k] / gb200) / (H200[k] / h200) for k in GB200]
    ratio = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    assert ratio == pytest.approx(0.9785, abs=5e-4)
    blackwell = catalog.get("calibration", "nvidia-blackwell").memory_efficiency
    hopper = catalog.get("calibration", "nvidia-hopper").memory_efficiency
    assert blackwell / hopper == pytest.approx(ratio, abs=5e-4)
    # the norm kernel itself reaches about four fifths of nominal on both
    assert all(0.68 < H200[k] / h200 < 0.81 and 0.72 < GB200[k] / gb200 < 0.81 for k in GB200)
