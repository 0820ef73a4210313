"""Every catalog entry validates, names its source, and sits in a file named after it."""

from __future__ import annotations

import pytest

from dojosim import catalog
from dojosim.catalog import KINDS

ENTRIES = [(k, n) for k in KINDS for n in catalog.names(k)]


@pytest.mark.parametrize(("kind", "name"), ENTRIES)
def test_entry_validates_and_has_source(kind: str, name: str) -> None:
    spec = catalog.get(kind, name)
    assert spec.name == name
    assert spec.sources, f"{kind} {name} has no source"


def test_required_names_exist() -> None:
    for kind, name in [
        ("chip", "a100-sxm4-80g"),
        ("system", "dgx-a100-80g"),
        ("model", "gpt3-175b"),
        ("model", "megatron-22b"),
        ("model", "megatron-530b"),
        ("model", "megatron-1t"),
    ]:
        catalog.get(kind, name)


def test_every_chip_calibration_exists() -> None:
    for chip in catalog.entries("chip"):
        catalog.get("calibration", chip.calibration)


def test_every_system_chip_exists() -> None:
    for system in catalog.entries("system"):
        catalog.get("chip", system.chip)


def test_calibration_rows_and_checks_do_not_overlap() -> None:
    """A calibration says what it was fitted on; a check row is never among them."""
    for cal in catalog.entries("calibration"):
        for name in cal.fitted_on:
            if name in catalog.names("run"):
                assert catalog.get("run", name).role == "calibration", name
        assert not set(cal.fitted_on) & set(cal.checked_on)
