"""`dojosim workload list|show` through its typer app (the lead mounts it on the main CLI)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

import typer
from typer.testing import CliRunner

from dojosim.cli.workload import app as workload_app
from dojosim.errors import CatalogError, SpecError

root = typer.Typer()
root.add_typer(workload_app, name="workload")
runner = CliRunner()


def test_show_json_is_one_document() -> None:
    r = runner.invoke(root, ["workload", "show", "vit-b16-224", "--json", "--batch", "4"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["name"] == "vit-b16-224"
    assert d["forward_flops"] == pytest.approx(35.13e9, rel=1e-3)
    assert d["batch"]["samples"] == 4
    assert d["batch"]["forward_flops"] == pytest.approx(4 * d["forward_flops"])
    assert all(c["ok"] for c in d["checks"]) and len(d["checks"]) == 3
    assert len(d["top_layers"]) == 10 and d["layers"]


def test_show_table() -> None:
    r = runner.invoke(root, ["workload", "show", "resnet50-224", "--top", "3"])
    assert r.exit_code == 0, r.output
    assert "8.18 GFLOP per sample" in r.stdout
    assert "25,557,032" in r.stdout
    assert "published counts" in r.stdout


def test_list() -> None:
    r = runner.invoke(root, ["workload", "list", "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert "fsd-multicam-8cam" in {row["name"] for row in rows}


def test_unknown_network_suggests() -> None:
    r = runner.invoke(root, ["workload", "show", "resnet50"])
    assert isinstance(r.exception, CatalogError)
    assert "resnet50-224" in str(r.exception)


def test_bad_batch() -> None:
    r = runner.invoke(root, ["workload", "show", "vit-b16-224", "--batch", "0"])
    assert isinstance(r.exception, SpecError)


def test_bad_builder_config_names_the_field() -> None:
    from dojosim.workload.builders import build

    with pytest.raises(SpecError, match=r"config\.widht"):
        build("vit", {"image": 224, "patch": 16, "widht": 768, "width": 768, "depth": 1,
                      "heads": 12, "mlp": 3072, "classes": 10})  # fmt: skip
    with pytest.raises(SpecError, match=r"config\.depth"):
        build("vit", {"image": 224, "patch": 16, "width": 768, "heads": 12, "mlp": 1, "classes": 1})
    with pytest.raises(SpecError, match="unknown builder"):
        build("vitt", {})


def test_published_needs_one_count() -> None:
    from pydantic import ValidationError

    from dojosim.spec.network import PublishedCount

    with pytest.raises(ValidationError):
        PublishedCount(multiply_adds=1e9, flops=2e9, source="x")
    with pytest.raises(ValidationError):
        PublishedCount(source="x")
    assert PublishedCount(multiply_adds="17.6e9", source="x").forward_flops == 35.2e9
