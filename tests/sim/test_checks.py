"""The goodput check rows: listed as `check` by `dojosim validate`, each able to fail."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import yaml

from dojosim import scenarios
from dojosim.sim import checks, goodput
from dojosim.site.schema import ClaimsEntry, site
from dojosim.validate import CLAIM_SETS, claim_scores, summary


@functools.cache
def rows() -> dict[str, object]:
    return {r.run: r for r in claim_scores(roles=["check"])}


def builtin(name: str) -> dict:  # type: ignore[type-arg]
    path = scenarios.path(name)
    assert path is not None
    return yaml.safe_load(path.read_text())


def test_every_row_is_a_check_with_a_tolerance_and_passes() -> None:
    entry = site("goodput-checks", ClaimsEntry)
    assert entry.role == "check"
    got = rows()
    assert {c.id for c in entry.claims} <= set(got)
    for c in entry.claims:
        r = got[c.id]
        assert r.role == "check" and r.kind == "goodput-checks"  # type: ignore[attr-defined]
        assert r.tolerance is not None and r.source  # type: ignore[attr-defined]
        assert r.within, (c.id, r.predicted, r.measured)  # type: ignore[attr-defined]
    counts = summary(got.values())  # type: ignore[arg-type]
    assert sum(st["count"] for k, st in counts.items() if k.startswith("check")) >= len(
        entry.claims
    )


def test_a_check_set_is_not_listed_as_claims() -> None:
    only = {"goodput-checks": CLAIM_SETS["goodput-checks"]}
    assert claim_scores(only, roles=["claim"]) == []


def test_rows_can_fail() -> None:
    """Each row compares a simulated or computed output with a published figure."""
    # a 30-minute restart would take Llama 3 below 90%
    d = builtin("llama3-405b-16k-h100-goodput")
    d["reliability"]["restart"] = "30 min"
    assert goodput(d, runs=5, sweep_runs=0).ettr < 0.90
    # the Llama 3 run's rates at 100,000 GPUs leave the synchronous job far above 44%
    d = builtin("ft-hsdp-100k-h100-sync")
    d["reliability"].update(failures="llama3-h100", spares=4096)
    e = goodput(d, runs=5, sweep_runs=0).ettr
    assert abs(e / 0.44 - 1) > 0.25
    assert e == pytest.approx(0.68, abs=0.02)  # the row's note quotes this
    # Young's first-order rule misses Daly's 15-minute case by 35%
    from dojosim.sim import optimum

    assert float(optimum.young(300.0, 900.0)) / 546.0 - 1 == pytest.approx(0.35, abs=0.01)


def test_note_sensitivity_of_the_llama3_restart() -> None:
    d = builtin("llama3-405b-16k-h100-goodput")
    d["reliability"]["restart"] = "15 min"
    assert goodput(d, runs=10, sweep_runs=0).ettr == pytest.approx(0.89, abs=0.01)


def test_inputs_come_from_the_catalog() -> None:
    assert checks.inputs("kokolis-mttf-16k-gpus")["failures"] == "kokolis-rsc1-a100"
    assert set(checks.COMPUTE) == {c.id for c in site("goodput-checks", ClaimsEntry).claims}


DOCS = (Path(__file__).resolve().parents[2] / "docs" / "goodput.md").read_text()


def _docs_row(label: str, orbit: bool = False) -> list[str]:
    """The cells of the first table row labelled ``label`` (in the orbit table if ``orbit``)."""
    text = DOCS.split("`dojosim goodput suncatcher-81-5y-goodput --runs 10`")[1 if orbit else 0]
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == label:
            return cells
    raise AssertionError(f"no row {label!r} in docs/goodput.md")


def _num(text: str) -> float:
    return float(re.findall(r"[-+]?\d[\d,]*\.?\d*", text)[0].replace(",", ""))


def test_docs_validation_table_matches_validate() -> None:
    """Section 5 of docs/goodput.md is what `dojosim validate --role check` prints."""
    for run, r in rows().items():
        if not run.startswith(("llama3-405b", "kokolis", "ft-hsdp", "daly2006")):
            continue
        cells = _docs_row(f"`{run}`")
        ours = _num(cells[2])
        scale = {"h": 3600.0, "min": 60.0}.get(cells[2].split()[-1], 1.0)
        assert ours == pytest.approx(r.predicted / scale, rel=2e-3), run  # type: ignore[attr-defined]


def test_docs_llama3_figures() -> None:
    d = goodput("llama3-405b-16k-h100-goodput", runs=100, seed=0).as_dict()
    assert _num(_docs_row("ETTR (p10..p90)")[1]) == pytest.approx(100 * d["ettr"]["mean"], abs=0.05)
    assert _num(_docs_row("unexpected interruptions (p10..p90)")[1]) == pytest.approx(
        d["interruptions"], abs=0.1
    )
    assert _num(_docs_row("job MTTF")[1]) == pytest.approx(d["job_mttf_s"] / 3600, abs=0.01)
    ck = d["checkpoint_interval_s"]
    shown = [
        float(x)
        for x in re.findall(
            r"\d+\.\d+", _docs_row("checkpoint interval chosen / Young-Daly / exact / simulated")[1]
        )
    ]
    # the chosen interval is a whole number of steps, which move with the step estimate
    assert shown[0] == pytest.approx(ck["chosen"] / 60, abs=d["step_time_s"] / 60 + 0.01)
    assert shown[1:3] == pytest.approx([ck["young_daly"] / 60, ck["exact"] / 60], abs=0.01)
    assert shown[3] == pytest.approx(ck["simulated"] / 60, abs=0.15)


def test_docs_orbit_figures() -> None:
    d = goodput("suncatcher-81-5y-goodput", runs=10, seed=0).as_dict()
    o = d["orbit"]
    assert _num(_docs_row("ETTR (p10..p90)", orbit=True)[1]) == pytest.approx(
        100 * d["ettr"]["mean"], abs=0.1
    )
    end, mean = re.findall(
        r"\d+\.\d+", _docs_row("capacity at the end / over the mission", True)[1]
    )
    assert float(end) == pytest.approx(100 * o["capacity_end"], abs=0.1)
    assert float(mean) == pytest.approx(100 * o["capacity_mean"], abs=0.1)
    assert _num(_docs_row("cost per delivered FLOP", True)[1].lstrip("x")) == pytest.approx(
        o["cost_per_delivered_flop_factor"], abs=0.01
    )
    assert _num(_docs_row("upset multiplier (orbit / ground)", True)[1]) == pytest.approx(
        o["radiation"]["upset_multiplier"], abs=0.1
    )
    # "the spares launched last under a year": capacity is already short after one year
    year = next(p for p in o["capacity_curve"] if p["t_s"] >= 31557600.0)
    assert year["capacity"] < 1.0
