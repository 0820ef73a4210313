// Validate page: every published row, measured against predicted, filterable by role.
"use strict";

const form = dj.$("form");
let parity = null;

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
  dj.setQuery(params);
}

(async function start() {
  const q = dj.query().getAll("role");
  if (q.length) for (const box of form.querySelectorAll("input[name=role]")) box.checked = q.includes(box.value);
  form.addEventListener("change", applyFilter);
  await dj.busy(null, async () => {
    const view = await dj.job("validate", {});
    dj.fill("summary", view.html.summary);
    dj.fill("table", view.html.table);
    parity = view.figures.parity;
    dj.$("result").hidden = false;  // shown first: Plotly sizes a figure by its visible box
    dj.plot("fig-parity", parity);
    applyFilter();
  });
})();
