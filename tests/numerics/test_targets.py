"""The issue's targets, trained for real (the full comparison is benchmarked:
benchmarks/bench_numerics_train.py).

CFP8 with Dojo's recipe (1-4-3 forward, 1-5-2 gradients, a bias per tensor chosen at
every step) must end within 5 % of BF16's validation loss on video and within 3 % on
the character LM; the same 8 bits at the formats' fixed default biases (7, 15) must
end visibly worse. Every run starts from the same weights and sees the same batches.

Video is stable at small step counts (the gap stays within about 1.5 % from 150 steps
on), so it runs 250. The character LM is not: its loss leaves a plateau near 2.4 nats
at a step that varies from run to run and with the length of the schedule, and until
every run is past it two runs can differ by 10-20 % (measured at 120-400 steps). Its
3 % check therefore trains the default 600 steps (three seeds measured: +0.1 to +1.6 %);
the fixed-bias check, whose failure is gross, runs 120.
"""

from __future__ import annotations

import pytest

from dojosim.numerics import compare
from dojosim.numerics.train_config import MODELS

AUTO, FIXED = "cfp8 bias=auto", "cfp8 bias=7,15"


def _final(model: str, steps: int | None, rows: list[str]) -> tuple[dict[str, float], dict]:
    doc = compare.compare(model, steps=steps, formats=rows, jobs=1, evals=1)
    return {
        r["label"]: r["final_loss"] / doc["runs"][0]["final_loss"] - 1 for r in doc["runs"]
    }, doc


@pytest.mark.slow
def test_video_cfp8_within_5_percent_of_bf16_and_a_fixed_bias_visibly_worse() -> None:
    gap, doc = _final("video", 250, ["bf16", AUTO, FIXED])
    assert doc["runs"][0]["final_loss"] < 0.5 * doc["copy_last_loss"]  # BF16 learned
    assert abs(gap[AUTO]) <= 0.05
    assert gap[FIXED] >= 0.20  # most gradients are below 2^-16, 1-5-2's step at bias 15


@pytest.mark.slow
def test_charlm_cfp8_within_3_percent_of_bf16() -> None:
    gap, doc = _final("charlm", None, ["bf16", AUTO])
    assert doc["steps"] == MODELS["charlm"].steps
    assert doc["runs"][0]["final_loss"] < 1.6  # BF16 learned (a unigram model: 3.24)
    assert abs(gap[AUTO]) <= 0.03


@pytest.mark.slow
def test_charlm_fixed_default_biases_visibly_worse() -> None:
    gap, doc = _final("charlm", 120, ["bf16", FIXED])
    assert doc["runs"][0]["final_loss"] < 3.0
    assert gap[FIXED] >= 0.10
