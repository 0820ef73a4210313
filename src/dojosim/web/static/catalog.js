// Catalog page: entries of a kind, and one entry with its sources, as written and in SI units.
"use strict";

const form = dj.$("form");

function cell(text, tag = "td") {
  const el = document.createElement(tag);
  el.textContent = text;
  return el;
}

async function showList(kind) {
  const rows = await dj.request("GET", `/api/catalog/${encodeURIComponent(kind)}`);
  const table = document.createElement("table");
  table.className = "data catalog-list";
  table.innerHTML = "<thead><tr><th>name</th><th>description</th></tr></thead>";
  const body = document.createElement("tbody");
  for (const r of rows) {
    const tr = document.createElement("tr");
    tr.dataset.name = r.name;
    const a = document.createElement("a");
    a.href = `?kind=${encodeURIComponent(kind)}&name=${encodeURIComponent(r.name)}`;
    a.textContent = r.name;
    a.addEventListener("click", (ev) => { ev.preventDefault(); showEntry(kind, r.name); });
    const td = document.createElement("td");
    td.appendChild(a);
    tr.appendChild(td);
    tr.appendChild(cell(r.description));
    body.appendChild(tr);
  }
  table.appendChild(body);
  const box = dj.$("list");
  box.innerHTML = `<h2>${rows.length} ${kind} entries</h2>`;
  box.appendChild(table);
}

async function showEntry(kind, name) {
  dj.setQuery(new URLSearchParams({ kind, name }));
  const box = dj.$("entry");
  try {
    const e = await dj.request("GET", `/api/catalog/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`);
    box.innerHTML = "";
    box.appendChild(cell(`${e.kind} ${e.name}`, "h2"));
    if (e.entry.description) box.appendChild(cell(e.entry.description, "p"));
    box.appendChild(cell("Sources", "h3"));
    const ul = document.createElement("ul");
    ul.className = "sources";
    for (const s of e.sources.length ? e.sources : ["(a built-in scenario: its parts' sources are in their entries)"]) ul.appendChild(cell(s, "li"));
    box.appendChild(ul);
    box.appendChild(cell("As written", "h3"));
    box.appendChild(cell(JSON.stringify(e.entry, null, 2), "pre")).className = "yaml";
    if (e.resolved) {
      box.appendChild(cell("Resolved (SI units)", "h3"));
      box.appendChild(cell(JSON.stringify(e.resolved, null, 2), "pre")).className = "yaml";
    }
    box.hidden = false;
    document.body.dataset.state = "done";
  } catch (err) {
    dj.showError(err);
  }
}

form.elements.kind.addEventListener("change", () => {
  dj.setQuery(new URLSearchParams({ kind: form.elements.kind.value }));
  dj.$("entry").hidden = true;
  showList(form.elements.kind.value).catch(dj.showError);
});

(async function start() {
  const q = dj.query();
  const kind = q.get("kind") || "chip";
  form.elements.kind.value = kind;
  try {
    await showList(kind);
    if (q.get("name")) await showEntry(kind, q.get("name"));
    else document.body.dataset.state = "done";
  } catch (err) {
    dj.showError(err);
  }
})();
