"""Issue's bad MoE / long-context input: one line naming the field, exit 2, from the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

BASE = {"name": "bad", "model": "qwen3-30b-a3b", "system": "dgx-h100", "chips": 8}


@pytest.mark.parametrize(
    ("model", "knobs", "field", "words"),
    [
        ("qwen3-30b-a3b", {"expert": 7}, "parallelism.expert", "must divide the 128 experts"),
        ("qwen3-30b-a3b", {"context": 3}, "parallelism.context", "tensor x context x pipeline"),
        (
            "qwen3-30b-a3b",
            {"pipeline": 4, "data": 2, "schedule": "dualpipe", "micro_batch": 16},
            "parallelism.schedule",
            "at least 2 x pipeline micro-batches",
        ),
        ({"base": "qwen3-30b-a3b", "top_k": 200}, {}, "model", "top_k (200) exceeds experts"),
        (
            {"base": "qwen3-30b-a3b", "seq_len": 4097},
            {"context": 2, "data": 4},
            "parallelism.context",
            "sequence (4097)",
        ),
    ],
)
def test_one_line_naming_the_field(
    tmp_path: Path, model: object, knobs: dict[str, object], field: str, words: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump({**BASE, "model": model, "parallelism": {"global_batch": 64, **knobs}})
    )
    proc = subprocess.run(
        [sys.executable, "-m", "dojosim.cli", "estimate", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and not proc.stdout
    line = proc.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert f"{path}: {field}" in line and words in line, line
