"""DualPipe's memory per rank, against its README (deepseek-ai/DualPipe: 2x parameters, p + 1
micro-batches of activations) and DeepSeek-V3's placement (arXiv 2412.19437, Section 3.2.1: the
shallowest and deepest layers on one rank, sharing the embedding with the MTP module)."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from dojosim import catalog
from dojosim.mapping.layout import Layout
from dojosim.perf.context import context
from dojosim.perf.estimate import estimate
from dojosim.perf.ranks import rank_sums
from dojosim.perf.step import memory, policy_of
from dojosim.spec.resolve import load_any
from tests.conftest import reported_layout

ROW = "deepseek-v3-2048-h800"


def _scenario(**par: Any) -> dict[str, Any]:
    sc = copy.deepcopy(dict(catalog.get("run", ROW).scenario))
    sc["parallelism"] = sc["parallelism"] | {"micro_batch": 1} | par
    return sc


def _probe(sc: dict[str, Any]) -> tuple[Any, Layout]:
    return context(load_any(sc)), reported_layout(estimate(sc, interval=False).layout)


def test_rank_zero_holds_the_first_and_the_last_stage() -> None:
    """Rank 0 keeps stage 0's and stage p - 1's parameters (not twice stage 0's), p micro-batches
    of stage 0's activations and one of stage p - 1's, and the last stage's logits buffer."""
    ctx, lay = _probe(_scenario())
    sums = ctx.sums(lay)
    p = lay.pipeline
    assert p == 16 and lay.schedule == "dualpipe"
    first, last = sums[0], sums[-1]
    mem, _ = memory(ctx, lay, sums)
    assert mem.activations == pytest.approx(p * first.activations + 1 * last.activations)
    assert mem.activations < (p + 1) * first.activations
    # ZeRO-1 leaves the weights whole: their bytes per parameter times both stages' parameters
    per = policy_of(ctx, lay).memory(1.0, lay.data, 1.0).weights
    assert mem.weights == pytest.approx(per * (first.params + last.params), rel=1e-9)
    assert mem.weights < per * 2 * first.params
    assert mem.transient >= last.work > first.work


def test_the_mtp_depth_shares_the_embedding_of_its_rank() -> None:
    """Under 1F1B the last stage's MTP depth holds its own embedding copy (Megatron-Core builds
    one); under DualPipe it shares the first stage's, on the same rank."""
    ctx, lay = _probe(_scenario())
    dual = ctx.sums(lay)[-1].params
    one = ctx.sums(replace(lay, schedule="1f1b"))[-1].params
    m = ctx.sc.model
    assert one - dual == pytest.approx(m.vocab * m.hidden)


def test_a_rank_runs_half_its_micro_batches_on_each_of_its_stages() -> None:
    """Per micro-batch a rank spends the mean of its two stages' times, and reduces and updates
    both stages' gradients; the step's forward time is the busiest rank's."""
    sc = _scenario()
    ctx, lay = _probe(sc)
    sums = ctx.sums(lay)
    ranks, layers = rank_sums(lay, sums)
    p = lay.pipeline
    for i in (0, 3, p - 1):
        a, b = sums[i], sums[p - 1 - i]
        assert ranks[i].forward == pytest.approx((a.forward + b.forward) / 2)
        assert ranks[i].backward == pytest.approx((a.backward + b.backward) / 2)
        assert ranks[i].params == pytest.approx(a.params + b.params)
        assert layers[i] == lay.stage_layers[i] + lay.stage_layers[p - 1 - i]
    est = estimate(sc, interval=False)
    busiest = max(ranks, key=lambda r: r.forward + r.backward + r.recompute)
    assert est.breakdown["forward_s"] == pytest.approx(lay.micro_batches * busiest.forward)
    # one stage per rank under any other schedule
    one = replace(lay, schedule="1f1b")
    assert rank_sums(one, ctx.sums(one))[0] == ctx.sums(one)
