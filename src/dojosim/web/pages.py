"""The pages: an HTML shell per page, with the catalog's names in its forms.

Each page's script (``static/<page>.js``) reads the page's state from the query
string, asks the API for the page's view and draws it; the state goes back into
the query string, so a page's URL can be shared.
"""

from __future__ import annotations

from dojosim.report.sections import esc

#: (path, page id, title in the navigation)
PAGES = (
    ("/", "estimate", "Estimate"),
    ("/compare", "compare", "Compare"),
    ("/site", "site", "Site & cost"),
    ("/orbit", "orbit", "Orbit"),
    ("/validate", "validate", "Validate"),
    ("/catalog", "catalog", "Catalog"),
)

PRECISIONS = ("bf16", "fp16", "fp8", "cfp8", "tf32", "fp32")


def _options(values: list[str], selected: str = "", blank: str | None = None) -> str:
    out = [f'<option value="">{esc(blank)}</option>'] if blank is not None else []
    for v in values:
        sel = " selected" if v == selected else ""
        out.append(f'<option value="{esc(v)}"{sel}>{esc(v)}</option>')
    return "".join(out)


def shell(page: str, title: str, body: str) -> str:
    nav = "".join(
        f'<a href="{path}" class="{"active" if pid == page else ""}" data-nav="{pid}">{esc(name)}</a>'
        for path, pid, name in PAGES
    )
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'><link rel='icon' href='data:,'>"
        f"<title>dojosim · {esc(title)}</title>"
        '<link rel="stylesheet" href="/static/style.css">'
        '<script src="/static/plotly.min.js"></script><script src="/static/app.js"></script>'
        f'</head><body data-page="{page}"><header class="top"><span class="brand">dojosim</span>'
        f"<nav>{nav}</nav></header><main>{body}</main>"
        f'<script src="/static/{page}.js"></script></body></html>'
    )


PROGRESS = (
    '<div class="progress" id="progress"><div class="bar"></div><span class="text"></span></div>'
    '<div id="error" class="error" hidden></div>'
)


def _knob(name: str, label: str, hint: str) -> str:
    return (
        f'<label>{esc(label)}<input name="{name}" placeholder="{esc(hint)}" '
        f'title="a number, or auto (blank: {esc(hint)})"></label>'
    )


