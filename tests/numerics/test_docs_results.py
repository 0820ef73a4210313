"""README.md and docs/numerics.md quote the saved benchmark results, exactly.

``python benchmarks/bench_numerics_train.py`` runs ``dojosim numerics train`` and
``dojosim numerics compare`` for video and charlm and saves what they print (their
``--json`` documents and timings) to benchmarks/results/numerics_train.json. The
tables in the docs are renderings of that file (:mod:`dojosim.numerics.report`, the
code ``compare`` prints with), so any edit to either side that breaks agreement fails
here. The saved runs must also be those of today's defaults and meet the targets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dojosim.numerics import compare, report
from dojosim.numerics.train_config import MODELS

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results" / "numerics_train.json"
LONG = ("video", "charlm")
TOLERANCE = {"charlm": 0.03, "video": 0.05}


@pytest.fixture(scope="module")
def saved() -> dict[str, Any]:
    return json.loads(RESULTS.read_text())["models"]


def test_docs_quote_the_tables_compare_prints(saved: dict[str, Any]) -> None:
    docs = (ROOT / "docs" / "numerics.md").read_text()
    readme = (ROOT / "README.md").read_text()
    for model in LONG:
        assert report.table(saved[model]["compare"]["result"]) in docs, model
    assert report.table(saved["video"]["compare"]["result"]) in readme
    results = {m: saved[m]["compare"]["result"] for m in LONG}
    assert report.markdown_results(results) in docs
    assert report.markdown_timings({m: saved[m] for m in LONG}) in docs
    for model in LONG:
        image = f"img/numerics-compare-{model}.png"
        assert f"]({image})" in docs
        assert (ROOT / "docs" / image).stat().st_size > 10_000


def test_saved_runs_are_todays_defaults(saved: dict[str, Any]) -> None:
    labels = [r.label for r in compare.recipes()]
    for model in LONG:
        doc = saved[model]["compare"]["result"]
        assert doc["steps"] == MODELS[model].steps and doc["seed"] == 0
        assert [r["label"] for r in doc["runs"]] == labels
        assert saved[model]["train"]["command"] == f"dojosim numerics train --model {model}"


def test_saved_results_meet_the_targets(saved: dict[str, Any]) -> None:
    for model in LONG:
        runs = {r["label"]: r for r in saved[model]["compare"]["result"]["runs"]}
        for r in runs.values():  # the gaps are what the losses say
            assert r["vs_reference"] == pytest.approx(
                r["final_loss"] / runs["bf16"]["final_loss"] - 1
            )
            assert r["loss_curve"][-1]["loss"] == r["final_loss"]
        assert abs(runs["cfp8 bias=auto"]["vs_reference"]) <= TOLERANCE[model]
        assert runs["cfp8 bias=7,15"]["vs_reference"] >= 0.10  # visibly worse
        # The train command and the comparison ran the same seeded run.
        assert saved[model]["train"]["same_as_compare"]
        assert saved[model]["train"]["final_loss"] == runs["cfp8 bias=auto"]["final_loss"]
