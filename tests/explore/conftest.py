"""Small sweeps of fixed-layout scenarios (an estimate is about a millisecond), and a CLI runner."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import BASE

_BASE = copy.deepcopy(BASE)
del _BASE["parallelism"]["data"]  # data-parallel size follows the chips

SPEC: dict[str, Any] = {
    "name": "test-sweep",
    "base": _BASE,
    "axes": {
        "chips": [64, 128],
        "parallelism.global_batch": [64, 128, 256],
        "system.chip.memory_bandwidth": ["1.5 TB/s", "2 TB/s"],
    },
    "outputs": ["step_time_s", "mfu", "fits_in_memory"],
}


@pytest.fixture
def spec() -> dict[str, Any]:
    """A fresh 12-point grid sweep mapping."""
    return copy.deepcopy(SPEC)


@pytest.fixture
def spec_file(tmp_path: Path, spec: dict[str, Any]) -> Path:
    p = tmp_path / "sweep.yaml"
    p.write_text(yaml.safe_dump(spec))
    return p


def run_cli(*args: str, capsys: Any) -> tuple[int, str, str]:
    """Run the dojosim CLI in this process: (exit code, stdout, stderr)."""
    from dojosim.cli import main

    old = sys.argv
    sys.argv = ["dojosim", *args]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    out = capsys.readouterr()
    return code, out.out, out.err
