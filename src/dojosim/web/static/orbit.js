// Orbit page: a year of sunlight for a circular orbit.
"use strict";

const form = dj.$("form");
const FIELDS = ["altitude_km", "plane", "ltan", "inclination_deg", "raan_deg", "year"];

function request() {
  const v = dj.formValues(form);
  const body = { altitude_km: Number(v.altitude_km), year: Number(v.year || 2026) };
  if (v.plane === "inclined") {
    body.inclination_deg = Number(v.inclination_deg);
    body.raan_deg = Number(v.raan_deg || 0);
  } else {
    body.sun_synchronous = true;
    body.ltan = v.ltan || "";
  }
  return body;
}

function syncPlane() {
  const sso = form.elements.plane.value === "sso";
  form.elements.ltan.disabled = !sso;
  form.elements.inclination_deg.disabled = sso;
  form.elements.raan_deg.disabled = sso;
}

async function run() {
  const params = new URLSearchParams();
  const v = dj.formValues(form);
  for (const k of FIELDS) if (v[k] !== undefined) params.set(k, v[k]);
  dj.setQuery(params);
  await dj.busy("run", async () => {
    const view = await dj.job("orbit", request());
    dj.fill("cards", view.html.cards);
    dj.fill("table", view.html.table);
    dj.$("result").hidden = false;  // shown first: Plotly sizes a figure by its visible box
    dj.plots("fig-", view.figures);
  });
}

form.addEventListener("submit", (ev) => { ev.preventDefault(); run(); });
form.elements.plane.addEventListener("change", syncPlane);

(function start() {
  const q = dj.query();
  for (const k of FIELDS) if (q.has(k)) form.elements[k].value = q.get(k);
  syncPlane();
  run();
})();
