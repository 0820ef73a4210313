"""A scenario's ``grad_reduce``: resolved once, checked, and seen by the estimate."""

from __future__ import annotations

import pytest

from dojosim.errors import SpecError
from dojosim.perf.estimate import estimate
from dojosim.spec.resolve import resolve_any

BASE = {
    "model": "gpt3-175b",
    "system": "dgx-h100",
    "chips": 64,
    "precision": "bf16",
    "parallelism": {
        "tensor": 8,
        "pipeline": 8,
        "data": 1,
        "global_batch": 64,
        "micro_batch": 1,
        "zero": 1,
    },
}


def test_bf16_reduce_shrinks_the_gradient_buffer_by_two_bytes_per_parameter() -> None:
    fp32 = estimate(resolve_any(BASE))
    bf16 = estimate(resolve_any({**BASE, "grad_reduce": "bf16"}))
    # one replica: no reduction; the buffer shrinks from 4 B to 2 B per parameter and the
    # optimizer reads the smaller gradient
    params = fp32.memory["gradients"] / 4
    assert bf16.memory["gradients"] == pytest.approx(params * 2)
    assert fp32.memory["total"] - bf16.memory["total"] == pytest.approx(params * 2)
    assert bf16.step_time_s < fp32.step_time_s
    assert fp32.step_time_s == pytest.approx(bf16.step_time_s, rel=1e-3)


def test_fp32_training_has_no_16_bit_reduction() -> None:
    with pytest.raises(SpecError, match="grad_reduce"):
        resolve_any({**BASE, "precision": "fp32", "grad_reduce": "bf16"})


def test_unknown_value_is_refused() -> None:
    with pytest.raises(SpecError, match="grad_reduce"):
        resolve_any({**BASE, "grad_reduce": "fp16"})
