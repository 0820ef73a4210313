"""Bad input: one clear line naming the file and field, exit code 2, earlier results untouched."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from dojosim.explore import run_sweep
from tests.explore.conftest import run_cli


def _write(tmp_path: Path, spec: dict[str, Any], name: str = "bad.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(spec))
    return p


def _bad(spec: dict[str, Any], case: str) -> dict[str, Any]:
    s = copy.deepcopy(spec)
    axes = s["axes"]
    if case == "path":
        axes["system.chip.memory_bandwith"] = axes.pop("system.chip.memory_bandwidth")
    elif case == "unit":
        axes["system.chip.memory_bandwidth"] = ["1.5 TB/s", "2 TW"]
    elif case == "empty":
        axes["chips"] = []
    elif case == "low>high":
        axes["system.chip.memory_bandwidth"] = {"low": "3 TB/s", "high": "1 TB/s", "num": 3}
    elif case == "output":
        s["outputs"] = ["step_time_s", "mfuu"]
    elif case == "mode":
        s["mode"] = "lhc"
    elif case == "samples":
        s["mode"] = "lhs"
    elif case == "grid-range":
        axes["chips"] = {"low": 64, "high": 128}
    elif case == "derive":
        s["derive"] = {"x": "step_time_z * 2"}
    return s


CASES = {
    "path": r"axes\.system\.chip\.memory_bandwith: system\.chip has no field 'memory_bandwith' \(did you mean 'memory_bandwidth'",
    "unit": r"axes\.system\.chip\.memory_bandwidth\[1\]: expected a bandwidth .*wrong units",
    "empty": r"axes\.chips: empty axis",
    "low>high": r"axes\.system\.chip\.memory_bandwidth: low \(3 TB/s\) is above high \(1 TB/s\)",
    "output": r"outputs: unknown output 'mfuu' \(did you mean 'mfu'",
    "mode": r"mode: expected grid, random or lhs, got 'lhc'",
    "samples": r"samples: mode lhs needs samples",
    "grid-range": r"axes\.chips: a range in grid mode needs num",
    "derive": r"derive\.x: .*reads 'step_time_z'.*did you mean 'step_time_s'",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_sweep_is_one_line_exit_2(spec, tmp_path: Path, capsys, case: str) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, _bad(spec, case))
    out = tmp_path / "r.duckdb"
    code, stdout, stderr = run_cli("sweep", str(path), "--out", str(out), capsys=capsys)
    assert code == 2, stderr
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"dojosim: error: {path}: "), stderr
    import re

    assert re.search(CASES[case], lines[0]), lines[0]
    assert not out.exists()


def test_results_file_of_another_spec_is_refused_and_unchanged(
    spec, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.duckdb"
    run_sweep(spec, out)
    before = out.read_bytes()
    other = copy.deepcopy(spec)
    other["axes"]["chips"] = [64]
    path = _write(tmp_path, other)
    for extra in ([], ["--resume"]):
        code, _, stderr = run_cli("sweep", str(path), "--out", str(out), *extra, capsys=capsys)
        assert code == 2 and len(stderr.strip().splitlines()) == 1
    assert "another sweep spec" in stderr and str(out) in stderr
    assert out.read_bytes() == before


@pytest.mark.parametrize("suffix", [".duckdb", ".parquet", ".csv"])
def test_a_file_that_is_not_a_results_file_is_left_alone(
    spec, tmp_path: Path, capsys, suffix: str
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"other{suffix}"
    out.write_bytes(b"not a results file\n" * 10)
    before = out.read_bytes()
    path = _write(tmp_path, spec)
    code, _, stderr = run_cli("sweep", str(path), "--out", str(out), "--resume", capsys=capsys)
    assert code == 2 and len(stderr.strip().splitlines()) == 1 and str(out) in stderr
    assert out.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["sweep", "chip-desing-space", "--out", "x.duckdb"], "did you mean 'chip-design-space'"),
        (["sweep", "SPEC", "--out", "x.json"], "ends in .duckdb, .parquet or .csv"),
        (["sweep", "SPEC", "--out", "x.duckdb", "--backend", "spark"], "expected local or ray"),
        (["compare", "gpt3-175b-1024-h100"], "at least two"),
        (["compare", "gpt3-175b-1024-h100", "gpt3-175b-1024-h10"], "did you mean"),
        (
            [
                "solve",
                "gpt3-175b-1024-h100-earth",
                "--vary",
                "system.chip.memory_bandwith",
                "--target",
                "step_time_s = 1",
            ],
            "did you mean 'memory_bandwidth'",
        ),
        (
            ["solve", "gpt3-175b-1024-h100-earth", "--vary", "chips", "--target", "step_time = 1"],
            "did you mean 'step_time_s'",
        ),
        (
            ["solve", "gpt3-175b-1024-h100-earth", "--vary", "chips", "--target", "step_time_s 1"],
            "expected 'OUTPUT = VALUE'",
        ),
        (
            [
                "solve",
                "gpt3-175b-1024-h100-earth",
                "--vary",
                "chips",
                "--target",
                "step_time_s = 1",
                "--range",
                "9",
            ],
            "expected LOW,HIGH",
        ),
        (["results", "RESULTS", "--sql", "SELECT mfuu FROM results"], "mfuu"),
        (["results", "RESULTS", "--pareto", "step_time_s"], "two or three"),
        (["results", "RESULTS", "--pareto", "step_time_s,chips"], "min:chips or max:chips"),
        (
            ["results", "RESULTS", "--plot", "x=chips,y=mfuu", "--out", "p.html"],
            "did you mean 'mfu'",
        ),
        (["results", "RESULTS", "--plot", "x=chips,y=mfu", "--out", "p.svg"], ".html or .png"),
        (["results", "missing.duckdb"], "no such results file"),
    ],
)
def test_bad_options_are_one_line_exit_2(
    spec, tmp_path: Path, capsys, monkeypatch, args: list[str], expect: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    if "SPEC" in args or "RESULTS" in args:
        path = _write(tmp_path, spec, "spec.yaml")
        if "RESULTS" in args:
            run_sweep(spec, tmp_path / "r.duckdb")
        args = [{"SPEC": str(path), "RESULTS": "r.duckdb"}.get(a, a) for a in args]
    code, stdout, stderr = run_cli(*args, capsys=capsys)
    assert code == 2, (stdout, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dojosim: error: "), stderr
    assert expect in lines[0]
