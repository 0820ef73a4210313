"""Dotted paths into scenarios: which fields exist, how values parse, how overrides are built."""

from __future__ import annotations

import copy

import pytest

import dojosim
from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.explore.apply import get_path, set_path
from dojosim.explore.fields import field, parse_value, var_value


@pytest.mark.parametrize(
    ("path", "numeric", "integer"),
    [
        ("chips", True, True),
        ("parallelism.global_batch", True, True),
        ("parallelism.tensor", True, True),
        ("system.chip.memory_bandwidth", True, False),
        ("system.chip.peak_flops.bf16", True, False),
        ("system.network.0.bandwidth", True, False),
        ("model.layers", True, True),
        ("site.launch_price", True, False),
        ("cost.node_price", True, False),
        ("system", False, False),
        ("vars.usd_per_chip", True, False),
    ],
)
def test_fields_that_exist(path: str, numeric: bool, integer: bool) -> None:
    f = field(path)
    assert (f.numeric, f.integer) == (numeric, integer)


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        ("system.chip.memory_bandwith", "memory_bandwidth"),
        ("parallelism.global_bach", "global_batch"),
        ("system.chip.peak_flops.bf17", "bf16"),
        ("chipz", "chips"),
    ],
)
def test_a_path_that_names_no_field_suggests_the_nearest(path: str, hint: str) -> None:
    with pytest.raises(SpecError, match=f"did you mean '{hint}'"):
        field(path)


def test_paths_into_values_and_lists_are_errors() -> None:
    with pytest.raises(SpecError, match="is a value"):
        field("chips.x")
    with pytest.raises(SpecError, match="expected an index"):
        field("system.network.first.bandwidth")


def test_values_parse_to_si_and_wrong_units_are_refused() -> None:
    assert parse_value(field("system.chip.memory_bandwidth"), "2 TB/s", "x") == 2e12
    assert parse_value(field("parallelism.tensor"), "auto", "x") == "auto"
    with pytest.raises(SpecError, match="wrong units"):
        parse_value(field("system.chip.memory_bandwidth"), "2 TW", "axes.x[0]")
    assert var_value("24875 USD") == 24875.0
    assert var_value({"value": "3 kW", "derived": "x"}) == 3000.0


def test_set_path_builds_an_inline_override_and_leaves_the_base_alone(scenario) -> None:  # type: ignore[no-untyped-def]
    before = copy.deepcopy(scenario)
    m = set_path(scenario, "system.chip.memory_bandwidth", 5e12)
    assert scenario == before
    chip = catalog.get("system", "dgx-a100-80g").chip
    assert m["system"] == {
        "base": "dgx-a100-80g",
        "name": "dgx-a100-80g",
        "chip": {"base": chip, "memory_bandwidth": 5e12},
    }
    # The same scenario written by hand gives the same estimate.
    hand = copy.deepcopy(scenario)
    hand["system"] = {"base": "dgx-a100-80g", "chip": {"base": chip, "memory_bandwidth": "5 TB/s"}}
    assert dojosim.estimate(m).step_time_s == dojosim.estimate(hand).step_time_s
    assert dojosim.spec.resolve.load_any(m).chip.memory_bandwidth == 5e12


def test_set_path_copies_lists_and_mappings_of_an_entry_from_the_catalog(scenario) -> None:  # type: ignore[no-untyped-def]
    m = set_path(scenario, "system.network.0.bandwidth", 1e12)
    m = set_path(m, "system.chip.peak_flops.bf16", 5e14)
    raw = catalog.raw("system", "dgx-a100-80g")
    assert len(m["system"]["network"]) == len(raw["network"])
    assert m["system"]["network"][1] == raw["network"][1]
    sc = dojosim.spec.resolve.load_any(m)
    assert sc.system.network[0].bandwidth == 1e12
    assert sc.chip.peak_flops["bf16"] == 5e14
    assert (
        sc.chip.peak_flops["fp32"]
        == catalog.get("chip", sc.chip.name.rstrip("*")).peak_flops["fp32"]
    )
    with pytest.raises(SpecError, match="past the end"):
        set_path(scenario, "system.network.9.bandwidth", 1e12)


def test_get_path_reads_through_catalog_names(scenario) -> None:  # type: ignore[no-untyped-def]
    assert get_path(scenario, "chips") == 64
    assert (
        get_path(scenario, "system.chip.memory_bandwidth")
        == catalog.raw("chip", "a100-sxm4-80g")["memory_bandwidth"]
    )
    assert get_path(scenario, "model.layers") == 96
    assert get_path(scenario, "site.launch_price") is None


def test_a_network_model_cannot_be_overridden_inline(scenario) -> None:  # type: ignore[no-untyped-def]
    scenario["model"] = "resnet50-224"
    with pytest.raises(SpecError, match="catalog network"):
        set_path(scenario, "model.layers", 3)
