"""The layout search: exhaustive up to provable dominance, runnable layouts only, an answer always."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from dojosim import estimate
from dojosim.errors import SpecError
from dojosim.mapping.layout import Layout, layout_problems
from dojosim.mapping.search import families
from dojosim.perf.context import context
from dojosim.perf.optimise import search
from dojosim.perf.step import evaluate
from dojosim.spec.resolve import load_any

SMALL: dict[str, Any] = {
    "model": {"name": "m", "layers": 8, "hidden": 1024, "heads": 16, "vocab": 32000,
              "seq_len": 1024},
    "system": "dgx-a100-80g",
    "chips": 16,
    "parallelism": {k: "auto" for k in ("tensor", "pipeline", "data", "micro_batch",
                                         "interleave", "sequence_parallel", "recompute", "zero")}
    | {"global_batch": 64},
}  # fmt: skip


def _every_layout(ctx: Any) -> list[Layout]:
    """Every runnable layout, recomputation choices and partial counts included: no pruning."""
    sc = ctx.sc
    out = []
    for fam in families(sc.parallelism, chips=sc.chips, shape=ctx.shape, fw=ctx.fw,
                        system=sc.system, network=False, spatial=False):  # fmt: skip
        partial = [None] + (list(range(1, max(fam.stage_layers))) if fam.partial else [])
        for v, z, rc, k in itertools.product(fam.interleaves, fam.zeros, fam.recomputes, partial):
            if k is not None and rc != "full":
                continue
            lay = Layout(fam.tensor, fam.pipeline, fam.data, fam.micro_batch, 64, v,
                         fam.sequence_parallel, rc, z, fam.stage_layers, recompute_layers=k,
                         schedule="interleaved" if v > 1 else "1f1b")  # fmt: skip
            if not layout_problems(lay, ctx.shape, ctx.fw):
                out.append(lay)
    return out


@pytest.mark.parametrize("memory_gb", [80, 2.0])
def test_search_finds_the_exhaustive_best(memory_gb: float) -> None:
    """Branch and bound returns the fastest fitting layout that timing every layout finds,
    with plenty of memory and with so little that recomputation and ZeRO are needed."""
    sc = load_any(SMALL)
    sc = sc.model_copy(update={"chip": sc.chip.model_copy(update={"memory": memory_gb * 1e9})})
    ctx = context(sc)
    timed = [evaluate(ctx, lay) for lay in _every_layout(ctx)]
    fitting = [ev for ev in timed if ev.fits]
    assert fitting
    best = min(ev.times.step for ev in fitting)
    found = search(context(sc))
    assert found.best is not None
    assert found.best.times.step == pytest.approx(best, rel=1e-12)
    assert found.evaluated <= len(timed) and found.space >= len(fitting)


def test_auto_leaves_chips_idle_when_no_layout_uses_them_all() -> None:
    """Llama 3 70B on 1,000 H100 at 1,536 sequences: 1,000 = 2^3 x 5^3 splits no batch of 1,536
    with tensor 8, so some chips stay idle; the answer says how many."""
    est = estimate(
        {"model": "llama3-70b", "system": "dgx-h100", "chips": 1000,
         "parallelism": dict.fromkeys(SMALL["parallelism"], "auto") | {"global_batch": 1536}}
    )  # fmt: skip
    assert est.chips_used + est.idle_chips == 1000 and est.idle_chips > 0
    assert est.fits_in_memory and any("idle" in n for n in est.notes)
    assert est.chosen["data"] == est.layout["data"]


def test_gpt3_on_an_exapod_with_every_knob_auto() -> None:
    est = estimate(
        {"model": "gpt3-175b", "system": "dojo-exapod", "chips": 3000,
         "parallelism": dict.fromkeys(SMALL["parallelism"], "auto") | {"global_batch": 1536}}
    )  # fmt: skip
    assert est.fits_in_memory and est.chips_used <= 3000


def test_explicit_knobs_are_not_reported_as_chosen() -> None:
    sc = dict(SMALL, parallelism={"tensor": 2, "pipeline": 2, "global_batch": 64})
    est = estimate(sc)
    assert "tensor" not in est.chosen and "pipeline" not in est.chosen
    assert est.chosen == {"data": 4}  # data omitted: the chips left by tensor x pipeline


def test_no_layout_says_why_and_what_would_run() -> None:
    sc = dict(SMALL, chips=64, model="gpt3-175b",
              parallelism={"tensor": 8, "pipeline": 8, "global_batch": 63})  # fmt: skip
    sc["parallelism"]["micro_batch"] = 2
    with pytest.raises(SpecError) as err:
        estimate(sc)
    assert err.value.field == "parallelism.global_batch"
    assert "global_batch 62 would run" in str(err.value) or "global_batch 64" in str(err.value)


def test_a_framework_rule_broken_by_hand_names_the_field() -> None:
    sc = dict(SMALL, model="gpt3-175b", chips=64,
              parallelism={"tensor": 8, "pipeline": 8, "global_batch": 64, "interleave": 7})  # fmt: skip
    with pytest.raises(SpecError) as err:
        estimate(sc)
    assert err.value.field == "parallelism.interleave"
    assert "auto" in str(err.value)


@pytest.mark.parametrize("memory_gb", [80, 0.5])
def test_a_one_layout_space_is_evaluated_once_as_a_plain_evaluation_would(memory_gb: float) -> None:
    """With every knob given, the search records the network tiers in its only evaluation
    (the report needs no second one): step, memory and fit are those of a plain evaluation,
    fitting or not."""
    fixed = {"tensor": 2, "pipeline": 2, "data": 4, "micro_batch": 2, "interleave": 1,
             "sequence_parallel": True, "recompute": "selective", "zero": 1, "global_batch": 64}  # fmt: skip
    sc = load_any(SMALL | {"parallelism": fixed})
    sc = sc.model_copy(update={"chip": sc.chip.model_copy(update={"memory": memory_gb * 1e9})})
    found = search(context(sc))
    assert found.space == 1 and found.evaluated == 1 and found.recorded
    got = found.best or found.smallest
    assert got is not None and got.times.network is not None
    plain = evaluate(context(sc), got.layout)
    assert got.times.step == plain.times.step
    assert got.memory.total == plain.memory.total and got.fits is plain.fits
    assert got.fits is (memory_gb == 80)
    est = estimate(sc, interval=False)
    assert est.step_time_s == plain.times.step and est.candidates_evaluated == 1
