"""Pareto fronts: the rows no other row beats on every objective at once.

An objective is an output name, minimised or maximised as the name means
(:mod:`dojosim.explore.directions`), or forced with ``min:NAME`` / ``max:NAME``.
Only rows with ``status = 'ok'`` and finite objectives take part.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dojosim.errors import SpecError, nearest
from dojosim.explore.directions import better


def objectives(spec: str | list[str], columns: list[str]) -> list[tuple[str, str]]:
    """``"a,max:b"`` as [(column, "lower"|"higher")]; 2 or 3 objectives, each a column."""
    items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec) if s.strip()]
    if not 2 <= len(items) <= 3:
        raise SpecError(
            f"expected two or three outputs separated by commas, got {len(items)}", field="--pareto"
        )
    out = []
    for item in items:
        sense, _, name = item.rpartition(":")
        if name not in columns:
            raise SpecError(f"no column {name!r}{nearest(name, columns)}", field="--pareto")
        if sense:
            if sense not in ("min", "max"):
                raise SpecError(f"{item!r}: prefix with min: or max:", field="--pareto")
            direction = "lower" if sense == "min" else "higher"
        else:
            guessed = better(name)
            if guessed is None:
                raise SpecError(
                    f"{name!r} has no natural direction: write min:{name} or max:{name}",
                    field="--pareto",
                )
            direction = guessed
        out.append((name, direction))
    return out


def front_mask(values: np.ndarray) -> np.ndarray:
    """Which rows of an (n x k) array, all objectives minimised, no other row dominates."""
    n = len(values)
    keep = np.ones(n, dtype=bool)
    if n == 0:
        return keep
    # Visit rows best-first by their summed ranks: early rows knock out most of the rest.
    ranks = np.argsort(np.argsort(values, axis=0), axis=0).sum(axis=1)
    for i in np.argsort(ranks, kind="stable"):
        if not keep[i]:
            continue
        v = values[i]
        dominated = (v <= values).all(axis=1) & (v < values).any(axis=1)
        keep &= ~dominated
    return keep


def pareto_front(table: Any, spec: str | list[str], by: str | None = None) -> Any:
    """The front's rows of an Arrow table (per group of ``by``), ordered by the first objective."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = list(table.column_names)
    objs = objectives(spec, cols)
    if by is not None and by not in cols:
        raise SpecError(f"no column {by!r}{nearest(by, cols)}", field="--by")
    if "status" in cols:
        table = table.filter(pc.equal(table["status"], "ok"))
    data = (
        np.column_stack(
            [
                np.asarray(table[n].to_numpy(zero_copy_only=False), dtype=float)
                * (1 if d == "lower" else -1)
                for n, d in objs
            ]
        )
        if table.num_rows
        else np.zeros((0, len(objs)))
    )
    finite = np.isfinite(data).all(axis=1)
    groups = table[by].to_pylist() if by else [None] * table.num_rows
    keep = np.zeros(table.num_rows, dtype=bool)
    for g in dict.fromkeys(groups):
        idx = np.flatnonzero(finite & np.array([x == g for x in groups], dtype=bool))
        keep[idx[front_mask(data[idx])]] = True
    front = table.filter(pa.array(keep))
    keys = ([(by, "ascending")] if by else []) + [(objs[0][0], "ascending")]
    return front.sort_by(keys)
