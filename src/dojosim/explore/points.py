"""The points of a sweep, numbered 0..N-1 in a fixed order that depends only on the spec.

* ``grid``: the product of every axis (the last axis varies fastest); a range
  gives ``num`` points from low to high.
* ``random`` / ``lhs``: every combination of the case axes, crossed with
  ``samples`` draws of the other axes (uniform, or a Latin hypercube: each axis
  cut into ``samples`` strata, one draw in each), from ``seed``.
* then each reference, for every combination of the case axes.

A point is computed from its number alone (grid digits, or a row of the drawn
matrix), so workers can be sent numbers instead of scenarios.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from dojosim.explore.spec import Assignments, Axis, CaseAxis, RangeAxis, SweepSpec, ValuesAxis


def _grid_values(axis: Axis) -> list[tuple[Assignments, Any]]:
    """(assignments, column value) for each grid step of one axis."""
    if isinstance(axis, ValuesAxis):
        return [({axis.path: v}, c) for v, c in zip(axis.values, axis.column, strict=True)]
    if isinstance(axis, CaseAxis):
        return [(a, name) for name, a in axis.cases]
    assert axis.num is not None
    num = axis.num
    if axis.log:
        xs = np.geomspace(axis.low, axis.high, num) if num > 1 else np.array([axis.low])
    else:
        xs = np.linspace(axis.low, axis.high, num)
    return [({axis.path: v}, v) for v in (_cast(axis, float(x)) for x in xs)]


def _cast(axis: RangeAxis, x: float) -> float | int:
    return round(x) if axis.integer else x


def _draw(spec: SweepSpec, axes: list[Axis]) -> np.ndarray:
    """A (samples x axes) matrix of uniform numbers in [0, 1), from the spec's seed."""
    n, d = spec.samples or 0, len(axes)
    if d == 0 or n == 0:
        return np.zeros((n, d))
    if spec.mode == "lhs":
        from scipy.stats import qmc

        return np.asarray(qmc.LatinHypercube(d=d, seed=np.random.default_rng(spec.seed)).random(n))
    return np.random.default_rng(spec.seed).random((n, d))


def _sampled(axis: Axis, u: float) -> tuple[Assignments, Any]:
    if isinstance(axis, ValuesAxis):
        i = min(int(u * len(axis.values)), len(axis.values) - 1)
        return {axis.path: axis.values[i]}, axis.column[i]
    assert isinstance(axis, RangeAxis)
    if axis.log:
        x = math.exp(math.log(axis.low) + u * (math.log(axis.high) - math.log(axis.low)))
    else:
        x = axis.low + u * (axis.high - axis.low)
    v = _cast(axis, min(max(x, axis.low), axis.high))
    return {axis.path: v}, v


@dataclass
class Plan:
    """The sweep's points; :meth:`point` gives one point's assignments and column values."""

    spec: SweepSpec

    def __post_init__(self) -> None:
        spec = self.spec
        self.cases = [a for a in spec.axes if isinstance(a, CaseAxis)]
        if spec.mode == "grid":
            self.outer = list(spec.axes)
            self.inner: list[Axis] = []
            self.draws = np.zeros((1, 0))
        else:
            self.outer = list(self.cases)
            self.inner = [a for a in spec.axes if not isinstance(a, CaseAxis)]
            self.draws = _draw(spec, self.inner)
        self.steps = [_grid_values(a) for a in self.outer]
        self.per_outer = 1 if spec.mode == "grid" else int(spec.samples or 1)
        self.design = math.prod(len(s) for s in self.steps) * self.per_outer
        case_combos = math.prod(len(a.cases) for a in self.cases)
        self.total = self.design + len(spec.references) * case_combos

    def __len__(self) -> int:
        return self.total

    def _outer(self, k: int) -> tuple[Assignments, dict[str, Any]]:
        assign: Assignments = {}
        cols: dict[str, Any] = {}
        for axis, steps in reversed(list(zip(self.outer, self.steps, strict=True))):
            k, digit = divmod(k, len(steps))
            a, c = steps[digit]
            assign = {**a, **assign}
            cols[_name(axis)] = c
        return assign, cols

    def point(self, i: int) -> tuple[Assignments, dict[str, Any]]:
        """Point ``i``: the field values to set (in order) and the axis columns to store."""
        if not 0 <= i < self.total:
            raise IndexError(i)
        spec = self.spec
        cols: dict[str, Any] = dict.fromkeys(spec.axis_columns)
        if spec.references:
            cols["reference"] = None
        assign: Assignments = {f"vars.{k}": v for k, v in spec.vars.items()}
        if i < self.design:
            outer, row = divmod(i, self.per_outer)
            a, c = self._outer(outer)
            assign.update(a)
            cols.update(c)
            for axis, u in zip(self.inner, self.draws[row] if self.inner else [], strict=True):
                a, c = _sampled(axis, float(u))
                assign.update(a)
                cols[_name(axis)] = c
            return assign, cols
        j = i - self.design
        ref, combo = divmod(j, max(1, math.prod(len(a.cases) for a in self.cases)))
        for axis in reversed(self.cases):
            combo, digit = divmod(combo, len(axis.cases))
            name, a = axis.cases[digit]
            assign.update(a)
            cols[axis.name] = name
        name, a = spec.references[ref]
        assign.update(a)
        cols["reference"] = name
        # A reference's own value of an axis shows in that axis's column.
        for axis in spec.axes:
            if isinstance(axis, ValuesAxis | RangeAxis) and axis.path in a:
                cols[axis.path] = a[axis.path]
        return assign, cols


def _name(axis: Axis) -> str:
    return axis.name if isinstance(axis, CaseAxis) else axis.path


def scenario_of(plan: Plan, assign: Assignments) -> tuple[dict[str, Any], dict[str, float]]:
    """The scenario mapping of a point, and its sweep variables."""
    from dojosim.explore.apply import set_path

    mapping = plan.spec.base
    variables: dict[str, float] = {}
    for path, value in assign.items():
        if path.startswith("vars."):
            variables[path] = value
        else:
            mapping = set_path(mapping, path, value)
    return mapping, variables


def batches(indices: list[int] | range, size: int) -> list[list[int]]:
    """Consecutive runs of at most ``size`` indices (a task's worth of points)."""
    it = iter(indices)
    out = []
    while chunk := list(itertools.islice(it, size)):
        out.append(chunk)
    return out
