"""The command line: every --json prints exactly one JSON document on stdout."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from dojosim import catalog


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dojosim.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_estimate_json_has_contract_fields(write_scenario, scenario) -> None:  # type: ignore[no-untyped-def]
    scenario["parallelism"]["micro_batch"] = "auto"
    scenario["parallelism"]["interleave"] = "auto"
    proc = run("estimate", str(write_scenario(scenario)), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    for key in (
        "step_time_s",
        "mfu",
        "hfu",
        "tokens_per_s",
        "model_tflops_per_chip",
        "memory_per_chip_bytes",
        "fits_in_memory",
        "breakdown",
        "chosen",
    ):
        assert key in doc
    assert set(doc["chosen"]) == {"micro_batch", "interleave"}
    assert doc["step_time_s"] == pytest.approx(sum(doc["breakdown"].values()))


def test_estimate_table(write_scenario, scenario) -> None:  # type: ignore[no-untyped-def]
    proc = run("estimate", str(write_scenario(scenario)))
    assert proc.returncode == 0, proc.stderr
    assert "step time" in proc.stdout and "MFU" in proc.stdout


def test_estimate_api_equals_cli(write_scenario, scenario) -> None:  # type: ignore[no-untyped-def]
    from dojosim import estimate

    path = write_scenario(scenario)
    doc = json.loads(run("estimate", str(path), "--json").stdout)
    assert doc == json.loads(json.dumps(estimate(str(path)).as_dict()))


def test_validate_json_is_a_list() -> None:
    proc = run("validate", "--json", "--role", "calibration")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert isinstance(rows, list) and len(rows) >= 8
    for r in rows:
        assert {"run", "measured", "predicted", "error"} <= set(r)


def test_validate_rejects_unknown_role() -> None:
    proc = run("validate", "--role", "nope")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1


def test_catalog_list_and_show() -> None:
    proc = run("catalog", "list", "chip", "--json")
    assert proc.returncode == 0, proc.stderr
    names = {r["name"] for r in json.loads(proc.stdout)}
    assert "a100-sxm4-80g" in names
    shown = run("catalog", "show", "a100-sxm4-80g")
    assert shown.returncode == 0
    assert "source" in yaml.safe_load(shown.stdout.split("\n", 1)[1])


def test_catalog_show_system_json_has_chip_count_and_peaks() -> None:
    proc = run("catalog", "show", "dgx-a100-80g", "--json")
    doc = json.loads(proc.stdout)
    assert doc["chip_count"] == 8
    chip = catalog.get("chip", "a100-sxm4-80g")
    assert doc["peak_flops"]["bf16"] == pytest.approx(8 * chip.peak_flops["bf16"])


def test_builtin_scenario_by_name() -> None:
    proc = run("estimate", "gpt3-175b-1024-a100", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["fits_in_memory"]
    assert doc["chips"] == 1024
    assert {"tensor", "pipeline", "micro_batch", "recompute"} <= set(doc["chosen"])


@pytest.mark.parametrize(
    "args",
    [("estimate",), ("estimate", "x.yaml", "--bogus"), ("orbit", "--altitude-km", "abc")],
)
def test_usage_errors_are_one_line(args: tuple[str, ...]) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("dojosim: error: ")


def test_no_arguments_prints_help() -> None:
    proc = run()
    assert proc.returncode == 0
    assert "Usage" in proc.stdout
