"""What each page shows, computed by library functions: documents, figures and HTML fragments.

Each view returns plain JSON-ready data. Results of pure functions are cached by
their input (an estimate by its scenario, a site's base report, the validation
rows), so a page revisited or a slider moved does not repeat the step estimate.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

from dojosim.errors import DojosimError, SpecError
from dojosim.report import figures, sections, site_figures, views
from dojosim.report.jsonout import clean

Progress = Callable[[str, int | None, int | None], None]


def no_progress(stage: str, done: int | None = None, total: int | None = None) -> None:
    """Progress that goes nowhere (a view called directly rather than as a job)."""


def key_of(mapping: dict[str, Any]) -> str:
    """A canonical text of a scenario mapping (the cache key)."""
    return json.dumps(mapping, sort_keys=True, default=str)


@functools.lru_cache(maxsize=128)
def _estimate(key: str) -> dict[str, Any]:
    from dojosim.perf.estimate import estimate

    doc: dict[str, Any] = clean(estimate(json.loads(key)).as_dict())
    return doc


def estimate_doc(mapping: dict[str, Any]) -> dict[str, Any]:
    """The ``dojosim estimate --json`` document of a scenario mapping (cached)."""
    return _estimate(key_of(mapping))


def estimate_view(mapping: dict[str, Any], progress: Progress = no_progress) -> dict[str, Any]:
    progress(
        f"estimating {mapping.get('name', 'the scenario')} (layout search where auto)", None, None
    )
    doc = estimate_doc(mapping)
    return {
        "doc": doc,
        "figures": figures.estimate_figures(doc),
        "html": sections.estimate_fragments(doc, mapping),
    }


def compare_view(
    mappings: Sequence[dict[str, Any]], progress: Progress = no_progress
) -> dict[str, Any]:
    """Two to four estimates side by side; an error names the scenario it came from."""
    if not 2 <= len(mappings) <= 4:
        raise SpecError(f"compare 2 to 4 scenarios, got {len(mappings)}", field="scenarios")
    docs = []
    for i, m in enumerate(mappings):
        progress(f"estimating {m.get('name', f'scenario {i + 1}')}", i, len(mappings))
        try:
            docs.append(estimate_doc(m))
        except SpecError as exc:
            field = f"scenarios[{i}]" + (f".{exc.field}" if exc.field else "")
            raise SpecError(exc.detail, file=exc.file, field=field) from None
    return {
        "docs": docs,
        "figures": figures.compare_figures(docs),
        "html": {"table": sections.table_html(views.compare_table(docs), "★ marks the best")},
    }


@functools.lru_cache(maxsize=32)
def _site_base(key: str) -> Any:
    from dojosim.cost.pipeline import site_report
    from dojosim.spec.resolve import load_scenario

    sc = load_scenario(json.loads(key))
    return site_report(sc), (sc.cost.sensitivities if sc.cost else "sensitivity-ranges")


def site_doc(mapping: dict[str, Any], overrides: dict[str, float] | None = None) -> dict[str, Any]:
    """The ``dojosim site --json`` document, with what-if ``overrides`` (SI) applied."""
    from dojosim.cost import whatif

    base, ranges_name = _site_base(key_of(mapping))
    sweep = whatif.ranges(ranges_name) if ranges_name else None
    report = whatif.apply(base, overrides or {}, sweep)
    doc: dict[str, Any] = clean(report.to_dict())
    if overrides:
        doc["overrides"] = dict(overrides)  # the what-if values this document was costed with
    return doc


def site_view(
    mapping: dict[str, Any],
    overrides: dict[str, float] | None = None,
    progress: Progress = no_progress,
) -> dict[str, Any]:
    from dojosim.cost import whatif

    progress(f"costing {mapping.get('name', 'the scenario')}", None, None)
    doc = site_doc(mapping, overrides)
    base, _ = _site_base(key_of(mapping))
    sliders = []
    for s in whatif.sliders(base):
        name, unit, scale = site_figures.parameter_label(s["parameter"])
        if base.section_type == "orbit" and s["parameter"] in ("electricity_price", "pue"):
            name += " (Earth equivalent)"
        value = (overrides or {}).get(s["parameter"], s["base"])
        sliders.append({**s, "label": name, "unit": unit, "scale": scale, "value": value})
    return {
        "doc": doc,
        "figures": site_figures.site_figures(doc),
        "html": sections.site_fragments(doc),
        "sliders": sliders,
    }


def orbit_view(params: dict[str, Any], progress: Progress = no_progress) -> dict[str, Any]:
    from dojosim.site.query import orbit_year_for

    progress("sampling a year of sunlight", None, None)
    year = orbit_year_for(**params)
    doc: dict[str, Any] = clean(year.to_dict())
    rows = views.orbit_rows(doc)
    return {
        "doc": doc,
        "figures": {"year": site_figures.orbit_year(year)},
        "html": {
            "cards": sections.cards_html(rows, [r["label"] for r in rows[:4]]),
            "table": sections.table_html({"columns": ["value"], "rows": rows}),
        },
    }


_SCORES: list[Any] = []
_SCORES_LOCK = threading.Lock()


def _scores(progress: Progress = no_progress) -> list[Any]:
    """Every validation score, computed once per process (the catalog does not change)."""
    from dojosim import validate as v

    with _SCORES_LOCK:
        if not _SCORES:
            _SCORES.extend(v.validate(progress=progress))
        return list(_SCORES)


def validate_rows(
    roles: Sequence[str] | None = None, progress: Progress = no_progress
) -> list[dict[str, Any]]:
    """Every validation row (``dojosim validate --json``), optionally of some roles only."""
    from dojosim import validate as v

    for r in roles or []:
        if why := v.role_problem(r):
            raise SpecError(why, field="role")
    rows = [clean(s.as_dict()) for s in _scores(progress)]
    return [r for r in rows if not roles or r["role"] in roles]


def validate_groups(by: str) -> dict[str, Any]:
    """The runs' errors grouped ``by`` (``dojosim validate --by BY --json``)."""
    from dojosim.validate.groups import by_problem, groups

    if why := by_problem(by):
        raise SpecError(why, field="by")
    return {"by": by, "groups": clean(groups(_scores(), by))}


def validate_view(progress: Progress = no_progress) -> dict[str, Any]:
    from dojosim import validate as v
    from dojosim.validate.groups import GROUP_BY, groups

    rows = validate_rows(None, progress)
    scores = _scores()
    summary = clean(v.summary(scores))
    by = {key: clean(groups(scores, key)) for key in GROUP_BY}
    return {
        "rows": rows,
        "summary": summary,
        "groups": by,
        "figures": {"parity": site_figures.validate_parity(rows)},
        "html": {
            "table": sections.validate_table_html(rows),
            "summary": sections.summary_html(summary),
            "groups": {key: sections.groups_html(g, key) for key, g in by.items()},
        },
    }


def catalog_entry(kind: str, name: str) -> dict[str, Any]:
    """One entry as written, resolved to SI units where it has a schema, and its sources."""
    from dojosim import catalog, scenarios

    if kind in ("scenario", "scenarios"):
        data = scenarios.raw(name)
        return {"kind": "scenario", "name": name, "entry": data, "resolved": None, "sources": []}
    kind = catalog.check_kind(kind)
    data = catalog.raw(kind, name)
    try:
        resolved = clean(catalog.resolved(kind, name))
    except DojosimError:
        resolved = None
    src = data.get("source") or []
    return {
        "kind": kind,
        "name": name,
        "entry": clean(data),
        "resolved": resolved,
        "sources": [src] if isinstance(src, str) else [str(s) for s in src],
    }
