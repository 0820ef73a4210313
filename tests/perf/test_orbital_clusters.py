"""The estimator on orbital clusters: optical inter-satellite tiers computed from their link budget."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest

from dojosim import catalog, estimate
from dojosim.errors import SpecError
from dojosim.hardware.optical import SPEED_OF_LIGHT, link_params, link_rate_bps
from dojosim.spec.hardware import SystemSpec
from dojosim.spec.loader import parse

SCENARIOS = ("llama3-8b-suncatcher-81", "gpt3-13b-starcloud-h100", "llama3-70b-dojo3-ai5")


def system_with(name: str, **isl: Any) -> dict[str, Any]:
    """The raw catalog mapping of ``name`` with its optical tier's isl: fields replaced."""
    data = copy.deepcopy(catalog.raw("system", name))
    tier = data["network"][-1]
    assert tier["topology"] == "optical"
    link = isl.pop("link", {})
    if "distance" in isl:
        tier["isl"].pop("formation", None)
    tier["isl"].update(isl)
    tier["isl"]["link"].update(link)
    return data


@pytest.mark.parametrize("name", SCENARIOS)
def test_estimator_runs_on_each_orbital_system(name: str) -> None:
    from dojosim.scenarios import path

    est = estimate(path(name))  # type: ignore[arg-type]
    assert est.fits_in_memory
    assert 0 < est.mfu < 1
    assert est.step_time_s == pytest.approx(sum(est.breakdown.values()))


def test_optical_tier_is_the_link_rate_shared_by_the_satellites_chips() -> None:
    sys_ = catalog.get("system", "suncatcher-tpu-v6e-81")
    tier = sys_.network[-1]
    # the formation's largest nearest-neighbour distance over an orbit: 200 m (2:1 HCW lattice)
    rate = float(link_rate_bps(200.0, **link_params(tier.isl.link)))
    assert rate == pytest.approx(38.4e12)
    assert tier.bandwidth == pytest.approx(rate / 8 * 2 / sys_.node_chips)
    assert tier.latency == pytest.approx(2e-6 + 200.0 / SPEED_OF_LIGHT, rel=1e-3)


def test_optical_bandwidth_depends_on_formation_distance() -> None:
    bw = {
        d: SystemSpec.model_validate(system_with("suncatcher-tpu-v6e-81", distance=d))
        .network[-1]
        .bandwidth
        for d in ("200 m", "3 km", "4.5 km", "1000 km")
    }
    assert bw["200 m"] == pytest.approx(2 * bw["3 km"])  # 4 -> 2 spatial channels
    assert bw["3 km"] == pytest.approx(2 * bw["4.5 km"])  # 2 -> 1
    assert bw["1000 km"] < bw["4.5 km"] / 5  # power-limited far field
    lat = SystemSpec.model_validate(system_with("suncatcher-tpu-v6e-81", distance="4.5 km"))
    assert lat.network[-1].latency == pytest.approx(2e-6 + 4500 / SPEED_OF_LIGHT)


def test_slower_isl_slows_the_data_parallel_step() -> None:
    def run(line_rate: str) -> Any:
        return estimate(
            {
                "name": "dp-over-isl",
                "model": "gpt3-1.3b",
                "system": system_with(
                    "starcloud-h100-constellation", link={"line_rate": line_rate}
                ),
                "chips": 64,
                "precision": "bf16",
                "parallelism": {
                    "tensor": 8,
                    "pipeline": 1,
                    "global_batch": 64,
                    "micro_batch": 1,
                    "zero": 1,
                    "overlap_data_parallel": False,
                },
            }
        )

    fast, slow = run("400 Gb/s"), run("25 Gb/s")
    assert slow.breakdown["data_comm_s"] > 10 * fast.breakdown["data_comm_s"]
    assert slow.step_time_s > fast.step_time_s
    assert slow.breakdown["forward_s"] == pytest.approx(fast.breakdown["forward_s"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"distance": "-200 m"}, "network.1.isl.distance"),
        ({"link": {"aperture": "0 cm"}}, "network.1.isl.link.aperture"),
        ({"link": {"optics_efficiency": 1.5}}, "network.1.isl.link.optics_efficiency"),
        ({"link": {"wdm_channels": 0}}, "network.1.isl.link.wdm_channels"),
    ],
)
def test_bad_isl_is_a_spec_error_naming_the_field(change: dict[str, Any], field: str) -> None:
    data = system_with("suncatcher-tpu-v6e-81", **change)
    with pytest.raises(SpecError) as exc:
        parse(SystemSpec, data, file="x.yaml")
    assert exc.value.field == field


def test_optical_tier_rejects_a_written_bandwidth_and_unknown_formation() -> None:
    data = system_with("suncatcher-tpu-v6e-81")
    data["network"][-1]["bandwidth"] = "100 GB/s"
    with pytest.raises(SpecError, match="computes its bandwidth"):
        parse(SystemSpec, data)
    data = system_with("suncatcher-tpu-v6e-81", formation="suncatcher-82")
    with pytest.raises(SpecError, match="suncatcher-81"):
        parse(SystemSpec, data)


def test_cli_bad_isl_is_one_line_exit_2(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    scenario = {
        "name": "bad-isl",
        "model": "gpt3-1.3b",
        "system": system_with("starcloud-h100-constellation", link={"optics_efficiency": 1.5}),
        "chips": 16,
        "precision": "bf16",
        "parallelism": {"tensor": 8, "pipeline": 1, "global_batch": 16},
    }
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(scenario))
    proc = subprocess.run(
        [sys.executable, "-m", "dojosim.cli", "estimate", str(p), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "optics_efficiency" in lines[0], proc.stderr


def test_catalog_show_json_resolves_the_optical_tier() -> None:
    doc = catalog.resolved("system", "dojo3-ai5-satellite")
    isl = doc["network"][-1]
    assert isl["topology"] == "optical"
    assert isl["bandwidth"] == pytest.approx(200e9 / 8 * 2 / 32)
    json.dumps(doc)
