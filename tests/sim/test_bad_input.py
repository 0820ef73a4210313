"""Bad reliability input: one line naming the field, exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from dojosim.errors import SpecError
from dojosim.sim import goodput


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dojosim.cli", *args], capture_output=True, text=True, timeout=120
    )


def rate(value: str, action: str = "restart", per: str = "gpu") -> dict[str, Any]:
    return {"causes": [{"name": "x", "rate": value, "per": per, "action": action}]}


CASES = [
    (
        "failures",
        rate("-1e-6 / s"),
        "reliability.failures.causes.0.rate",
        "greater than or equal to 0",
    ),
    ("failures", rate("5 W"), "reliability.failures.causes.0.rate", "expected a rate"),
    (
        "failures",
        rate("1e-6 / s", action="reboot"),
        "reliability.failures.causes.0.action",
        "'sdc'",
    ),
    ("failures", rate("1e-6 / s", per="rack"), "reliability.failures.causes.0.per", "'node'"),
    ("failures", "llama3-h10", "reliability.failures", "did you mean 'llama3-h100'"),
    (
        "checkpoint",
        {"interval": "60 d", "save": "30 s"},
        "reliability.checkpoint.interval",
        "longer than the run (10 d)",
    ),
    ("checkpoint", {"interval": "auto"}, "reliability.checkpoint", "give the save time"),
    (
        "checkpoint",
        {"save": "30 s", "asynchronous": True, "interval": "10 s"},
        "reliability.checkpoint.save",
        "within an interval",
    ),
    ("duration", "54 kg", "reliability.duration", "wrong units"),
    ("duration", None, "reliability.duration", "cost.train budget"),
    ("restart", "-5 min", "reliability.restart", "greater than or equal to 0"),
    ("spare", 3, "reliability.spare", "unknown field"),
    (
        "radiation",
        {"tolerance": "radiation-tolerance-tpu-v6e"},
        "reliability.radiation",
        "orbit site",
    ),
]


@pytest.mark.parametrize(("key", "value", "field", "message"), CASES)
def test_bad_reliability_values(reliable, key: str, value: Any, field: str, message: str) -> None:  # type: ignore[no-untyped-def]
    if value is None:
        reliable["reliability"].pop(key)
    else:
        reliable["reliability"][key] = value
    with pytest.raises(SpecError) as exc:
        goodput(reliable, runs=2, sweep_runs=0)
    assert exc.value.field == field
    assert message in str(exc.value)


def test_never_repaired_without_spares_on_earth(reliable) -> None:  # type: ignore[no-untyped-def]
    reliable["reliability"].update(repair="never", spares=0)
    with pytest.raises(SpecError, match="makes no sense on Earth") as exc:
        goodput(reliable, runs=2, sweep_runs=0)
    assert exc.value.field == "reliability.repair"
    # and without a repair time at all
    reliable["reliability"].pop("repair")
    with pytest.raises(SpecError, match="time to bring a failed node back"):
        goodput(reliable, runs=2, sweep_runs=0)


def test_fault_tolerance_needs_data_parallel_replicas(reliable) -> None:  # type: ignore[no-untyped-def]
    reliable["reliability"]["fault_tolerant"] = {"stall": "3 min"}
    with pytest.raises(SpecError, match="needs data parallelism"):
        goodput(reliable, runs=2, sweep_runs=0)


def test_a_scenario_without_reliability(scenario) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpecError, match="no reliability: section"):
        goodput(scenario, runs=2)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("goodput", "llama3-405b-16k-h100-goodpt"), "did you mean 'llama3-405b-16k-h100-goodput'"),
        (("goodput", "llama3-405b-16k-h100-goodput", "--runs", "0"), "--runs must be at least 1"),
        (
            ("goodput", "llama3-405b-16k-h100-goodput", "--seed", "-1"),
            "--seed must not be negative",
        ),
        (
            ("goodput", "llama3-405b-16k-h100-goodput", "--runs", "many"),
            "Invalid value for '--runs'",
        ),
    ],
)
def test_cli_usage_errors_are_one_line(args: tuple[str, ...], needle: str) -> None:
    proc = cli(*args)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert needle in proc.stderr and proc.stdout == ""


def test_cli_bad_file_is_one_line(write_scenario, reliable, tmp_path) -> None:  # type: ignore[no-untyped-def]
    reliable["reliability"]["failures"] = rate("-1 / day")
    path = write_scenario(reliable)
    plot = tmp_path / "keep.png"
    plot.write_bytes(b"old")
    proc = cli("goodput", str(path), "--runs", "2", "--plot", str(plot))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"dojosim: error: {path}: reliability.failures.causes.0.rate: Input should be greater "
        "than or equal to 0 (got '-1 / day')"
    ]
    assert plot.read_bytes() == b"old"  # nothing written before is lost


def test_plot_into_a_missing_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    proc = cli(
        "goodput",
        "llama3-405b-16k-h100-goodput",
        "--runs",
        "2",
        "--plot",
        str(tmp_path / "no" / "x.png"),
    )
    assert proc.returncode == 2
    assert "--plot: cannot write the plot: no folder" in proc.stderr
