"""Every command of the README's CLI tour runs (exit 0), as a new user would type it.

The tour is read from README.md: each line of the ``## CLI tour`` block that starts
with ``dojosim``, trailing comment removed. Commands run with bash in a scratch
folder, ``dojosim`` being this interpreter's ``python -m dojosim.cli``; a line that
writes a file (``> my-run.yaml``) runs before the lines that read it.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def tour() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("## CLI tour", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("dojosim"):
            lines.append(re.sub(r"\s+#.*$", "", line))
    return lines


COMMANDS = tour()


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A scratch folder and an environment whose ``dojosim`` is the code under test."""
    root = tmp_path_factory.mktemp("tour")
    bin_dir = root / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "dojosim"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m dojosim.cli "$@"\n')
    shim.chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    src = Path(__file__).resolve().parent.parent / "src"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH", "")) if p)
    return root, env


def test_the_tour_is_found() -> None:
    assert len(COMMANDS) >= 10
    assert "dojosim estimate fsd-multicam-dojo-exapod" in COMMANDS
    assert any(c.startswith("dojosim report") for c in COMMANDS)


def run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_tour_command_runs(command: str, shell: tuple[Path, dict[str, str]]) -> None:
    cwd, env = shell
    for earlier in COMMANDS[: COMMANDS.index(command)]:
        target = re.search(r">\s*(\S+)$", earlier)
        if target and target.group(1) in command and not (cwd / target.group(1)).exists():
            assert run(earlier, cwd, env).returncode == 0, earlier
    proc = run(command, cwd, env)
    assert proc.returncode == 0, f"{command}\n{proc.stderr[-2000:]}"
    assert "Traceback" not in proc.stderr
    if "--json" in command:
        import json

        json.loads(proc.stdout)  # exactly one JSON document


def test_omitted_knobs_take_defaults_and_auto_is_faster() -> None:
    """The README's claim: a layout given in part is slower than every knob auto."""
    from dojosim import estimate, scenarios

    s = scenarios.raw("llama3-70b-1024-h100")
    s["chips"] = 512
    batch = s["parallelism"]["global_batch"]
    partial = copy.deepcopy(s)
    partial["parallelism"] = {"tensor": 8, "pipeline": 4, "global_batch": batch}
    auto = copy.deepcopy(s)
    knobs = (
        "tensor",
        "pipeline",
        "data",
        "micro_batch",
        "interleave",
        "sequence_parallel",
        "recompute",
        "zero",
    )
    auto["parallelism"] = {**dict.fromkeys(knobs, "auto"), "global_batch": batch}
    given, best = estimate(partial), estimate(auto)
    lay = given.layout
    assert (lay["data"], lay["micro_batch"], lay["interleave"]) == (512 // 32, 1, 1)
    assert (lay["sequence_parallel"], lay["recompute"], lay["zero"]) == (False, "selective", 0)
    assert best.step_time_s < given.step_time_s and best.mfu > given.mfu
