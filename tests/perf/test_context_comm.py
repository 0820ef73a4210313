"""Context parallelism's key/value exchange, by hand: the ring hides it under the attention,
the all-gather (Llama 3, arXiv 2407.21783 Section 3.3.2) waits for it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dojosim import estimate
from dojosim.hardware.collectives import collective_time
from dojosim.perf.compute import under
from dojosim.perf.context import context
from dojosim.perf.optimise import search
from dojosim.perf.parallel_comm import context_comm
from dojosim.spec.resolve import resolve
from dojosim.workload.ops import ATTENTION_BACKWARD_FLOPS
from dojosim.workload.transformer import attention_core_forward

LONG: dict[str, Any] = {
    "name": "cp-exchange",
    "model": {"base": "llama3-8b", "seq_len": 65536},
    "system": "dgx-h100",
    "chips": 64,
    "precision": "bf16",
    "parallelism": {
        "tensor": 4, "pipeline": 1, "context": 16, "data": 1, "global_batch": 1,
        "sequence_parallel": True, "recompute": "selective", "zero": 1,
    },
}  # fmt: skip


def _parts(sc: dict[str, Any]) -> tuple[Any, ...]:
    ctx = context(resolve(sc))
    lay = search(ctx).best.layout  # type: ignore[union-attr]
    return ctx, lay, ctx.layer_shape(lay), ctx.groups(lay)


def test_all_gather_exposes_what_the_ring_hides() -> None:
    ctx, lay, sh, g = _parts(LONG)
    m = ctx.sc.model
    # keys and values of this rank's 4,096 tokens: 2 x tokens x (8 KV heads / tensor 4) x 128 x 2 B
    kv = 2 * sh.b * sh.s * (m.n_kv_heads // sh.t) * m.dhead * sh.e
    assert sh.s == 65536 // 16 and kv == 2 * 4096 * 2 * 128 * 2
    gather = collective_time(ctx.fab, "all_gather", kv * 16, 16, lay.tensor)
    attn = ctx.cm.ops_time(attention_core_forward(m, sh))
    s = ctx.cm.overlap_slowdown
    assert context_comm(m, sh, ctx.cm, ctx.fab, g) == pytest.approx(
        (under(gather, attn, s), under(2 * gather, ATTENTION_BACKWARD_FLOPS * attn, s))
    )
    exposed = replace(g, context_exposed=True)
    assert context_comm(m, sh, ctx.cm, ctx.fab, exposed) == pytest.approx((gather, 2 * gather))


def test_the_scenario_knob_reaches_the_step() -> None:
    ring = estimate(LONG)
    gathered = estimate(
        LONG | {"parallelism": LONG["parallelism"] | {"context_comm": "all_gather"}}
    )
    assert gathered.step_time_s > ring.step_time_s
    assert gathered.breakdown["tensor_comm_s"] > ring.breakdown["tensor_comm_s"]
    assert gathered.breakdown["forward_s"] == ring.breakdown["forward_s"]
