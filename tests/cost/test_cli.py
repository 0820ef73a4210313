"""`dojosim site`: one JSON document with the fixed fields, a table, a tornado, one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from dojosim import scenarios
from dojosim.cli import app, main

runner = CliRunner()

FIXED = ("it_power_w", "energy_per_step_j", "tco_usd", "usd_per_pflop_day", "flops_per_usd_per_w")
ORBIT = ("solar_array_area_m2", "radiator_area_m2", "mass_kg", "launch_cost_usd")


def test_orbit_json_has_the_fixed_fields_and_the_earth_equivalent(tmp_path: Path) -> None:
    png = tmp_path / "tornado.png"
    result = runner.invoke(app, ["site", "gpt3-175b-1024-h100-orbit", "--json", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    for key in FIXED + ORBIT + ("time_to_train_s", "cost_to_train_usd", "energy_to_train_j"):
        assert isinstance(d[key], float), key
    assert d["site_type"] == "orbit"
    earth = d["earth_equivalent"]
    assert earth["it_power_w"] == d["it_power_w"]
    assert earth["facility_power_w"] == pytest.approx(d["it_power_w"] * 1.56)
    assert d["orbit_vs_earth"]["tco_ratio"] == pytest.approx(d["tco_usd"] / earth["tco_usd"])
    params = {r["parameter"] for r in d["sensitivities"]}
    assert {
        "launch.price_per_kg",
        "solar_array.specific_power",
        "system_price",
        "lifetime",
    } <= params
    for r in d["sensitivities"]:
        assert {"low", "high", "usd_per_pflop_day_low", "usd_per_pflop_day_high"} <= set(r)
        assert r["low"] <= r["base"] <= r["high"] and r["sources"]
    assert sum(r["share"] for r in d["sensitivities"]) == pytest.approx(1.0)
    shares = [r["share"] for r in d["sensitivities"]]
    assert shares == sorted(shares, reverse=True)
    for doc in (d, earth):
        lo, hi = doc["usd_per_pflop_day_range"]
        assert 0 < lo < hi and len(doc["tco_usd_range"]) == 2
        assert doc["usd_per_chip_hour"] == pytest.approx(
            doc["tco_usd"] / (d["chips"] * doc["lifetime_years"] * 8766)
        )
    parts = d["mass_breakdown_kg"]
    assert parts["launch_mass_kg"] == pytest.approx(
        parts["total_kg"] + parts["deorbit_propellant_kg"]
    )
    assert d["mass_per_kw_kg"] == pytest.approx(parts["launch_mass_kg"] / (d["it_power_w"] / 1e3))
    assert set(d["mass_sources"]) == {k for k in parts if k not in ("total_kg", "launch_mass_kg")}
    assert d["co2_kg"] > 0  # launch emissions: never zero in orbit
    be = d["breakeven"]
    assert be["earth_usd_per_pflop_day"] == pytest.approx(earth["usd_per_pflop_day"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert d["plot"] == str(png)


def test_earth_scenario_file_and_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["site", str(scenarios.path("gpt3-175b-1024-h100-earth"))])
    assert result.exit_code == 0, result.output
    assert "USD per PFLOP-day" in result.stdout and "what decides" in result.stdout
    assert "p10-p90" in result.stdout
    result = runner.invoke(app, ["site", "gpt3-175b-1024-h100-earth", "--json"])
    d = json.loads(result.stdout)
    assert d["site_type"] == "earth" and "earth_equivalent" not in d
    assert "solar_array_area_m2" not in d
    assert d["time_to_train_s"] == pytest.approx(300e9 / d["tokens_per_s"])


def test_a_scenario_without_site_or_cost_defaults_to_an_average_us_site() -> None:
    result = runner.invoke(app, ["site", "gpt3-175b-1024-a100", "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["site"]["datacenter"] == "earth-datacenter-us-average"
    assert d["time_to_train_s"] is None and d["price"]["unit_price_usd"] == 199_000
    assert d["capex_usd"]["network"] > 0 and d["opex_usd"]["staff"] > 0


@pytest.mark.parametrize(
    "name", ["gpt3-13b-starcloud-h100", "llama3-8b-suncatcher-81", "llama3-70b-dojo3-ai5"]
)
def test_builtin_orbital_scenarios_are_priced(name: str) -> None:
    result = runner.invoke(app, ["site", name, "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["site_type"] == "orbit" and d["tco_usd"] > 0 and d["mass_per_kw_kg"] > 0


def test_a_network_scenario_is_costed() -> None:
    result = runner.invoke(app, ["site", "fsd-multicam-dojo-exapod", "--json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)
    assert d["system"] == "dojo-exapod" and d["usd_per_chip_hour"] > 0


def _scenario(tmp_path: Path, **sections: Any) -> str:
    data = yaml.safe_load(scenarios.path("gpt3-175b-1024-h100-earth").read_text())  # type: ignore[union-attr]
    for k, v in sections.items():
        data[k] = v
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(data))
    return str(p)


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"cost": {"node_price": "-5 USD"}}, "cost.node_price"),
        ({"site": {"type": "orbit", "launch_price": "-200 USD/kg"}}, "site.launch_price"),
        ({"site": {"utilisation": 1.5}}, "site.utilisation"),
        ({"site": {"pue": 0.8}}, "site.pue"),
        ({"site": {"electricity_price": "0.08 USD/kg"}}, "wrong units"),
        ({"site": {"datacenter": "earth-datacenter-mars"}}, "site.datacenter"),
        ({"site": {"type": "orbit", "launch": "launch-nope"}}, "site.launch"),
        ({"site": {"type": "moon"}}, "site.type"),
        ({"cost": {"train": {"epochs": 2}}}, "dataset_tokens"),
        ({"cost": {"system_price": "nope-price"}}, "cost.system_price"),
        ({"cost": {"lifetime": "-3 year"}}, "cost.lifetime"),
        (
            {
                "cost": {
                    "node_price": {"low": "300000 USD", "base": "250000 USD", "high": "2e5 USD"}
                }
            },
            "range low",
        ),
        (
            {"cost": {"node_price": {"low": "-1 USD", "base": "2 USD", "high": "3 USD"}}},
            "node_price.low",
        ),
        ({"cost": {"node_price": "5 USD/kg"}}, "wrong units"),
        ({"cost": {"replacement_fraction": 1.5}}, "cost.replacement_fraction"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    sections: dict[str, Any],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "argv", ["dojosim", "site", _scenario(tmp_path, **sections)])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    out = capsys.readouterr()
    assert out.out == ""
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dojosim: error:")
    assert message in lines[0]


def test_a_system_without_a_price_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _scenario(tmp_path)
    data = yaml.safe_load(Path(p).read_text())
    data["system"] = {"base": "dgx-h100", "name": "my-dgx"}
    Path(p).write_text(yaml.safe_dump(data))
    monkeypatch.setattr(sys, "argv", ["dojosim", "site", p])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    assert "no price for system 'my-dgx'" in capsys.readouterr().err
