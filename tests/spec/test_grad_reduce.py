"""A scenario's ``grad_reduce``: resolved once, checked, and seen by the estimate."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim.errors import SpecError
from dojosim.perf.estimate import estimate
from dojosim.spec.resolve import resolve_any


def test_bf16_reduce_shrinks_the_gradient_buffer_by_two_bytes_per_parameter(
    scenario: dict[str, Any],
) -> None:
    scenario["parallelism"]["zero"] = 1
    fp32 = estimate(resolve_any(scenario))
    bf16 = estimate(resolve_any({**scenario, "grad_reduce": "bf16"}))
    # one replica: no reduction; the buffer shrinks from 4 B to 2 B per parameter and the
    # optimizer reads the smaller gradient
    params = fp32.memory["gradients"] / 4
    assert bf16.memory["gradients"] == pytest.approx(params * 2)
    assert fp32.memory["total"] - bf16.memory["total"] == pytest.approx(params * 2)
    assert bf16.step_time_s < fp32.step_time_s
    assert fp32.step_time_s == pytest.approx(bf16.step_time_s, rel=1e-3)


def test_fp32_training_has_no_16_bit_reduction(scenario: dict[str, Any]) -> None:
    with pytest.raises(SpecError, match="grad_reduce"):
        resolve_any({**scenario, "precision": "fp32", "grad_reduce": "bf16"})


def test_unknown_value_is_refused(scenario: dict[str, Any]) -> None:
    with pytest.raises(SpecError, match="grad_reduce"):
        resolve_any({**scenario, "grad_reduce": "fp16"})


def test_a_catalog_network_reduces_in_16_bits_too() -> None:
    from dojosim.perf.estimate import estimate as run

    base = {
        "model": "resnet50-224",
        "system": "dgx-a100-80g",
        "chips": 8,
        "parallelism": {"data": 8, "global_batch": 256, "zero": 1},
    }
    fp32 = run(resolve_any(base))
    bf16 = run(resolve_any({**base, "grad_reduce": "bf16"}))
    assert bf16.memory["gradients"] == pytest.approx(fp32.memory["gradients"] / 2)
    with pytest.raises(SpecError, match="grad_reduce"):
        resolve_any({**base, "precision": "fp32", "grad_reduce": "bf16"})
