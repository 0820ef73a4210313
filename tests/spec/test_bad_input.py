"""Bad input: one clear line naming the file and the field, exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dojosim.errors import DojosimError, SpecError
from dojosim.spec.resolve import load_scenario


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dojosim.cli", *args], capture_output=True, text=True, timeout=60
    )


def set_path(d: dict, dotted: str, value: object) -> None:  # type: ignore[type-arg]
    *head, last = dotted.split(".")
    for k in head:
        d = d[k]
    d[last] = value


CASES = [
    ("model", "gpt3-175", "model", "did you mean 'gpt3-175b'"),
    ("system", "dgx-a100-80", "system", "did you mean"),
    ("chips", 0, "chips", "greater than 0"),
    ("chips", -8, "chips", "greater than 0"),
    ("parallelism.data", 2, "parallelism.data", "tensor x pipeline x data = 8 x 8 x 2 = 128"),
    ("parallelism.micro_batch", 5, "parallelism.global_batch", "(1 x 5 = 5)"),
    (
        "parallelism.recompute",
        "some",
        "parallelism.recompute",
        "'selective', 'op', 'dots' or 'full'",
    ),
    ("precision", "fp64", "precision", "fp32"),
    ("parallelism.zero", 4, "parallelism.zero", "less than or equal to 3"),
    (
        "model",
        {"name": "x", "layers": 2, "hidden": 64, "heads": 3, "vocab": 10, "seq_len": 8},
        "model",
        "divisible by heads",
    ),
    (
        "model",
        {"name": "x", "layers": 2, "hidden": 64, "vocab": 10, "seq_len": 8},
        "model.heads",
        "missing",
    ),
]


@pytest.mark.parametrize(("field", "value", "named", "says"), CASES)
def test_api_error_names_field(scenario, write_scenario, field, value, named, says):  # type: ignore[no-untyped-def]
    from dojosim import estimate

    set_path(scenario, field, value)
    path = write_scenario(scenario)
    with pytest.raises(SpecError) as info:
        estimate(str(path))
    msg = str(info.value)
    assert str(path) in msg
    assert named in msg
    assert says in msg


def test_heads_not_divisible_by_tensor(scenario, write_scenario) -> None:  # type: ignore[no-untyped-def]
    from dojosim import estimate

    scenario["parallelism"].update(tensor=64, pipeline=1)
    path = write_scenario(scenario)
    with pytest.raises(
        SpecError, match=r"parallelism.tensor: heads \(96\) must be divisible by tensor \(64\)"
    ):
        estimate(str(path))


def test_errors_are_value_errors() -> None:
    assert issubclass(SpecError, DojosimError)
    assert issubclass(DojosimError, ValueError)


def test_malformed_yaml(write_scenario) -> None:  # type: ignore[no-untyped-def]
    path = write_scenario("model: gpt3-175b\nchips: [1, 2\n")
    with pytest.raises(SpecError, match="malformed YAML: line 3"):
        load_scenario(path)


def test_missing_file() -> None:
    with pytest.raises(SpecError, match="no such file"):
        load_scenario("/nonexistent/scenario.yaml")


def test_wrong_units_in_inline_system(scenario, write_scenario) -> None:  # type: ignore[no-untyped-def]
    scenario["system"] = {
        "name": "x",
        "chip": "a100-sxm4-80g",
        "node_chips": 8,
        "node_power": "400 m",
        "network": [
            {
                "name": "nv",
                "topology": "switch",
                "size": 8,
                "bandwidth": "300 GB/s",
                "latency": "1 us",
            }
        ],
    }
    path = write_scenario(scenario)
    with pytest.raises(SpecError) as info:
        load_scenario(path)
    assert "system.node_power" in str(info.value)
    assert "expected a power" in str(info.value)


@pytest.mark.parametrize(("field", "value"), [("chips", 0), ("parallelism.data", 3)])
def test_cli_one_line_exit_2(scenario, write_scenario, field, value) -> None:  # type: ignore[no-untyped-def]
    set_path(scenario, field, value)
    path = write_scenario(scenario)
    proc = run_cli("estimate", str(path), "--json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(path) in lines[0]


def test_cli_malformed_yaml_exit_2(write_scenario) -> None:  # type: ignore[no-untyped-def]
    path = write_scenario("a: [")
    proc = run_cli("estimate", str(path))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "malformed YAML" in proc.stderr


def test_cli_unknown_catalog_name() -> None:
    proc = run_cli("catalog", "show", "a100-sxm4-80")
    assert proc.returncode == 2
    assert "did you mean 'a100-sxm4-80g'" in proc.stderr
