"""`dojosim goodput`, goodput in `dojosim site`, the demo line, and the README's commands."""

from __future__ import annotations

import copy
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dojosim import scenarios
from dojosim.cost.pipeline import site_report
from dojosim.sim import attrition, goodput
from dojosim.sim.goodput import BUCKETS

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dojosim.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


def builtin(name: str) -> dict:  # type: ignore[type-arg]
    path = scenarios.path(name)
    assert path is not None
    return yaml.safe_load(path.read_text())


def test_readme_llama3_table() -> None:
    proc = cli("goodput", "llama3-405b-16k-h100-goodput")
    assert proc.returncode == 0, proc.stderr
    assert "ETTR (mean, p10..p90)" in proc.stdout and "job MTTF" in proc.stdout
    assert "optimum: young/daly" in proc.stdout


def test_readme_json_has_every_contract_field() -> None:
    proc = cli("goodput", "llama3-405b-16k-h100-goodput", "--json", "--runs", "20", "--seed", "1")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert set(d["ettr"]) >= {"mean", "p10", "p90"}
    assert d["ettr"]["p10"] <= d["ettr"]["mean"] <= d["ettr"]["p90"]
    assert set(d["checkpoint_interval_s"]) >= {"chosen", "young_daly", "exact", "simulated"}
    assert set(d["badput_s"]) == set(BUCKETS)
    for key in ("interruptions", "interruptions_by_cause", "job_mttf_s", "runs", "seed"):
        assert key in d
    assert d["runs"] == 20 and d["seed"] == 1
    # the seed reproduces the runs through the library
    assert goodput("llama3-405b-16k-h100-goodput", runs=20, seed=1).as_dict() == d
    # the badput and productive time make up the duration
    assert d["productive_s"] + sum(d["badput_s"].values()) == pytest.approx(d["duration_s"])


