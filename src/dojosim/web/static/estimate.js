// Estimate page: a built-in scenario, the form's fields, or pasted YAML -> one step estimate.
"use strict";

const KNOBS = ["tensor", "pipeline", "data", "micro_batch", "interleave", "context", "expert"];
const CHOICES = [
  "sequence_parallel", "recompute", "zero", "overlap_data_parallel", "overlap_tensor_parallel",
  "overlap_expert_parallel", "context_comm", "stage_layers", "recompute_modules",
];
const FIELDS = ["model", "system", "chips", "precision", "fp8_params", "optimizer_moments", "fp8_recipe", "global_batch", "seq_len", ...KNOBS, ...CHOICES];
const form = dj.$("form");
let extras = {};      // sections of a loaded built-in the form does not show (data:, site:, ...)
let lastDoc = null;

function knobValue(text) {
  if (text === "auto" || text === "true" || text === "false") return text === "auto" ? "auto" : text === "true";
  const n = Number(text);
  return Number.isFinite(n) && text.trim() !== "" ? n : text;
}

// The scenario mapping the form describes (blank knobs are left out: they take their defaults).
function scenarioFromForm() {
  const v = dj.formValues(form);
  const par = { global_batch: knobValue(v.global_batch || "") };
  for (const k of [...KNOBS, ...CHOICES]) if (v[k] !== undefined) par[k] = knobValue(v[k]);
  if (v.stage_layers !== undefined) par.stage_layers = v.stage_layers.split(",").map((x) => knobValue(x.trim()));
  if (v.recompute_modules !== undefined) par.recompute_modules = v.recompute_modules.split(",").map((x) => x.trim());
  const out = { name: v.scenario || "web-estimate", ...extras, model: v.model, system: v.system,
    chips: knobValue(v.chips || ""), precision: v.precision, parallelism: { ...(extras.parallelism || {}), ...par } };
  if (v.seq_len) out.seq_len = knobValue(v.seq_len);
  if (v.fp8_params) out.fp8_params = v.fp8_params === "true";
  if (v.optimizer_moments) out.optimizer_moments = v.optimizer_moments;
  if (v.fp8_recipe) out.fp8_recipe = v.fp8_recipe;
  return out;
}

function fillForm(s) {
  const par = s.parallelism || {};
  const set = (name, value) => { if (form.elements[name]) form.elements[name].value = value === undefined || value === null ? "" : String(value); };
  set("model", typeof s.model === "string" ? s.model : "");
  set("system", typeof s.system === "string" ? s.system : "");
  set("chips", s.chips); set("precision", s.precision || "bf16"); set("seq_len", s.seq_len);
  set("fp8_params", s.fp8_params);
  set("optimizer_moments", s.optimizer_moments);
  set("fp8_recipe", s.fp8_recipe);
  set("global_batch", par.global_batch);
  for (const k of [...KNOBS, ...CHOICES]) set(k, Array.isArray(par[k]) ? par[k].join(",") : par[k]);
  const rest = { ...s };
  for (const k of ["name", "description", "model", "system", "chips", "precision", "seq_len", "fp8_params", "optimizer_moments", "fp8_recipe"]) delete rest[k];
  rest.parallelism = {};
  for (const [k, value] of Object.entries(par)) if (!FIELDS.includes(k)) rest.parallelism[k] = value;
  extras = rest;
}

function draw(view, request) {
  lastDoc = view.doc;
  dj.fill("cards", view.html.cards);
  dj.fill("layout-text", view.html.layout);
  dj.fill("table", view.html.table);
  dj.fill("accuracy", view.html.accuracy);
  dj.fill("notes", view.html.notes);
  dj.fill("inputs", view.html.inputs);
  dj.fill("sources", view.html.sources);
  dj.$("result").hidden = false;
  dj.plots("fig-", view.figures);
  document.body.dataset.request = JSON.stringify(request).slice(0, 200);
}

function run(request, params) {
  dj.setQuery(params);
  return dj.busy("run", async () => draw(await dj.job("estimate", request), request));
}

function runForm() {
  const params = new URLSearchParams();
  const v = dj.formValues(form);
  for (const k of FIELDS) if (v[k] !== undefined) params.set(k, v[k]);
  if (v.scenario) params.set("base", v.scenario);
  run({ scenario: scenarioFromForm() }, params);
}

async function loadBuiltin(name, andRun) {
  const entry = await dj.request("GET", `/api/catalog/scenario/${encodeURIComponent(name)}`);
  fillForm(entry.entry);
  form.elements.scenario.value = name;
  if (andRun) run({ name }, new URLSearchParams({ scenario: name }));
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const name = form.elements.scenario.value;
  if (name && form.dataset.edited !== "1") run({ name }, new URLSearchParams({ scenario: name }));
  else runForm();
});
form.elements.scenario.addEventListener("change", () => {
  form.dataset.edited = "0";
  if (form.elements.scenario.value) loadBuiltin(form.elements.scenario.value, true).catch(dj.showError);
  else extras = {};
});
form.addEventListener("input", (ev) => { if (ev.target.name !== "scenario") form.dataset.edited = "1"; });
// Another model: the loaded scenario's data ingest no longer applies.
form.elements.model.addEventListener("change", () => { delete extras.data; });
dj.$("run-yaml").addEventListener("click", () => {
  const text = dj.$("yaml").value;
  run({ yaml: text }, new URLSearchParams({ yaml: text }));
});
dj.$("download").addEventListener("click", (ev) => {
  ev.preventDefault();
  if (lastDoc) dj.download(`${lastDoc.scenario || "estimate"}.json`, lastDoc);
});

// The page's state from its URL: ?scenario=NAME, ?yaml=TEXT, or the form's fields.
(async function start() {
  const q = dj.query();
  try {
    if (q.get("scenario")) {
      await loadBuiltin(q.get("scenario"), true);
    } else if (q.get("yaml")) {
      dj.$("yaml").value = q.get("yaml");
      dj.$("yaml-box").open = true;
      run({ yaml: q.get("yaml") }, q);
    } else if (q.get("model")) {
      if (q.get("base")) await loadBuiltin(q.get("base"), false);
      for (const k of FIELDS) if (q.has(k) && form.elements[k]) form.elements[k].value = q.get(k);
      form.dataset.edited = "1";
      runForm();
    } else {
      document.body.dataset.state = "idle";
    }
  } catch (err) {
    dj.showError(err);
  }
})();
