// Validate page: every published row, measured against predicted, filterable by role.
"use strict";

const form = dj.$("form");
const by = dj.$("by");
let parity = null;
let grouped = {};

function showGroups() {
  dj.fill("groups", grouped[by.value] || "");
}

function roles() {
  return Array.from(form.querySelectorAll("input[name=role]")).filter((b) => b.checked).map((b) => b.value);
}

function applyFilter() {
  const wanted = new Set(roles());
  for (const tr of document.querySelectorAll("table.validate tbody tr")) {
    tr.hidden = !wanted.has(tr.dataset.role);
  }
  if (parity) {
    const visible = parity.data.map((t) => (t.mode === "lines" || wanted.has(t.name) ? true : "legendonly"));
    Plotly.restyle(dj.$("fig-parity"), { visible });
  }
  const params = new URLSearchParams();
  for (const r of wanted) params.append("role", r);
  params.set("by", by.value);
  dj.setQuery(params);
}

(async function start() {
  const q = dj.query().getAll("role");
  if (q.length) for (const box of form.querySelectorAll("input[name=role]")) box.checked = q.includes(box.value);
  const wantedBy = dj.query().get("by");
  if (wantedBy && Array.from(by.options).some((o) => o.value === wantedBy)) by.value = wantedBy;
  form.addEventListener("change", applyFilter);
  by.addEventListener("change", () => {
    showGroups();
    applyFilter();
  });
  await dj.busy(null, async () => {
    const view = await dj.job("validate", {});
    dj.fill("summary", view.html.summary);
    dj.fill("table", view.html.table);
    grouped = view.html.groups;
    showGroups();
    parity = view.figures.parity;
    dj.$("result").hidden = false;  // shown first: Plotly sizes a figure by its visible box
    dj.plot("fig-parity", parity);
    applyFilter();
  });
})();
