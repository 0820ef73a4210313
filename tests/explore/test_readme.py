"""The README's Explore section runs as written (from a clean directory)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def explore_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Explore", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the Explore section has a bash block"
    return [
        line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")
    ]


def test_the_section_has_a_sweep_a_compare_and_a_solve() -> None:
    verbs = [shlex.split(c)[1] for c in explore_commands()]
    assert {"sweep", "compare", "solve"} <= set(verbs)


@pytest.mark.slow
def test_readme_explore_commands_run(tmp_path: Path) -> None:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    for cmd in explore_commands():
        args = shlex.split(cmd)
        assert args[0] == "dojosim"
        r = subprocess.run(
            [sys.executable, "-m", "dojosim.cli", *args[1:]],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert r.returncode == 0, f"{cmd}\n{r.stderr}"
        if args[1] == "solve":
            assert "site.electricity_price = " in r.stdout and "USD/kWh" in r.stdout
        if args[1] == "results":
            assert "2,048" in r.stdout
    assert (tmp_path / "scaling.duckdb").exists()
