// dojosim pages: shared helpers. Every page reads its state from the query string, asks the
// API for its view (as a job, so long work shows progress) and draws the figures with Plotly.
"use strict";

const dj = {
  $(id) { return document.getElementById(id); },

  query() { return new URLSearchParams(window.location.search); },

  // Put the page's state into the address bar (so the URL can be shared) without reloading.
  setQuery(params) {
    const text = params.toString();
    const url = window.location.pathname + (text ? "?" + text : "");
    window.history.replaceState(null, "", url);
    const share = dj.$("share");
    if (share) share.href = url;
  },

  async request(method, url, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    let data = null;
    try { data = await response.json(); } catch (e) { data = { error: response.statusText }; }
    if (!response.ok) {
      const err = new Error((data && data.error) || response.statusText);
      err.status = response.status;
      err.body = data;
      throw err;
    }
    return data;
  },

  // Run a view as a job and show its progress (stage, count, elapsed time) until it is done.
  async job(view, body, options = {}) {
    const progress = dj.$("progress");
    const text = progress ? progress.querySelector(".text") : null;
    const bar = progress ? progress.querySelector(".bar") : null;
    const quietMs = options.quietMs || 0;
    const shown = setTimeout(() => progress && progress.classList.add("on"), quietMs);
    dj.hideError();
    try {
      let job = await dj.request("POST", `/api/jobs/${view}`, body);
      while (job.state === "queued" || job.state === "running") {
        if (text) {
          const count = job.total ? ` (${job.done} of ${job.total})` : "";
          text.textContent = `${job.stage}${count}: ${job.elapsed_s.toFixed(1)} s`;
        }
        if (bar) {
          // A count (runs scored, scenarios estimated) fills the bar; otherwise it sweeps.
          bar.classList.toggle("known", Boolean(job.total));
          if (job.total) bar.style.setProperty("--done", `${(100 * job.done) / job.total}%`);
        }
        await new Promise((resolve) => setTimeout(resolve, job.elapsed_s < 1 ? 100 : 300));
        job = await dj.request("GET", `/api/jobs/${job.id}`);
      }
      if (job.state === "failed") {
        const err = new Error(job.error.error);
        err.body = job.error;
        throw err;
      }
      return job.result;
    } finally {
      clearTimeout(shown);
      if (progress) progress.classList.remove("on");
    }
  },

  // Run a page's work: its button is disabled meanwhile, and <body data-state> follows it
  // (running, done or failed) so a reader (or a test) can tell when the page has settled.
  async busy(buttonId, work) {
    const button = buttonId ? dj.$(buttonId) : null;
    if (button) button.disabled = true;
    document.body.dataset.state = "running";
    try {
      await work();
      document.body.dataset.state = "done";
    } catch (err) {
      document.body.dataset.state = "failed";
      dj.showError(err);
    } finally {
      if (button) button.disabled = false;
    }
  },

  showError(err) {
    const box = dj.$("error");
    if (!box) return;
    const field = err.body && err.body.field ? ` [field: ${err.body.field}]` : "";
    box.textContent = (err.message || String(err)) + field;
    box.hidden = false;
  },

  hideError() {
    const box = dj.$("error");
    if (box) box.hidden = true;
  },

  // Set an element's HTML from a fragment the server built (escaped there).
  fill(id, html) {
    const el = dj.$(id);
    if (el) el.innerHTML = html || "";
  },

  plot(id, fig) {
    const el = dj.$(id);
    if (!el || !fig) return;
    Plotly.react(el, fig.data, fig.layout, { displaylogo: false, responsive: true });
  },

  plots(prefix, figures) {
    for (const [name, fig] of Object.entries(figures || {})) dj.plot(`${prefix}${name}`, fig);
  },

  download(filename, obj) {
    const blob = new Blob([JSON.stringify(obj, null, 2)], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    a.click();
    URL.revokeObjectURL(a.href);
  },

  formValues(form) {
    const out = {};
    for (const el of form.elements) {
      if (el.name && el.value !== "" && el.type !== "checkbox") out[el.name] = el.value;
    }
    return out;
  },
};
