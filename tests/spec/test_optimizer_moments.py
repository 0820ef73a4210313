"""``optimizer_moments``: Adam's moments in bf16 in a scenario, end to end."""

from __future__ import annotations

from typing import Any

import pytest

from dojosim import estimate

LLAMA: dict[str, Any] = {
    "name": "bf16-moments",
    "model": "llama3-8b",
    "system": "dgx-h100",
    "chips": 8,
    "precision": "bf16",
    "parallelism": {"tensor": 1, "data": 8, "global_batch": 64, "zero": 1, "recompute": "none"},
}


def test_bf16_moments_shrink_only_the_optimizer_state() -> None:
    plain, half = estimate(LLAMA), estimate(LLAMA | {"optimizer_moments": "bf16"})
    # (4 B master + 4 B moments) against (4 B master + 8 B moments), both sharded by ZeRO-1
    assert half.memory["optimizer"] == pytest.approx(plain.memory["optimizer"] * 8 / 12)
    assert half.memory["weights"] == plain.memory["weights"]
    assert half.memory["gradients"] == plain.memory["gradients"]
    assert half.step_time_s <= plain.step_time_s


def test_a_bad_value_is_one_line_naming_the_field(tmp_path: Any) -> None:
    import subprocess
    import sys

    import yaml

    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(LLAMA | {"optimizer_moments": "fp16"}))
    cmd = [sys.executable, "-c", "from dojosim.cli import main; main()", "estimate", str(f)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    (line,) = proc.stderr.strip().splitlines()
    assert "optimizer_moments" in line and "'fp32' or 'bf16'" in line
