"""Solve for one field: the value that makes an output (or a ratio of outputs) meet a target.

``solve(scenario, "site.launch_price", "usd_per_pflop_day / earth.usd_per_pflop_day = 1")``
scans the field's range for a change of sign of ``lhs - value``, then refines
the bracket with Brent's method (scipy.optimize.brentq). The range is
``low``..``high`` when given, else a factor of 10 either side of the field's
value in the scenario (or its catalog entry). When no value in the range meets
the target the result says so, with what the output does across the range.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import numpy as np

from dojosim.errors import DojosimError, SpecError
from dojosim.explore.apply import get_path, set_path
from dojosim.explore.expr import Expression
from dojosim.explore.fields import field as field_of
from dojosim.explore.fields import parse_value, var_value
from dojosim.explore.outputs import compute

SCAN = 17  # points of the first scan over the range


@dataclass(frozen=True)
class Solution:
    """The value found (SI) and what the target expression gives there, or why none was found."""

    scenario: str
    field: str
    target: str
    value: float | None
    achieved: float | None
    found: bool
    exact: bool
    low: float
    high: float
    evaluations: int
    message: str
    unit: str = ""  # the unit the range or the scenario writes the field in ("" = SI)
    value_in_unit: float | None = None
    scan: list[dict[str, Any]] = dc_field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_target(text: str) -> tuple[Expression, float]:
    """``"OUTPUT = VALUE"`` (OUTPUT may be an expression, e.g. a ratio) as (expression, value)."""
    lhs, eq, rhs = text.partition("=")
    if not eq or "=" in rhs or not lhs.strip() or not rhs.strip():
        raise SpecError(f"expected 'OUTPUT = VALUE', got {text!r}", field="--target")
    try:
        value = var_value(rhs.strip())
    except ValueError as exc:
        raise SpecError(str(exc), field="--target") from None
    try:
        return Expression(lhs.strip()), value
    except SpecError as exc:
        raise SpecError(exc.detail, field="--target") from None


def _mapping(scenario: str | Path | dict[str, Any]) -> tuple[dict[str, Any], str]:
    from dojosim.spec.loader import read_yaml
    from dojosim.spec.resolve import scenario_path

    if isinstance(scenario, dict):
        return scenario, str(scenario.get("name", "scenario"))
    path = scenario_path(scenario)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise SpecError("expected a mapping of fields", file=path)
    return data, str(scenario)


def _unit(f: Any, written: Any) -> tuple[str, float]:
    """The unit a value is written in (``"0.05 USD/kWh"`` -> ``USD/kWh``) and its size in SI."""
    import re

    if isinstance(written, dict):
        written = written.get("value")
    m = (
        re.match(r"^\s*[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?\s*(\S.*)$", str(written))
        if isinstance(written, str)
        else None
    )
    if m is None:
        return "", 1.0
    try:
        return m.group(1).strip(), float(parse_value(f, f"1 {m.group(1).strip()}", ""))
    except SpecError:
        return "", 1.0


def _range(f: Any, base: dict[str, Any], low: Any, high: Any) -> tuple[float, float]:
    parse = lambda v, w: float(parse_value(f, v, w))  # noqa: E731
    if low is not None and high is not None:
        lo, hi = parse(low, "--range"), parse(high, "--range")
    else:
        current = get_path(base, f.path)
        if current is None:
            raise SpecError(
                f"the scenario gives {f.path} no value to search around: give --range LOW,HIGH",
                field="--vary",
            )
        x = parse(current, "--vary")
        lo, hi = (x / 10, x * 10) if x > 0 else (x * 10, x / 10) if x < 0 else (0.0, 1.0)
    if not lo < hi:
        raise SpecError(f"the range needs low < high, got {lo:g} and {hi:g}", field="--range")
    return lo, hi


def solve(
    scenario: str | Path | dict[str, Any],
    vary: str,
    target: str,
    *,
    low: Any = None,
    high: Any = None,
    xtol: float = 1e-9,
) -> Solution:
    """The value of ``vary`` (a dotted numeric field) that meets ``target`` (``"EXPR = VALUE"``).

    ``low`` / ``high`` bound the search (values as the scenario writes them, e.g.
    ``"100 USD/kg"``); ``xtol`` is relative to the range. Integer fields give the
    integer nearest to where the target is crossed.
    """
    base, name = _mapping(scenario)
    f = field_of(vary)
    if not f.numeric or f.is_var:
        raise SpecError(f"{vary} is not a numeric scenario field", field="--vary")
    expr, value = parse_target(target)
    lo, hi = _range(f, base, low, high)
    probe = compute(base, site=False)
    site = any(n not in probe for n in expr.names)
    known = compute(base, site=True) if site else probe
    expr.check_names(list(known), "--target")
    calls = 0

    def g(x: float) -> float:
        nonlocal calls
        calls += 1
        v = round(x) if f.integer else x
        try:
            out = compute(set_path(base, vary, v), site=site)
        except DojosimError:
            return math.nan
        return expr(out) - value

    xs = _scan_points(lo, hi, f.integer)
    gs = [g(float(x)) for x in xs]
    scan = [
        {"x": float(x), "value": (gx + value) if math.isfinite(gx) else None}
        for x, gx in zip(xs, gs, strict=True)
    ]

    def result(x: float | None, found: bool, exact: bool, message: str, **extra: Any) -> Solution:
        achieved = g(x) + value if x is not None else None
        return Solution(
            scenario=name,
            field=vary,
            target=target,
            value=x,
            achieved=achieved,
            found=found,
            exact=exact,
            low=lo,
            high=hi,
            evaluations=calls,
            message=message,
            scan=scan,
            **extra,
        )

    finite = [(float(x), gx) for x, gx in zip(xs, gs, strict=True) if math.isfinite(gx)]
    bracket = next(
        ((a, b, ga, gb) for (a, ga), (b, gb) in itertools.pairwise(finite) if ga * gb <= 0),
        None,
    )
    if bracket is None:
        return result(None, False, False, _no_root(vary, target, scan, lo, hi))
    x = _refine_int(g, *bracket) if f.integer else _refine(g, *bracket, xtol * (hi - lo))
    gx = g(x)
    exact = math.isfinite(gx) and abs(gx) <= 1e-6 * max(1.0, abs(value))
    unit, size = _unit(f, low if low is not None else get_path(base, vary))
    shown = f"{x / size:.6g} {unit}" if unit else f"{x:.6g}"
    msg = f"{vary} = {shown} gives {expr.text} = {gx + value:.6g}"
    if f.integer and not exact:
        msg += f" (the whole number nearest to {value:g})"
    elif not exact:
        msg += f" (the output steps across {value:g} here: no value gives it exactly)"
    return result(x, True, exact, msg, unit=unit, value_in_unit=x / size)


def _scan_points(lo: float, hi: float, integer: bool) -> list[float]:
    """Where to look first: log-spaced over wide positive ranges; for whole numbers also the
    powers of two and three times them (chip counts and batch sizes that divide evenly)."""
    log = lo > 0 and hi / lo >= (4 if integer else 20)
    xs = [float(x) for x in (np.geomspace(lo, hi, SCAN) if log else np.linspace(lo, hi, SCAN))]
    if not integer:
        return xs
    nice = {float(m * 2**k) for k in range(64) for m in (1, 3) if lo <= m * 2**k <= hi}
    return sorted({float(round(x)) for x in xs} | nice)


def _refine_int(g: Any, a: float, b: float, ga: float, gb: float) -> float:
    """The whole number nearest where ``g`` crosses zero in [a, b], trying values that divide
    like the ends do (multiples of their greatest common divisor), since many others fail."""
    ia, ib = round(a), round(b)
    while ib - ia > 1:
        step = math.gcd(ia, ib) or 1
        cands = list(range(ia + step, ib, step)) if ib - ia > step else []
        if not cands:
            break
        if len(cands) > 32:
            cands = [cands[int(i)] for i in np.linspace(0, len(cands) - 1, 32)]
        pts = [(ia, ga), *[(c, g(c)) for c in cands], (ib, gb)]
        pts = [(x, v) for x, v in pts if math.isfinite(v)]
        pair = next(((p, q) for p, q in itertools.pairwise(pts) if p[1] * q[1] <= 0), None)
        if pair is None or (pair[0][0], pair[1][0]) == (ia, ib):
            break
        (ia, ga), (ib, gb) = pair
    return float(ia if abs(ga) <= abs(gb) else ib)


class _Invalid(Exception):
    """The field's value at this point gives no result (an invalid layout, say)."""


def _refine(g: Any, a: float, b: float, ga: float, gb: float, xtol: float) -> float:
    """Where ``g`` crosses zero in [a, b]: Brent's method, or a finer scan where points fail."""
    from scipy.optimize import brentq

    if ga == 0 or gb == 0:
        return a if ga == 0 else b

    def strict(x: float) -> float:
        v = float(g(x))
        if not math.isfinite(v):
            raise _Invalid
        return v

    try:
        return float(brentq(strict, a, b, xtol=xtol, rtol=1e-10, maxiter=200))
    except _Invalid:
        pass
    # Some values in the bracket fail: narrow it on a finer grid of the values that work.
    for _ in range(6):
        xs = np.linspace(a, b, 9)
        pts = [(float(x), g(float(x))) for x in xs]
        pts = [(x, v) for x, v in pts if math.isfinite(v)]
        pair = next(((p, q) for p, q in itertools.pairwise(pts) if p[1] * q[1] <= 0), None)
        if pair is None or b - a <= xtol:
            break
        (a, ga), (b, gb) = pair
        if ga == 0 or gb == 0:
            return a if ga == 0 else b
    return a if abs(ga) <= abs(gb) else b


def _no_root(vary: str, target: str, scan: list[dict[str, Any]], lo: float, hi: float) -> str:
    vals = [(s["x"], s["value"]) for s in scan if s["value"] is not None]
    if not vals:
        return f"no value of {vary} in [{lo:.6g}, {hi:.6g}] gives a result (every point fails)"
    (xmin, vmin), (xmax, vmax) = min(vals, key=lambda t: t[1]), max(vals, key=lambda t: t[1])
    return (
        f"no value of {vary} in [{lo:.6g}, {hi:.6g}] meets {target!r}: the left side ranges from "
        f"{vmin:.6g} (at {xmin:.6g}) to {vmax:.6g} (at {xmax:.6g}); widen --range"
    )
