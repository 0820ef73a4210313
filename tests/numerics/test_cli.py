"""`dojosim numerics ...` through the real CLI app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dojosim.cli import app

runner = CliRunner()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dojosim.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_info_prints_the_range() -> None:
    r = runner.invoke(app, ["numerics", "info", "cfp8_143", "--bias", "7"])
    assert r.exit_code == 0, r.output
    assert "largest            480" in r.output
    assert "smallest normal    0.015625 (2^-6)" in r.output
    assert "smallest denormal  0.001953125 (2^-9)" in r.output


def test_info_json_and_codes() -> None:
    r = runner.invoke(app, ["numerics", "info", "cfp8_152", "--bias", "15", "--codes", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["largest"] == 1.75 * 2.0**16
    assert doc["smallest_denormal"] == 2.0**-16
    assert len(doc["codes"]) == 256
    assert doc["codes"][0x7F]["value"] == doc["largest"]
    assert doc["codes"][0x80]["class"] == "zero"


def test_info_literal_denormals_and_code_table() -> None:
    r = runner.invoke(
        app, ["numerics", "info", "cfp8_143", "--bias", "0", "--denormals", "literal", "--codes"]
    )
    assert r.exit_code == 0, r.output
    assert "smallest denormal  0.125 (2^-3)" in r.output
    assert "0x7f  0  15     7  normal    61440.0" in r.output


@pytest.mark.parametrize(("name", "member"), [("cfp8", "cfp8_143"), ("CFP16", "cfp16_shp")])
def test_info_accepts_a_family_name_and_says_which_member(name: str, member: str) -> None:
    r = runner.invoke(app, ["numerics", "info", name])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"note: {name.lower()} is read as {member}")
    assert f"\n{member} (" in r.stdout
    doc = json.loads(runner.invoke(app, ["numerics", "info", name, "--json"]).stdout)
    assert doc["format"] == member and doc["requested"] == name and "read as" in doc["note"]
    plain = json.loads(runner.invoke(app, ["numerics", "info", member, "--json"]).stdout)
    assert "note" not in plain and plain["largest"] == doc["largest"]


def test_formats_lists_everything() -> None:
    r = runner.invoke(app, ["numerics", "formats", "--json"])
    names = [row["format"] for row in json.loads(r.stdout)]
    assert names[:4] == ["cfp8_143", "cfp8_152", "cfp16_shp", "cfp16_uhp"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["numerics", "info", "cfp8_134"], "did you mean 'cfp8_143'"),
        (["numerics", "info", "cfp8_143", "--bias", "64"], "outside 0..63"),
        (["numerics", "info", "cfp8_143", "--bias", "seven"], "--bias must be"),
        (["numerics", "train", "--format", "bf17", "--json"], "unknown number format"),
        (["numerics", "train", "--bias", "99"], "outside 0..63"),
        (["numerics", "train", "--model", "vidoe"], "did you mean 'video'"),
        (["numerics", "train", "--model", "video", "--epochs", "3"], "--epochs applies to"),
        (["numerics", "train", "--format", "fp8", "--bias", "7"], "amax"),
        (["numerics", "train", "--steps", "0"], "steps must be at least 1"),
        (["numerics", "compare", "--model", "charlmm"], "did you mean 'charlm'"),
        (["numerics", "compare", "--formats", "bf16,cfp9"], "not in the comparison"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    r = _run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dojosim: error:") and message in lines[0]


def test_train_json_is_one_document() -> None:
    r = _run("numerics", "train", "--epochs", "2", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)  # exactly one JSON document on stdout
    assert {"final_accuracy", "final_loss", "baseline_final_accuracy"} <= doc.keys()
    assert {"baseline_final_loss", "loss_curve", "seconds"} <= doc.keys()
    assert len(doc["curves"]["format"]["test_accuracy"]) == 2
    assert [p["step"] for p in doc["loss_curve"]] == [40, 80]  # one point per epoch
    assert doc["loss_curve"][-1]["loss"] == doc["final_loss"]
    assert doc["baseline"] == "fp32" and "training" in r.stderr


@pytest.mark.parametrize("model", ["video", "charlm"])
def test_train_the_new_models_json(model: str) -> None:
    args = ["numerics", "train", "--model", model, "--steps", "2", "--jobs", "1", "--json"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["model"] == model and doc["format"] == "cfp8 bias=auto"
    assert doc["baseline"] == "bf16"  # BF16 is the baseline of video and charlm
    assert {"final_loss", "baseline_final_loss", "loss_curve", "seconds"} <= doc.keys()
    assert "final_accuracy" not in doc
    assert [p["step"] for p in doc["loss_curve"]] == [1, 2]
    assert doc["biases"]["conv1.grad" if model == "video" else "head.grad"] > 20
    if model == "video":
        assert doc["copy_last_loss"] > 0


def test_train_table_and_plot(tmp_path: Path) -> None:
    png = tmp_path / "curves.png"
    r = runner.invoke(
        app, ["numerics", "train", "--epochs", "2", "--bias", "9", "--plot", str(png)]
    )
    assert r.exit_code == 0, r.output
    assert "cfp8_143 bias=9" in r.stdout and "final accuracy" in r.stdout
    assert png.stat().st_size > 1000


def test_compare_prints_one_table_and_writes_one_plot(tmp_path: Path) -> None:
    png = tmp_path / "cmp.png"
    args = ["numerics", "compare", "--model", "mlp", "--steps", "40", "--plot", str(png)]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    rows = [line.split()[0] for line in r.stdout.splitlines() if line[:1].isalnum()]
    for label in ("fp32", "bf16", "cfp16", "cfp8", "fp8"):
        assert label in rows
    assert "vs BF16" in r.stdout and png.stat().st_size > 1000
    doc = json.loads(runner.invoke(app, [*args, "--formats", "cfp8,fp8", "--json"]).stdout)
    assert [x["label"] for x in doc["runs"]] == ["bf16", "cfp8 bias=auto", "fp8 amax"]
    assert doc["runs"][0]["vs_reference"] == 0.0


def test_training_without_the_numerics_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    for cmd in (["train", "--model", "video"], ["compare"]):
        r = runner.invoke(app, ["numerics", *cmd])
        assert r.exit_code != 0
        assert "pip install 'dojosim[numerics]'" in str(r.exception)
