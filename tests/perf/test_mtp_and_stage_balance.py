"""DeepSeek-V3's multi-token-prediction depth on the last stage, and stages balanced by time
where only a pipeline layout can split the layers (checked against Megatron-Bridge's layouts)."""

from __future__ import annotations

import copy
import itertools
import random
from typing import Any

import pytest

from dojosim import catalog
from dojosim.mapping.layout import balanced_split
from dojosim.perf.context import context
from dojosim.perf.estimate import estimate
from dojosim.perf.units import UnitCost
from dojosim.spec.resolve import load_any
from tests.conftest import reported_layout


def _row(name: str, **par: Any) -> dict[str, Any]:
    """A catalog run's scenario with its pipeline split left to the estimator."""
    sc = copy.deepcopy(catalog.get("run", name).scenario)
    sc["parallelism"].pop("stage_layers", None)
    sc["parallelism"].update(par)
    return dict(sc)


def _stages(sc: dict[str, Any]) -> list[list[tuple[UnitCost, int]]]:
    """The units of each stage of the layout the estimator reports for ``sc``."""
    ctx = context(load_any(sc))
    probe = reported_layout(estimate(sc).layout)
    return ctx.stages(probe)


def _last_stage(sc: dict[str, Any]) -> list[tuple[UnitCost, int]]:
    return _stages(sc)[-1]


def test_minmax_split_is_optimal_by_brute_force() -> None:
    rng = random.Random(7)
    for _ in range(200):
        n, p = rng.randint(2, 9), rng.randint(1, 4)
        if p > n:
            continue
        times = [rng.choice([1.0, 2.0, 3.5, 0.2]) for _ in range(n)]
        split = balanced_split(times, p)
        assert len(split) == p and min(split) >= 1 and sum(split) == n

        def worst(counts: tuple[int, ...], times: list[float] = times) -> float:
            bounds = list(itertools.accumulate(counts, initial=0))
            return max(sum(times[a:b]) for a, b in itertools.pairwise(bounds))

        best = min(
            worst(tuple(b - a for a, b in itertools.pairwise((0, *cuts, n))))
            for cuts in itertools.combinations(range(1, n), p - 1)
        )
        assert worst(split) == pytest.approx(best)


def test_minmax_split_finds_the_exact_least_bottleneck() -> None:
    """0.1 + 0.1 + 0.1 rounds above 0.3, so a bisection that stops near the bottleneck can
    settle on 0.30000000000000004 and cut (3, 1, 1); the least feasible cap is 0.3 itself,
    reached by (2, 2, 1)."""
    assert balanced_split([0.1, 0.1, 0.1, 0.1, 0.3], 3) == (2, 2, 1)


def test_against_megatron_bridge_layout_pp4_vp4() -> None:
    """Bridge's DeepSeek-V3 layout for PP4 VP4 (recipes/deepseek/deepseek_v3.py lines 233-243
    at 7af9601c): 16 virtual stages [E+4], 14 x [4], [1+mtp+loss], so 16, 16, 16 and 13
    decoder layers per rank. Balancing by time comes within a layer of it on every rank: the
    MTP depth and the head weigh about three layers, the three dense layers less than MoE
    ones."""
    for run in ("mbvc-deepseek-v3-256-gb200-mxfp8-perf", "bridge-deepseek-v3-256-gb200-bf16"):
        split = estimate(_row(run)).layout["stage_layers"]
        assert all(abs(a - b) <= 1 for a, b in zip(split, [16, 16, 16, 13], strict=True)), run
        assert min(split[:3]) - split[3] >= 3, run


def test_against_megatron_bridge_layout_pp16_gives_the_last_stage_one_layer() -> None:
    """Bridge's PP16 layout: [E+4], 14 x [4], [1+mtp+loss]."""
    est = estimate(_row("mbridge2509-deepseek-v3-256-b200-fp8-cs"))
    assert est.layout["stage_layers"][-1] == 1
    assert max(est.layout["stage_layers"]) <= 5


def test_the_mtp_depth_runs_a_block_a_projection_and_a_second_head_on_the_last_stage() -> None:
    with_mtp = _row("mbridge2606-deepseek-v3-256-b300-mxfp8", stage_layers=[8] * 7 + [5])
    model = {"base": "deepseek-v3", "mtp_depth": 0}
    without = _row("mbridge2606-deepseek-v3-256-b300-mxfp8", stage_layers=[8] * 7 + [5])
    without["model"] = model
    last, plain = _last_stage(with_mtp), _last_stage(without)
    assert len(last) == len(plain) + 1
    mtp, depth = last[-1]
    block = next(u for u, n in last if n == 5)  # the stage's five MoE layers
    head = plain[-1][0]
    assert depth == 1
    # the block, a second pass through the output layer and the 2h -> h projection
    assert mtp.forward > block.forward + head.forward
    assert mtp.backward > block.backward + head.backward
    h, vocab = 7168, 129280
    # its own weights: the block's, the projection, three norms and the embedding's copy (a
    # stage of its own, without the embedding, builds one); the output layer is shared
    assert mtp.params - block.params == pytest.approx(2 * h * h + 3 * h + vocab * h)
    assert mtp.expert_params == block.expert_params
    assert mtp.activations > block.activations


def test_the_mtp_depth_slows_the_step_and_counts_in_the_model_flops() -> None:
    sc = _row("mbridge2606-deepseek-v3-256-b300-mxfp8", stage_layers=[8] * 7 + [5])
    plain = copy.deepcopy(sc)
    plain["model"] = {"base": "deepseek-v3", "mtp_depth": 0}
    a, b = estimate(sc), estimate(plain)
    assert a.step_time_s > b.step_time_s
    assert a.model_flops_per_step > b.model_flops_per_step


def test_the_mtp_depth_looks_up_its_tokens_through_the_vocabulary_parallel_embedding() -> None:
    """Under tensor parallelism the MTP depth's embedding lookup all-reduces over the ranks, as
    the first stage's does: without sequence parallelism the depth's own forward traffic is that
    all-reduce and the projection's all-gather, more than the all-reduce alone (the gather alone
    is less)."""
    sc = _row(
        "mbridge2509-deepseek-v3-1024-h100-fp8-cs",
        stage_layers=[8] * 7 + [5],
        sequence_parallel=False,
    )
    assert sc["parallelism"]["tensor"] == 2
    stages = _stages(sc)
    emb = stages[0][0][0]
    assert emb.comm_forward > 0
    last = stages[-1]
    mtp = last[-1][0]
    block = next(u for u, n in last if n == 5)
    head = last[-2][0]
    own = mtp.comm_forward - block.comm_forward - head.comm_forward
    assert own > emb.comm_forward
    assert mtp.forward - block.forward - head.forward > emb.forward
