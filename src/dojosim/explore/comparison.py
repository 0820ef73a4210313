"""Scenarios side by side: one column each, rows aligned by output, the best of each row marked.

Any scenarios: transformer models or catalog networks, with or without a site
and cost section (those add the site-and-cost figures, and an orbit its Earth
equivalent as ``earth.*``). A field a scenario lacks is empty in its column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dojosim.errors import SpecError
from dojosim.explore.directions import better
from dojosim.explore.outputs import compute

#: Fields shown first, in this order, when present; the rest follow in the order met.
_FIRST = (
    "scenario",
    "model",
    "system",
    "chip",
    "chips",
    "precision",
    "step_time_s",
    "mfu",
    "hfu",
    "tokens_per_s",
    "samples_per_s",
    "model_tflops_per_chip",
    "memory_per_chip_bytes",
    "memory_capacity_bytes",
    "fits_in_memory",
    "bottleneck",
)


@dataclass(frozen=True)
class Row:
    """One field across the scenarios; ``best`` are the indices of the best values."""

    field: str
    values: list[Any]
    best: list[int]
    better: str | None

    def as_dict(self, names: list[str]) -> dict[str, Any]:
        return {
            "field": self.field,
            "values": dict(zip(names, self.values, strict=True)),
            "best": [names[i] for i in self.best],
            "better": self.better,
        }


@dataclass(frozen=True)
class Comparison:
    """Scenarios (their names, as given) and the rows comparing them."""

    names: list[str]
    rows: list[Row]

    def as_dict(self) -> dict[str, Any]:
        return {"scenarios": self.names, "rows": [r.as_dict(self.names) for r in self.rows]}


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, int | float) and math.isfinite(v):
        return float(v)
    return None


def _best(values: list[Any], direction: str | None) -> list[int]:
    """Indices of the best values, when at least two differ; none otherwise."""
    if direction is None:
        return []
    nums = [_number(v) for v in values]
    present = [x for x in nums if x is not None]
    if len(present) < 2 or min(present) == max(present):
        return []
    target = min(present) if direction == "lower" else max(present)
    return [i for i, x in enumerate(nums) if x is not None and x == target]


def _outputs(ref: str | Path | dict[str, Any]) -> dict[str, Any]:
    from dojosim.spec.loader import read_yaml
    from dojosim.spec.resolve import scenario_path

    if isinstance(ref, dict):
        mapping, file = ref, None
    else:
        file = scenario_path(ref)
        mapping = read_yaml(file)
    if not isinstance(mapping, dict):
        raise SpecError("expected a mapping of fields", file=file)
    if mapping.get("site") is not None or mapping.get("cost") is not None:
        from dojosim.spec.resolve import load_any
        from dojosim.spec.scenario import Scenario

        if isinstance(load_any(mapping if file is None else file), Scenario):
            return _with_file(lambda: compute(mapping, site=True), file)
    return _with_file(lambda: compute(mapping, site=False), file)


def _with_file(call: Any, file: str | None) -> dict[str, Any]:
    try:
        out: dict[str, Any] = call()
    except SpecError as exc:
        if exc.file is None and file is not None:
            raise SpecError(exc.detail, file=file, field=exc.field) from None
        raise
    return out


def compare(refs: list[str | Path | dict[str, Any]]) -> Comparison:
    """Compare scenarios (built-in names, files or mappings); at least two."""
    if len(refs) < 2:
        raise SpecError("compare needs at least two scenarios")
    flats = [_outputs(r) for r in refs]
    names = [
        str(f.get("scenario") or r) if isinstance(r, dict) else str(r)
        for r, f in zip(refs, flats, strict=True)
    ]
    if len(set(names)) < len(names):
        names = [f"{n} ({i + 1})" for i, n in enumerate(names)]
    order = [k for k in _FIRST if any(k in f for f in flats)]
    for f in flats:
        order += [k for k in f if k not in order]
    rows = []
    for key in order:
        values = [f.get(key) for f in flats]
        if all(v is None for v in values):
            continue
        direction = better(key) if key != "scenario" else None
        rows.append(Row(key, values, _best(values, direction), direction))
    return Comparison(names, rows)


def to_csv(c: Comparison) -> str:
    """The comparison as CSV: field, one column per scenario, the best scenarios, the direction."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["field", *c.names, "best", "better"])
    for r in c.rows:
        best = ";".join(c.names[i] for i in r.best)
        w.writerow([r.field, *("" if v is None else v for v in r.values), best, r.better or ""])
    return buf.getvalue()
