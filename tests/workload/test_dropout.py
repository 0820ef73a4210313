"""A model that trains without dropout keeps no dropout masks and writes none (by hand,
from Korthikanti et al. 2022, arXiv 2205.05198, Section 4: the two ``sbh`` mask bytes of a
layer and the ``as^2b`` attention-dropout mask, with the attention dropout's ``2as^2b``
output)."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.workload.transformer import LayerShape, activation_bytes_per_layer, layer_forward


def _gpt3(dropout: float):  # type: ignore[no-untyped-def]
    return catalog.get("model", "gpt3-175b").model_copy(update={"dropout": dropout})


def test_gpt3_trains_with_megatrons_default_dropout() -> None:
    assert catalog.get("model", "gpt3-175b").dropout == 0.1


@pytest.mark.parametrize("name", ["llama3-405b", "qwen3-30b-a3b", "deepseek-v3", "mpt-7b"])
def test_recipes_without_dropout(name: str) -> None:
    assert catalog.get("model", name).dropout == 0.0


def test_no_dropout_without_sequence_parallel_no_flash() -> None:
    """sbh(10 + 24/t + 5as/(ht)) becomes sbh(8 + 24/t + 2as/(ht)): the two 1-byte masks
    go, and of the scores' 5 bytes per element only the 2-byte softmax output stays."""
    s, b, t = 2048, 1, 8
    m = _gpt3(0.0)
    h, a = m.hidden, m.heads
    got = activation_bytes_per_layer(m, LayerShape(b, s, t, False, False, 2), "none")
    assert got == pytest.approx(s * b * h * (8 + 24 / t + 2 * a * s / (h * t)))


def test_no_dropout_sequence_parallel_selective() -> None:
    """sbh * 34 / t less the two masks: sbh * 32 / t."""
    s, b, t = 2048, 1, 8
    m = _gpt3(0.0)
    got = activation_bytes_per_layer(m, LayerShape(b, s, t, True, False, 2), "selective")
    assert got == pytest.approx(s * b * m.hidden * 32 / t)


def test_no_dropout_writes_no_masks() -> None:
    """The residual adds move 3 bytes of 2-byte elements per element, not 3 x 2 + 1, and the
    attention has no dropout kernel."""
    s, b, t = 2048, 1, 8
    sh = LayerShape(b, s, t, False, False, 2)
    with_ = {o.name: o for o in layer_forward(_gpt3(0.1), sh)}
    without = {o.name: o for o in layer_forward(_gpt3(0.0), sh)}
    h = 12288
    assert with_["dropout_add1"].bytes == pytest.approx(s * b * h * 7)
    assert without["dropout_add1"].bytes == pytest.approx(s * b * h * 6)
    assert without["dropout_add2"].bytes == pytest.approx(s * b * h * 6)
    assert "attn_dropout" in with_ and "attn_dropout" not in without
    assert set(with_) - set(without) == {"attn_dropout"}


def test_dropout_must_be_a_probability() -> None:
    with pytest.raises(ValueError, match="dropout"):
        catalog.get("model", "gpt3-175b").model_validate(
            {**catalog.get("model", "gpt3-175b").model_dump(), "dropout": 1.5}
        )


def test_estimator_doc_quotes_the_llama3_405b_share() -> None:
    """docs/estimator.md quotes the masks' share of a Llama 3 405B layer (tensor 8, sequence
    parallelism, fused attention, 8,192 tokens)."""
    from pathlib import Path

    m = catalog.get("model", "llama3-405b")
    sh = LayerShape(1, 8192, 8, True, True, 2)
    without = activation_bytes_per_layer(m, sh, "none")
    with_ = activation_bytes_per_layer(m.model_copy(update={"dropout": 0.1}), sh, "none")
    assert with_ - without == pytest.approx(2 * 8192 * m.hidden / 8)
    doc = (Path(__file__).parents[2] / "docs" / "estimator.md").read_text()
    assert f"{100 * (with_ - without) / with_:.1f}% of what a Llama 3 405B layer keeps" in doc


def test_workload_show_names_the_dropout() -> None:
    import json

    from typer.testing import CliRunner

    from dojosim.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["workload", "show", "llama3-8b"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0].endswith("mha attention, no dropout")
    r = runner.invoke(app, ["workload", "show", "gpt3-175b", "--json"])
    assert json.loads(r.stdout)["architecture"]["dropout"] == 0.1
