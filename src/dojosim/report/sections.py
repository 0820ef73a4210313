"""HTML fragments of results: the same markup in the web app's pages and in the HTML report.

Every function returns a string of escaped HTML (no scripts): tables of numbers
with units (:mod:`dojosim.report.views`), headline cards, the calibration an
estimate rests on, the inputs as YAML and the catalog sources used. Rows carry
``data-label`` and cells ``data-col`` so a reader (or a browser test) can find a
figure by name.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from dojosim.report import views
from dojosim.report.tables import OVER_MEMORY


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def table_html(table: dict[str, Any], caption: str = "") -> str:
    """A table from :mod:`dojosim.report.views`: label, one column per result, unit, note."""
    cols = table["columns"]
    head = "".join(f"<th>{esc(c)}</th>" for c in cols)
    out = [
        f'<table class="data"><caption class="muted">{esc(caption)}</caption>'
        if caption
        else '<table class="data">'
    ]
    out.append(f"<thead><tr><th>figure</th>{head}<th>unit</th><th>note</th></tr></thead><tbody>")
    for r in table["rows"]:
        cells = []
        for i, v in enumerate(r["values"]):
            best = r.get("best") == i
            cls = "num best" if best else "num"
            mark = ' <span title="best">★</span>' if best else ""
            cells.append(f'<td class="{cls}" data-col="{i}">{esc(v)}{mark}</td>')
        out.append(
            f'<tr data-label="{esc(r["label"])}"><th scope="row">{esc(r["label"])}</th>'
            f'{"".join(cells)}<td class="unit">{esc(r["unit"])}</td>'
            f'<td class="note">{esc(r.get("note", ""))}</td></tr>'
        )
    out.append("</tbody></table>")
    return "".join(out)


#: The headline cards of an estimate, by row label.
HEADLINE = (
    "step time",
    "step time, likely range",
    "MFU",
    "throughput",
    "memory per chip",
    "bottleneck",
)


def cards_html(rows: Sequence[dict[str, Any]], labels: Sequence[str] = HEADLINE) -> str:
    """The figures named in ``labels`` as cards (value, unit, note)."""
    out = ['<div class="cards">']
    for r in rows:
        if r["label"] not in labels:
            continue
        key = r["label"].replace(" ", "-").replace(",", "")
        out.append(
            f'<div class="metric" data-metric="{esc(key)}"><div class="label">{esc(r["label"])}</div>'
            f'<div><span class="value">{esc(r["values"][0])}</span>'
            f'<span class="unit">{esc(r["unit"])}</span></div>'
            f'<div class="note">{esc(r.get("note", ""))}</div></div>'
        )
    out.append("</div>")
    return "".join(out)


def accuracy_html(acc: dict[str, Any]) -> str:
    """Which calibration the estimate's compute constants come from, and how it was checked."""
    if not acc:
        return ""
    status = (
        '<span class="tag bad">what-if: no measurement of this chip was fitted</span>'
        if acc["what_if"]
        else '<span class="tag">fitted on measurements</span>'
    )
    checked = ", ".join(acc["checked_on"]) or "none yet"
    fitted = "; ".join(acc["fitted_on"]) or "-"
    return (
        f'<p class="accuracy"><b>Accuracy:</b> compute constants from calibration '
        f"<code>{esc(acc['calibration'])}</code> {status}. Fitted on: {esc(fitted)}. "
        f"Checked (never fitted) on: {esc(checked)}; see the Validate page or "
        f"<code>dojosim validate</code>.</p>"
    )


def sources_html(entries: Sequence[dict[str, Any]]) -> str:
    """The catalog entries used, each with its description and sources."""
    if not entries:
        return '<p class="muted">No catalog entries (every part given inline).</p>'
    items = []
    for e in entries:
        srcs = "".join(f"<li>{esc(s)}</li>" for s in e["sources"]) or "<li>(no source)</li>"
        items.append(
            f'<li data-entry="{esc(e["kind"])}/{esc(e["name"])}"><b>{esc(e["kind"])}</b> '
            f"<code>{esc(e['name'])}</code>: {esc(e['description'])}<ul>{srcs}</ul></li>"
        )
    return f'<ul class="sources">{"".join(items)}</ul>'


def inputs_html(mapping: dict[str, Any]) -> str:
    """The scenario as given, as YAML."""
    import yaml

    text = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=100)
    return f'<pre class="yaml">{esc(text)}</pre>'


