"""Rows measured under a software regression their publisher reports: their own role, their
own summary, and kept out of the check rows' figures, residuals and intervals."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from dojosim import catalog
from dojosim.spec.run import RunSpec
from dojosim.validate import ROLES, Score, summary
from dojosim.validate.coverage import residuals_by_family, scale_trend


def _run(**kw: Any) -> dict[str, Any]:
    return {
        "name": "r",
        "source": "a table",
        "role": "check",
        "metric": "step_time_s",
        "measured": 1.0,
        "scenario": {"model": "gpt3-175b", "system": "dgx-a100-80g", "chips": 8},
        **kw,
    }


def test_a_regression_row_cites_the_report() -> None:
    with pytest.raises(ValidationError, match="needs regression"):
        RunSpec.model_validate(_run(role="regression"))
    with pytest.raises(ValidationError, match="only a row with role regression"):
        RunSpec.model_validate(_run(regression="issue 1: 2x slower"))
    ok = RunSpec.model_validate(_run(role="regression", regression="issue 1: 2x slower"))
    assert ok.role == "regression" and "regression" in ROLES


def _score(run: str, role: str, error: float) -> Score:
    return Score(
        run,
        role,
        "step_time_s",
        1.0,
        1.0 + error,
        error,
        None,
        None,
        "s",
        kind="run",
        workload="moe",
        chips=16,
    )


def test_summary_keeps_regression_rows_apart() -> None:
    scores = [
        _score("a", "check", 0.1),
        _score("b", "check", -0.3),
        _score("c", "regression", -0.5),
    ]
    st = summary(scores)
    assert st["check"]["count"] == 2 and st["check"]["mean_abs_error"] == pytest.approx(0.2)
    assert st["check: moe"]["count"] == 2 and st["check"]["max_abs_error"] == pytest.approx(0.3)
    assert st["regression"]["count"] == 1 and st["regression"]["max_abs_error"] == 0.5
    assert scores[2].status == "regression" and scores[0].status == "no tolerance"
    # the scale trend sees the two check rows only: log(1.1) and log(0.7) by hand
    (band,) = scale_trend(scores)["bands"]
    assert band["rows"] == 2 and band["mean_step_error"] == pytest.approx((1.1 * 0.7) ** 0.5 - 1)


def test_catalog_regression_rows_stay_out_of_the_residuals() -> None:
    names = [n for n in catalog.names("run") if catalog.get("run", n).role == "regression"]
    assert names
    for n in names:
        assert catalog.get("run", n).regression
    scores = [_score(n, "regression", 0.9) for n in names]
    assert residuals_by_family(scores) == {}


def test_cli_scores_the_regression_rows_with_their_report() -> None:
    import json

    from typer.testing import CliRunner

    from dojosim.cli import app

    result = CliRunner().invoke(app, ["validate", "--json", "--role", "regression"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows and all(r["role"] == r["status"] == "regression" for r in rows)
    assert all("issues/1998" in r["note"] for r in rows)
