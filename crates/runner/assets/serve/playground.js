// dlp serve: the playground page. Plain script (no modules, no build step), inlined into
// playground.html after d3 (the global `d3`) by the server.
//
// The form is generated from GET /api/options and lives in the URL (#play?c=<base64url JSON>);
// Start trains on the server and reads its Server-Sent Events; every epoch's numbers are kept
// and the latest boundary is drawn on the next animation frame, so any event rate stays smooth.
// For the browser tests the page keeps, on <body>: data-ready="1" once the form is built,
// data-epochs (epoch events received by the current run), data-redraws (boundary redraws of the
// current run), data-state (idle, queued, running, paused, done), data-stop-reason (the last
// done event's stop_reason), data-results (rows in the results view), data-errors (every
// error, joined by " | "); and window.dlpSaved, the last TOML
// saved with "Save as experiment".
(function () {
  "use strict";

  const B = document.body;
  const errors = [];
  function recordError(message) {
    errors.push(String(message));
    B.dataset.errors = errors.join(" | ");
  }
  window.addEventListener("error", (e) => recordError(e.message || "error"));
  window.addEventListener("unhandledrejection", (e) => recordError("promise: " + ((e.reason && e.reason.message) || e.reason)));
  Object.assign(B.dataset, { epochs: "0", redraws: "0", state: "idle" });

  // ---------- helpers ----------
  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }
  const isNum = (v) => typeof v === "number" && Number.isFinite(v);
  const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const fmt = (v, d = 4) => (isNum(v) ? (Math.abs(v) >= 1e-3 || v === 0 ? +v.toFixed(d) + "" : v.toExponential(2)) : "–");
  const pct = (v) => (isNum(v) ? (100 * v).toFixed(1) + "%" : "–");
  const b64url = (s) => btoa(unescape(encodeURIComponent(s))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const unb64url = (s) => decodeURIComponent(escape(atob(s.replace(/-/g, "+").replace(/_/g, "/"))));
  const words = (k) => k.replace(/_/g, " ");
  // Playground's epoch counter: 000,042
  const counter = (n) => String(n).padStart(6, "0").replace(/\B(?=(\d{3})+$)/g, ",");

  async function api(method, url, body) {
    let res;
    try {
      res = await fetch(url, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
    } catch (e) {
      setConn("server unreachable");
      return { ok: false, status: 0, data: { error: "the server did not answer (is dlp serve still running?)" } };
    }
    setConn("");
    const text = await res.text();
    let data = {};
    if (text) try { data = JSON.parse(text); } catch (_) { data = { error: text }; }
    if (res.status >= 500) recordError(`${method} ${url}: ${res.status} ${data.error || ""}`);
    return { ok: res.ok, status: res.status, data };
  }
  const setConn = (t) => { $("conn").textContent = t; };

  // ---------- options and the form's state ----------
  let OPT = null;
  // st: the form, complete: every parameter of the chosen dataset, optimizer and schedule, with
  // its value; config() writes the keys that are set or in the server's defaults.
  let st = null;
  const datasetOf = (kind) => OPT.datasets.find((d) => d.kind === kind) || { kind, summary: "", params: [] };
  const optimizerOf = (name) => OPT.optimizers.find((o) => o.name === name) || { name, summary: "", params: [] };
  const scheduleOf = (name) => (OPT.schedules || []).find((s) => s.name === name) || { name, summary: "", params: [] };
  const paramDefaults = (params) => Object.fromEntries((params || []).map((p) => [p.name, clone(p.default)]));
  const allDataParams = () => new Set(OPT.datasets.flatMap((d) => d.params.map((p) => p.name)));
  const without = (obj, keys) => Object.fromEntries(Object.entries(obj || {}).filter(([k]) => !keys.includes(k)));

  function stateFrom(c) {
    const d = OPT.defaults;
    const dataC = c.data || d.data || {};
    const kind = dataC.kind || (d.data || {}).kind || OPT.datasets[0].kind;
    const dataExtras = Object.fromEntries(Object.entries(d.data || {}).filter(([k]) => k !== "kind" && !allDataParams().has(k)));
    const optC = c.optim || d.optim || {};
    const optName = optC.name || (d.optim || {}).name || OPT.optimizers[0].name;
    const schedC = optC.schedule || (d.optim || {}).schedule || { name: "constant" };
    const seeds = c.seeds;
    return {
      name: c.name || d.name || "playground",
      seed: Array.isArray(seeds) && seeds.length ? seeds[0] : 0,
      data: { kind, ...paramDefaults(datasetOf(kind).params), ...dataExtras, ...dataC },
      model: { ...clone(d.model || {}), ...clone(c.model || {}) },
      loss: { ...clone(d.loss || {}), ...clone(c.loss || {}) },
      optim: { name: optName, ...paramDefaults(optimizerOf(optName).params), ...clone(without(optC, ["schedule"])) },
      schedule: { ...paramDefaults(scheduleOf(schedC.name).params), ...clone(schedC) },
      train: { ...clone(d.train || {}), ...clone(c.train || {}) },
    };
  }

  // A registry parameter is written when it has a value and either the defaults have it or its
  // value is not the registry's default.
  function pick(values, params, defaultsSection, fixed) {
    const out = {};
    const byName = new Map((params || []).map((p) => [p.name, p]));
    for (const [k, v] of Object.entries(values)) {
      if (v == null || v === "") continue;
      const p = byName.get(k);
      if (fixed.includes(k) || !p || (defaultsSection && k in defaultsSection) || !same(v, p.default)) out[k] = v;
    }
    return out;
  }
  function config() {
    const d = OPT.defaults;
    const c = { name: st.name, seeds: st.seed ? [st.seed] : 1 };
    const kindDefaults = (d.data || {}).kind === st.data.kind ? d.data : Object.fromEntries(Object.keys(d.data || {}).map((k) => [k, null]));
    c.data = pick(st.data, datasetOf(st.data.kind).params, kindDefaults, ["kind"]);
    c.model = pick(st.model, [], null, []);
    c.loss = pick(st.loss, [], null, []);
    c.optim = pick(st.optim, optimizerOf(st.optim.name).params, d.optim, ["name"]);
    const sched = pick(st.schedule, scheduleOf(st.schedule.name).params, (d.optim || {}).schedule, ["name"]);
    if ((d.optim || {}).schedule || st.schedule.name !== "constant") c.optim.schedule = sched;
    c.train = pick(st.train, [], null, []);
    if (c.train.early_stopping && OPT.early_stopping) c.train.early_stopping = pick(st.train.early_stopping, OPT.early_stopping.params, null, ["patience", "metric"]);
    return c;
  }

  // ---------- form ----------
  // Every input has data-key="<section>.<key>" (the tests and the error highlighting use it).
  const fields = []; // {key, kind: "number"|"choice"|"list"|"bool"|"text"} for the sweep selector
  function parseText(text, like) {
    const t = text.trim();
    if (t === "") return null;
    if (Array.isArray(like) || (like == null && /^\[.*\]$/.test(t))) {
      try { return JSON.parse(t.startsWith("[") ? t : "[" + t + "]"); } catch (_) { /* as text below */ }
      const parts = t.replace(/^\[|\]$/g, "").split(",").map((s) => s.trim()).filter((s) => s !== "");
      return parts.map((s) => (isFinite(Number(s)) ? Number(s) : s));
    }
    if (typeof like === "number" || like == null) { if (t !== "" && isFinite(Number(t))) return Number(t); }
    if (like == null && (t === "true" || t === "false")) return t === "true";
    if (like && typeof like === "object") { try { return JSON.parse(t); } catch (_) { return t; } }
    return t;
  }
  const showText = (v) => (v == null ? "" : Array.isArray(v) ? v.map((x) => (typeof x === "object" ? JSON.stringify(x) : x)).join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v));

  // One labelled input for any value: number, checkbox, select (choices), list or text.
  function field(key, label, value, set, opts = {}) {
    const like = opts.like !== undefined ? opts.like : value;
    let input, kind;
    if (opts.choices) {
      kind = "choice";
      input = el("select", {}, ...opts.choices.map((c) => el("option", { value: c, text: opts.choiceLabel ? opts.choiceLabel(c) : c })));
      input.value = value;
      input.addEventListener("change", () => set(input.value));
    } else if (typeof like === "boolean") {
      kind = "bool";
      input = el("input", { type: "checkbox" });
      input.checked = !!value;
      input.addEventListener("change", () => set(input.checked));
    } else if (typeof like === "number") {
      kind = "number";
      input = el("input", { type: "number", step: "any", min: opts.min, max: opts.max, value: value == null ? "" : String(value) });
      input.addEventListener("input", () => set(parseText(input.value, like)));
    } else {
      kind = Array.isArray(like) ? "list" : "text";
      input = el("input", { type: "text", spellcheck: "false", value: showText(value), placeholder: opts.placeholder || (like === null ? "(none)" : "") });
      input.addEventListener("input", () => set(parseText(input.value, like)));
    }
    input.dataset.key = key;
    input.id = "f-" + key.replace(/\./g, "-");
    fields.push({ key, kind, choices: opts.choices });
    // a parameter's doc and default as a tooltip; a choice's summary (dataset, loss, ...) under it
    const doc = opts.summary ? el("span", { class: "doc", text: opts.summary }) : null;
    const tip = `${key}${opts.doc ? ": " + opts.doc : ""}`;
    input.title = tip;
    return el("div", { class: "field" + (kind === "bool" ? " bool" : ""), "data-field": key },
      el("label", { for: input.id, title: tip, text: label }), input, doc);
  }
  // a parameter is required when the server says so (`required: true`) or when it has no default
  // and its doc says "required"; another parameter without a default is optional
  const required = (p) => p.required === true || (p.default === null && /required/i.test(p.doc || ""));
  const paramLabel = (p) => words(p.name) + (required(p) ? " *" : "");
  const paramDoc = (p) => [p.doc, required(p) ? "required" : p.default === null ? "no default" : "default " + showText(p.default)].filter(Boolean).join("; ");

  // Playground's input features as checkboxes: the list keeps Playground's order.
  function featureBoxes(p) {
    const chosen = Array.isArray(st.data.features) ? st.data.features : p.default;
    const boxes = el("div", { class: "features" });
    for (const name of p.choices) {
      const box = el("input", { type: "checkbox", id: "f-data-features-" + name.replace(/\W/g, "_") });
      box.checked = chosen.includes(name);
      box.dataset.key = "data.features";
      box.dataset.feature = name;
      box.addEventListener("change", () => {
        st.data.features = p.choices.filter((f) => (f === name ? box.checked : chosen.includes(f)));
        changed(true);
      });
      boxes.append(el("label", { class: "feature", title: p.doc }, box, name));
    }
    fields.push({ key: "data.features", kind: "list" });
    return el("div", { class: "field", "data-field": "data.features", title: "data.features: " + p.doc },
      el("label", { text: "features" }), boxes);
  }

  // [train] early_stopping: a checkbox (off: the key is not written), then its keys from the
  // server (`early_stopping.params`); the engine refuses it without a validation fraction.
  function earlyStoppingFields() {
    const es = OPT.early_stopping;
    if (!es) return [];
    const on = st.train.early_stopping != null && typeof st.train.early_stopping === "object";
    const box = el("input", { type: "checkbox", id: "f-train-early_stopping", "data-key": "train.early_stopping" });
    box.checked = on;
    box.addEventListener("change", () => {
      st.train.early_stopping = box.checked ? paramDefaults(es.params) : null;
      changed(true);
    });
    const tip = "train.early_stopping: " + es.doc;
    const out = [el("div", { class: "field bool", "data-field": "train.early_stopping", title: tip },
      el("label", { for: box.id, title: tip, text: "early stopping" }), box)];
    if (on) {
      for (const p of es.params) {
        out.push(field("train.early_stopping." + p.name, words(p.name), st.train.early_stopping[p.name], (v) => { st.train.early_stopping[p.name] = v; changed(); },
          { like: p.default, doc: paramDoc(p), choices: p.choices, min: p.name === "patience" ? 1 : p.name === "min_delta" ? 0 : undefined }));
      }
    }
    return out;
  }

  function changed(structural) {
    if (structural) renderForm();
    updateUrl();
    scheduleCheck();
    updateButtons();
  }

  function renderForm() {
    fields.length = 0;
    const d = OPT.defaults;
    // data
    const ds = datasetOf(st.data.kind);
    const data = $("sec-data").querySelector(".body");
    data.replaceChildren(
      field("data.kind", "dataset", st.data.kind, (v) => {
        const extras = Object.fromEntries(Object.entries(st.data).filter(([k]) => k !== "kind" && !allDataParams().has(k)));
        const keep = isNum(st.data.validation_fraction) ? { validation_fraction: st.data.validation_fraction } : {};
        st.data = { kind: v, ...paramDefaults(datasetOf(v).params), ...extras, ...keep };
        changed(true);
      }, { choices: OPT.datasets.map((x) => x.kind), choiceLabel: words, summary: ds.summary }),
      ...ds.params.map((p) => p.name === "features" ? featureBoxes(p) : field("data." + p.name, paramLabel(p), st.data[p.name], (v) => { st.data[p.name] = v; changed(); },
        { like: p.default, doc: paramDoc(p), choices: p.choices, min: /^n_/.test(p.name) ? 1 : p.name === "validation_fraction" ? 0 : undefined,
          max: p.name === "validation_fraction" ? 0.9 : undefined })),
      ...Object.keys(st.data).filter((k) => k !== "kind" && !ds.params.some((p) => p.name === k) && !allDataParams().has(k))
        .map((k) => field("data." + k, words(k), st.data[k], (v) => { st.data[k] = v; changed(); })));

    // model: hidden layers (as Playground), activation, any other key, then the loss
    const model = $("sec-model").querySelector(".body");
    const maxDepth = (OPT.model || {}).max_depth || 8, maxWidth = (OPT.model || {}).max_width || 1024;
    const hidden = Array.isArray(st.model.hidden) ? st.model.hidden : [];
    const setHidden = (h) => { st.model.hidden = h; changed(true); };
    const layers = el("div", { class: "layers" });
    hidden.forEach((w, i) => {
      const dots = el("div", { class: "dots", "aria-hidden": "true" });
      for (let k = 0; k < Math.min(w, 8); k++) dots.append(el("span"));
      if (w > 8) dots.append(el("em", { text: "…" }));
      layers.append(el("div", { class: "layer", "data-layer": i },
        el("div", { class: "pm" },
          el("button", { type: "button", class: "mini", title: `add a neuron to layer ${i + 1}`, "aria-label": `add a neuron to layer ${i + 1}`, disabled: w >= maxWidth, onclick: () => { const h = hidden.slice(); h[i] = w + 1; setHidden(h); } }, "+"),
          el("button", { type: "button", class: "mini", title: `remove a neuron from layer ${i + 1}`, "aria-label": `remove a neuron from layer ${i + 1}`, disabled: w <= 1, onclick: () => { const h = hidden.slice(); h[i] = w - 1; setHidden(h); } }, "−")),
        el("input", { type: "number", class: "width", min: 1, max: maxWidth, value: w, "data-key": `model.hidden.${i}`, "aria-label": `neurons in layer ${i + 1}`,
          onchange: (e) => { const v = Math.round(Number(e.target.value)); if (v >= 1) { const h = hidden.slice(); h[i] = Math.min(maxWidth, v); setHidden(h); } } }),
        dots));
    });
    fields.push({ key: "model.hidden", kind: "list" });
    model.replaceChildren(
      el("div", { class: "layers-head", "data-field": "model.hidden" },
        el("button", { type: "button", class: "mini", title: "add a hidden layer", "aria-label": "add a hidden layer", disabled: hidden.length >= maxDepth,
          onclick: () => setHidden(hidden.concat([hidden.length ? hidden[hidden.length - 1] : 4])) }, "+"),
        el("button", { type: "button", class: "mini", title: "remove the last hidden layer", "aria-label": "remove the last hidden layer", disabled: !hidden.length,
          onclick: () => setHidden(hidden.slice(0, -1)) }, "−"),
        el("span", { id: "layers-count", text: `${hidden.length} hidden layer${hidden.length === 1 ? "" : "s"}` }),
        el("span", { class: "muted small", text: hidden.length ? `[${hidden.join(", ")}]` : "(a linear model)" })),
      layers,
      field("model.activation", "activation", st.model.activation, (v) => { st.model.activation = v; changed(); }, { choices: OPT.activations }),
      ...Object.keys(st.model).filter((k) => k !== "hidden" && k !== "activation")
        .map((k) => field("model." + k, words(k), st.model[k], (v) => { st.model[k] = v; changed(); })),
      field("loss.name", "loss", st.loss.name, (v) => { st.loss.name = v; changed(true); },
        { choices: OPT.losses.map((l) => l.name), summary: (OPT.losses.find((l) => l.name === st.loss.name) || {}).summary }),
      ...Object.keys(st.loss).filter((k) => k !== "name")
        .map((k) => field("loss." + k, words(k), st.loss[k], (v) => { st.loss[k] = v; changed(); })));

    // training: loop, optimizer and its parameters, schedule and its parameters, the rest
    const training = $("sec-training").querySelector(".body");
    const opt = optimizerOf(st.optim.name), sch = scheduleOf(st.schedule.name);
    const trainFirst = ["epochs", "batch_size"].filter((k) => k in st.train);
    training.replaceChildren(
      ...trainFirst.map((k) => field("train." + k, words(k), st.train[k], (v) => { st.train[k] = v; changed(); }, { like: 1, min: 1 })),
      ...earlyStoppingFields(),
      field("seeds", "seed", st.seed, (v) => { st.seed = isNum(v) ? v : 0; changed(); }, { like: 0, min: 0, doc: "the data, the initial weights and the batches follow the seed (seeds = [seed]; 0 writes seeds = 1)" }),
      el("h3", { text: "Optimizer" }),
      field("optim.name", "optimizer", st.optim.name, (v) => {
        const keep = Object.fromEntries(Object.entries(st.optim).filter(([k, x]) => k !== "name" && optimizerOf(v).params.some((p) => p.name === k) && !same(x, (opt.params.find((p) => p.name === k) || {}).default)));
        st.optim = { name: v, ...paramDefaults(optimizerOf(v).params), ...keep };
        changed(true);
      }, { choices: OPT.optimizers.map((o) => o.name), summary: opt.summary }),
      ...opt.params.map((p) => field("optim." + p.name, paramLabel(p), st.optim[p.name], (v) => { st.optim[p.name] = v; changed(); }, { like: p.default, doc: paramDoc(p), choices: p.choices })),
      field("optim.schedule.name", "schedule", st.schedule.name, (v) => { st.schedule = { name: v, ...paramDefaults(scheduleOf(v).params) }; changed(true); },
        { choices: (OPT.schedules || []).map((s) => s.name), summary: sch.summary }),
      ...sch.params.map((p) => field("optim.schedule." + p.name, paramLabel(p), st.schedule[p.name], (v) => { st.schedule[p.name] = v; changed(); }, { like: p.default, doc: paramDoc(p), choices: p.choices })),
      ...Object.keys(st.optim).filter((k) => k !== "name" && !opt.params.some((p) => p.name === k))
        .map((k) => field("optim." + k, words(k), st.optim[k], (v) => { st.optim[k] = v; changed(); })),
      el("h3", { text: "Other" }),
      ...Object.keys(st.train).filter((k) => !trainFirst.includes(k) && k !== "early_stopping")
        .map((k) => field("train." + k, words(k), st.train[k], (v) => { st.train[k] = v; changed(); })),
      field("name", "experiment name", st.name, (v) => { st.name = v == null ? "" : String(v); changed(); }, { doc: "the file's and the study's name" }));

    // the sweep selector offers every numeric or categorical field
    const sel = $("sweep-key"), prev = sel.value;
    sel.replaceChildren(...fields.filter((f) => f.key !== "name" && f.key !== "seeds" && f.kind !== "text" || f.key === "model.hidden")
      .filter((f, i, a) => a.findIndex((g) => g.key === f.key) === i)
      .map((f) => el("option", { value: f.key, text: f.key })));
    sel.value = fields.some((f) => f.key === prev) ? prev : fields.some((f) => f.key === "optim.lr") ? "optim.lr" : sel.options[0] && sel.options[0].value;
    sweepPlaceholder();
    showFormError(lastError);
  }
  function sweepPlaceholder() {
    const key = $("sweep-key").value, f = fields.find((x) => x.key === key);
    $("sweep-values").placeholder = !f ? "" : key === "model.hidden" ? "[8], [8, 8], [16, 16, 16]" : f.choices ? f.choices.slice(0, 3).join(", ")
      : f.kind === "bool" ? "false, true" : key === "optim.lr" ? "0.001, 0.01, 0.1" : "comma-separated values";
  }

  // ---------- validation (POST /api/check), errors next to the form ----------
  let checkTimer = null, checkSeq = 0, lastError = null;
  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(runCheck, 250);
  }
  async function runCheck() {
    const seq = ++checkSeq;
    const r = await api("POST", "/api/check", config());
    if (seq !== checkSeq) return;
    if (r.ok) {
      showFormError(null);
      $("form-check").textContent = "✓ a valid experiment (dlp check accepts it)";
    } else if (r.status === 400 || r.status === 422) {
      showFormError(r.data.error || "invalid configuration");
      $("form-check").textContent = "";
    }
  }
  function showFormError(message) {
    lastError = message;
    const box = $("form-error");
    document.querySelectorAll(".field.invalid, .layers-head.invalid").forEach((e) => e.classList.remove("invalid"));
    box.hidden = !message;
    if (!message) return;
    box.replaceChildren(el("b", { text: "Not valid: " }), message);
    // highlight the fields the message names (`optim.lr`, `lr`, ...)
    for (const m of message.matchAll(/`([a-z_][\w.]*)(?:`|\s*=)/gi)) {
      const k = m[1];
      document.querySelectorAll("[data-field]").forEach((f) => {
        const fk = f.dataset.field;
        if (fk === k || fk.endsWith("." + k) || k.endsWith("." + fk.split(".").pop()) && k.split(".")[0] === fk.split(".")[0]) f.classList.add("invalid");
      });
    }
  }

  // ---------- URL: #play?c=<base64url of the JSON config>, #results ----------
  let encoded = "";
  function updateUrl() {
    encoded = b64url(JSON.stringify(config()));
    $("tab-play").setAttribute("href", "#play?c=" + encoded);
    if (location.hash.startsWith("#results")) return;
    history.replaceState(null, "", "#play?c=" + encoded);
  }
  function configFromHash() {
    const m = location.hash.match(/^#play\?(?:.*&)?c=([A-Za-z0-9_-]+)/);
    if (!m) return null;
    try { return JSON.parse(unb64url(m[1])); } catch (e) {
      showFormError("the link's configuration could not be read (" + e.message + "); showing the defaults");
      return null;
    }
  }
  function route() {
    const results = location.hash.startsWith("#results");
    $("view-play").hidden = results;
    $("view-results").hidden = !results;
    $("tab-play").classList.toggle("active", !results);
    $("tab-results").classList.toggle("active", results);
    if (results) { startPolling(); return; }
    stopPolling();
    const m = location.hash.match(/c=([A-Za-z0-9_-]+)/);
    if (m && m[1] !== encoded) {
      const c = configFromHash();
      if (c) { st = stateFrom(c); renderForm(); scheduleCheck(); updateButtons(); }
      encoded = m[1];
    } else if (!m) updateUrl();
    requestDraw(true);
  }

  // ---------- the run: POST /api/runs, then its events ----------
  let run = null; // {id, es, key, state, start, hist: [], latest, position}
  const over = (r) => !r || r.state === "done" || r.state === "error";
  const formKey = () => JSON.stringify(config());

  async function start() {
    if (run && !over(run) && run.key === formKey()) {
      if (run.state === "paused") return control("resume");
      return;
    }
    await stopRun();
    const cfg = config();
    $("btn-start").disabled = true;
    const r = await api("POST", "/api/runs", cfg);
    $("btn-start").disabled = false;
    if (!r.ok) {
      if (r.status >= 400 && r.status < 500) showFormError(r.data.error || `the server refused the run (${r.status})`);
      setStatus(r.data.error ? "not started" : "not started: " + r.status);
      return;
    }
    run = { id: r.data.id, key: JSON.stringify(cfg), state: "starting", start: null, hist: [], latest: null, drawn: null };
    Object.assign(B.dataset, { epochs: "0", redraws: "0" });
    resetCharts();
    clearBoundary();
    $("boundary-note").textContent = "Starting…";
    setState("starting", "starting…");
    const es = new EventSource(`/api/runs/${encodeURIComponent(run.id)}/events`);
    run.es = es;
    const mine = run;
    const on = (name, f) => es.addEventListener(name, (e) => {
      if (run !== mine) return;
      let data = {};
      try { data = e.data ? JSON.parse(e.data) : {}; } catch (err) { recordError(`${name} event: ${err.message}`); return; }
      try { f(data, e); } catch (err) { recordError(`${name} event: ${err.message}`); }
    });
    on("queued", (d) => {
      setState("queued", `waiting: ${d.position} ahead`);
      $("boundary-note").textContent = `Waiting for a training slot (${d.position} ahead); the server trains ${OPT.cores || "a few"} at a time.`;
    });
    on("start", (d) => {
      run.start = d;
      if (d.validation) resetCharts(true);
      setState("running", "training");
      $("epochs-total").textContent = isNum(d.epochs) ? " / " + d.epochs : "";
      setupBoundary();
      requestDraw(true);
    });
    on("epoch", (d) => {
      // the curves keep the numbers only: a grid is drawn once and dropped with the next one
      run.hist.push({ epoch: d.epoch, train_loss: d.train_loss, test_loss: d.test_loss, train_acc: d.train_acc, test_acc: d.test_acc, val_loss: d.val_loss, val_acc: d.val_acc });
      run.latest = d;
      B.dataset.epochs = String(+B.dataset.epochs + 1);
      B.dataset.epoch = String(d.epoch);
      if (run.state === "starting" || run.state === "queued") setState("running", "training");
      requestDraw();
    });
    on("paused", (d) => setState("paused", `paused at epoch ${d.epoch}`));
    on("done", (d) => {
      es.close();
      // why it stopped (runs.csv's stop_reason), and the epoch whose weights were kept
      const why = { epochs: "done", early_stopping: "stopped early", diverged: "diverged (the loss is not finite)", watcher: "stopped" }[d.stop_reason]
        || { ok: "done", diverged: "diverged (the loss is not finite)", stopped: "stopped" }[d.status] || d.status;
      const best = isNum(d.restored_epoch) ? `, best epoch ${d.restored_epoch} restored` : "";
      B.dataset.stopReason = d.stop_reason || "";
      setState("done", `${why}${isNum(d.epoch) ? " at epoch " + d.epoch : ""}${best}`);
      requestDraw();
    });
    // a named `error` event (data) or the connection failing (no data)
    es.addEventListener("error", (e) => {
      if (run !== mine) return;
      es.close();
      if (e.data) {
        let msg = e.data;
        try { msg = JSON.parse(e.data).error || msg; } catch (_) { /* as is */ }
        setState("error", "failed: " + msg);
      } else if (!over(run)) setState("error", "connection to the server lost");
    });
  }
  async function stopRun() {
    const r = run;
    if (!r) return;
    run = null;
    if (!over(r)) {
      r.state = "done";
      await api("DELETE", `/api/runs/${encodeURIComponent(r.id)}`);
    }
    if (r.es) r.es.close();
  }
  async function control(what) {
    if (!run || over(run)) return;
    // resume and step: running from now on (set before the request, since the `paused` that
    // ends a step may arrive before the request's answer); pause: the `paused` event says so
    const mine = run, before = run.state;
    if (what !== "pause" && before === "paused") setState("running", what === "step" ? "one more epoch" : "training");
    const r = await api("POST", `/api/runs/${encodeURIComponent(run.id)}/${what}`);
    if (!r.ok && run === mine && !over(run)) { setState(before, `${what}: ${r.data.error || r.status}`); }
  }
  async function reset() {
    await stopRun();
    Object.assign(B.dataset, { epochs: "0", redraws: "0", epoch: "0" });
    $("epochs-total").textContent = "";
    resetCharts();
    setState("idle", "ready");
    clearBoundary();
    requestDraw(true);
  }
  function setState(state, text) {
    if (run) run.state = state;
    B.dataset.state = state;
    setStatus(text);
    updateButtons();
  }
  function setStatus(text) { $("run-status").textContent = text; $("run-status").dataset.state = B.dataset.state; }
  function updateButtons() {
    const live = run && !over(run);
    const dirty = live && run.key !== formKey();
    $("btn-start").textContent = dirty ? "Restart" : "Start";
    $("btn-start").disabled = !OPT || (live && !dirty && run.state !== "paused");
    $("btn-start").classList.toggle("attention", !!dirty);
    $("btn-start").title = dirty ? "The form changed: start a new run with it" : "Train the form's configuration";
    $("btn-pause").disabled = !live || run.state === "starting";
    $("btn-pause").textContent = live && run.state === "paused" ? "Resume" : "Pause";
    $("btn-step").disabled = !live || run.state === "queued" || run.state === "starting";
    $("btn-reset").disabled = !run;
  }

  // ---------- drawing, once per animation frame with the latest epoch ----------
  const ORANGE = d3.rgb("#f59322"), GREY = d3.rgb("#e8eaeb"), BLUE = d3.rgb("#0877bd");
  const p1Ramp = (() => {
    const lut = new Uint8ClampedArray(256 * 3);
    const a = d3.interpolateRgb(ORANGE, GREY), b = d3.interpolateRgb(GREY, BLUE);
    for (let i = 0; i < 256; i++) {
      const t = i / 255;
      // paler than the points, as in TensorFlow Playground, so that the points stand out
      const c = d3.rgb(d3.interpolateRgb(t < 0.5 ? a(t * 2) : b(t * 2 - 1), "#ffffff")(0.28));
      lut[i * 3] = c.r; lut[i * 3 + 1] = c.g; lut[i * 3 + 2] = c.b;
    }
    return lut;
  })();
  const classColors = d3.schemeTableau10.map((c) => d3.rgb(c));
  const bytes = (s) => { const bin = atob(s), out = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i); return out; };

  let frameRequested = false, pointsDirty = true;
  function requestDraw(points) {
    if (points) pointsDirty = true;
    if (frameRequested) return;
    frameRequested = true;
    requestAnimationFrame(frame);
  }
  function frame() {
    frameRequested = false;
    try {
      if (!$("view-play").hidden) {
        drawHeat();
        if (pointsDirty) drawPoints();
        drawCurves();
      }
      drawStats();
    } catch (e) { recordError("draw: " + e.message); }
  }

  const BOX = () => Math.round($("boundary").clientWidth) || 360;
  function setupBoundary() {
    const s = run && run.start;
    const note = $("boundary-note");
    const twoD = !!(s && s.grid);
    note.hidden = !s || twoD;
    note.textContent = "The data is not 2-D: no decision boundary to draw. The curves below still follow the training.";
    $("heat").style.visibility = twoD ? "visible" : "hidden";
    $("points").style.visibility = twoD ? "visible" : "hidden";
    if (twoD) { $("heat").width = s.grid.nx; $("heat").height = s.grid.ny; }
    $("output-caption").textContent = !s ? "" : twoD ? (s.classes > 2 ? `predicted class of ${s.classes}, paler where less confident` : "colour: predicted probability of class 1") : "";
    colourKey(s && s.classes > 2 ? s.classes : 2);
    pointsDirty = true;
  }
  function clearBoundary() {
    const c = $("heat"), ctx = c.getContext("2d");
    ctx.fillStyle = "#f3f4f6"; ctx.fillRect(0, 0, c.width, c.height);
    $("points").getContext("2d").clearRect(0, 0, $("points").width, $("points").height);
    $("heat").style.visibility = "visible";
    $("boundary-note").hidden = false;
    $("boundary-note").textContent = "Press Start: the data and the model's decision boundary appear here, redrawn every epoch.";
    $("output-caption").textContent = "";
  }
  function colourKey(classes) {
    const key = $("colour-key");
    if (classes > 2) {
      key.replaceChildren(...classColors.slice(0, classes).map((c, i) => el("span", { class: "ck-class" }, el("span", { class: "swatch", style: `background:${c}` }), `class ${i}`)));
    } else {
      key.replaceChildren(el("div", { class: "gradient" }), el("div", { class: "ck-labels" }, el("span", { text: "class 0" }), el("span", { text: "0.5" }), el("span", { text: "class 1" })),
        el("div", { class: "ck-points" }, el("span", { class: "dot train" }), "train ", el("span", { class: "dot test" }), "test"));
    }
  }
  function drawHeat() {
    const s = run && run.start, e = run && run.latest;
    if (!s || !s.grid || !e || run.drawn === e) return;
    const { nx, ny } = s.grid;
    const c = $("heat"), ctx = c.getContext("2d");
    const img = ctx.createImageData(nx, ny), px = img.data;
    const disc = $("discretize").checked;
    if (e.p1 != null) {
      const p = typeof e.p1 === "string" ? bytes(e.p1) : Uint8Array.from(e.p1, (v) => Math.round(v * 255));
      for (let k = 0; k < nx * ny; k++) {
        const q = (disc ? (p[k] >= 128 ? 255 : 0) : p[k]) * 3;
        px[k * 4] = p1Ramp[q]; px[k * 4 + 1] = p1Ramp[q + 1]; px[k * 4 + 2] = p1Ramp[q + 2]; px[k * 4 + 3] = 255;
      }
    } else if (e.class != null) {
      const cl = typeof e.class === "string" ? bytes(e.class) : e.class;
      const cf = e.confidence == null ? null : typeof e.confidence === "string" ? bytes(e.confidence) : Uint8Array.from(e.confidence, (v) => Math.round(v * 255));
      for (let k = 0; k < nx * ny; k++) {
        const col = classColors[cl[k] % 10] || GREY;
        const a = disc ? 0.55 : 0.12 + 0.6 * (cf ? cf[k] / 255 : 0.5);
        px[k * 4] = 255 - (255 - col.r) * a; px[k * 4 + 1] = 255 - (255 - col.g) * a; px[k * 4 + 2] = 255 - (255 - col.b) * a; px[k * 4 + 3] = 255;
      }
    } else return;
    ctx.putImageData(img, 0, 0);
    run.drawn = e;
    B.dataset.redraws = String(+B.dataset.redraws + 1);
  }
  function drawPoints() {
    pointsDirty = false;
    const c = $("points"), size = BOX(), dpr = Math.min(2, window.devicePixelRatio || 1);
    c.width = Math.round(size * dpr); c.height = Math.round(size * dpr);
    const ctx = c.getContext("2d");
    ctx.clearRect(0, 0, c.width, c.height);
    const s = run && run.start;
    if (!s || !s.grid || !s.points || !s.points.x) return;
    const { x: [x0, x1], y: [y0, y1] } = s.grid, p = s.points, W = c.width, H = c.height;
    const showTest = $("show-test").checked, showTrain = $("show-train").checked;
    const r = Math.max(2, size / 130) * dpr;
    const two = !(s.classes > 2);
    // the training points first, the test points (outlined in black) on top
    for (const split of ["train", "test"]) {
      if ((split === "test" && !showTest) || (split === "train" && !showTrain)) continue;
      ctx.lineWidth = (split === "test" ? 1.1 : 0.8) * dpr;
      ctx.strokeStyle = split === "test" ? "#1f2328" : "#ffffff";
      for (let i = 0; i < p.x.length; i++) {
        if ((p.split ? p.split[i] : "train") !== split) continue;
        const lab = p.label[i];
        ctx.fillStyle = two ? (lab === 1 ? "#0877bd" : "#f59322") : String(classColors[lab % 10]);
        ctx.beginPath();
        ctx.arc(((p.x[i] - x0) / (x1 - x0)) * W, ((y1 - p.y[i]) / (y1 - y0)) * H, r, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    }
  }

  // learning curves: loss and accuracy, train (grey) and test (black), as in Playground
  const charts = {};
  function makeChart(id, title, series, yFixed) {
    const host = $(id);
    const width = Math.max(220, host.clientWidth || 280), height = 170;
    const m = { l: 44, r: 10, t: 22, b: 28 };
    host.replaceChildren();
    const svg = d3.select(host).append("svg").attr("width", width).attr("height", height).attr("role", "img").attr("aria-label", title);
    svg.append("text").attr("class", "chart-title").attr("x", m.l).attr("y", 13).text(title);
    const lg = svg.append("g").attr("transform", `translate(${width - m.r},13)`);
    let off = 0;
    series.slice().reverse().forEach((s) => {
      const t = lg.append("text").attr("x", -off).attr("text-anchor", "end").attr("class", "legend-text").text(s.label);
      const w = s.label.length * 6.2 + 4;
      lg.append("line").attr("x1", -off - w - 16).attr("x2", -off - w - 2).attr("y1", -4).attr("y2", -4).attr("stroke", s.color).attr("stroke-width", 2).attr("stroke-dasharray", s.dash || null);
      off += w + 26;
      void t;
    });
    const g = svg.append("g").attr("transform", `translate(${m.l},${m.t})`);
    const iw = width - m.l - m.r, ih = height - m.t - m.b;
    const x = d3.scaleLinear().range([0, iw]), y = d3.scaleLinear().range([ih, 0]);
    const grid = g.append("g").attr("class", "gridlines");
    const ax = g.append("g").attr("class", "axis").attr("transform", `translate(0,${ih})`), ay = g.append("g").attr("class", "axis");
    const paths = series.map((s) => g.append("path").attr("fill", "none").attr("stroke", s.color).attr("stroke-width", 1.8).attr("stroke-dasharray", s.dash || null).attr("stroke-linejoin", "round"));
    charts[id] = { series, yFixed, x, y, ax, ay, grid, paths, iw, ih, n: -1 };
  }
  // with a validation set (the run's `start` says so), a third line: validation, dashed orange
  function resetCharts(validation) {
    const val = (key) => (validation ? [{ key, label: "val", color: "#e8710a", dash: "4 3" }] : []);
    makeChart("curve-loss", "loss", [{ key: "train_loss", label: "train", color: "#8c959f" }, { key: "test_loss", label: "test", color: "#1f2328" }, ...val("val_loss")]);
    makeChart("curve-acc", "accuracy", [{ key: "train_acc", label: "train", color: "#8c959f" }, { key: "test_acc", label: "test", color: "#1f2328" }, ...val("val_acc")], true);
    for (const id in charts) updateChart(charts[id], [], 10);
  }
  function updateChart(ch, hist, total) {
    if (ch.n === hist.length && hist.length) return;
    ch.n = hist.length;
    const last = hist.length ? hist[hist.length - 1].epoch : 0;
    ch.x.domain([0, Math.max(10, last, hist.length ? 0 : total)]);
    const vals = hist.flatMap((h) => ch.series.map((s) => h[s.key])).filter(isNum);
    if (ch.yFixed) ch.y.domain([Math.min(0.5, d3.min(vals) ?? 0.5), 1]);
    else ch.y.domain([0, Math.max(1e-3, (d3.max(vals) ?? 1) * 1.05)]);
    ch.ax.call(d3.axisBottom(ch.x).ticks(5).tickSizeOuter(0));
    ch.ay.call(d3.axisLeft(ch.y).ticks(4, ch.yFixed ? "~%" : "~g").tickSizeOuter(0));
    ch.grid.selectAll("line").data(ch.y.ticks(4)).join("line").attr("x1", 0).attr("x2", ch.iw).attr("y1", (v) => ch.y(v)).attr("y2", (v) => ch.y(v)).attr("class", "gridline");
    // at most ~1500 points per line (a long run stays cheap to redraw): every k-th epoch and the last
    const k = Math.ceil(hist.length / 1500);
    const pts = k <= 1 ? hist : hist.filter((h, i) => i % k === 0 || i === hist.length - 1);
    ch.series.forEach((s, i) => {
      const line = d3.line().defined((h) => isNum(h[s.key])).x((h) => ch.x(h.epoch)).y((h) => ch.y(Math.max(ch.y.domain()[0], Math.min(ch.y.domain()[1], h[s.key]))));
      ch.paths[i].attr("d", line(pts));
    });
  }
  function drawCurves() {
    const hist = run ? run.hist : [];
    for (const id in charts) updateChart(charts[id], hist, run && run.start ? run.start.epochs : 10);
  }
  function drawStats() {
    const e = run && run.latest;
    $("epoch").textContent = counter(e ? e.epoch : 0);
    $("s-train-loss").textContent = fmt(e && e.train_loss);
    $("s-test-loss").textContent = fmt(e && e.test_loss);
    $("s-train-acc").textContent = pct(e && e.train_acc);
    $("s-test-acc").textContent = pct(e && e.test_acc);
    $("s-lr").textContent = fmt(e && e.lr, 6);
  }

  // boundary hover: the model's output under the pointer
  function showTip(ev, rows) {
    const tip = $("tooltip");
    tip.replaceChildren(...rows.map((r) => el("div", { class: "row" + (r.bold ? " bold" : "") }, el("span", { text: r.text }), r.value != null ? el("span", { class: "val", text: r.value }) : null)));
    tip.hidden = false;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    tip.style.left = Math.min(window.innerWidth - w - 8, ev.clientX + 14) + "px";
    tip.style.top = Math.min(window.innerHeight - h - 8, ev.clientY + 14) + "px";
  }
  $("points").addEventListener("mousemove", (ev) => {
    const s = run && run.start, e = run && run.latest;
    if (!s || !s.grid || !e) return;
    const rect = $("points").getBoundingClientRect();
    const fx = (ev.clientX - rect.left) / rect.width, fy = (ev.clientY - rect.top) / rect.height;
    const { nx, ny, x: [x0, x1], y: [y0, y1] } = s.grid;
    const k = Math.round(fy * (ny - 1)) * nx + Math.round(fx * (nx - 1));
    const rows = [{ text: `x ${fmt(x0 + fx * (x1 - x0), 2)}, y ${fmt(y1 - fy * (y1 - y0), 2)}` }];
    if (e.p1 != null) rows.push({ text: "p(class 1)", value: fmt((typeof e.p1 === "string" ? bytes(e.p1)[k] : e.p1[k] * 255) / 255, 2), bold: true });
    else if (e.class != null) rows.push({ text: "class", value: String((typeof e.class === "string" ? bytes(e.class) : e.class)[k]), bold: true });
    showTip(ev, rows);
  });
  $("points").addEventListener("mouseleave", () => { $("tooltip").hidden = true; });

  // ---------- save, seeds, sweep ----------
  async function save() {
    const r = await api("POST", "/api/toml", config());
    if (!r.ok) { showFormError(r.data.error || `could not save (${r.status})`); return; }
    const text = r.data.toml, name = r.data.file_name || (st.name || "playground") + ".toml";
    window.dlpSaved = text;
    B.dataset.saved = name;
    const url = URL.createObjectURL(new Blob([text], { type: "application/toml" }));
    const a = el("a", { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    $("saved").hidden = false;
    $("saved-name").textContent = name;
    $("saved-text").textContent = text;
  }
  function parseValues(text) {
    const t = text.trim();
    if (!t) return null;
    try { const v = JSON.parse("[" + t + "]"); if (v.length) return v; } catch (_) { /* plain words */ }
    return t.split(",").map((s) => s.trim()).filter(Boolean).map((s) => (s === "true" || s === "false" ? s === "true" : isFinite(Number(s)) ? Number(s) : s));
  }
  async function study(withSweep) {
    const errBox = $("study-error");
    errBox.hidden = true;
    const n = Math.round(Number($("study-seeds").value));
    const c = config();
    c.seeds = n >= 1 ? n : 1;
    if (withSweep) {
      const key = $("sweep-key").value, values = parseValues($("sweep-values").value);
      if (!key || !values) { errBox.hidden = false; errBox.textContent = "Type the values to sweep, separated by commas."; return; }
      c.sweep = { [key]: values };
    }
    const r = await api("POST", "/api/studies", c);
    if (!r.ok) { errBox.hidden = false; errBox.replaceChildren(el("b", { text: "Not started: " }), r.data.error || String(r.status)); return; }
    highlight = r.data.name;
    location.hash = "#results";
  }

  // ---------- results view ----------
  let pollTimer = null, highlight = null;
  function startPolling() { if (!pollTimer) { loadResults(); pollTimer = setInterval(loadResults, 2000); } }
  function stopPolling() { clearInterval(pollTimer); pollTimer = null; }
  async function loadResults() {
    const r = await api("GET", "/api/results");
    if (!r.ok) { $("results-note").textContent = r.data.error || "could not list the results"; return; }
    const list = (Array.isArray(r.data) ? r.data : []).slice().sort((a, b) => String(b.started || "").localeCompare(String(a.started || "")));
    const body = $("results-table").tBodies[0];
    body.replaceChildren(...list.map((s) => {
      const done = isNum(s.runs) ? s.runs : 0, planned = isNum(s.planned) ? s.planned : done;
      const when = s.started ? new Date(s.started) : null;
      const claims = isNum(s.claims) && s.claims > 0
        ? el("span", { class: s.claims_passed === s.claims ? "pass" : "fail", text: `${s.claims_passed} / ${s.claims}` })
        : el("span", { class: "muted", text: "no claims" });
      return el("tr", { class: s.name === highlight ? "new" : null, "data-name": s.name },
        el("td", {}, s.report ? el("a", { href: s.report, target: "_blank", rel: "noopener", text: s.name }) : s.name,
          s.running ? el("span", { class: "badge running", text: "running" }) : null),
        el("td", { class: "num" }, el("span", { text: `${done} / ${planned}` }),
          s.running ? el("progress", { max: Math.max(1, planned), value: done, "aria-label": `${done} of ${planned} runs` }) : null),
        el("td", { class: "num" }, claims),
        el("td", { title: s.started || "", text: when && !isNaN(when) ? when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : "–" }));
    }));
    $("results-note").textContent = list.length ? "" : "No study yet: run one with “Run N seeds” or “Sweep”, or start dlp serve on a results folder.";
    B.dataset.results = String(list.length);
  }

  // ---------- wiring ----------
  $("btn-start").addEventListener("click", () => start().catch((e) => recordError("start: " + e.message)));
  $("btn-pause").addEventListener("click", () => control(run && run.state === "paused" ? "resume" : "pause"));
  $("btn-step").addEventListener("click", () => control("step"));
  $("btn-reset").addEventListener("click", () => reset());
  $("btn-save").addEventListener("click", () => save());
  $("btn-seeds").addEventListener("click", () => study(false));
  $("btn-sweep").addEventListener("click", () => study(true));
  $("sweep-key").addEventListener("change", sweepPlaceholder);
  for (const id of ["show-test", "show-train"]) $(id).addEventListener("change", () => requestDraw(true));
  $("discretize").addEventListener("change", () => { if (run) run.drawn = null; requestDraw(); });
  $("form").addEventListener("submit", (e) => { e.preventDefault(); start(); });
  window.addEventListener("hashchange", route);
  window.addEventListener("resize", () => { resetCharts(!!(run && run.start && run.start.validation)); if (run) run.drawn = null; requestDraw(true); });
  window.addEventListener("pagehide", () => { if (run && run.es) run.es.close(); });

  async function boot() {
    resetCharts();
    clearBoundary();
    colourKey(2);
    const r = await api("GET", "/api/options");
    if (!r.ok) {
      recordError("options: " + (r.data.error || r.status));
      $("view-play").hidden = false;
      showFormError("Could not load the options from the server: " + (r.data.error || r.status));
      B.dataset.ready = "1";
      return;
    }
    OPT = r.data;
    OPT.datasets = OPT.datasets || []; OPT.optimizers = OPT.optimizers || []; OPT.losses = OPT.losses || []; OPT.activations = OPT.activations || [];
    OPT.defaults = OPT.defaults || {};
    st = stateFrom(configFromHash() || OPT.defaults);
    renderForm();
    encoded = "";
    route();
    updateUrl();
    scheduleCheck();
    updateButtons();
    drawStats();
    B.dataset.ready = "1";
  }
  boot().catch((e) => { recordError("boot: " + e.message); B.dataset.ready = "1"; });
})();
