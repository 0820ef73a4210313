"""One MoE layer of DeepSeek-V3's training against DeepSeek's published kernel profile.

``catalog/measurements/deepseek-v3-profile-h800.yaml`` holds the kernel times of DeepSeek's
profile of a DualPipe pair of chunks (four MoE layers forward, four backward) on one H800, by
part of the layer, pass and kind of kernel; ``dojosim.validate.step_profile`` splits the
estimator's ops of the same layer the same way. The profile names its job's attention kernel
(FlashAttention-3, ``attention_kernel: newest``) and gives the rate of blockwise FP8 weight
gradients (``blockwise_wgrad_ratio``); what stays apart is the GEMMs' rate within the step
(docs/estimator.md, Known limits).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dojosim import catalog
from dojosim.validate.step_profile import by_kind, measured_times, model_times, wall_per_layer

NAME = "deepseek-v3-profile-h800"
MODEL = model_times(NAME)
MEASURED = measured_times(NAME)
WALL = wall_per_layer(NAME)
DOC = " ".join((Path(__file__).resolve().parents[2] / "docs" / "estimator.md").read_text().split())


def ratio(kind: str, phase: str | None = None) -> float:
    """The model's seconds of ``kind`` (in ``phase``) over the profile's."""
    return by_kind(MODEL, kind, phase) / by_kind(MEASURED, kind, phase)


def test_the_profile_reads_as_its_notes_say() -> None:
    """124.3 ms of compute over four layers; the weight-gradient GEMMs of the MoE part ran on
    two streams at once, so that phase's wall time is under its kernels' sum."""
    entry = catalog.get("measurement", NAME)
    assert WALL * entry.layers == pytest.approx(124.285e-3, abs=1e-5)
    moe_weight = entry.time("moe", "weight", "gemm") + entry.time("moe", "weight", "other")
    assert entry.time("moe", "weight", "wall") < moe_weight
    for part, phase in (("attention", "forward"), ("moe", "backward")):
        kinds = sum(entry.time(part, phase, k) for k in ("gemm", "attention", "other"))
        assert entry.time(part, phase, "wall") == pytest.approx(kinds, abs=2e-6)


def test_the_layer_comes_within_6_percent() -> None:
    assert abs(sum(MODEL.values()) / WALL - 1) < 0.06


def test_attention_comes_within_5_percent_of_flash_attention_3() -> None:
    """The newest Hopper curve (cuDNN 9.19's fit) against FlashAttention-3's kernels at the
    profile's 4,096 tokens."""
    assert abs(ratio("attention") - 1) < 0.05


def test_gemms_take_less_time_than_in_the_step() -> None:
    """Forward and input-gradient GEMMs alike; the weight gradients' kernels overlapped on two
    streams, so their summed kernel time is longer than the wall time blockwise_wgrad_ratio
    reads."""
    assert 0.85 < ratio("gemm", "forward") < 0.95
    assert 0.85 < ratio("gemm", "backward") < 0.95
    assert ratio("gemm", "weight") < 0.8
    assert ratio("gemm") < 0.9


def test_the_other_kernels_come_within_5_percent_together() -> None:
    assert abs(ratio("other") - 1) < 0.05


def test_estimator_doc_quotes_the_figures() -> None:
    total = sum(MODEL.values())
    assert f"{total * 1e3:.1f} ms per layer against the profile's {WALL * 1e3:.1f} ms" in DOC
    assert f"attention {ratio('attention'):.2f} times the profile's" in DOC
    assert (
        f"GEMMs {ratio('gemm'):.2f} (forward {ratio('gemm', 'forward'):.2f}, input gradients "
        f"{ratio('gemm', 'backward'):.2f}, weight gradients {ratio('gemm', 'weight'):.2f})" in DOC
    )
    assert f"the other kernels {ratio('other'):.2f}" in DOC
    wgrad = catalog.get("calibration", "nvidia-hopper").blockwise_wgrad_ratio
    assert f"GEMMs run at {wgrad:.2f} of the rate of its forward ones" in DOC
