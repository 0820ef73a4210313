"""docs/orbital-network.md quotes the rows `python scripts/orbital_figures.py` prints."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_doc_rows_are_the_scripts() -> None:
    spec = importlib.util.spec_from_file_location(
        "orbital_figures", ROOT / "scripts" / "orbital_figures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = (ROOT / "docs" / "orbital-network.md").read_text()
    for row in [*module.scenario_rows(), *module.what_if_rows()]:
        assert row in doc, row