def estimate_page() -> str:
    from dojosim import catalog, scenarios

    models = catalog.names("model")
    networks = catalog.names("network")
    knobs = "".join(
        _knob(n, label, hint)
        for n, label, hint in (
            ("tensor", "tensor parallel", "default 1"),
            ("pipeline", "pipeline parallel", "default 1"),
            ("data", "data parallel", "default chips / (TP x PP)"),
            ("micro_batch", "micro-batch", "default 1"),
            ("interleave", "interleave (virtual stages)", "default 1"),
            ("context", "context parallel", "default 1"),
            ("expert", "expert parallel (MoE)", "default 1"),
        )
    )
    body = f"""
<h1>Estimate a training step</h1>
<p class="lead">Pick a built-in scenario, or a model, a system and the layout; or paste a scenario YAML.
A knob left blank takes its default (shown greyed); <code>auto</code> asks the estimator for the
fastest layout that fits in memory.</p>
<div class="card"><form id="form" class="controls" autocomplete="off">
<label>built-in scenario<select name="scenario">{_options(scenarios.names(), blank="(none: use the fields)")}</select></label>
<label>model or network<select name="model"><optgroup label="transformer models">{_options(models)}</optgroup>
<optgroup label="networks">{_options(networks)}</optgroup></select></label>
<label>system<select name="system">{_options(catalog.names("system"), "dgx-a100-80g")}</select></label>
<label>chips<input name="chips" type="number" min="1" value="64"></label>
<label>precision<select name="precision">{_options(list(PRECISIONS))}</select></label>
<label>FP8 primary weights (fp8)<select name="fp8_params"><option value="">default (off)</option>
<option>true</option><option>false</option></select></label>
<label>Adam moments<select name="optimizer_moments"><option value="">default (fp32)</option>
<option>bf16</option><option>fp32</option></select></label>
<label>FP8 recipe (fp8)<select name="fp8_recipe"><option value="">default (delayed)</option>
<option>delayed</option><option>tensorwise</option><option>mxfp8</option><option>blockwise</option></select></label>
<label>global batch (sequences or samples)<input name="global_batch" type="number" min="1" value="64"></label>
{knobs}
<label>sequence parallel<select name="sequence_parallel"><option value="">default (off)</option>
<option>auto</option><option>true</option><option>false</option></select></label>
<label>recompute<select name="recompute"><option value="">default (selective)</option>
<option>auto</option><option>none</option><option>selective</option><option>op</option>
<option>dots</option><option>full</option></select></label>
<label>ZeRO stage<select name="zero"><option value="">default (0)</option><option>auto</option>
<option>0</option><option>1</option><option>2</option><option>3</option></select></label>
<label>data-parallel overlap<select name="overlap_data_parallel"><option value="">default (on)</option>
<option>true</option><option>false</option></select></label>
<label>tensor-parallel overlap<select name="overlap_tensor_parallel">
<option value="">default (the framework's)</option><option>none</option><option>backward</option>
</select></label>
<label>expert all-to-all overlap<select name="overlap_expert_parallel">
<option value="">default (off)</option><option>true</option><option>false</option></select></label>
<label>context-parallel exchange<select name="context_comm">
<option value="">default (ring)</option><option>ring</option><option>all_gather</option></select></label>
<label>layers per stage<input name="stage_layers" placeholder="default even, e.g. 11,13,13,11"></label>
<label>recompute modules (megatron, selective)<input name="recompute_modules" placeholder="default core_attn, e.g. layernorm,moe_act"></label>
<label>sequence length<input name="seq_len" type="number" min="1" placeholder="the model's"></label>
<button class="primary" type="submit" id="run">Estimate</button>
</form>
<details id="yaml-box"><summary>or paste a scenario YAML</summary>
<textarea id="yaml" spellcheck="false" placeholder="name: my-run&#10;model: gpt3-175b&#10;..."></textarea>
<button class="primary" type="button" id="run-yaml">Estimate this YAML</button></details></div>
{PROGRESS}
<div id="result" hidden>
<p class="share"><a id="share" href="#">link to this estimate</a> · <a id="download" href="#">download the JSON</a></p>
<div id="cards"></div><div id="layout-text"></div>
<div class="grid"><div id="fig-step" class="plot card"></div><div id="fig-memory" class="plot card"></div></div>
<div id="fig-layout" class="plot card"></div>
<h2>All figures</h2><div id="table"></div><div id="accuracy"></div><div id="notes"></div>
<h2>Inputs</h2><div id="inputs"></div>
<h2>Catalog entries used, with their sources</h2><div id="sources"></div></div>"""
    return shell("estimate", "Estimate", body)


def compare_page() -> str:
    from dojosim import scenarios

    names = scenarios.names()
    slots = "".join(
        f'<label>scenario {i + 1}<select name="s">{_options(names, blank="(none)")}</select></label>'
        for i in range(4)
    )
    body = f"""
<h1>Compare scenarios</h1>
<p class="lead">Two to four built-in scenarios side by side: the same figures, the best of each row marked ★.</p>
<div class="card"><form id="form" class="controls">{slots}
<button class="primary" type="submit" id="run">Compare</button></form></div>
{PROGRESS}
<div id="result" hidden><p class="share"><a id="share" href="#">link to this comparison</a></p>
<div id="table"></div>
<div class="grid"><div id="fig-step" class="plot card"></div><div id="fig-memory" class="plot card"></div></div></div>"""
    return shell("compare", "Compare", body)


