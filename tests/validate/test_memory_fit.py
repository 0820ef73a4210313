"""Validation says which runs that ran the estimate would not fit in memory."""

from __future__ import annotations

import dataclasses
import io

import pytest
from rich.console import Console

from dojosim.perf.estimate import estimate
from dojosim.report.tables import scores_table
from dojosim.validate import Score, score, summary


def _row(name: str, fits: bool | None, role: str = "check", kind: str = "run") -> Score:
    return Score(name, role, "step_time_s", 1.0, 1.1, 0.1, None, None, "src", kind=kind, fits=fits)


def test_a_score_carries_the_estimates_memory_fit() -> None:
    """GPT-3 5B on one DGX A100 without recomputation: 10.5 GB of weights, 21.0 GB of fp32
    gradients, 7.9 GB of sharded optimizer state and 45.9 GB of activations (Korthikanti's
    34 + 5as/h bytes per token and hidden unit, 24 layers, two 2,048-token sequences) and
    2.1 GB transient come to 87.3 GB, over the A100's 85.1 GB; the run ran."""
    from dojosim import catalog

    run = catalog.get("run", "nemo-gpt3-5b-8-a100")
    est = estimate(run.scenario)
    mem = est.memory
    by_hand = 2048 * 2 * 4096 * (34 + 5 * 32 * 2048 / 4096) * 24  # s b h (34 + 5as/h) x layers
    assert mem["activations"] == pytest.approx(by_hand, rel=1e-3)
    assert mem["gradients"] == pytest.approx(2 * mem["weights"])  # fp32 against bf16
    assert mem["total"] == pytest.approx(87.3e9, rel=1e-3) and est.memory_capacity_bytes < 85.2e9
    assert score(run.name).fits is False
    assert score("korthikanti22-175b-selective").fits is True


def test_the_summary_names_the_runs_over_memory_and_never_a_claim() -> None:
    rows = [_row("a", True), _row("b", False), _row("c", None, role="claim", kind="set")]
    st = summary(rows)
    assert st["check"]["not_fitting"] == ["b"]
    assert all(name != "c" for group in st.values() for name in group["not_fitting"])


def test_the_table_counts_them() -> None:
    rows = [_row("a", False), _row("b", False), _row("c", True)]
    out = io.StringIO()
    Console(file=out, width=200).print(scores_table(rows, summary(rows)))
    assert "over memory: 2" in out.getvalue()
    assert "not_fitting" in out.getvalue()


def test_the_web_summary_counts_them() -> None:
    from dojosim.report.sections import summary_html

    rows = [_row("a", False), _row("b", True)]
    html = summary_html(summary(rows))
    assert "over memory</th>" in html
    assert "<td class='num' data-col='not_fitting'>1</td>" in html


def test_groups_count_the_runs_over_memory() -> None:
    from dojosim.report.sections import groups_html
    from dojosim.validate.groups import groups

    rows = [
        dataclasses.replace(_row("a", False), system="x"),
        dataclasses.replace(_row("b", True), system="x"),
        dataclasses.replace(_row("c", False), system="y"),
        dataclasses.replace(_row("d", False), system="y"),
    ]
    found = {g["system"]: g["not_fitting"] for g in groups(rows, "system")}
    assert found == {"x": ["a"], "y": ["c", "d"]}
    assert "<td class='num' data-col='not_fitting'>2</td>" in groups_html(
        groups(rows, "system"), "system"
    )
