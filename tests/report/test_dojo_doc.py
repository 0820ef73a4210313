"""docs/dojo.md's figures are the ones `dojosim demo`, `dojosim estimate` and
`dojosim validate --role claim` print."""

from __future__ import annotations

from pathlib import Path

import pytest

DOC = " ".join((Path(__file__).resolve().parents[2] / "docs" / "dojo.md").read_text().split())


@pytest.mark.slow
def test_figures_table() -> None:
    from dojosim import estimate
    from dojosim.report.dojo_demo import dojo_section

    est = estimate("gpt3-175b-dojo-exapod")
    lay = est.layout
    assert f"| ExaPOD (3,000 D1) | {est.step_time_s:.2f} s | {est.mfu:.1%} | compute" in DOC
    region = " x ".join(str(x) for x in lay["slice"]["tensor_region"])
    assert f"TP {lay['tensor']} on a {region} region, {lay['pipeline']} stages" in DOC
    rows = {r["machine"]: r for r in dojo_section()["machines"]}
    for machine, words in (
        ("Dojo ExaPOD", "| ExaPOD |"),
        ("5,760 A100 (Tesla 2021)", "| 5,760 A100 |"),
        ("10,000 H100", "| 10,000 H100 |"),
    ):
        g = rows[machine]["gpt3"]
        assert f"{words} {g['step_time_s']:.2f} s | {g['mfu']:.1%} |" in DOC, machine
    video = rows["Dojo ExaPOD"]["video"]
    assert f"{video['compute_clips_per_s']:,.0f} clips/s compute" in DOC
    assert f"{video['clips_per_s']:,.0f} clips/s with ingest" in DOC


def test_claims_table() -> None:
    from dojosim.validate import validate

    ours = {s.run: s.predicted for s in validate(["claim"])}
    for run, words in (
        ("dojo-tile-vs-dgx-a100", "one tile replaces 6 GPU boxes (AI Day 2022) | 6 |"),
        ("exapod-vs-a100-cluster-performance-per-cost", "at the same cost (AI Day 2021) | 4 |"),
        ("exapod-vs-a100-cluster-performance-per-watt", "per watt (AI Day 2021) | 1.3 |"),
    ):
        assert f"{words} {ours[run]:.1f} |" in DOC, run
