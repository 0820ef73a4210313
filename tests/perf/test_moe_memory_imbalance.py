"""The busiest expert-parallel rank's extra activations add up over a stage's MoE layers as
independent loads do (excess / sqrt(L)), while each layer's time keeps the busiest rank's
load. Checked by hand on made-up units and on one MoE block."""

from __future__ import annotations

import dataclasses
import math

import pytest

from dojosim.perf.context import StageSum, context
from dojosim.perf.units import UnitCost, block
from dojosim.spec.resolve import load_any
from dojosim.workload.moe_ops import moe_activation_bytes
from dojosim.workload.transformer import LayerShape, activation_bytes_per_layer


def _unit(acts: float, hot: float) -> UnitCost:
    return UnitCost(1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 10.0, acts, 1.0, hot_activations=hot)


def test_a_stage_of_four_moe_layers_keeps_half_their_excess() -> None:
    dense, moe = _unit(100.0, 0.0), _unit(130.0, 30.0)  # 100 B at the mean load, 30 B hot
    st = StageSum.of([(dense, 2), (moe, 4)])
    # 2 x 100 + 4 x 100 at the mean, plus the excess 4 x 30 over sqrt(4)
    assert st.activations == pytest.approx(2 * 100 + 4 * 100 + 4 * 30 / math.sqrt(4))
    assert st.forward == pytest.approx(6.0)  # time is untouched


def test_one_moe_layer_keeps_its_whole_excess() -> None:
    st = StageSum.of([(_unit(130.0, 30.0), 1)])
    assert st.activations == pytest.approx(130.0)


def test_block_reports_the_excess_of_its_busiest_rank() -> None:
    sc = load_any({"model": "qwen3-30b-a3b", "system": "dgx-h100", "chips": 16,
                   "parallelism": {"global_batch": 16, "expert": 16}})  # fmt: skip
    ctx = context(sc)
    sh = LayerShape(1, 4096, 1, False, True, 2.0, moe=True, ep=16, imbalance=1.5)
    unit = block(sc.model, sh, "none", ctx.cm, ctx.fab)
    mean = activation_bytes_per_layer(sc.model, dataclasses.replace(sh, imbalance=1.0), "none")
    # the routed rows scale with the load: half again as many on the busiest rank
    assert unit.activations == pytest.approx(activation_bytes_per_layer(sc.model, sh, "none"))
    assert unit.hot_activations == pytest.approx(unit.activations - mean)
    assert unit.hot_activations == pytest.approx(
        0.5 * (moe_activation_bytes(sc.model, dataclasses.replace(sh, imbalance=1.0))
               - 4096 * sc.model.experts * 4)  # the router's probabilities do not scale
    )  # fmt: skip
