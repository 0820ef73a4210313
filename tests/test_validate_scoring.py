"""`dojosim validate`: units shown, no mean across units, input-restating rows kept out, failures named."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from dojosim import validate as v
from dojosim.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def scores() -> list[Any]:
    return v.validate()


def test_every_row_has_a_unit_and_a_status(scores: list[Any]) -> None:
    for s in scores:
        assert s.unit, s.run
        assert s.status in ("ok", "failed", "no tolerance", "input", "regression")
    runs = [s for s in scores if s.kind == "run"]
    assert all(s.unit == v.METRIC_UNITS[s.metric] for s in runs)


def test_a_row_that_cannot_fail_is_marked_input(scores: list[Any]) -> None:
    """A claim whose value comes out exactly equal restates an input; it must say which."""
    exact = [s for s in scores if s.kind != "run" and abs(s.error) < 1e-9]
    assert exact, "the catalog has rows that restate inputs (700 W vs 700 W)"
    for s in exact:
        reproduction = "reproduction" in s.note  # a published model re-run on its own inputs
        assert (s.role == "input" and s.restates) or reproduction, s.run
    names = {s.run for s in scores if s.role == "input"}
    assert {"suncatcher-cluster-size"} <= names


def test_input_rows_are_in_no_summary(scores: list[Any]) -> None:
    summary = v.summary(scores)
    # "check: <workload>" keys split the check runs again; each row counts once elsewhere
    counted = sum(int(st["count"]) for key, st in summary.items() if ": " not in key)
    by_workload = sum(int(st["count"]) for key, st in summary.items() if key.startswith("check: "))
    assert by_workload == len([s for s in scores if s.role == "check" and s.kind == "run"])
    expected = [s for s in scores if s.role in ("calibration", "check", "regression")]
    expected += [s for s in scores if s.role == "claim" and s.tolerance is not None]
    assert counted == len(expected)
    assert not any(key.startswith("input") for key in summary)


def test_no_summary_averages_rows_of_different_units(scores: list[Any]) -> None:
    summary = v.summary(scores)
    for key, st in summary.items():
        if key.startswith("check: "):  # check runs of one workload: relative step errors
            group = [
                s for s in scores if s.kind == "run" and s.role == "check" and s.workload == key[7:]
            ]
            assert st["count"] == len(group), key
            continue
        role, _, unit = key.partition(" [")
        if not unit:  # a role's runs (relative errors of the step estimate), or one unit only
            group = [s for s in scores if s.role == role and s.kind == "run"]
            if not group:
                group = [s for s in scores if s.role == role and s.tolerance is not None]
                assert len({s.unit for s in group}) == 1, key
        else:
            group = [
                s for s in scores if s.role == role and s.unit == unit[:-1] and s.kind != "run"
            ]
            group = [s for s in group if s.role != "claim" or s.tolerance is not None]
        assert st["count"] == len(group), key
        assert st["mean_abs_error"] == pytest.approx(sum(abs(s.error) for s in group) / len(group))
    assert any(key.startswith("claim [") for key in summary)  # claims do mix units


def test_failed_rows_are_named(scores: list[Any]) -> None:
    summary = v.summary(scores)
    named = {run for st in summary.values() for run in st["failed"]}
    assert named == {s.run for s in scores if s.within is False and s.role != "input"}


def test_cli_shows_units_input_and_failures() -> None:
    result = runner.invoke(app, ["validate", "--role", "claim", "--role", "input"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "unit" in out and "USD" in out and "W/m^2" in out
    assert "input (restates an input)" in out and "not summarised" in out
    assert "FAILED" in out and "failed:" in out
    rows = json.loads(runner.invoke(app, ["validate", "--json", "--role", "input"]).stdout)
    assert rows and all(
        r["role"] == "input" and r["status"] == "input" and r["restates"] for r in rows
    )


def test_cli_role_typo_suggests() -> None:
    from dojosim.errors import DojosimError

    result = runner.invoke(app, ["validate", "--role", "claims"])
    assert isinstance(result.exception, DojosimError)
    assert "did you mean 'claim'" in str(result.exception)


def test_scale_trend_by_hand() -> None:
    """Signed step errors by band of chips, and the slope of log error per decade of chips."""
    import math

    from dojosim.validate.coverage import scale_trend

    def row(chips: int, predicted_step: float) -> Any:
        return v.Score("r", "check", "step_time_s", 1.0, predicted_step, predicted_step - 1,
                       None, None, "", unit="s", chips=chips)  # fmt: skip

    # 10 chips 10% fast, 100 chips exact, 1,000 chips 10% slow: log errors -0.105, 0, +0.095
    trend = scale_trend([row(10, 0.9), row(100, 1.0), row(1000, 1.1)])
    bands = {b["chips"]: b for b in trend["bands"]}
    assert bands["1-64"]["mean_step_error"] == pytest.approx(-0.1)
    assert bands["65-512"]["mean_step_error"] == pytest.approx(0.0)
    assert bands["513-4,096"]["mean_step_error"] == pytest.approx(0.1)
    assert "over 4,096" not in bands
    assert trend["slope_per_decade"] == pytest.approx((math.log(1.1) - math.log(0.9)) / 2)
