"""``fp8_params``: FP8 primary weights in a scenario, end to end."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim import estimate
from dojosim.errors import SpecError

LLAMA: dict[str, Any] = {
    "name": "fp8-params",
    "model": "llama3-8b",
    "system": "dgx-h100",
    "chips": 8,
    "precision": "fp8",
    "grad_reduce": "bf16",
    "parallelism": {"tensor": 1, "data": 8, "global_batch": 64, "zero": 1, "recompute": "none"},
}


def test_fp8_params_halve_the_weights_a_chip_keeps() -> None:
    plain, primary = estimate(LLAMA), estimate(LLAMA | {"fp8_params": True})
    # bf16 weight + FP8 weight and transpose (4 B) against the FP8 pair alone (2 B)
    assert primary.memory["weights"] == pytest.approx(plain.memory["weights"] / 2)
    assert primary.memory["gradients"] == plain.memory["gradients"]
    assert primary.memory["optimizer"] == plain.memory["optimizer"]
    assert primary.breakdown["data_comm_s"] <= plain.breakdown["data_comm_s"]


def test_fp8_params_need_fp8_training() -> None:
    with pytest.raises(SpecError) as err:
        estimate(LLAMA | {"precision": "bf16", "fp8_params": True})
    assert "fp8_params" in str(err.value) and "precision is bf16" in str(err.value)
