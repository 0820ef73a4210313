"""`dojosim catalog list` knows every kind, built-in scenarios included."""

from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from dojosim import catalog, scenarios
from dojosim.cli import app

runner = CliRunner()


def test_list_scenario_lists_the_builtin_scenarios() -> None:
    result = runner.invoke(app, ["catalog", "list", "scenario", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == scenarios.names()
    assert all(r["kind"] == "scenario" and r["description"] for r in rows)


def test_list_help_names_every_kind() -> None:
    result = runner.invoke(app, ["catalog", "list", "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for kind in (*catalog.KINDS, "scenario"):
        assert kind in text, kind


def test_list_without_a_kind_includes_scenarios() -> None:
    rows = json.loads(runner.invoke(app, ["catalog", "list", "--json"]).stdout)
    assert {r["kind"] for r in rows} == set(catalog.LISTABLE)


def test_show_a_scenario_prints_its_yaml() -> None:
    result = runner.invoke(app, ["catalog", "show", "gpt3-175b-1024-a100"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout) == scenarios.raw("gpt3-175b-1024-a100")


def test_a_misspelled_kind_suggests_scenario() -> None:
    from dojosim.cli import main  # noqa: F401  (the one-line error path is tested in test_cli)

    result = runner.invoke(app, ["catalog", "list", "scenari"])
    assert result.exit_code != 0
    assert "did you mean 'scenario'" in str(result.exception)
