"""`dojosim orbit`: one JSON document, a table, a plot, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dojosim.cli import app, main

runner = CliRunner()
SSO = ["orbit", "--altitude-km", "650", "--sun-synchronous", "--ltan", "18:00", "--year", "2026"]


def test_json_is_one_document_with_the_fixed_fields() -> None:
    result = runner.invoke(app, [*SSO, "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert 0.95 < d["sunlit_fraction"] < 0.97
    assert d["max_eclipse_minutes"] == pytest.approx(19.4, abs=0.3)
    assert d["max_eclipse_fraction"] == pytest.approx(0.198, abs=0.005)
    assert 80 <= d["eclipse_season_days"] <= 95


def test_inclined_table_and_plot(tmp_path: Path) -> None:
    png = tmp_path / "year.png"
    args = ["orbit", "--altitude-km", "550", "--inclination-deg", "53", "--year", "2026"]
    result = runner.invoke(app, [*args, "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert "annual sunlit fraction" in result.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--altitude-km", "120", "--inclination-deg", "53"], "below 150 km"),
        (["--altitude-km", "-5", "--inclination-deg", "53"], "below 150 km"),
        (["--altitude-km", "650", "--sun-synchronous", "--ltan", "6pm"], "unknown LTAN format"),
        (["--altitude-km", "650", "--sun-synchronous"], "--ltan"),
        (["--altitude-km", "650"], "either"),
        (["--altitude-km", "650", "--inclination-deg", "200"], "0..180"),
        (["--altitude-km", "650", "--inclination-deg", "53", "--step-s", "0"], "--step-s"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "argv", ["dojosim", "orbit", *args, "--year", "2026"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in out.err


def test_installed_command_exits_2_on_bad_ltan() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dojosim.cli",
            "orbit",
            "--altitude-km",
            "650",
            "--sun-synchronous",
            "--ltan",
            "noon",
            "--year",
            "2026",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "unknown LTAN format" in proc.stderr