def test_readme_orbit_with_plot(tmp_path: Path) -> None:
    out = tmp_path / "goodput.png"
    proc = cli(
        "goodput", "suncatcher-81-5y-goodput", "--runs", "10", "--plot", "goodput.png", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "capacity at the end" in proc.stdout and "upset multiplier" in proc.stdout


def test_orbit_document_and_attrition() -> None:
    d = goodput("suncatcher-81-5y-goodput", runs=3, sweep_runs=0).as_dict()
    orbit = d["orbit"]
    curve = [p["capacity"] for p in orbit["capacity_curve"]]
    assert curve[0] == 1.0 and curve[-1] == orbit["capacity_end"] < 1.0
    assert all(a >= b for a, b in itertools.pairwise(curve))  # nothing is repaired
    assert orbit["spares_used_chips"] == orbit["spares_launched_chips"] == 518
    rad = orbit["radiation"]
    assert rad["upset_multiplier"] > 1 and rad["tid_lifetime_s"] > d["duration_s"]
    assert orbit["cost_per_delivered_flop_factor"] == pytest.approx(1 / d["ettr"]["mean"])


def test_attrition_closed_form_against_the_simulation() -> None:
    """Without spares the capacity left matches chips (1 - e^{-lambda t}) lost; with the spares
    attrition asks for, the cluster stays whole in most runs."""
    sc = builtin("suncatcher-81-5y-goodput")
    sc["reliability"]["duration"] = "1 year"
    sc["reliability"]["spares"] = 0
    a = attrition(sc)
    d = goodput(sc, runs=4, sweep_runs=0).as_dict()
    left = 1 - a.expected_lost_chips / a.chips
    assert d["orbit"]["capacity_end"] == pytest.approx(left, abs=0.03)
    sc["reliability"]["spares"] = a.spares_chips
    whole = goodput(sc, runs=4, sweep_runs=0).as_dict()
    assert whole["orbit"]["capacity_end"] > 0.99
    assert a.spares_chips > a.expected_replacements_chips > a.expected_lost_chips
    assert a.expected_lost_satellites == pytest.approx(a.expected_lost_chips / 64)


def test_poisson_quantile() -> None:
    from dojosim.sim.orbit import poisson_quantile
    from dojosim.site.radiation import spares_needed

    for mean in (0.5, 3.0, 40.0, 300.0):
        assert poisson_quantile(mean, 0.95) == spares_needed(mean, 0.95)
    # large means (where e^{-mean} underflows): about mean + 1.645 sqrt(mean)
    assert poisson_quantile(2603.0, 0.95) == pytest.approx(2603 + 1.645 * 2603**0.5, abs=2)


def test_attrition_needs_an_orbit() -> None:
    from dojosim.errors import SpecError

    with pytest.raises(SpecError, match="orbit site"):
        attrition("llama3-405b-16k-h100-goodput")


def test_readme_site_applies_goodput() -> None:
    proc = cli("site", "llama3-405b-16k-h100-goodput", "--json")
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    gp = d["goodput"]
    assert gp["applied"] and 0.85 < gp["ettr"]["mean"] < 0.97
    assert any(n.startswith("goodput applied") for n in d["notes"])
    plain = builtin("llama3-405b-16k-h100-goodput")
    plain.pop("reliability")
    raw = site_report(plain).to_dict()
    assert "goodput" not in raw
    assert d["time_to_train_s"] == pytest.approx(raw["time_to_train_s"] / gp["ettr"]["mean"])
    assert d["cost_to_train_usd"] == pytest.approx(raw["cost_to_train_usd"] / gp["ettr"]["mean"])
    assert d["usd_per_pflop_day"] == pytest.approx(raw["usd_per_pflop_day"] / gp["ettr"]["mean"])


def test_orbit_site_has_goodput_and_its_earth_equivalent() -> None:
    sc = builtin("gpt3-175b-1024-h100-orbit")
    sc["reliability"] = {
        "failures": "llama3-h100",
        "duration": "1 year",
        "restart": "10 min",
        "checkpoint": {"bytes_per_param": 14, "bandwidth": "100 GB/s"},
        "spares": 64,
    }
    d = site_report(sc).to_dict()
    gp = d["goodput"]
    assert gp["orbit"]["capacity_end"] < 1.0
    # on Earth failed nodes are swapped: it keeps more of its time
    assert gp["earth_equivalent"]["ettr"]["mean"] > gp["ettr"]["mean"]
    assert "orbit" not in gp["earth_equivalent"]


def test_readme_catalog_lists_failure_models() -> None:
    proc = cli("catalog", "list", "failure-model")
    assert proc.returncode == 0, proc.stderr
    for name in ("llama3-h100", "kokolis-rsc1-a100", "kokolis-rsc2-a100", "kokolis-a100-8gpu-jobs"):
        assert name in proc.stdout


def test_every_readme_goodput_command_is_tested() -> None:
    """The README's goodput section: each command line is one this module runs."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Goodput")[1].split("```bash")[1].split("```")[0]
    commands = [line.split("#")[0].split() for line in section.strip().splitlines()]
    tested = [
        ["dojosim", "goodput", "llama3-405b-16k-h100-goodput"],
        [
            "dojosim",
            "goodput",
            "llama3-405b-16k-h100-goodput",
            "--json",
            "--runs",
            "20",
            "--seed",
            "1",
        ],
        ["dojosim", "goodput", "suncatcher-81-5y-goodput", "--runs", "10", "--plot", "goodput.png"],
        ["dojosim", "site", "llama3-405b-16k-h100-goodput", "--json"],
        ["dojosim", "catalog", "list", "failure-model"],
    ]
    assert commands == tested


def test_demo_goodput_line() -> None:
    from dojosim.sim.demo import goodput_line, goodput_summary

    s = goodput_summary()
    line = goodput_line(s)
    assert line.startswith("goodput: Earth (llama3-405b-16k-h100-goodput")
    assert "orbit (suncatcher-81-5y-goodput" in line and "\n" not in line
    assert s["earth"]["ettr"] > s["orbit"]["ettr"]


def test_inline_failures_and_stragglers(reliable) -> None:  # type: ignore[no-untyped-def]
    reliable["reliability"]["failures"] = {
        "causes": [
            {"name": "crash", "rate": "2 / day", "per": "job", "action": "restart"},
            {
                "name": "slow-rank",
                "rate": "0.01 / day",
                "per": "gpu",
                "action": "slow",
                "slowdown": 1.5,
                "duration": "2 h",
            },
        ]
    }
    d = goodput(copy.deepcopy(reliable), runs=5, sweep_runs=0).as_dict()
    assert d["badput_s"]["stragglers"] > 0
    assert d["interruptions_by_cause"]["slow-rank"] == 0  # stragglers do not interrupt
    assert d["interruptions"] == pytest.approx(20, rel=0.5)
