"""`dojosim report`: one self-contained HTML file with the plots, inputs, units and sources."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dojosim.report import html as report_html
from tests.conftest import BASE


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dojosim.cli", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def two() -> list[dict[str, Any]]:
    a = copy.deepcopy(BASE)
    b = copy.deepcopy(BASE)
    b.update(
        name="test-175b-h100",
        system="dgx-h100",
        site={"type": "earth"},
        cost={"lifetime": "5 year"},
    )
    return [a, b]


@pytest.fixture(scope="module")
def text(two: list[dict[str, Any]]) -> str:
    return report_html.build(two)


def test_it_is_self_contained(text: str) -> None:
    assert text.startswith("<!doctype html>")
    assert not re.search(r"<script[^>]*\bsrc=", text), "no script is loaded from anywhere"
    assert not re.search(r"<link[^>]*href=[\"']https?:", text)
    assert "@import" not in text and "fonts.googleapis" not in text
    plotly = report_html.plotly_js_path().read_text(encoding="utf-8")
    assert plotly[:2000] in text  # Plotly's bundled JavaScript, inline


def test_it_holds_the_figures_inputs_units_and_sources(
    text: str, two: list[dict[str, Any]]
) -> None:
    from dojosim import catalog

    figures = json.loads(re.search(r"const FIGURES = (\{.*?\});\n", text, re.S).group(1))  # type: ignore[union-attr]
    titles = [f["layout"]["title"]["text"] for f in figures.values()]
    for start in (
        "Step split by cause",
        "Memory per chip",
        "Layout: TP",
        "Sensitivity",
        "Total cost",
    ):
        assert any(t.startswith(start) for t in titles), start
    assert "name: test-175b" in text and "global_batch: 64" in text  # the inputs
    for label, unit in (("step time", "s"), ("MFU", "%"), ("memory per chip", "GiB")):
        assert re.search(
            rf'<tr data-label="{label}">.*?<td class="unit">{re.escape(unit)}</td>', text
        )
    for src in (
        catalog.get("chip", "a100-sxm4-80g").sources[:1]
        + catalog.get("chip", "h100-sxm5-80g").sources[:1]
    ):
        assert report_html.esc(src) in text  # sources of the catalog entries used
    assert 'data-entry="calibration/nvidia-ampere"' in text  # reached through the chip
    assert "★" in text and "Side by side" in text


def test_every_table_row_has_a_unit_or_is_words(text: str) -> None:
    for row in re.findall(r'<tr data-label="[^"]*">.*?</tr>', text):
        cells = re.findall(r'<td class="num[^"]*"[^>]*>([^<]*)', row)
        unit = re.search(r'<td class="unit">([^<]*)</td>', row).group(1)  # type: ignore[union-attr]
        numeric = [c for c in cells if re.fullmatch(r"[-\d.,]+", c.strip())]
        if numeric:
            assert unit, row


def test_cli_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    proc = cli("report", "gpt3-175b-1024-a100", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 1_000_000 and "wrote" in proc.stderr and proc.stdout == ""


def test_bad_input_leaves_an_earlier_report_intact(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    out.write_text("earlier report")
    proc = cli("report", "gpt3-175b-1024-a10", "-o", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean 'gpt3-175b-1024-a100'" in lines[0]
    assert out.read_text() == "earlier report"
    assert list(tmp_path.iterdir()) == [out]
    missing = cli("report", "gpt3-175b-1024-a100", "-o", str(tmp_path / "no" / "r.html"))
    assert missing.returncode == 2 and "no folder" in missing.stderr


def test_a_site_that_cannot_be_costed_is_said_in_the_report() -> None:
    s = copy.deepcopy(BASE)
    s["cost"] = {"system_price": "no-such-price"}
    text = report_html.build([s])
    assert "site and cost not computed" in text and "no-such-price" in text
