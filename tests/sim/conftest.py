"""A small scenario with a reliability section (GPT-3 175B on 64 A100: a fast estimate)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conftest import BASE

RELIABILITY: dict[str, Any] = {
    "failures": "llama3-h100",
    "duration": "10 d",
    "restart": "10 min",
    "checkpoint": {"interval": "auto", "save": "30 s"},
    "spares": 4,
}


@pytest.fixture
def reliable() -> dict[str, Any]:
    """A fresh scenario mapping with a reliability section."""
    d = copy.deepcopy(BASE)
    d["reliability"] = copy.deepcopy(RELIABILITY)
    return d
