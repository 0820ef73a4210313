"""The demo ends with a small sweep (the built-in gpt3-h100-scaling), computed by the library."""

from __future__ import annotations

import json

import pytest

import dojosim
from tests.explore.conftest import run_cli


@pytest.fixture
def quick_demo(monkeypatch):  # type: ignore[no-untyped-def]
    """The demo without its (slow) Dojo section and with one built-in scenario."""
    from dojosim import scenarios
    from dojosim.report import dojo_demo

    monkeypatch.setattr(scenarios, "DEMO", ("gpt3-175b-1024-h100-earth",))
    monkeypatch.setattr(dojo_demo, "dojo_section", lambda: {})
    monkeypatch.setattr(dojo_demo, "dojo_tables", lambda d: [])


def test_demo_json_ends_with_the_sweep(quick_demo, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run_cli("demo", "--json", capsys=capsys)
    assert code == 0
    rows = json.loads(out)["sweep"]
    assert [r["chips"] for r in rows] == [256, 512, 1024, 2048]
    from dojosim.explore.apply import set_path
    from dojosim.spec.loader import read_yaml
    from dojosim.spec.resolve import scenario_path

    base = read_yaml(scenario_path("gpt3-175b-1024-h100-earth"))
    for r in rows:
        assert r["status"] == "ok"
        assert r["step_time_s"] == dojosim.estimate(set_path(base, "chips", r["chips"])).step_time_s


def test_demo_table_ends_with_the_sweep(quick_demo, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run_cli("demo", capsys=capsys)
    assert code == 0
    assert "sweep gpt3-h100-scaling" in out.split("dojosim demo: built-in scenarios")[1]
