"""`dojosim report`: one self-contained HTML file of one or more scenarios.

The file holds its CSS and Plotly's JavaScript inline (the copy bundled with the
installed ``plotly`` package) and no ``http`` script source, so it opens offline.
For each scenario: its inputs, the headline figures with units, the step split by
cause, memory per chip, the layout, the calibration it rests on, a site-and-cost
section where the scenario has ``site:`` or ``cost:``, and the sources of every
catalog entry used. Two or more scenarios add a comparison with the best marked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dojosim.report import figures, sections, site_figures, views
from dojosim.report.jsonout import clean
from dojosim.report.sections import esc

ASSETS = Path(__file__).resolve().parent / "assets"


def plotly_js_path() -> Path:
    """Plotly's minified JavaScript as shipped inside the installed ``plotly`` package."""
    from dojosim.errors import DojosimError

    try:
        import plotly
    except ImportError:  # pragma: no cover - depends on the install
        raise DojosimError("HTML reports need plotly (pip install 'dojosim[web]')") from None
    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    if not path.is_file():  # pragma: no cover - depends on the install
        raise DojosimError(f"plotly's bundled JavaScript is missing: {path}")
    return path


def stylesheet() -> str:
    return (ASSETS / "style.css").read_text(encoding="utf-8")


def script_json(obj: Any) -> str:
    """JSON safe to place inside a ``<script>`` element."""
    text = json.dumps(clean(obj), allow_nan=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


class _Figures:
    """Collects figures and hands out the id of the ``div`` each is drawn into."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def div(self, fig: dict[str, Any]) -> str:
        key = f"fig{len(self.items)}"
        self.items[key] = fig
        return f'<div class="plot card" id="{key}"></div>'


def _scenario_input(ref: str | dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """What to estimate (a file path, or the mapping) and the mapping to show as inputs."""
    if isinstance(ref, dict):
        return ref, ref
    from dojosim.spec.loader import read_yaml
    from dojosim.spec.resolve import scenario_path

    path = scenario_path(ref)
    data = read_yaml(path)
    return path, data if isinstance(data, dict) else {}


def _site_section(source: Any, figs: _Figures) -> str:
    from dojosim.cost.pipeline import site_report
    from dojosim.errors import DojosimError

    try:
        doc = site_report(source).to_dict()
    except DojosimError as exc:
        return f'<h3>Site and cost</h3><p class="error">site and cost not computed: {esc(exc)}</p>'
    frag = sections.site_fragments(doc)
    plots = site_figures.site_figures(doc)
    return (
        f"<h3>Site and cost ({esc(doc['site_type'])})</h3>{frag['cards']}{frag['table']}"
        f"{figs.div(plots['tornado'])}{figs.div(plots['cost'])}"
        f"{frag['notes']}<h4>Prices and ranges</h4>{frag['price_sources']}"
        f"<h4>Site entries</h4>{frag['sources']}"
    )


def _scenario_section(
    doc: dict[str, Any], mapping: dict[str, Any], source: Any, figs: _Figures
) -> str:
    frag = sections.estimate_fragments(doc, mapping)
    plots = figures.estimate_figures(doc)
    anchor = esc(doc.get("scenario", "scenario"))
    desc = " ".join(str(mapping.get("description", "")).split())
    parts = [
        f'<section class="scenario" id="{anchor}"><h2>{anchor}</h2>',
        f'<p class="lead">{esc(desc)}</p>' if desc else "",
        f"<p>{esc(doc.get('model', ''))} on {int(doc.get('chips', 0)):,} x {esc(doc.get('chip', ''))} "
        f"({esc(doc.get('system', ''))}), {esc(doc.get('precision', ''))}</p>",
        frag["cards"],
        frag["layout"],
        f'<div class="grid">{figs.div(plots["step"])}{figs.div(plots["memory"])}</div>',
        figs.div(plots["layout"]),
        "<h3>All figures</h3>",
        frag["table"],
        frag["accuracy"],
        frag["notes"],
    ]
    if "site" in mapping or "cost" in mapping:
        parts.append(_site_section(source, figs))
    parts += [
        "<h3>Inputs</h3>",
        frag["inputs"],
        "<h3>Catalog entries used, with their sources</h3>",
        frag["sources"],
        "</section>",
    ]
    return "".join(parts)


def build(
    refs: Sequence[str | dict[str, Any]], progress: Callable[[str], None] | None = None
) -> str:
    """The report of one or more scenarios (paths, built-in names or mappings) as HTML text."""
    from dojosim import __version__
    from dojosim.perf.estimate import estimate

    if not refs:
        from dojosim.errors import DojosimError

        raise DojosimError("give at least one scenario")
    figs = _Figures()
    docs, blocks = [], []
    for ref in refs:
        source, mapping = _scenario_input(ref)
        if progress:
            progress(f"estimating {mapping.get('name', source)} ...")
        doc = clean(estimate(source).as_dict())
        docs.append(doc)
        blocks.append(_scenario_section(doc, mapping, source, figs))
    names = [str(d.get("scenario")) for d in docs]
    head = ""
    if len(docs) > 1:
        plots = figures.compare_figures(docs)
        head = (
            "<section><h2>Side by side</h2>"
            + sections.table_html(
                views.compare_table(docs), "★ marks the best of each compared figure"
            )
            + f'<div class="grid">{figs.div(plots["step"])}{figs.div(plots["memory"])}</div></section>'
        )
    toc = " · ".join(f'<a href="#{esc(n)}">{esc(n)}</a>' for n in names)
    title = "dojosim report: " + ", ".join(names)
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><link rel='icon' href='data:,'>"
        f"<title>{esc(title)}</title><style>{stylesheet()}</style>"
        f"<script>{plotly_js_path().read_text(encoding='utf-8')}</script></head><body>"
        f'<header class="top"><span class="brand">dojosim</span><span>report</span></header><main>'
        f"<h1>{esc(title)}</h1><p class='muted'>Written by dojosim {esc(__version__)}. "
        f"Units are shown beside every figure. Scenarios: {toc}</p>"
        f"{head}{''.join(blocks)}</main>"
        f"<script>const FIGURES = {script_json(figs.items)};\n"
        "for (const [id, fig] of Object.entries(FIGURES)) {\n"
        "  Plotly.newPlot(id, fig.data, fig.layout, {displaylogo: false, responsive: true});\n"
        "}</script></body></html>\n"
    )


def write(
    refs: Sequence[str | dict[str, Any]],
    out: str | Path,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the report to ``out`` (written whole to a temporary file first, then renamed)."""
    from dojosim.errors import DojosimError

    path = Path(out)
    if not path.parent.is_dir():
        raise DojosimError(f"cannot write {path}: no folder {str(path.parent)!r}")
    text = build(refs, progress)
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DojosimError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
