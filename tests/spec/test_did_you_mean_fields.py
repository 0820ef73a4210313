"""A misspelled field is named with the field it probably meant, not only reported as missing."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from dojosim import estimate
from dojosim.errors import SpecError
from tests.conftest import BASE


def misspell(path: str, wrong: str) -> dict[str, Any]:
    s = copy.deepcopy(BASE)
    *head, last = path.split(".")
    d = s
    for k in head:
        d = d[k]
    d[wrong] = d.pop(last)
    return s


@pytest.mark.parametrize(
    ("path", "wrong", "field", "meant"),
    [
        ("parallelism.global_batch", "global_bach", "parallelism.global_bach", "global_batch"),
        ("model", "modle", "modle", "model"),
        (
            "parallelism.tensor",
            "tensr",
            "parallelism.tensr",
            "tensor",
        ),  # not required: no "missing"
        ("chips", "chip", "chip", "chips"),
    ],
)
def test_unknown_field_suggests_the_nearest(path: str, wrong: str, field: str, meant: str) -> None:
    with pytest.raises(SpecError) as info:
        estimate(misspell(path, wrong))
    assert info.value.field == field
    assert f"unknown field (did you mean '{meant}'" in str(info.value)


def test_site_section_fields_are_suggested_too() -> None:
    s = copy.deepcopy(BASE)
    s["site"] = {"typ": "earth"}
    with pytest.raises(SpecError, match=r"site\.typ: unknown field \(did you mean 'type'\?\)"):
        estimate(s)


def test_a_field_with_no_near_name_is_just_unknown() -> None:
    s = copy.deepcopy(BASE)
    s["zzzz"] = 1
    with pytest.raises(SpecError, match=r"zzzz: unknown field$"):
        estimate(s)


def test_cli_prints_the_suggestion_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(yaml.safe_dump(misspell("parallelism.global_batch", "global_bach")))
    proc = subprocess.run(
        [sys.executable, "-m", "dojosim.cli", "estimate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == (
        f"dojosim: error: {path}: parallelism.global_bach: unknown field (did you mean 'global_batch'?)"
    )
