"""Grouped validation errors (dojosim validate --by), checked by hand on made-up rows."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from dojosim.cli import app
from dojosim.validate import Score
from dojosim.validate.groups import groups


def row(run: str, metric: str, measured: float, predicted: float, **kw: object) -> Score:
    return Score(
        run, kw.pop("role", "check"), metric, measured, predicted,  # type: ignore[arg-type]
        predicted / measured - 1, None, None, "made up", kind="run", **kw,  # type: ignore[arg-type]
    )  # fmt: skip


ROWS = [
    # a step 10% long and a throughput 20% low: both slower than measured
    row("a", "step_time_s", 10.0, 11.0, system="x", chips=8),
    row("b", "tokens_per_s", 100.0, 80.0, system="x", chips=1000),
    # a throughput 25% high: a step predicted at 0.8 of the measured one
    row("c", "tokens_per_s", 100.0, 125.0, system="y", chips=5000),
    row("d", "step_time_s", 1.0, 2.0, system="z", role="input"),  # never grouped
]


def test_by_system_by_hand() -> None:
    out = {g["system"]: g for g in groups(ROWS, "system")}
    assert set(out) == {"x", "y"}
    x = out["x"]
    assert x["rows"] == 2
    assert x["mean_abs_error"] == pytest.approx((0.1 + 0.2) / 2)
    assert x["median_abs_error"] == pytest.approx(0.15)
    assert x["max_abs_error"] == pytest.approx(0.2)
    assert x["worst"] == "b"
    # log step errors: log(1.1) and log(100 / 80); their mean, back to a relative error
    assert x["mean_step_error"] == pytest.approx(math.sqrt(1.1 * 1.25) - 1)
    assert out["y"]["mean_step_error"] == pytest.approx(100 / 125 - 1)
    # largest mean |error| first
    assert [g["system"] for g in groups(ROWS, "system")] == ["y", "x"]


def test_by_chips_uses_the_scale_bands_in_order() -> None:
    out = groups(ROWS, "chips")
    assert [g["chips"] for g in out] == ["1-64", "513-4,096", "over 4,096"]
    assert [g["rows"] for g in out] == [1, 1, 1]


def test_unknown_grouping_is_refused() -> None:
    with pytest.raises(ValueError, match="by: expected"):
        groups(ROWS, "colour")


runner = CliRunner()


def test_cli_by_system_json_is_one_document() -> None:
    result = runner.invoke(app, ["validate", "--json", "--role", "calibration", "--by", "system"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["by"] == "system"
    assert sum(g["rows"] for g in doc["groups"]) == 8  # the eight calibration rows
    assert all(g["max_abs_error"] >= g["mean_abs_error"] for g in doc["groups"])


def test_cli_by_table_and_bad_key() -> None:
    text = runner.invoke(app, ["validate", "--role", "calibration", "--by", "chips"])
    assert text.exit_code == 0 and "mean step error" in text.stdout


def test_cli_bad_grouping_is_one_line_exit_2() -> None:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "dojosim.cli", "validate", "--by", "chipz"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "did you mean 'chip' or 'chips'" in proc.stderr


def test_groups_html_names_each_group_and_its_bias() -> None:
    from dojosim.report.sections import groups_html

    html = groups_html(groups(ROWS, "system"), "system")
    assert 'data-by="system"' in html
    assert 'data-group="x"' in html and 'data-group="y"' in html
    assert "-20.0 %" in html  # y: a step predicted at 0.8 of the measured one
    assert "<script" not in html
