"""A scenario's system may carry an inline what-if chip: ``chip: {base: CHIP, ...overrides}``."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.errors import SpecError
from dojosim.spec.resolve import load_any


def _with_chip(scenario, chip):  # type: ignore[no-untyped-def]
    scenario["system"] = {"base": "dgx-a100-80g", "chip": chip}
    return scenario


def test_inline_chip_overrides_its_base(scenario) -> None:  # type: ignore[no-untyped-def]
    sc = load_any(_with_chip(scenario, {"base": "a100-sxm4-80g", "memory_bandwidth": "5 TB/s"}))
    base = catalog.get("chip", "a100-sxm4-80g")
    assert sc.chip.memory_bandwidth == 5e12
    assert sc.chip.peak_flops == base.peak_flops
    assert sc.chip.calibration == base.calibration
    assert catalog.get("chip", "a100-sxm4-80g").memory_bandwidth == base.memory_bandwidth


def test_inline_chip_by_name_is_the_catalog_chip(scenario) -> None:  # type: ignore[no-untyped-def]
    sc = load_any(_with_chip(scenario, "h100-sxm5-80g"))
    assert sc.chip == catalog.get("chip", "h100-sxm5-80g")


def test_inline_chip_errors_name_the_field(scenario) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(
        SpecError, match=r"system\.chip\.base: unknown chip 'a100-sxm4-88g'.*did you mean"
    ):
        load_any(_with_chip(scenario, {"base": "a100-sxm4-88g"}))
    with pytest.raises(SpecError, match=r"system\.chip\.memory_bandwidth: .*wrong units"):
        load_any(_with_chip(scenario, {"base": "a100-sxm4-80g", "memory_bandwidth": "5 TW"}))


def test_catalog_resolved_system_still_reports_its_chip() -> None:
    out = catalog.resolved("system", "dgx-h100")
    assert out["peak_flops"]["bf16"] == catalog.get("chip", "h100-sxm5-80g").peak_flops["bf16"] * 8
