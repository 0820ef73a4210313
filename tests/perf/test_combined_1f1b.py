"""Megatron-Core's combined 1F1B (``--overlap-moe-expert-parallel-comm``), checked by hand:
its rules (``TransformerConfig`` at Megatron-LM d98e8a64), the one extra micro-batch it holds
(``get_pp_rank_microbatches``) and the all-to-alls it hides behind the paired micro-batch."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dojosim import estimate
from dojosim.errors import SpecError
from dojosim.mapping.layout import Layout
from dojosim.perf.context import context
from dojosim.perf.parallel_comm import Groups, expert_comm
from dojosim.perf.schedule import in_flight
from dojosim.spec.resolve import load_any

QWEN: dict[str, Any] = {
    "name": "combined",
    "model": "qwen3-30b-a3b",
    "system": "dgx-h100",
    "chips": 16,
    "precision": "bf16",
    "parallelism": {
        "tensor": 1, "pipeline": 1, "data": 16, "expert": 16, "global_batch": 64,
        "micro_batch": 1, "recompute": "none", "zero": 1,
    },
    "routing": {"balance": "forced"},
}  # fmt: skip
# QWEN's layout, EP 16 over the 16 data ranks, without the combined 1F1B
LAYOUT = Layout(1, 1, 16, 1, 64, 1, False, "none", 1, (48,), expert=16)


def _with(**knobs: Any) -> dict[str, Any]:
    return QWEN | {"parallelism": QWEN["parallelism"] | knobs}


def test_one_more_micro_batch_in_flight_by_hand() -> None:
    # no pipeline: the next micro-batch's forward of layer j runs beside this one's backward
    # of its j-th layer from the top, which frees as it goes: one micro-batch and one layer
    assert in_flight(0, 1, 8, 1, "1f1b", True, 48) == pytest.approx(1 + 1 / 48)
    assert in_flight(0, 1, 8, 1, "1f1b", True, 1) == 2  # a one-layer stage: both whole
    assert in_flight(0, 1, 1, 1, "1f1b", True, 48) == 1  # never more than there are
    assert in_flight(0, 1, 8, 1, "1f1b", False, 48) == 1
    # pipeline 4, two virtual stages: one more forward of one virtual stage (half a stage)
    assert in_flight(0, 4, 16, 2, "interleaved", True) == pytest.approx(4 * (1 + 3 / 8) + 0.5)
    assert in_flight(3, 4, 16, 2, "interleaved", True) == pytest.approx(1 + 3 / 8 + 0.5)


def test_all_to_alls_hide_behind_the_paired_micro_batch() -> None:
    sc = load_any(QWEN)
    ctx = context(sc)
    sh = ctx.layer_shape(LAYOUT, moe=True)
    one, _ = expert_comm(sc.model, sh, ctx.fab, Groups(), 0.0, 0.0)
    assert one > 0
    # the forward's all-to-alls under the paired backward, the backward's under the forward
    hidden = expert_comm(sc.model, sh, ctx.fab, Groups(overlap_a2a=True), one / 2, one / 4)
    assert hidden == pytest.approx((0.75 * one, 0.5 * one))
    assert expert_comm(sc.model, sh, ctx.fab, Groups(overlap_a2a=True), one, one) == (0.0, 0.0)
    # hidden, it slows the work it runs under by 25%: one x 0.25 / 1.25 shows, each way
    slowed = expert_comm(sc.model, sh, ctx.fab, Groups(overlap_a2a=True), 2 * one, 2 * one, 0.25)
    assert slowed == pytest.approx((0.2 * one, 0.2 * one))
    # unless the dispatcher holds SMs of its own, whose loss already slows the work
    held = Groups(overlap_a2a=True, compute_share=0.85)
    assert expert_comm(sc.model, sh, ctx.fab, held, 2 * one, 2 * one, 0.25) == (0.0, 0.0)
    # hiding 40% of each all-to-all: 60% shows, and the hidden 40% slows the work under it
    part = Groups(overlap_a2a=True, hidden_share=0.4)
    shown = expert_comm(sc.model, sh, ctx.fab, part, 2 * one, 2 * one, 0.25)
    assert shown == pytest.approx((0.6 * one + 0.4 * one * 0.2, 0.6 * one + 0.4 * one * 0.2))


def test_the_schedule_hides_its_profiled_share() -> None:
    """The combined 1F1B hides the calibration's ``combined_1f1b_hidden_share`` of each
    all-to-all (a profile's 36.55% on H100), not all that fits under the paired compute."""
    sc = load_any(QWEN)
    assert sc.calibration.combined_1f1b_hidden_share == pytest.approx(0.3655)
    ctx = context(sc)
    assert ctx.groups(LAYOUT).hidden_share == 1.0  # no combined 1F1B: nothing to scale
    paired = ctx.groups(replace(LAYOUT, overlap_expert_parallel=True))
    assert paired.hidden_share == pytest.approx(0.3655)
    on = _with(overlap_expert_parallel=True)
    ideal = sc.calibration.model_copy(update={"combined_1f1b_hidden_share": 1.0})
    ideal_scenario = load_any(on).model_copy(update={"calibration": ideal})
    assert estimate(on).step_time_s > estimate(ideal_scenario).step_time_s


def test_overlap_shortens_the_step_and_holds_one_more_layer() -> None:
    plain = estimate(QWEN)
    combined = estimate(_with(overlap_expert_parallel=True))
    assert combined.breakdown["tensor_comm_s"] < plain.breakdown["tensor_comm_s"]
    assert combined.step_time_s < plain.step_time_s
    # 48 layers, no pipeline: one micro-batch's activations and one layer more
    assert combined.memory["activations"] == pytest.approx(plain.memory["activations"] * 49 / 48)
    assert combined.breakdown["forward_s"] == pytest.approx(plain.breakdown["forward_s"])


@pytest.mark.parametrize(
    ("knobs", "words"),
    [
        ({"expert": 1}, "needs expert parallelism"),
        ({"pipeline": 2, "data": 8, "expert": 8}, "needs virtual stages"),
        ({"recompute": "full"}, "without full recomputation"),
        (
            {"pipeline": 4, "data": 4, "expert": 4, "schedule": "dualpipe", "micro_batch": 1},
            "replaces 1F1B, not dualpipe",
        ),
    ],
)
def test_layouts_the_schedule_refuses(knobs: dict[str, Any], words: str) -> None:
    with pytest.raises(SpecError) as err:
        estimate(_with(overlap_expert_parallel=True, **knobs))
    assert err.value.field == "parallelism.overlap_expert_parallel"
    assert words in str(err.value)


def test_other_frameworks_refuse_it() -> None:
    with pytest.raises(SpecError) as err:
        estimate(_with(overlap_expert_parallel=True) | {"framework": "deepspeed"})
    assert "Megatron-Core's, not deepspeed's" in str(err.value)


def test_at_most_one_multi_token_prediction_layer() -> None:
    sc = _with(overlap_expert_parallel=True) | {"model": {"base": "deepseek-v3", "mtp_depth": 2}}
    with pytest.raises(SpecError) as err:
        estimate(sc | {"chips": 64, "parallelism": sc["parallelism"] | {"data": 64, "expert": 64}})
    assert "at most one multi-token-prediction layer" in str(err.value)


def test_auto_picks_only_layouts_the_schedule_runs() -> None:
    auto = {"pipeline": "auto", "data": "auto", "interleave": "auto", "recompute": "auto",
            "expert": "auto", "micro_batch": "auto", "schedule": "auto"}  # fmt: skip
    r = estimate(_with(overlap_expert_parallel=True, **auto))
    lay = r.layout
    assert lay["expert"] > 1 and lay["recompute"] != "full" and lay["recompute_layers"] is None
    assert lay["pipeline"] == 1 or lay["interleave"] > 1
    assert lay["schedule"] in ("1f1b", "interleaved")
