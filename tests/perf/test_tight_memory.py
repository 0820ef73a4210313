"""A layout that fits but fills more than 95% of the chip's memory says so in the result
(the runtime's own memory is not counted)."""

from __future__ import annotations

from dojosim import catalog, estimate
from dojosim.perf.estimate import TIGHT_MEMORY


def _note(notes: list[str]) -> list[str]:
    return [n for n in notes if "of the chip's memory" in n]


def test_llama3_405b_8k_fills_the_h100() -> None:
    e = estimate(catalog.get("run", "llama3-405b-8k-h100").scenario)
    share = e.memory_per_chip_bytes / e.memory_capacity_bytes
    assert e.fits_in_memory and share > TIGHT_MEMORY
    (note,) = _note(e.notes)
    assert note.startswith(f"the layout needs {share:.0%} of the chip's memory")


def test_roomy_layout_has_no_note() -> None:
    e = estimate(catalog.get("run", "nemo2502-gpt3-175b-512-h100").scenario)
    assert e.memory_per_chip_bytes / e.memory_capacity_bytes < TIGHT_MEMORY
    assert _note(e.notes) == []
