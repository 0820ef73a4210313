"""A scenario's ``fp8_attention``: FP8 fused attention at the family's measured speedup."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.perf.compute import ComputeModel
from dojosim.perf.estimate import estimate
from dojosim.spec.resolve import resolve_any


@pytest.fixture
def b200(scenario: dict[str, Any]) -> dict[str, Any]:
    return {**scenario, "system": "dgx-b200", "precision": "fp8"}


def test_attention_runs_the_measured_speedup_faster(b200: dict[str, Any]) -> None:
    sc = resolve_any({**b200, "fp8_attention": True})
    cal = sc.calibration
    plain = ComputeModel.of(sc.chip, _fp8(), cal)
    fp8 = ComputeModel.of(sc.chip, _fp8(), cal, fp8_attention=True)
    # by hand: the B200 family's 0.536 x 1.262 (cuDNN 9.13 FP8 over BF16)
    assert fp8.flash_attention_efficiency == pytest.approx(0.536 * 1.262, rel=1e-3)
    assert fp8.flash_attention_efficiency == pytest.approx(
        plain.flash_attention_efficiency * cal.fp8_attention_speedup
    )
    # only attention speeds up: the step is shorter, by less than the attention share
    slow = estimate(resolve_any(b200))
    fast = estimate(sc)
    assert fast.step_time_s < slow.step_time_s
    assert fast.step_time_s > slow.step_time_s / cal.fp8_attention_speedup


def _fp8() -> Any:
    from dojosim.mapping.policy import PRECISIONS

    return PRECISIONS["fp8"]


def test_needs_fp8_training(b200: dict[str, Any]) -> None:
    with pytest.raises(SpecError, match="fp8_attention"):
        resolve_any({**b200, "precision": "bf16", "fp8_attention": True})


def test_needs_a_measured_family(scenario: dict[str, Any]) -> None:
    assert catalog.get("calibration", "nvidia-hopper").fp8_attention_speedup is None
    with pytest.raises(SpecError, match="fp8_attention_speedup"):
        resolve_any({**scenario, "system": "dgx-h100", "precision": "fp8", "fp8_attention": True})


def test_networks_refuse_it() -> None:
    with pytest.raises(SpecError, match="fp8_attention"):
        resolve_any(
            {
                "model": "resnet50-224",
                "system": "dgx-b200",
                "chips": 8,
                "precision": "fp8",
                "fp8_attention": True,
                "parallelism": {"data": 8, "global_batch": 256},
            }
        )
