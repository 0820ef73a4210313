"""`dojosim workload show|list` for catalog models (no torch needed)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from dojosim import catalog
from dojosim.cli import app
from dojosim.errors import CatalogError, SpecError
from dojosim.workload import accounting as acc

runner = CliRunner()


def test_show_model_json_is_one_document_with_the_breakdown() -> None:
    r = runner.invoke(app, ["workload", "show", "deepseek-v3", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    m = catalog.get("model", "deepseek-v3")
    assert d["kind"] == "model" and d["seq_len"] == 4096
    assert d["params"] == acc.total_params(m)
    assert d["active_params"] == acc.active_params(m)
    flops = d["training_flops_breakdown"]
    assert set(flops) >= {"router", "routed_experts", "shared_experts", "mla_projections",
                          "attention", "logits", "mtp"}  # fmt: skip
    assert d["training_flops_per_token"] == pytest.approx(sum(flops.values()))
    assert d["training_flops_per_token"] == pytest.approx(acc.training_flops_per_token(m))
    assert d["training_flops_per_token_causal"] < d["training_flops_per_token"]
    assert [k["kind"] for k in d["layer_kinds"]] == ["dense", "moe"]
    assert [k["count"] for k in d["layer_kinds"]] == [3, 58]
    assert d["checks"] and all(c["ok"] for c in d["checks"])
    assert "PaLM" in d["flops_convention"]


def test_seq_len_changes_only_attention() -> None:
    short = json.loads(runner.invoke(app, ["workload", "show", "llama3-405b", "--json"]).stdout)
    r = runner.invoke(app, ["workload", "show", "llama3-405b", "--json", "--seq-len", "131072"])
    long = json.loads(r.stdout)
    assert long["seq_len"] == 131072
    a, b = short["training_flops_breakdown"], long["training_flops_breakdown"]
    assert b["attention"] == pytest.approx(16 * a["attention"])
    assert {k: v for k, v in a.items() if k != "attention"} == {
        k: v for k, v in b.items() if k != "attention"
    }


def test_show_model_table() -> None:
    r = runner.invoke(app, ["workload", "show", "mixtral-8x7b"])
    assert r.exit_code == 0, r.output
    assert "46,702,792,704 total" in r.stdout
    assert "routed experts" in r.stdout and "published counts" in r.stdout
    assert "FAIL" not in r.stdout


def test_list_has_models_and_networks() -> None:
    r = runner.invoke(app, ["workload", "list", "--json"])
    rows = json.loads(r.stdout)
    kinds = {row["name"]: row["kind"] for row in rows}
    assert kinds["deepseek-v3"] == "model" and kinds["resnet50-224"] == "network"
    models = json.loads(
        runner.invoke(app, ["workload", "list", "--kind", "model", "--json"]).stdout
    )
    assert {row["kind"] for row in models} == {"model"}
    assert runner.invoke(app, ["workload", "list", "--kind", "models"]).exception is not None


def test_unknown_name_suggests_a_model() -> None:
    r = runner.invoke(app, ["workload", "show", "deepsek-v3"])
    assert isinstance(r.exception, CatalogError)
    assert "deepseek-v3" in str(r.exception)
    r = runner.invoke(app, ["workload", "show", "dbrx", "--seq-len", "0"])
    assert isinstance(r.exception, SpecError)


def test_cli_error_is_one_line_exit_2() -> None:
    p = subprocess.run([sys.executable, "-m", "dojosim.cli", "workload", "show", "mixtral-8x7"],
                       capture_output=True, text=True, check=False)  # fmt: skip
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "mixtral-8x7b" in p.stderr


def test_the_docs_table_is_what_the_library_computes() -> None:
    """docs/workloads.md quotes total, active and training FLOPs: they must stay in agreement."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "workloads.md").read_text()
    rows = re.findall(
        r"\| `([a-z0-9.-]+)` \| ([\d.]+) B \| [\d.]+ B \| ([\d.]+) B \| [\d.]+ B \| ([\d.]+) G at ([\d,]+) \|",
        text,
    )
    assert len(rows) == 9
    for name, total, active, flops, seq in rows:
        m = catalog.get("model", name)
        pub = next(p for p in m.params_published if p.active)
        assert f"{acc.total_params(m) / 1e9:.2f}" == total, name
        assert (
            f"{acc.active_params(m, count_embedding=pub.active_counts_embedding) / 1e9:.2f}"
            == active
        )
        assert (
            f"{acc.training_flops_per_token(m) / 1e9:.1f}" == flops
            and int(seq.replace(",", "")) == m.seq_len
        )
    dsv3 = catalog.get("model", "deepseek-v3").model_copy(update={"mtp_depth": 0})
    assert f"{acc.training_flops_per_token(dsv3, causal=True) / 1e9:.1f} G" in text
