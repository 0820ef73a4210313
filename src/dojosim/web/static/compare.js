// Compare page: two to four built-in scenarios side by side, the best of each row marked.
"use strict";

const form = dj.$("form");
const slots = () => Array.from(form.querySelectorAll("select[name=s]"));

async function compare() {
  const names = slots().map((s) => s.value).filter((v) => v);
  const params = new URLSearchParams();
  for (const n of names) params.append("s", n);
  dj.setQuery(params);
  await dj.busy("run", async () => {
    const view = await dj.job("compare", { scenarios: names.map((name) => ({ name })) });
    dj.fill("table", view.html.table);
    dj.$("result").hidden = false;  // shown first: Plotly sizes a figure by its visible box
    dj.plots("fig-", view.figures);
  });
}

form.addEventListener("submit", (ev) => { ev.preventDefault(); compare(); });

(function start() {
  const wanted = dj.query().getAll("s");
  const chosen = wanted.length ? wanted : ["gpt3-175b-1024-a100", "gpt3-175b-1024-h100"];
  slots().forEach((sel, i) => { sel.value = chosen[i] || ""; });
  if (wanted.length) compare();
  else document.body.dataset.state = "idle";
})();
