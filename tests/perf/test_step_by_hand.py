"""The step engine's composition, checked against hand arithmetic."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dojosim import estimate
from dojosim.hardware.collectives import p2p_time
from dojosim.mapping.layout import Layout
from dojosim.mapping.policy import Policy
from dojosim.perf.context import context
from dojosim.perf.schedule import in_flight, pipeline
from dojosim.perf.step import evaluate, strides
from dojosim.spec.resolve import load_any

BASE: dict[str, Any] = {
    "model": {"name": "m", "layers": 8, "hidden": 1024, "heads": 16, "vocab": 32000,
              "seq_len": 1024},
    "system": "dgx-a100-80g",
    "chips": 1,
    "parallelism": {"tensor": 1, "pipeline": 1, "global_batch": 8, "micro_batch": 2,
                    "recompute": "none"},
}  # fmt: skip


def test_1f1b_by_hand() -> None:
    """Two stages, F = 1 s and B = 2 s per micro-batch, 4 micro-batches:
    T = 4 x 3 + (2 - 1) x 3 = 15 s; stage 1 finishes one backward (2 s) early and starts one
    forward (1 s) late."""
    p = pipeline([1.0, 1.0], [2.0, 2.0], 4, 1)
    assert (p.total, p.bubble, p.early, p.late) == (15.0, 3.0, (0.0, 2.0), (0.0, 1.0))
    p = pipeline([1.0, 1.0], [2.0, 2.0], 4, 2)  # interleaved: the bubble halves
    assert (p.total, p.bubble) == (13.5, 1.5)
    p = pipeline([1.0, 2.0], [2.0, 4.0], 4, 1)  # the slowest stage sets the pace
    assert p.total == 4 * 6 + 1 * 4.5 and p.slowest == 1


def test_micro_batches_in_flight_by_hand() -> None:
    assert in_flight(0, 4, 8, 1) == 4 and in_flight(3, 4, 8, 1) == 1
    assert in_flight(0, 4, 2, 1) == 2  # never more than there are
    assert in_flight(0, 4, 8, 2) == pytest.approx(4 * (1 + 3 / 8))


def _ctx(**over: Any) -> Any:
    sc = copy.deepcopy(BASE)
    for k, v in over.items():
        if k in sc["parallelism"] or k in ("data", "interleave", "zero"):
            sc["parallelism"][k] = v
        else:
            sc[k] = v
    s = load_any(sc)
    cal = s.calibration.model_copy(update={"straggler_cv": 0.0})
    return context(s, cal)


def test_one_chip_is_micro_batches_of_compute_plus_the_optimizer() -> None:
    ctx = _ctx()
    lay = Layout(1, 1, 1, 2, 8, 1, False, "none", 0, (8,))
    ev = evaluate(ctx, lay)
    (s,) = ctx.sums(lay)
    cm = ctx.cm
    optimizer = (
        s.params
        * Policy(ctx.precision, 0).update_bytes()
        / (cm.memory_bandwidth * cm.memory_efficiency)
        + 3 * cm.kernel_overhead
    )
    assert ev.times.step == pytest.approx(4 * (s.forward + s.backward) + optimizer, rel=1e-12)
    assert sum(ev.times.breakdown().values()) == pytest.approx(ev.times.step, rel=1e-12)
    assert ev.times.data_comm == 0 and ev.times.fixed == 0 and ev.times.straggler == 0


def test_sends_go_one_way_per_stage_boundary() -> None:
    """Two stages: stage 0 sends activations forward only, stage 1 gradients backward only, so
    each stage pays one hop per micro-batch (the old engine charged the last stage both ways)."""
    ctx = _ctx(chips=2, pipeline=2)
    lay = Layout(1, 2, 1, 2, 8, 1, False, "none", 0, (4, 4))
    ev = evaluate(ctx, lay)
    sums = ctx.sums(lay)
    stride = strides(ctx, lay)["pipeline"]
    hop = p2p_time(ctx.fab, sums[0].output, stride)  # one activation, one gradient of its shape
    assert ev.times.pipeline_comm == pytest.approx(4 * hop, rel=1e-12)


def test_the_weight_gather_is_not_hidden_by_the_backward_pass() -> None:
    """ZeRO-1 all-gathers the updated weights after the optimizer: only the next forward
    pass can hide it, so with overlap off the whole gather shows."""
    ctx = _ctx(chips=16, data=16, global_batch=32, micro_batch=2)
    on = evaluate(ctx, Layout(1, 1, 16, 2, 32, 1, False, "none", 1, (8,)))
    off = evaluate(ctx, Layout(1, 1, 16, 2, 32, 1, False, "none", 1, (8,), False))
    assert off.times.data_comm > on.times.data_comm >= 0


def test_tied_embeddings_all_reduce_between_first_and_last_stage() -> None:
    untied = evaluate(_ctx(chips=2, pipeline=2), Layout(1, 2, 1, 2, 8, 1, False, "none", 0, (4, 4)))
    model = dict(BASE["model"], tied_embeddings=True)
    tied = evaluate(
        _ctx(chips=2, pipeline=2, model=model), Layout(1, 2, 1, 2, 8, 1, False, "none", 0, (4, 4))
    )
    assert tied.times.data_comm > untied.times.data_comm == 0


def test_zero_2_costs_time_against_zero_1_and_saves_memory() -> None:
    """The free lunch of the old engine: ZeRO-2 reduce-scatters every micro-batch."""
    base = {
        "model": "llama3-8b", "system": "dgx-h100", "chips": 64, "framework": "deepspeed",
        "parallelism": {"tensor": 1, "pipeline": 1, "data": 64, "global_batch": 512,
                        "micro_batch": 1, "recompute": "full", "overlap_data_parallel": False},
    }  # fmt: skip
    z1 = estimate(base | {"parallelism": base["parallelism"] | {"zero": 1}})
    z2 = estimate(base | {"parallelism": base["parallelism"] | {"zero": 2}})
    assert z2.memory["gradients"] < z1.memory["gradients"]
    assert z2.breakdown["data_comm_s"] > z1.breakdown["data_comm_s"]


def _optimizer_by_hand(ctx: Any, lay: Layout, dense_shard: int, expert_shard: int) -> float:
    (s,) = ctx.sums(lay)
    cm = ctx.cm
    local = (s.params - s.expert_params) / dense_shard + s.expert_params / expert_shard
    update = Policy(ctx.precision, 1).update_bytes() / (cm.memory_bandwidth * cm.memory_efficiency)
    return float(local * update + 3 * cm.kernel_overhead)


def test_the_optimizer_updates_experts_sharded_over_their_own_replicas() -> None:
    """Eight chips, EP 4, ZeRO-1: the dense weights' optimizer shard is 1/8, a routed expert's
    1/2 (its expert-data-parallel replicas, 8 / 4), as Megatron's distributed optimizer
    shards each over the group that reduces it."""
    model = dict(BASE["model"], experts=8, top_k=2, expert_ffn_hidden=512)
    ctx = _ctx(chips=8, data=8, global_batch=16, micro_batch=2, model=model)
    lay = Layout(1, 1, 8, 2, 16, 1, False, "none", 1, (8,), expert=4)
    (s,) = ctx.sums(lay)
    assert 0 < s.expert_params < s.params
    ev = evaluate(ctx, lay)
    assert ev.times.optimizer == pytest.approx(_optimizer_by_hand(ctx, lay, 8, 2), rel=1e-12)


def test_the_optimizer_shards_dense_weights_over_data_and_context() -> None:
    """Context parallelism 2 with data 2: the distributed optimizer shards over all 4 ranks."""
    ctx = _ctx(chips=4, data=2, global_batch=4, micro_batch=1)
    lay = Layout(1, 1, 2, 1, 4, 1, False, "none", 1, (8,), context=2)
    ev = evaluate(ctx, lay)
    assert ev.times.optimizer == pytest.approx(_optimizer_by_hand(ctx, lay, 4, 1), rel=1e-12)
