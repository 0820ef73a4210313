"""Shared fixtures: scenario mappings and a helper to write scenario files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

BASE: dict[str, Any] = {
    "name": "test-175b",
    "model": "gpt3-175b",
    "system": "dgx-a100-80g",
    "chips": 64,
    "precision": "bf16",
    "parallelism": {
        "tensor": 8,
        "pipeline": 8,
        "data": 1,
        "global_batch": 64,
        "micro_batch": 1,
        "interleave": 1,
        "sequence_parallel": True,
        "recompute": "selective",
        "zero": 0,
    },
}


@pytest.fixture
def scenario() -> dict[str, Any]:
    """A fresh, valid scenario mapping (GPT-3 175B on 64 A100)."""
    return copy.deepcopy(BASE)


@pytest.fixture
def write_scenario(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a scenario mapping (or raw text) to a YAML file and return its path."""

    def write(data: dict[str, Any] | str, name: str = "scenario.yaml") -> Path:
        p = tmp_path / name
        p.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
        return p

    return write


@pytest.fixture
def files_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths read with ``Path.read_text`` during the test (to prove a request read nothing)."""
    opened: list[str] = []
    real = Path.read_text

    def spy(self: Path, *args: Any, **kwargs: Any) -> str:
        opened.append(str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", spy)
    return opened


def reported_layout(lay: dict[str, Any]) -> Any:
    """The :class:`~dojosim.mapping.layout.Layout` an estimate's ``layout`` dictionary reports,
    to rebuild its stages (``Context.stages``, ``Context.sums``) in a test."""
    from dojosim.mapping.layout import Layout

    return Layout(
        lay["tensor"], lay["pipeline"], lay["data"], lay["micro_batch"], lay["global_batch"],
        lay["interleave"], lay["sequence_parallel"], lay["recompute"], lay["zero"],
        tuple(lay["stage_layers"]), schedule=lay["schedule"], context=lay["context"],
        expert=lay["expert"], expert_tensor=lay["expert_tensor"],
        recompute_modules=tuple(lay["recompute_modules"] or ()),
    )  # fmt: skip