def notes_html(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    return '<ul class="notes">' + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>"


def estimate_fragments(doc: dict[str, Any], mapping: dict[str, Any] | None) -> dict[str, str]:
    """The HTML of one estimate: cards, table, accuracy, notes, sources (and inputs)."""
    rows = views.estimate_rows(doc)
    from dojosim.report.tables import layout_text

    layout = f"<p><b>Layout:</b> {esc(layout_text(doc.get('layout', {})))}"
    chosen = doc.get("chosen") or {}
    if chosen:
        picks = ", ".join(f"{k} = {v}" for k, v in chosen.items())
        layout += f"; <code>auto</code> chose {esc(picks)}"
    layout += "</p>"
    names = [mapping] if mapping else []
    names.append({k: doc.get(k) for k in ("system", "chip", "model")})
    return {
        "cards": cards_html(rows),
        "table": table_html(views.estimate_table(doc)),
        "layout": layout,
        "accuracy": accuracy_html(views.accuracy(doc)),
        "notes": notes_html(doc.get("notes", [])),
        "sources": sources_html(views.sources_used(*names)),
        "inputs": inputs_html(mapping) if mapping else "",
    }


def site_fragments(doc: dict[str, Any]) -> dict[str, str]:
    """The HTML of a site report: its table (Earth equivalent beside an orbit), sources, notes."""
    table = views.site_table(doc)
    rows = table["rows"]
    cards = cards_html(
        rows,
        (
            "cost per PFLOP-day",
            "total cost of ownership",
            "IT power",
            "time to train",
            "cost to train",
        ),
    )
    sources = [*table["sources"]]
    sources += [
        f"sensitivity range of {r['parameter']}: {r['source']}"
        for r in doc.get("sensitivities", [])
    ]
    entries = views.sources_used({"site": doc.get("site", {})})
    return {
        "cards": cards,
        "table": table_html(table),
        "price_sources": "<ul class='sources'>"
        + "".join(f"<li>{esc(s)}</li>" for s in sources)
        + "</ul>",
        "sources": sources_html(entries),
        "notes": notes_html(table["notes"]),
    }


def _short(text: str, limit: int = 140) -> str:
    """The start of a long text (the whole of it is in the cell's title)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def validate_table_html(rows: Sequence[dict[str, Any]]) -> str:
    """Every validation row: measured and predicted in its unit, error, tolerance, status, source."""
    from dojosim.report.site_figures import number

    head = (
        "<thead><tr><th>run or claim</th><th>role</th><th>metric</th><th>measured</th>"
        "<th>predicted</th><th>unit</th><th>error</th><th>tolerance</th><th>status</th>"
        "<th>source</th></tr></thead>"
    )
    body = []
    for r in rows:
        tol = "-" if r.get("tolerance") is None else f"±{100 * r['tolerance']:.3g} %"
        status = r.get("status", "")
        if status == "input" and r.get("restates"):
            status = f"input: restates {r['restates']}"
        body.append(
            f'<tr class="{esc(r.get("status", "").replace(" ", "-"))}" data-role="{esc(r["role"])}" '
            f'data-run="{esc(r["run"])}"><td>{esc(r["run"])}</td><td>{esc(r["role"])}</td>'
            f"<td>{esc(r['metric'])}</td><td class='num'>{esc(number(r['measured']))}</td>"
            f"<td class='num'>{esc(number(r['predicted']))}</td><td class='unit'>{esc(r.get('unit') or '-')}</td>"
            f"<td class='num'>{100 * r['error']:+.2f} %</td><td class='num'>{esc(tol)}</td>"
            f"<td>{esc(status)}</td><td class='note' title='{esc(r.get('source', ''))}'>"
            f"{esc(_short(str(r.get('source', ''))))}</td></tr>"
        )
    return f'<table class="data validate">{head}<tbody>{"".join(body)}</tbody></table>'


def summary_html(summary: dict[str, dict[str, Any]]) -> str:
    """Mean and max |error| per role (and unit, where a role mixes units), failed rows named,
    and how many runs that ran the estimate says would not fit in memory."""
    body = []
    for group, st in summary.items():
        failed = ", ".join(st.get("failed", [])) or "none"
        body.append(
            f'<tr data-group="{esc(group)}"><th scope="row">{esc(group)}</th>'
            f"<td class='num'>{int(st['count'])}</td>"
            f"<td class='num'>{100 * st['mean_abs_error']:.2f} %</td>"
            f"<td class='num'>{100 * st['max_abs_error']:.2f} %</td><td>{esc(failed)}</td>"
            f"<td class='num' data-col='not_fitting'>{len(st.get('not_fitting', []))}</td></tr>"
        )
    return (
        '<table class="data summary"><thead><tr><th>group</th><th>rows</th><th>mean |error|</th>'
        "<th>max |error|</th><th>outside tolerance</th>"
        f'<th title="{OVER_MEMORY}">over memory</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def groups_html(groups: Sequence[dict[str, Any]], by: str) -> str:
    """The runs' errors grouped ``by`` (:func:`dojosim.validate.groups.groups`): rows, mean,
    median and max |error|, the bias (mean step error), the runs over memory and the worst row
    of each group."""
    body = []
    for g in groups:
        body.append(
            f'<tr data-group="{esc(g[by])}"><th scope="row">{esc(g[by])}</th>'
            f"<td class='num'>{int(g['rows'])}</td>"
            f"<td class='num'>{100 * g['mean_abs_error']:.1f} %</td>"
            f"<td class='num'>{100 * g['median_abs_error']:.1f} %</td>"
            f"<td class='num'>{100 * g['max_abs_error']:.1f} %</td>"
            f"<td class='num' data-col='mean_step_error'>{100 * g['mean_step_error']:+.1f} %</td>"
            f"<td class='num' data-col='not_fitting'>{len(g.get('not_fitting', []))}</td>"
            f"<td>{esc(g['worst'])}</td></tr>"
        )
    return (
        f'<table class="data groups" data-by="{esc(by)}"><thead><tr><th>{esc(by)}</th>'
        "<th>rows</th><th>mean |error|</th><th>median |error|</th><th>max |error|</th>"
        "<th title='negative: predicted steps shorter than measured (optimistic)'>mean step error"
        f"</th><th title='{OVER_MEMORY}'>over memory</th><th>worst row</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )
