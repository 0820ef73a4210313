"""What a point produces: the estimate, the site-and-cost report when asked for, derived values.

Output names are the keys of ``dojosim estimate --json`` and ``dojosim site
--json``, nested ones dotted (``breakdown.forward_s``, ``layout.tensor``); an
orbit's Earth equivalent is ``earth.*``. ``scenario.*`` reads the resolved
scenario in SI units (``scenario.chip.tdp``). ``derive:`` adds expressions over
all of these, the axis columns and the sweep variables.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from dojosim.errors import DojosimError, SpecError, nearest
from dojosim.explore.expr import Expression

#: Estimate fields that are not outputs by default (names and bookkeeping).
_NOT_DEFAULT = ("scenario", "notes")
#: Site-report fields kept by default when the base scenario has a site or cost section.
_SITE_PREFIXES = ("earth.", "orbit_vs_earth.")


def flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as dotted keys; lists are left out (notes, sensitivities)."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        elif not isinstance(v, list | tuple):
            out[key] = v
    return out


def _has_site(mapping: dict[str, Any]) -> bool:
    return mapping.get("site") is not None or mapping.get("cost") is not None


def one_line(exc: BaseException) -> str:
    """An exception as one line (the store's ``error`` column)."""
    text = " ".join(str(exc).split())
    return text if isinstance(exc, DojosimError) else f"{type(exc).__name__}: {text}"


@dataclass(frozen=True)
class Outputs:
    """Which outputs a sweep keeps, and what computing them needs."""

    names: tuple[str, ...]
    site: bool
    scenario: bool
    derive: tuple[tuple[str, str], ...]

    def evaluate(self, mapping: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        """The outputs of one scenario; raises what the library raises for a bad point."""
        if self.derive:
            values = {**compute(mapping, site=self.site, scenario=self.scenario), **context}
            for name, text in self.derive:
                values[name] = _expression(text)(values)
            return {n: values.get(n) for n in self.names}
        nested = compute(mapping, site=self.site, scenario=self.scenario, flat=False)
        return {n: context[n] if n in context else lookup(nested, n) for n in self.names}


@functools.lru_cache(maxsize=256)
def _expression(text: str) -> Expression:
    return Expression(text)


def lookup(data: dict[str, Any], name: str) -> Any:
    """The value of a dotted output name in nested mappings (None when absent)."""
    if name in data:
        v = data[name]
        return None if isinstance(v, dict | list) else v
    head, dot, rest = name.partition(".")
    while dot:
        sub = data.get(head)
        if isinstance(sub, dict):
            found = lookup(sub, rest)
            if found is not None:
                return found
        part, dot, rest = rest.partition(".")
        head = f"{head}.{part}"
    return None


def compute(
    mapping: dict[str, Any], *, site: bool, scenario: bool = False, flat: bool = True
) -> dict[str, Any]:
    """Estimate a scenario mapping (and its site and cost when ``site``): outputs by name.

    ``flat``: nested fields as dotted keys; else the nested documents merged (see :func:`lookup`).
    """
    from dojosim.perf.estimate import estimate
    from dojosim.spec.resolve import load_any
    from dojosim.spec.scenario import Scenario

    sc = load_any(mapping)
    out = estimate(sc).as_dict()
    if site:
        if not isinstance(sc, Scenario):
            raise SpecError("site and cost outputs are only computed for transformer models")
        from dojosim.cost.pipeline import site_report

        report = site_report(sc).to_dict()
        earth = report.pop("earth_equivalent", None)
        if earth is not None:
            report["earth"] = earth
        for drop in ("price", "sensitivities", "notes"):
            report.pop(drop, None)
        for k, v in report.items():
            out.setdefault(k, v)
    if scenario:
        out.update(flatten(sc.model_dump(mode="json"), "scenario."))
    return flatten(out) if flat else out


def plan_outputs(
    base: dict[str, Any],
    requested: tuple[str, ...] | None,
    derive: tuple[tuple[str, str], ...],
    columns: tuple[str, ...],
    variables: tuple[str, ...],
    file: str | None = None,
) -> tuple[Outputs, dict[str, Any]]:
    """Decide the outputs from the base scenario's own results; check every requested name.

    Returns the outputs and the base's values (their types fix the store's columns).
    An unknown output is a :class:`SpecError` naming the nearest.
    """
    try:
        est = compute(base, site=False)
    except DojosimError as exc:
        raise SpecError(
            f"the base scenario fails: {one_line(exc)}", file=file, field="base"
        ) from None
    wanted = list(requested or [])
    for _, text in derive:
        wanted += Expression(text).names
    others = {*columns, *variables, *(n for n, _ in derive)}
    site_needed = _has_site(base) or any(
        n not in est and n not in others and _site_like(n) for n in wanted
    )
    known, site_error = dict(est), ""
    if site_needed:
        try:
            known = compute(base, site=True)
        except DojosimError as exc:
            if _has_site(base):
                raise SpecError(
                    f"the site and cost of the base scenario fail: {one_line(exc)}",
                    file=file,
                    field="base",
                ) from None
            site_needed, site_error = False, one_line(exc)
    scen = any(n.startswith("scenario.") for n in wanted)
    if scen:
        known.update(compute(base, site=False, scenario=True))
    if requested is None:
        names = [
            k for k, v in est.items() if k not in _NOT_DEFAULT and v is not None and "." not in k
        ]
        names += [k for k, v in est.items() if k.startswith("layout.") and v is not None]
        if site_needed:
            names += [
                k for k, v in known.items() if k not in est and v is not None and _default_site(k)
            ]
    else:
        names = list(requested)
    derived = [n for n, _ in derive]
    universe = [*known, *columns, *variables, *derived]
    for i, (name, text) in enumerate(derive):
        try:
            Expression(text).check_names(
                [*known, *columns, *variables, *derived[:i]], f"derive.{name}"
            )
        except SpecError as exc:
            raise SpecError(exc.detail, file=file, field=exc.field) from None
    for n in names:
        if n not in universe:
            why = f"; no site and cost outputs here: {site_error}" if site_error else ""
            raise SpecError(
                f"unknown output {n!r}{nearest(n, universe)} (outputs are the fields of "
                f"dojosim estimate --json and dojosim site --json{why})",
                file=file,
                field="outputs",
            )
    names = [n for n in names if n not in columns] + [d for d in derived if d not in names]
    out = Outputs(tuple(dict.fromkeys(names)), site_needed, scen, derive)
    context = {**dict.fromkeys(columns, 1.0), **dict.fromkeys(variables, 1.0)}
    sample = {**known, **{k: v for k, v in context.items() if k not in known}}
    for name, text in derive:
        sample[name] = Expression(text)(sample)
        if isinstance(sample[name], float) and math.isnan(sample[name]):
            sample[name] = 0.0
    return out, {n: sample.get(n) for n in out.names}


def _site_like(name: str) -> bool:
    return not name.startswith(("scenario.", "vars."))


def _default_site(name: str) -> bool:
    """Site-report fields kept by default: top-level figures and the Earth equivalent's cost."""
    if name.startswith(_SITE_PREFIXES):
        return name.startswith("orbit_vs_earth.") or name in (
            "earth.usd_per_pflop_day",
            "earth.tco_usd",
            "earth.flops_per_usd_per_w",
            "earth.time_to_train_s",
            "earth.cost_to_train_usd",
        )
    return "." not in name
