"""A local-window layer's fused attention computes only its band (gpt-oss) or chunk (Llama 4),
at the rate of that many keys per query; global layers and unfused attention are unchanged.
By hand, against the causal key counts of ``workload.accounting``."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.perf.context import context
from dojosim.perf.optimise import search
from dojosim.spec.resolve import resolve
from dojosim.workload.transformer import LayerShape, attention_core_forward


def _flash(name: str, local: bool, s: int = 4096, flash: bool = True):  # type: ignore[no-untyped-def]
    m = catalog.get("model", name)
    return m, attention_core_forward(m, LayerShape(1, s, 1, False, flash, 2, local=local))


def test_sliding_band_of_gpt_oss() -> None:
    m, (glob,) = _flash("gpt-oss-120b", local=False)
    _, (band,) = _flash("gpt-oss-120b", local=True)
    qh, dh, s, w = m.heads, m.dhead, 4096, 128
    assert glob.flops == pytest.approx(4 * qh * s * (s / 2) * dh)  # half the causal square
    assert band.flops == pytest.approx(4 * qh * s * (w - w * w / (2 * s)) * dh)  # the band
    assert (glob.n, band.n) == (s, w)  # the attention efficiency is read at the keys per query
    assert band.bytes == glob.bytes  # queries, keys and values are still read once


def test_chunked_layer_of_llama4_scout_at_twice_its_chunk() -> None:
    m, (glob,) = _flash("llama4-scout", local=False, s=16384)
    _, (chunk,) = _flash("llama4-scout", local=True, s=16384)
    c = m.local_attention.window  # type: ignore[union-attr]
    assert chunk.flops == pytest.approx(glob.flops * c / 16384)
    assert chunk.n == c


def test_unfused_attention_scores_the_whole_sequence() -> None:
    _, ops = _flash("gpt-oss-120b", local=True, flash=False)
    _, full = _flash("gpt-oss-120b", local=False, flash=False)
    assert [o.flops for o in ops] == [o.flops for o in full]


def test_a_stage_holds_both_kinds_of_gpt_oss_layer() -> None:
    """gpt-oss alternates local and global layers (every second one global, counted from 1):
    a stage of n layers holds ceil(n/2) local and floor(n/2) global blocks, as separate units."""
    run = catalog.get("run", "mbridge260401-gpt-oss-120b-64-h100-bf16")
    ctx = context(resolve(run.scenario))
    found = search(ctx)
    lay = (found.best or found.smallest).layout  # type: ignore[union-attr]
    assert ctx._kinds(0, 4) == ((True, True), (True, False), (True, True), (True, False))
    n = lay.stage_layers[0]
    kinds = ctx._kinds(0, n)
    assert kinds is not None and sum(local for _, local in kinds) == n - n // 2
    stage = ctx.stages(lay)[0]
    assert sum(c for _, c in stage[1:]) == n  # the embedding first, then the blocks
    assert ctx.layer_shape(lay, True, True) != ctx.layer_shape(lay, True, False)
