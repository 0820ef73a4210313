"""compare, results (SQL, Pareto fronts, plots) and solve."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

import dojosim
from dojosim.cost.pipeline import site_report
from dojosim.explore import compare, pareto_front, plot, query, read_table, run_sweep, solve
from dojosim.explore.apply import set_path
from dojosim.explore.comparison import to_csv
from dojosim.explore.directions import better
from dojosim.explore.pareto import front_mask
from tests.explore.conftest import run_cli

NETWORK = {
    "name": "resnet50-8-h100",
    "model": "resnet50-224",
    "system": "dgx-h100",
    "chips": 8,
    "parallelism": {"global_batch": 256, "micro_batch": 32},
}


def test_compare_any_kinds_rows_aligned_best_marked() -> None:
    refs = ["gpt3-175b-1024-h100-earth", "gpt3-175b-1024-h100-orbit", NETWORK]
    c = compare(refs)  # type: ignore[arg-type]
    assert c.names == ["gpt3-175b-1024-h100-earth", "gpt3-175b-1024-h100-orbit", "resnet50-8-h100"]
    rows = {r.field: r for r in c.rows}
    assert all(len(r.values) == 3 for r in c.rows)
    step = [dojosim.estimate(r).step_time_s for r in refs]  # type: ignore[arg-type]
    assert rows["step_time_s"].values == step
    assert rows["step_time_s"].best == [int(np.argmin(step))]
    # site and cost rows: the orbit scenario has its Earth equivalent; the network has none
    assert rows["usd_per_pflop_day"].values[2] is None
    orbit = site_report("gpt3-175b-1024-h100-orbit").to_dict()
    assert (
        rows["earth.usd_per_pflop_day"].values[1] == orbit["earth_equivalent"]["usd_per_pflop_day"]
    )
    assert rows["usd_per_pflop_day"].best == [0]  # Earth is cheaper than orbit in this model
    assert rows["chips"].best == []  # no direction
    doc = json.loads(json.dumps(c.as_dict()))
    assert doc["scenarios"] == c.names
    table = list(csv.reader(io.StringIO(to_csv(c))))
    assert table[0] == ["field", *c.names, "best", "better"]


def test_compare_cli_json_and_csv(capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run_cli(
        "compare", "gpt3-175b-1024-h100-earth", "gpt3-175b-1024-h100-orbit", "--json", capsys=capsys
    )
    assert code == 0
    doc = json.loads(out)
    assert [r["field"] for r in doc["rows"]][:2] == ["scenario", "model"]
    code, out, _ = run_cli(
        "compare", "gpt3-175b-1024-h100-earth", "gpt3-175b-1024-h100-orbit", "--csv", capsys=capsys
    )
    assert code == 0 and out.startswith(
        "field,gpt3-175b-1024-h100-earth,gpt3-175b-1024-h100-orbit,best,better"
    )
    code, out, _ = run_cli(
        "compare", "gpt3-175b-1024-h100-earth", "gpt3-175b-1024-h100-orbit", capsys=capsys
    )
    assert code == 0 and "best of the row" in out


def test_directions() -> None:
    assert better("step_time_s") == "lower" and better("earth.usd_per_pflop_day") == "lower"
    assert better("mfu") == "higher" and better("tokens_per_s") == "higher"
    assert better("flops_per_usd_per_w") == "higher" and better("chips") is None


def _brute(v: np.ndarray) -> np.ndarray:
    n = len(v)
    dominated = [
        any((v[j] <= v[i]).all() and (v[j] < v[i]).any() for j in range(n)) for i in range(n)
    ]
    return ~np.array(dominated)


@pytest.mark.parametrize("k", [2, 3])
def test_front_is_the_non_dominated_set(k: int) -> None:
    rng = np.random.default_rng(k)
    v = rng.integers(0, 12, size=(300, k)).astype(float)  # ties and duplicates included
    assert (front_mask(v) == _brute(v)).all()


def test_pareto_front_orients_and_groups() -> None:
    t = pa.table({
        "g": ["a", "a", "a", "b", "b"],
        "step_time_s": [1.0, 2.0, 3.0, 1.0, 2.0],
        "mfu": [0.1, 0.5, 0.4, 0.3, 0.2],
        "status": ["ok"] * 5,
    })  # fmt: skip
    f = pareto_front(t, "step_time_s,mfu")
    assert f["step_time_s"].to_pylist() == [1.0, 2.0] and f["mfu"].to_pylist() == [0.3, 0.5]
    f = pareto_front(t, "step_time_s,mfu", by="g")
    assert list(zip(f["g"].to_pylist(), f["step_time_s"].to_pylist(), strict=True)) == [
        ("a", 1.0),
        ("a", 2.0),
        ("b", 1.0),
    ]
    f = pareto_front(t, "min:step_time_s,min:mfu")
    assert f["mfu"].to_pylist() == [0.1]


@pytest.fixture
def results_file(spec, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.parquet"
    run_sweep(spec, out)
    return out


def test_sql_over_results(results_file: Path) -> None:
    t = query(
        results_file, "SELECT chips, max(mfu) AS best FROM results GROUP BY chips ORDER BY chips"
    )
    full = read_table(results_file).to_pandas()
    assert t["chips"].to_pylist() == [64, 128]
    assert t["best"].to_pylist() == [full[full.chips == c].mfu.max() for c in (64, 128)]
    assert query(results_file, "SELECT name, points FROM sweep").to_pylist() == [
        {"name": "test-sweep", "points": 12}
    ]


def test_plots_html_offline_and_png(results_file: Path, tmp_path: Path) -> None:
    t = read_table(results_file)
    front = pareto_front(t, "step_time_s,max:mfu")
    html = plot(
        t, tmp_path / "p.html", x="step_time_s", y="mfu", color="chips", front=front, log="x"
    )
    text = html.read_text()
    assert "Pareto front" in text and "plotly" in text.lower()
    assert "<script src=" not in text.replace('<script src="data:', "")  # plotly.js is inlined
    png = plot(t, tmp_path / "p.png", x="step_time_s", y="mfu", by="chips", front=front)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_results_cli(results_file: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run_cli("results", str(results_file), capsys=capsys)
    assert code == 0 and "test-sweep" in out and "12 stored of 12" in out
    code, out, _ = run_cli(
        "results", str(results_file), "--pareto", "step_time_s,mfu", "--json", capsys=capsys
    )
    doc = json.loads(out)
    assert code == 0 and doc["sweep"]["points"] == 12 and 1 <= len(doc["rows"]) <= 12
    code, out, _ = run_cli(
        "results", str(results_file), "--sql", "SELECT * FROM results WHERE fits_in_memory",
        "--pareto", "step_time_s,mfu", "--plot", "x=step_time_s,y=mfu,color=chips",
        "--out", str(tmp_path / "f.html"), capsys=capsys,
    )  # fmt: skip
    assert code == 0 and (tmp_path / "f.html").exists()
    code, out, _ = run_cli("results", str(results_file), "--csv", capsys=capsys)
    assert code == 0 and len(out.strip().splitlines()) == 13


def test_solve_finds_the_value_the_library_confirms() -> None:
    base = "gpt3-175b-1024-h100-earth"
    from dojosim.spec.loader import read_yaml
    from dojosim.spec.resolve import scenario_path

    mapping = read_yaml(scenario_path(base))
    target = dojosim.estimate(set_path(mapping, "system.chip.memory_bandwidth", 4.2e12)).step_time_s
    s = solve(base, "system.chip.memory_bandwidth", f"step_time_s = {target!r}")
    assert s.found and s.exact
    assert s.value == pytest.approx(4.2e12, rel=1e-4)
    assert s.unit == "TB/s" and s.value_in_unit == pytest.approx(4.2, rel=1e-4)


def test_solve_a_ratio_against_the_earth_equivalent() -> None:
    s = solve(
        "gpt3-175b-1024-h100-orbit",
        "site.electricity_price",
        "usd_per_pflop_day / earth.usd_per_pflop_day = 1",
        low="0.01 USD/kWh",
        high="20 USD/kWh",
    )
    assert s.found and s.unit == "USD/kWh"
    from dojosim.spec.loader import read_yaml
    from dojosim.spec.resolve import scenario_path

    m = set_path(
        read_yaml(scenario_path("gpt3-175b-1024-h100-orbit")), "site.electricity_price", s.value
    )
    assert site_report(m).to_dict()["orbit_vs_earth"]["usd_per_pflop_day_ratio"] == pytest.approx(
        1, rel=1e-6
    )


def test_solve_says_when_no_value_in_range_meets_the_target(capsys) -> None:  # type: ignore[no-untyped-def]
    s = solve("gpt3-175b-1024-h100-earth", "system.chip.memory_bandwidth", "step_time_s = 0.001")
    assert not s.found and s.value is None
    assert (
        "no value of system.chip.memory_bandwidth in" in s.message and "widen --range" in s.message
    )
    code, out, err = run_cli(
        "solve", "gpt3-175b-1024-h100-earth", "--vary", "system.chip.memory_bandwidth",
        "--target", "step_time_s = 0.001", "--json", capsys=capsys,
    )  # fmt: skip
    assert code == 1 and json.loads(out)["found"] is False
    assert err.startswith("dojosim: no solution: ")


def test_solve_whole_numbers_skip_values_that_fail() -> None:
    s = solve("gpt3-175b-1024-h100-earth", "chips", "step_time_s = 5", low=256, high=4096)
    assert s.found and float(s.value).is_integer()  # type: ignore[arg-type]
    from dojosim.spec.loader import read_yaml
    from dojosim.spec.resolve import scenario_path

    m = read_yaml(scenario_path("gpt3-175b-1024-h100-earth"))
    got = dojosim.estimate(set_path(m, "chips", int(s.value))).step_time_s  # type: ignore[arg-type]
    assert got == pytest.approx(s.achieved)
    # its neighbours that run (x2 and /2 chips) are further from the target
    others = [
        dojosim.estimate(set_path(copy.deepcopy(m), "chips", int(s.value * f))).step_time_s
        for f in (0.5, 2)
    ]  # type: ignore[operator]
    assert all(abs(o - 5) >= abs(got - 5) for o in others)
