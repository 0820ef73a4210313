"""FLOP and activation counts against the closed forms of Narayanan et al. 2021 and
Korthikanti et al. 2022, and parameter counts against the published model sizes."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.spec.workload import ModelSpec
from dojosim.workload.transformer import (
    LayerShape,
    activation_bytes_per_layer,
    model_flops_per_token,
    total_params,
)


@pytest.mark.parametrize("name", ["megatron-22b", "gpt3-175b", "megatron-530b", "megatron-1t"])
def test_model_flops_equal_korthikanti_formula(name: str) -> None:
    """Forward FLOPs per token x 3 = 72 B s l h^2 (1 + s/6h + V/12hl) / (B s) (Appendix A)."""
    m = catalog.get("model", name)
    s, h, layers, v = m.seq_len, m.hidden, m.layers, m.vocab
    closed = 72 * layers * h * h * (1 + s / (6 * h) + v / (12 * h * layers))
    assert 3 * model_flops_per_token(m, s) == pytest.approx(closed, rel=1e-12)


@pytest.mark.parametrize(
    ("name", "published"),
    [
        ("megatron-22b", 22e9),
        ("gpt3-175b", 175e9),
        ("megatron-530b", 530e9),
        ("megatron-1t", 1.0e12),
    ],
)
def test_params_match_published_size(name: str, published: float) -> None:
    m = catalog.get("model", name)
    assert total_params(m) == pytest.approx(published, rel=0.03)


def _m() -> ModelSpec:
    return catalog.get("model", "gpt3-175b")


@pytest.mark.parametrize("t", [1, 2, 8])
def test_activations_tensor_parallel_only(t: int) -> None:
    """sbh(10 + 24/t + 5as/(ht)) with no recompute and no sequence parallelism (eq. 2)."""
    m = _m()
    s, b, h, a = 2048, 1, m.hidden, m.heads
    got = activation_bytes_per_layer(m, LayerShape(b, s, t, False, False, 2), "none")
    assert got == pytest.approx(s * b * h * (10 + 24 / t + 5 * a * s / (h * t)))


@pytest.mark.parametrize("t", [2, 8])
def test_activations_sequence_parallel_selective(t: int) -> None:
    """sbh * 34 / t with sequence parallelism and selective recompute (eq. 5)."""
    m = _m()
    s, b, h = 2048, 1, m.hidden
    got = activation_bytes_per_layer(m, LayerShape(b, s, t, True, False, 2), "selective")
    assert got == pytest.approx(s * b * h * 34 / t)


def test_activations_full_recompute() -> None:
    """Only the layer input, 2 sbh (sharded by t with sequence parallelism)."""
    m = _m()
    got = activation_bytes_per_layer(m, LayerShape(1, 2048, 8, True, False, 2), "full")
    assert got == pytest.approx(2 * 2048 * m.hidden / 8)


def test_flash_attention_drops_score_memory() -> None:
    m = _m()
    flash = activation_bytes_per_layer(m, LayerShape(1, 2048, 8, True, True, 2), "none")
    sel = activation_bytes_per_layer(m, LayerShape(1, 2048, 8, True, False, 2), "selective")
    assert flash == pytest.approx(sel)
