// Site & cost page: a scenario costed on Earth or in orbit; sliders re-cost it live.
"use strict";

const form = dj.$("form");
let source = null;      // {name} or {yaml}: what is being costed
let sliders = [];       // rows from the server: parameter, low, high, base, value, label, unit, scale
const overrides = {};   // parameter -> SI value set by a slider
let pending = null;

// Wide ranges (launch 20..2,939 USD/kg) move on a log scale, narrow ones linearly.
const isLog = (s) => s.low > 0 && s.high / s.low > 20;
const toPos = (s, v) => 1000 * (isLog(s) ? Math.log(v / s.low) / Math.log(s.high / s.low) : (v - s.low) / (s.high - s.low));
const fromPos = (s, p) => (isLog(s) ? s.low * Math.pow(s.high / s.low, p / 1000) : s.low + (s.high - s.low) * p / 1000);
const shown = (s, v) => {
  const x = v * s.scale;
  return (Math.abs(x) >= 100 ? x.toLocaleString("en", { maximumFractionDigits: 0 }) : x.toPrecision(3)) + (s.unit ? ` ${s.unit}` : "");
};

function drawSliders() {
  const box = dj.$("sliders");
  box.innerHTML = "";
  for (const s of sliders) {
    const lo = Math.min(s.low, s.value), hi = Math.max(s.high, s.value);
    const range = { ...s, low: lo, high: hi };
    const row = document.createElement("div");
    row.className = "slider";
    row.innerHTML = `<label for="sl-${s.parameter}"></label><input type="range" min="0" max="1000" step="1"
      id="sl-${s.parameter}" data-parameter="${s.parameter}"><output id="out-${s.parameter}"></output>`;
    row.querySelector("label").textContent = `${s.label}${s.unit ? ` (${s.unit})` : ""}`;
    row.querySelector("label").title = `range: ${s.source}`;
    const input = row.querySelector("input");
    input.value = String(Math.round(toPos(range, s.value)));
    row.querySelector("output").textContent = shown(s, s.value);
    input.addEventListener("input", () => {
      const v = fromPos(range, Number(input.value));
      overrides[s.parameter] = v;
      row.querySelector("output").textContent = shown(s, v);
      clearTimeout(pending);
      pending = setTimeout(recost, 120);
    });
    box.appendChild(row);
  }
}

function draw(view) {
  dj.fill("cards", view.html.cards);
  dj.fill("table", view.html.table);
  dj.fill("notes", view.html.notes);
  dj.fill("price-sources", view.html.price_sources);
  dj.fill("sources", view.html.sources);
  dj.$("result").hidden = false;  // shown first: Plotly sizes a figure by its visible box
  dj.plots("fig-", view.figures);
  document.body.dataset.usdPerPflopDay = String(view.doc.usd_per_pflop_day);
}

function saveState() {
  const params = new URLSearchParams();
  if (source.name) params.set("scenario", source.name);
  else params.set("yaml", source.yaml);
  for (const [k, v] of Object.entries(overrides)) params.set(k, String(Number(v.toPrecision(6))));
  dj.setQuery(params);
}

function load() {
  return dj.busy("run", async () => {
    const view = await dj.job("site", { ...source, overrides });
    sliders = view.sliders;
    drawSliders();
    draw(view);
    saveState();
  });
}

// A slider moved: the base estimate is cached on the server, so this is a re-costing only.
function recost() {
  return dj.busy(null, async () => {
    draw(await dj.job("site", { ...source, overrides }, { quietMs: 400 }));
    saveState();
  });
}

form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  for (const k of Object.keys(overrides)) delete overrides[k];
  source = { name: form.elements.scenario.value };
  load();
});
dj.$("run-yaml").addEventListener("click", () => {
  for (const k of Object.keys(overrides)) delete overrides[k];
  source = { yaml: dj.$("yaml").value };
  load();
});
dj.$("reset").addEventListener("click", () => {
  for (const k of Object.keys(overrides)) delete overrides[k];
  load();
});

(function start() {
  const q = dj.query();
  for (const [k, v] of q.entries()) {
    if (k !== "scenario" && k !== "yaml" && Number.isFinite(Number(v))) overrides[k] = Number(v);
  }
  if (q.get("yaml")) {
    dj.$("yaml").value = q.get("yaml");
    source = { yaml: q.get("yaml") };
  } else {
    const name = q.get("scenario") || "gpt3-175b-1024-h100-orbit";
    form.elements.scenario.value = name;
    source = { name };
  }
  load();
})();
