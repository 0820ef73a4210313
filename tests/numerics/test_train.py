"""Training in Dojo's formats: the issue's expected result, tested.

cfp8_143 with a per-tensor automatic bias ends within 1 accuracy point of FP32; a
fixed, badly chosen bias fails visibly. (About 10 s on a 2-core machine.)
"""

from __future__ import annotations

import pytest

from dojosim.errors import FormatError
from dojosim.numerics.train import TrainConfig, train


@pytest.mark.slow
def test_cfp8_143_auto_bias_tracks_fp32_and_a_bad_bias_fails() -> None:
    good = train(TrainConfig(format="cfp8_143", bias="auto"))
    assert good["baseline_final_accuracy"] > 0.95  # FP32 learns the task
    assert abs(good["accuracy_gap_points"]) <= 1.0
    # Each tensor role got its own bias (weights, activations and gradients differ).
    biases = good["curves"]["format"]["biases"]
    assert len(set(biases.values())) > 1
    assert biases["fc2.grad"] > biases["fc1.act"]

    bad = train(TrainConfig(format="cfp8_143", bias=0, epochs=5))
    assert bad["final_accuracy"] < 0.5  # bias 0: steps of 0.25 near zero, weights vanish


@pytest.mark.slow
def test_runs_are_seeded_and_the_same_in_worker_processes() -> None:
    here = train(TrainConfig(model="video", steps=3, evals=1, jobs=1))
    workers = train(TrainConfig(model="video", steps=3, evals=1, jobs=2))
    for key in ("final_loss", "baseline_final_loss", "biases"):
        assert here[key] == workers[key], key
    other = train(TrainConfig(model="video", steps=3, evals=1, jobs=1, seed=1))
    assert other["final_loss"] != here["final_loss"]


def test_mlp_steps_and_epochs() -> None:
    doc = train(TrainConfig(steps=50, hidden=16))
    assert [p["step"] for p in doc["loss_curve"]] == [40, 50]  # every epoch, and the end
    with pytest.raises(FormatError, match="not both"):
        train(TrainConfig(steps=50, epochs=2))