def site_page() -> str:
    from dojosim import scenarios

    names = scenarios.names()
    costed = [n for n in names if "site" in scenarios.raw(n) or "cost" in scenarios.raw(n)]
    others = [n for n in names if n not in costed]
    body = f"""
<h1>Site &amp; cost</h1>
<p class="lead">Where a job runs and what it costs: on Earth, or in orbit beside its Earth equivalent.
Move a slider to see the figures change; the tornado shows each parameter's range from the catalog.</p>
<div class="card"><form id="form" class="controls">
<label>scenario<select name="scenario"><optgroup label="with a site or cost section">{_options(costed)}</optgroup>
<optgroup label="others (an average US data centre)">{_options(others)}</optgroup></select></label>
<button class="primary" type="submit" id="run">Cost it</button></form>
<details><summary>or paste a scenario YAML (with site: and cost: sections)</summary>
<textarea id="yaml" spellcheck="false"></textarea>
<button class="primary" type="button" id="run-yaml">Cost this YAML</button></details></div>
{PROGRESS}
<div id="result" hidden><p class="share"><a id="share" href="#">link to this view (with the sliders)</a></p>
<div id="cards"></div>
<div class="card"><h3>What if</h3><div id="sliders"></div>
<button type="button" id="reset">back to the scenario's values</button></div>
<div id="fig-tornado" class="plot card"></div><div id="fig-cost" class="plot card"></div>
<h2>All figures</h2><div id="table"></div><div id="notes"></div>
<h2>Prices and ranges</h2><div id="price-sources"></div>
<h2>Site entries</h2><div id="sources"></div></div>"""
    return shell("site", "Site & cost", body)


def orbit_page() -> str:
    from dojosim.site.query import DEFAULT_YEAR

    body = f"""
<h1>Orbit: a year of sunlight</h1>
<p class="lead">A circular orbit, sun-synchronous at a local time of the ascending node or at an
inclination: sunlit fraction, eclipses and their seasons, the β angle. The year defaults to {DEFAULT_YEAR}.</p>
<div class="card"><form id="form" class="controls">
<label>altitude (km)<input name="altitude_km" type="number" step="any" value="650"></label>
<label>plane<select name="plane"><option value="sso">sun-synchronous</option>
<option value="inclined">inclined</option></select></label>
<label>LTAN (HH:MM)<input name="ltan" value="18:00"></label>
<label>inclination (deg)<input name="inclination_deg" type="number" step="any" value="53"></label>
<label>RAAN on 1 January (deg)<input name="raan_deg" type="number" step="any" value="0"></label>
<label>year<input name="year" type="number" value="{DEFAULT_YEAR}"></label>
<button class="primary" type="submit" id="run">Compute the year</button></form></div>
{PROGRESS}
<div id="result" hidden><p class="share"><a id="share" href="#">link to this orbit</a></p>
<div id="cards"></div><div id="fig-year" class="plot card"></div><div id="table"></div></div>"""
    return shell("orbit", "Orbit", body)


def validate_page() -> str:
    from dojosim.validate import ROLES
    from dojosim.validate.groups import GROUP_BY

    boxes = "".join(
        f'<label style="flex-direction:row;gap:.3rem"><input type="checkbox" name="role" value="{r}" checked>{r}</label>'
        for r in ROLES
    )
    body = f"""
<h1>Validate: predictions against published figures</h1>
<p class="lead">Every published run (calibration rows were fitted on, check rows never were) and
every published claim, each in its own unit. <code>input</code> rows restate one of our inputs and
are never summarised.</p>
<div class="card"><form id="form" class="controls">{boxes}</form></div>
{PROGRESS}
<div id="result" hidden><h2>Summary</h2><div id="summary"></div>
<h2>By group</h2><p>The runs' errors grouped, each group with its bias: the mean step error,
negative where the predicted steps are shorter than measured.</p>
<div class="controls"><label>group by<select id="by">{_options(list(GROUP_BY), "system")}</select></label></div>
<div id="groups"></div>
<div id="fig-parity" class="plot card"></div><h2>Every row</h2><div id="table"></div></div>"""
    return shell("validate", "Validate", body)


def catalog_page() -> str:
    from dojosim.catalog import LISTABLE

    body = f"""
<h1>Catalog</h1>
<p class="lead">Chips, systems, models, networks, sites, prices, published runs and built-in
scenarios: every entry with its sources.</p>
<div class="card"><form id="form" class="controls">
<label>kind<select name="kind">{_options(list(LISTABLE), "chip")}</select></label></form></div>
{PROGRESS}
<div class="grid"><div id="list" class="card"></div><div id="entry" class="card" hidden></div></div>"""
    return shell("catalog", "Catalog", body)


RENDER = {
    "estimate": estimate_page,
    "compare": compare_page,
    "site": site_page,
    "orbit": orbit_page,
    "validate": validate_page,
    "catalog": catalog_page,
}
