// dlp report page: renders a study's results from the JSON in <script id="dlp-data">.
// Plain script (no modules, no build step), inlined into report.html after d3 (the global `d3`).
// The same code serves report.html on disk and any page that embeds the same JSON.
// Every error is recorded in <body data-errors>, and <body data-ready="1"> marks the end of
// the first render: the browser tests read both.
(function () {
  "use strict";

  const errors = [];
  function recordError(message) {
    errors.push(String(message));
    document.body.dataset.errors = errors.join(" | ");
  }
  window.addEventListener("error", (e) => recordError(e.message || "error"));
  window.addEventListener("unhandledrejection", (e) => recordError("promise: " + (e.reason && e.reason.message || e.reason)));

  const started = performance.now();
  let DATA;
  try {
    DATA = JSON.parse(document.getElementById("dlp-data").textContent);
    if (typeof d3 === "undefined") throw new Error("the chart library (d3) did not load");
  } catch (e) {
    recordError("data: " + e.message);
    document.body.dataset.ready = "1";
    return;
  }

  // ---------- data model ----------
  const swept = DATA.swept || [];
  const metrics = DATA.metrics || [];
  const groups = DATA.groups || [];
  const runs = DATA.runs || [];
  const claims = DATA.claims || [];
  const boundaries = DATA.boundaries || [];
  const importance = DATA.importance || {};
  const byCell = new Map(groups.map((g) => [g.cell, g]));
  const metricById = new Map(metrics.map((m) => [m.id, m]));
  const CURVE_SERIES = [
    { id: "test_acc", label: "test accuracy" },
    { id: "train_acc", label: "train accuracy" },
    { id: "test_loss", label: "test loss" },
    { id: "train_loss", label: "train loss" },
    { id: "val_acc", label: "validation accuracy" },
    { id: "val_loss", label: "validation loss" },
  ].filter((s) => runs.some((r) => r.curves && Array.isArray(r.curves[s.id]) && r.curves[s.id].length));
  const isNum = (v) => typeof v === "number" && Number.isFinite(v);
  const metricHasData = (id) => runs.some((r) => r.status === "ok" && isNum(r.metrics && r.metrics[id]));

  const state = {
    metric: (metrics.find((m) => metricHasData(m.id)) || metrics[0] || { id: null }).id,
    curve: CURVE_SERIES.length ? CURVE_SERIES[0].id : null,
    bands: "minmax",
    layout: groups.length > 8 ? "multiples" : "overlay",
    logY: false,
    hidden: new Set(),
    highlight: null,
    points: true,
    which: "both",
  };

  // ---------- helpers ----------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) {
      if (c == null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  const fmt3 = d3.format(".3~r");
  const fmtE = d3.format(".2~e");
  function fmt(v) {
    if (!isNum(v)) return "–";
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) return fmtE(v);
    return fmt3(v);
  }
  const pct = d3.format(".0%");
  const metricLabel = (id) => (metricById.get(id) || { label: id }).label;
  const better = (id) => (metricById.get(id) || { better: "higher" }).better;
  const stat = (g, id) => (g.stats && g.stats[id]) || { mean: null, lo: null, hi: null, n: 0 };
  const slug = (s) => String(s).replace(/[^A-Za-z0-9_-]+/g, "-");
  const jitter = (i) => (((i + 1) * 2654435761) % 1000) / 1000 - 0.5;
  const groupRuns = (g) => (g.runs || []).map((i) => runs[i]).filter(Boolean);
  const okRuns = (g) => groupRuns(g).filter((r) => r.status === "ok");
  const valueOf = (r, id) => (r.metrics && isNum(r.metrics[id]) ? r.metrics[id] : null);
  function shortLabel(g) {
    if (!swept.length) return g.label || "(all)";
    return swept.map((s) => (g.values || {})[s.key]).join(" · ");
  }
  function bestGroup(id, list) {
    const have = (list || groups).filter((g) => isNum(stat(g, id).mean));
    if (!have.length) return null;
    return better(id) === "lower" ? d3.least(have, (g) => stat(g, id).mean) : d3.greatest(have, (g) => stat(g, id).mean);
  }
  // An accuracy's t-interval can pass 1: the axis stops at 1 (the tooltip has the numbers).
  function boundedExtent(vals, id) {
    const e = d3.extent(vals);
    if (/acc/.test(id) && e[1] > 1 && vals.every((v) => v >= 0)) e[1] = 1;
    if (/acc/.test(id) && e[0] < 0) e[0] = 0;
    return e;
  }
  function chartWidth(container, fallback) {
    const w = container.clientWidth || fallback || 1100;
    return Math.max(280, w);
  }

  // Colours: Tableau 10 up to 10 groups, then evenly spaced hues with alternating lightness,
  // so that neighbours in study order never share a colour.
  const colorOfCell = new Map();
  (function () {
    const n = groups.length;
    groups.forEach((g, i) => {
      let c;
      if (n <= 10) c = d3.schemeTableau10[i];
      else {
        const h = (i * 360) / n + 15;
        const light = i % 3 === 0 ? 42 : i % 3 === 1 ? 62 : 52;
        c = d3.hcl(h, 58, light).formatHex();
      }
      colorOfCell.set(g.cell, c);
    });
  })();
  const colorOf = (g) => colorOfCell.get(g.cell) || "#555";

  // ---------- tooltip ----------
  const tip = document.getElementById("tooltip");
  function showTip(event, rows) {
    tip.replaceChildren(
      ...rows.map((r) => {
        const row = el("div", { class: "row" + (r.head ? " head" : "") + (r.bold ? " bold" : "") });
        if (r.color) row.append(el("span", { class: "swatch", style: `background:${r.color}` }));
        row.append(el("span", { text: r.text }));
        if (r.value != null) row.append(el("span", { class: "val", text: r.value }));
        return row;
      })
    );
    tip.hidden = false;
    const pad = 14;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    let x = event.clientX + pad, y = event.clientY + pad;
    if (x + w > window.innerWidth - 4) x = event.clientX - w - pad;
    if (y + h > window.innerHeight - 4) y = event.clientY - h - pad;
    tip.style.left = Math.max(4, x) + "px";
    tip.style.top = Math.max(4, y) + "px";
  }
  function hideTip() {
    tip.hidden = true;
  }

  // ---------- sections: each draws into its .body and may redraw on a state change ----------
  const sections = [];
  const timings = {};
  function section(id, draw) {
    const root = document.getElementById(id);
    const body = root.querySelector(".body");
    const s = {
      id,
      draw() {
        const t = performance.now();
        try {
          body.replaceChildren();
          draw(body, root);
          timings[id] = Math.round(performance.now() - t);
        } catch (e) {
          recordError(id + ": " + e.message);
          body.append(el("p", { class: "note", text: "This chart could not be drawn: " + e.message }));
        }
      },
    };
    sections.push(s);
    return s;
  }
  function redraw(...ids) {
    for (const s of sections) if (!ids.length || ids.includes(s.id)) s.draw();
  }
  function flash(target) {
    if (!target) return;
    target.scrollIntoView({ behavior: "smooth", block: "start" });
    target.classList.remove("flash");
    void target.offsetWidth;
    target.classList.add("flash");
    setTimeout(() => target.classList.remove("flash"), 2600);
  }

  // ---------- header ----------
  function drawHeader() {
    document.getElementById("title").textContent = DATA.name || "dlp report";
    const desc = document.getElementById("description");
    desc.textContent = DATA.description || "";
    desc.hidden = !DATA.description;
    const nDiv = runs.filter((r) => r.status === "diverged").length;
    const nFail = runs.filter((r) => r.status === "failed").length;
    const passed = claims.filter((c) => c.passed).length;
    const parts = [
      `${runs.length} run${runs.length === 1 ? "" : "s"} in ${groups.length} group${groups.length === 1 ? "" : "s"}`,
      swept.length ? "swept: " + swept.map((s) => `${s.key} (${s.values.length})`).join(", ") : "nothing swept",
      `${nDiv} diverged, ${nFail} failed (not counted in means)`,
    ];
    if (claims.length) parts.push(`claims: ${passed} of ${claims.length} pass`);
    document.getElementById("summary").textContent = parts.join(" · ");
    const dl = document.querySelector("#manifest dl");
    for (const [k, v] of Object.entries(DATA.manifest || {})) dl.append(el("dt", { text: k }), el("dd", { text: String(v) }));
    document.getElementById("manifest").hidden = !Object.keys(DATA.manifest || {}).length;
  }

  function drawVerdict() {
    const box = document.getElementById("verdict");
    box.replaceChildren();
    verdictText(box);
    box.hidden = !box.textContent;
  }
  function verdictText(box) {
    const id = state.metric;
    if (!id) return;
    const have = groups.filter((g) => isNum(stat(g, id).mean));
    if (!have.length) {
      box.append(`No run has a value for ${metricLabel(id)}.`);
      return;
    }
    const sorted = have.slice().sort((a, b) => (better(id) === "lower" ? 1 : -1) * (stat(a, id).mean - stat(b, id).mean));
    const b = sorted[0], s = stat(b, id);
    const ci = (st) => (isNum(st.lo) ? ` [${fmt(st.lo)}, ${fmt(st.hi)}]` : "");
    if (groups.length === 1) {
      box.append(`${metricLabel(id)}: `, el("b", { text: fmt(s.mean) }), `${ci(s)} (mean and 95% interval over ${s.n} runs)`);
      return;
    }
    box.append(`Best ${metricLabel(id)} (${better(id)} is better): `, el("b", { text: b.label }), ` with ${fmt(s.mean)}${ci(s)}, n=${s.n}.`);
    if (sorted.length > 1) {
      const r = sorted[1], rs = stat(r, id);
      const overlap = isNum(s.lo) && isNum(rs.lo) && s.lo <= rs.hi && rs.lo <= s.hi;
      box.append(
        ` Runner-up: `,
        el("b", { text: r.label }),
        ` with ${fmt(rs.mean)}${ci(rs)}: a difference of ${fmt(Math.abs(s.mean - rs.mean))}`,
        overlap ? " (the 95% intervals overlap: not a clear win)." : isNum(s.lo) && isNum(rs.lo) ? " (the 95% intervals do not overlap)." : "."
      );
      const w = sorted[sorted.length - 1];
      if (sorted.length > 2) box.append(` Worst: ${w.label} with ${fmt(stat(w, id).mean)}.`);
    }
  }

  // ---------- 1. claims ----------
  section("claims", (body) => {
    if (!claims.length) {
      body.append(el("p", { class: "note", text: "This study states no claims ([[expect]] in the experiment file)." }));
      return;
    }
    const passed = claims.filter((c) => c.passed).length;
    body.append(el("p", { class: "caption", text: `${passed} of ${claims.length} pass. Each claim links to the chart that supports it.` }));
    const list = el("ul", { class: "claims" });
    for (const c of claims) {
      const key = (c.keys || []).find((k) => swept.some((s) => s.key === k));
      const isMetric = metricById.has(c.metric);
      const isCurve = CURVE_SERIES.some((s) => s.id === c.metric);
      let href = "#effects", where = "the effect charts";
      if (isMetric && key) (href = "#effect-" + slug(key)), (where = `${metricLabel(c.metric)} against ${key}`);
      else if (isMetric) (href = "#effects"), (where = metricLabel(c.metric));
      else if (isCurve) (href = "#curves"), (where = `learning curves (${c.metric})`);
      const link = el("a", {
        href,
        class: "claim-link",
        text: c.claim,
        onclick: (e) => {
          e.preventDefault();
          if (isMetric) setMetric(c.metric);
          if (isCurve && state.curve !== c.metric) {
            state.curve = c.metric;
            redraw("curves");
          }
          flash(document.querySelector(isCurve ? "#curves .panel" : href) || document.querySelector(href));
        },
      });
      list.append(
        el(
          "li",
          {},
          el("span", { class: "badge " + (c.passed ? "pass" : "fail"), text: c.passed ? "PASS" : "FAIL" }),
          el("div", {}, link, el("div", { class: "detail" }, c.detail || "", el("span", { text: ` · see ${where}` })))
        )
      );
    }
    body.append(list);
  });

  // ---------- 2. effect of each swept key ----------
  function keyScale(spec, range) {
    if (spec.numeric) {
      const vals = spec.values.map(Number);
      const lo = d3.min(vals), hi = d3.max(vals);
      if (spec.log && lo > 0) {
        const pad = lo === hi ? 2 : Math.pow(hi / lo, 0.06);
        return { scale: d3.scaleLog().domain([lo / pad, hi * pad]).range(range), pos: (v) => Number(v), step: 40 };
      }
      const pad = lo === hi ? 1 : (hi - lo) * 0.06;
      return { scale: d3.scaleLinear().domain([lo - pad, hi + pad]).range(range), pos: (v) => Number(v), step: 40 };
    }
    const s = d3.scalePoint().domain(spec.values).range(range).padding(0.5);
    return { scale: s, pos: (v) => v, step: s.step() };
  }

  function effectChart(container, spec, id, width) {
    const others = swept.filter((s) => s.key !== spec.key);
    const comboOf = (g) => others.map((s) => `${s.key}=${(g.values || {})[s.key]}`).join(", ");
    const combos = others.length ? Array.from(new Set(groups.map(comboOf))) : [""];
    const comboColor = new Map(combos.map((c, i) => [c, combos.length <= 10 ? d3.schemeTableau10[i] : d3.interpolateTurbo(0.1 + (0.8 * i) / (combos.length - 1))]));
    const single = combos.length === 1;
    const m = { top: 14, right: 16, bottom: 48, left: 62 };
    const height = 300;
    const iw = width - m.left - m.right, ih = height - m.top - m.bottom;
    const ks = keyScale(spec, [0, iw]);
    const xOf = (g) => ks.scale(ks.pos((g.values || {})[spec.key] ?? spec.values[0]));
    const dodgeW = Math.min(ks.step * 0.6, 16 * combos.length);
    const dodge = (g) => (single ? 0 : (combos.indexOf(comboOf(g)) / Math.max(1, combos.length - 1) - 0.5) * dodgeW);

    const vals = [];
    for (const g of groups) {
      const st = stat(g, id);
      for (const v of [st.mean, st.lo, st.hi]) if (isNum(v)) vals.push(v);
      for (const r of groupRuns(g)) if (isNum(valueOf(r, id))) vals.push(valueOf(r, id));
    }
    if (!vals.length) {
      container.append(el("p", { class: "note", text: `No run has a value for ${metricLabel(id)}.` }));
      return;
    }
    const y = d3.scaleLinear().domain(boundedExtent(vals, id)).nice(6).range([ih, 0]).clamp(true);
    if (y.domain()[0] === y.domain()[1]) y.domain([y.domain()[0] - 0.5, y.domain()[1] + 0.5]);

    const svg = d3.select(container).append("svg").attr("width", width).attr("height", height).attr("role", "img")
      .attr("aria-label", `${metricLabel(id)} against ${spec.key}`);
    const g0 = svg.append("g").attr("transform", `translate(${m.left},${m.top})`);
    g0.append("g").selectAll("line").data(y.ticks(6)).join("line").attr("class", "gridline")
      .attr("x1", 0).attr("x2", iw).attr("y1", (d) => y(d)).attr("y2", (d) => y(d));
    const xAxis = d3.axisBottom(ks.scale);
    if (spec.numeric) xAxis.tickValues(spec.values.map(Number)).tickFormat((d) => spec.values[spec.values.map(Number).indexOf(d)] ?? fmt(d));
    const gx = g0.append("g").attr("class", "axis").attr("transform", `translate(0,${ih})`).call(xAxis);
    if (!spec.numeric && ks.step < 64) gx.selectAll("text").attr("transform", "rotate(-24)").style("text-anchor", "end").attr("dx", "-0.4em").attr("dy", "0.6em");
    g0.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(6));
    g0.append("text").attr("class", "axis-label").attr("x", iw / 2).attr("y", ih + 42).attr("text-anchor", "middle")
      .text(spec.key + (spec.numeric && spec.log ? " (log scale)" : ""));
    g0.append("text").attr("class", "axis-label").attr("transform", "rotate(-90)").attr("x", -ih / 2).attr("y", -48)
      .attr("text-anchor", "middle").text(metricLabel(id));

    const best = bestGroup(id);
    // lines joining the means of one combination of the other keys (an interaction plot)
    if (!single || spec.numeric) {
      for (const c of combos) {
        const pts = groups.filter((g) => comboOf(g) === c && isNum(stat(g, id).mean))
          .sort((a, b) => xOf(a) - xOf(b)).map((g) => [xOf(g) + dodge(g), y(stat(g, id).mean)]);
        g0.append("path").attr("d", d3.line()(pts)).attr("fill", "none").attr("stroke", single ? "#8c959f" : comboColor.get(c))
          .attr("stroke-width", 1.4).attr("stroke-opacity", 0.65);
      }
    }
    const dotColor = (g) => (single ? "#2f6fb0" : comboColor.get(comboOf(g)));
    for (const g of groups) {
      const x = xOf(g) + dodge(g);
      const st = stat(g, id);
      const col = dotColor(g);
      // every seed, jittered; runs that did not finish ok are crosses (not counted in the mean)
      groupRuns(g).forEach((r) => {
        const v = valueOf(r, id);
        const jx = x + jitter(runs.indexOf(r)) * Math.min(14, ks.step * 0.3 / Math.max(1, combos.length * 0.6));
        const tipRows = [{ text: g.label, head: true }, { text: "seed " + r.seed, value: r.status === "ok" ? fmt(v) : r.status + (isNum(v) ? " " + fmt(v) : "") }, { text: "run " + r.run_id }];
        if (r.status !== "ok") {
          const yy = isNum(v) ? y(v) : ih - 6;
          if (!isNum(v)) g0.append("text").attr("class", "cell-sub").attr("x", jx + 6).attr("y", yy + 3).style("fill", "#cf222e").text(r.status);
          g0.append("path").attr("d", d3.symbol(d3.symbolX, 36)()).attr("transform", `translate(${jx},${yy})`)
            .attr("stroke", r.status === "failed" ? "#cf222e" : "#bc4c00").attr("stroke-width", 1.6)
            .on("mousemove", (e) => showTip(e, tipRows)).on("mouseleave", hideTip);
        } else if (isNum(v)) {
          g0.append("circle").attr("cx", jx).attr("cy", y(v)).attr("r", 2.6).attr("fill", col).attr("fill-opacity", 0.35)
            .on("mousemove", (e) => showTip(e, tipRows)).on("mouseleave", hideTip);
        }
      });
      if (isNum(st.lo) && isNum(st.hi)) {
        g0.append("path").attr("d", `M${x - 5},${y(st.lo)}H${x + 5}M${x},${y(st.lo)}V${y(st.hi)}M${x - 5},${y(st.hi)}H${x + 5}`)
          .attr("stroke", col).attr("stroke-width", 1.8).attr("fill", "none");
      }
      if (isNum(st.mean)) {
        const rows = [{ text: g.label, head: true }, { text: "mean", value: fmt(st.mean), bold: true },
          { text: "95% interval", value: isNum(st.lo) ? `${fmt(st.lo)} – ${fmt(st.hi)}` : "–" }, { text: "runs counted", value: String(st.n) }];
        const notCounted = groupRuns(g).length - st.n;
        if (notCounted) rows.push({ text: "not counted (diverged, failed or missing)", value: String(notCounted) });
        g0.append("circle").attr("cx", x).attr("cy", y(st.mean)).attr("r", g === best ? 6 : 4.8).attr("fill", col)
          .attr("stroke", g === best ? "#111" : "#fff").attr("stroke-width", g === best ? 2 : 1.2)
          .on("mousemove", (e) => showTip(e, rows)).on("mouseleave", hideTip);
      } else {
        g0.append("text").attr("x", x).attr("y", ih - 6).attr("text-anchor", "middle").attr("class", "cell-sub").attr("fill", "#8c959f").text("n=0");
      }
    }
    if (!single) {
      const legend = el("div", { class: "legend" }, el("span", { class: "legend-title", text: "colour:" }));
      for (const c of combos) legend.append(el("span", { class: "legend-item", style: "display:inline-flex;gap:5px;align-items:center;font-size:0.82rem;margin-right:10px" },
        el("span", { class: "swatch", style: `background:${comboColor.get(c)}` }), c));
      container.append(legend);
    }
  }

  // heatmap of the means over two keys (one facet per combination of the remaining keys)
  function heatmaps(container, id) {
    const [kx, ky] = swept.slice().sort((a, b) => b.values.length - a.values.length);
    const rest = swept.filter((s) => s !== kx && s !== ky);
    const facetOf = (g) => rest.map((s) => `${s.key}=${(g.values || {})[s.key]}`).join(", ");
    const facets = rest.length ? Array.from(new Set(groups.map(facetOf))) : [""];
    const means = groups.map((g) => stat(g, id).mean).filter(isNum);
    if (!means.length) return;
    const ext = d3.extent(means);
    const good = better(id) === "lower" ? [ext[1], ext[0]] : ext;
    const color = d3.scaleSequential((t) => d3.interpolateYlGnBu(0.08 + 0.84 * t)).domain(good[0] === good[1] ? [good[0] - 1, good[1]] : good);
    const best = bestGroup(id);
    const wrap = el("div", { class: "panel wide", id: "effect-heatmap" });
    wrap.append(el("h3", { text: `Mean ${metricLabel(id)}: ${kx.key} × ${ky.key}` + (rest.length ? ` (one map per ${rest.map((s) => s.key).join(", ")})` : "") }));
    wrap.append(el("p", { class: "caption", text: `Darker is better (${better(id)} ${metricLabel(id)}). The best group is outlined; hover a cell for its 95% interval and run count.` }));
    const holder = el("div", { style: "display:flex;flex-wrap:wrap;gap:18px" });
    wrap.append(holder);
    container.append(wrap);
    const avail = chartWidth(container) - 30;
    const perRow = facets.length === 1 ? 1 : Math.max(1, Math.min(facets.length, Math.floor(avail / 420)));
    const fw = facets.length === 1 ? Math.min(avail, 140 + kx.values.length * 110) : Math.floor((avail - 18 * (perRow - 1)) / perRow);
    for (const f of facets) {
      const m = { top: facets.length > 1 ? 24 : 8, right: 10, bottom: 52, left: 96 };
      const cw = (fw - m.left - m.right) / kx.values.length;
      const ch = Math.max(30, Math.min(56, cw * 0.6));
      const ih = ch * ky.values.length;
      const svg = d3.select(holder).append("svg").attr("width", fw).attr("height", ih + m.top + m.bottom)
        .attr("role", "img").attr("aria-label", `heatmap of ${metricLabel(id)} ${f}`);
      const g0 = svg.append("g").attr("transform", `translate(${m.left},${m.top})`);
      if (f) g0.append("text").attr("class", "chart-title").attr("x", 0).attr("y", -9).text(f);
      const x = d3.scaleBand().domain(kx.values).range([0, cw * kx.values.length]);
      const yb = d3.scaleBand().domain(ky.values.slice().reverse()).range([0, ih]);
      g0.append("g").attr("class", "axis").attr("transform", `translate(0,${ih})`).call(d3.axisBottom(x).tickSize(0).tickPadding(6));
      g0.append("g").attr("class", "axis").call(d3.axisLeft(yb).tickSize(0).tickPadding(6));
      g0.selectAll(".axis path").remove();
      g0.append("text").attr("class", "axis-label").attr("x", x.range()[1] / 2).attr("y", ih + 38).attr("text-anchor", "middle").text(kx.key);
      g0.append("text").attr("class", "axis-label").attr("transform", "rotate(-90)").attr("x", -ih / 2).attr("y", -m.left + 16).attr("text-anchor", "middle").text(ky.key);
      for (const vx of kx.values) {
        for (const vy of ky.values) {
          const g = groups.find((gg) => facetOf(gg) === f && (gg.values || {})[kx.key] === vx && (gg.values || {})[ky.key] === vy);
          const cx = x(vx), cy = yb(vy);
          const st = g ? stat(g, id) : null;
          const fill = st && isNum(st.mean) ? color(st.mean) : "#f3f4f6";
          const rect = g0.append("rect").attr("x", cx + 1).attr("y", cy + 1).attr("width", x.bandwidth() - 2).attr("height", yb.bandwidth() - 2)
            .attr("rx", 3).attr("fill", fill);
          if (g === best) rect.attr("stroke", "#111").attr("stroke-width", 2.5);
          if (!g) continue;
          const dark = d3.hcl(fill).l < 58;
          const tcol = dark ? "#fff" : "#1f2328";
          g0.append("text").attr("class", "cell-text").attr("x", cx + x.bandwidth() / 2).attr("y", cy + yb.bandwidth() / 2 + (yb.bandwidth() > 42 && isNum(st.lo) ? -2 : 4))
            .attr("text-anchor", "middle").style("fill", tcol).text(isNum(st.mean) ? fmt(st.mean) : "no data");
          if (yb.bandwidth() > 42 && isNum(st.lo) && x.bandwidth() > 80)
            g0.append("text").attr("class", "cell-sub").attr("x", cx + x.bandwidth() / 2).attr("y", cy + yb.bandwidth() / 2 + 12)
              .attr("text-anchor", "middle").style("fill", tcol).text(`${fmt(st.lo)} – ${fmt(st.hi)}`);
          const notCounted = groupRuns(g).length - st.n;
          rect.on("mousemove", (e) => showTip(e, [{ text: g.label, head: true }, { text: "mean", value: fmt(st.mean), bold: true },
            { text: "95% interval", value: isNum(st.lo) ? `${fmt(st.lo)} – ${fmt(st.hi)}` : "–" }, { text: "runs counted", value: String(st.n) },
            ...(notCounted ? [{ text: "not counted", value: String(notCounted) }] : [])])).on("mouseleave", hideTip);
        }
      }
    }
  }

  section("effects", (body) => {
    const id = state.metric;
    if (!id) {
      body.append(el("p", { class: "note", text: "No metrics in the data." }));
      return;
    }
    const missing = runs.filter((r) => r.status === "ok" && !isNum(valueOf(r, id))).length;
    const notOk = runs.filter((r) => r.status !== "ok").length;
    body.append(el("p", { class: "caption" },
      `${metricLabel(id)} (${better(id)} is better) for each value: the large dot is the mean over the group's seeds, the bar its 95% interval, small dots are single seeds.`,
      notOk ? ` Crosses are diverged or failed runs (${notOk}), not counted in the means.` : "",
      missing ? ` ${missing} finished run${missing === 1 ? " has" : "s have"} no ${metricLabel(id)} (for example, the threshold was not reached): left out.` : ""));
    const panels = el("div", { class: "panels" });
    body.append(panels);
    if (swept.length >= 2) heatmaps(panels, id);
    const specs = swept.length ? swept : [{ key: "(all runs)", values: [groups[0] ? groups[0].label : "(all)"], numeric: false, log: false }];
    const full = chartWidth(panels);
    for (const spec of specs) {
      const wide = specs.length === 1 || spec.values.length > 8;
      const p = el("div", { class: "panel" + (wide ? " wide" : ""), id: "effect-" + slug(spec.key) });
      p.append(el("h3", { text: swept.length ? `${metricLabel(id)} against ${spec.key}` : `${metricLabel(id)} over the seeds` }));
      panels.append(p);
      const w = wide ? full - 26 : Math.max(300, Math.floor((full - 18) / 2) - 26);
      effectChart(p, spec, id, swept.length ? w : Math.min(w, 360));
    }
  });

  // ---------- 3. learning curves ----------
  function curveStats(g, series) {
    const rs = okRuns(g).filter((r) => r.curves && Array.isArray(r.curves[series]));
    const byEpoch = new Map();
    for (const r of rs) {
      const ep = r.curves.epoch || r.curves[series].map((_, i) => i);
      r.curves[series].forEach((v, i) => {
        if (!isNum(v)) return;
        if (!byEpoch.has(ep[i])) byEpoch.set(ep[i], []);
        byEpoch.get(ep[i]).push(v);
      });
    }
    return Array.from(byEpoch.entries()).sort((a, b) => a[0] - b[0]).map(([epoch, vs]) => {
      const mean = d3.mean(vs), sd = vs.length > 1 ? d3.deviation(vs) : 0;
      return { epoch, mean, min: d3.min(vs), max: d3.max(vs), lo: mean - sd, hi: mean + sd, n: vs.length };
    });
  }

  section("curves", (body) => {
    if (!state.curve) {
      body.append(el("p", { class: "note", text: "No per-epoch curves in the data." }));
      return;
    }
    const controls = el("div", { class: "controls" });
    const seriesSel = el("select", { "aria-label": "curve", onchange: (e) => { state.curve = e.target.value; redraw("curves"); } },
      CURVE_SERIES.map((s) => el("option", { value: s.id, selected: s.id === state.curve, text: s.label })));
    const bandSel = el("select", { onchange: (e) => { state.bands = e.target.value; redraw("curves"); } },
      [["minmax", "min – max over seeds"], ["sd", "mean ± sd"], ["none", "no band"]].map(([v, t]) => el("option", { value: v, selected: v === state.bands, text: t })));
    const layoutSel = el("select", { onchange: (e) => { state.layout = e.target.value; redraw("curves"); } },
      [["overlay", "one chart"], ["multiples", "one chart per group"]].map(([v, t]) => el("option", { value: v, selected: v === state.layout, text: t })));
    const logBox = el("input", { type: "checkbox", checked: state.logY, onchange: (e) => { state.logY = e.target.checked; redraw("curves"); } });
    controls.append(el("label", {}, "Series ", seriesSel), el("label", {}, "Band ", bandSel), el("label", {}, "Layout ", layoutSel),
      el("label", {}, logBox, " log y"));
    body.append(controls);
    body.append(el("p", { class: "caption", text: "Lines are the mean over a group's finished runs, bands the spread over its seeds. Click a legend entry to hide or show a group (shift-click: show it alone), point at it to highlight it." }));

    const series = state.curve;
    const data = groups.map((g) => ({ g, pts: curveStats(g, series) }));
    const legend = el("div", { class: "legend", role: "group", "aria-label": "groups" });
    if (swept.length) legend.append(el("span", { class: "legend-title", text: swept.map((s) => s.key).join(" · ") + ":" }));
    const plotHost = el("div", {});
    body.append(legend, plotHost);

    const all = data.flatMap((d) => d.pts.flatMap((p) => [p.mean, ...(state.bands === "minmax" ? [p.min, p.max] : state.bands === "sd" ? [p.lo, p.hi] : [])]));
    const maxEpoch = d3.max(data, (d) => d3.max(d.pts, (p) => p.epoch)) ?? 1;
    const minEpoch = d3.min(data, (d) => d3.min(d.pts, (p) => p.epoch)) ?? 0;
    const positive = all.filter((v) => v > 0);
    const useLog = state.logY && positive.length > 0;
    const yDom = useLog ? d3.extent(positive) : d3.extent(all);
    if (!isNum(yDom[0])) {
      plotHost.append(el("p", { class: "note", text: "No finished run has this series." }));
      return;
    }
    const label = (CURVE_SERIES.find((s) => s.id === series) || { label: series }).label;

    const views = []; // each view knows how to apply the highlight and visibility
    function applyHighlight() {
      for (const v of views) v.update();
      for (const b of legend.querySelectorAll("button[data-cell]")) {
        const cell = Number(b.dataset.cell);
        b.setAttribute("aria-pressed", String(!state.hidden.has(cell)));
        b.classList.toggle("hl", state.highlight === cell);
      }
    }
    for (const { g, pts } of data) {
      const nBad = groupRuns(g).length - okRuns(g).length;
      legend.append(el("button", {
        type: "button", "data-cell": g.cell, "aria-pressed": String(!state.hidden.has(g.cell)), title: g.label + (nBad ? ` (${nBad} not finished ok)` : ""),
        onclick: (e) => {
          if (e.shiftKey) {
            const solo = groups.every((o) => o === g || state.hidden.has(o.cell)) && !state.hidden.has(g.cell);
            state.hidden = solo ? new Set() : new Set(groups.filter((o) => o !== g).map((o) => o.cell));
          } else if (state.hidden.has(g.cell)) state.hidden.delete(g.cell);
          else state.hidden.add(g.cell);
          applyHighlight();
        },
        onmouseenter: () => { state.highlight = g.cell; applyHighlight(); },
        onmouseleave: () => { state.highlight = null; applyHighlight(); },
        onfocus: () => { state.highlight = g.cell; applyHighlight(); },
        onblur: () => { state.highlight = null; applyHighlight(); },
      }, el("span", { class: "swatch", style: `background:${colorOf(g)}` }), shortLabel(g) + (pts.length ? "" : " (no data)") + (nBad ? ` ⚠${nBad}` : "")));
    }
    legend.append(el("button", { type: "button", class: "plain", onclick: () => { state.hidden = new Set(); applyHighlight(); } }, "show all"));

    function plot(host, width, height, list, opts) {
      const m = opts.small ? { top: 6, right: 8, bottom: 22, left: 40 } : { top: 10, right: 18, bottom: 40, left: 58 };
      const iw = width - m.left - m.right, ih = height - m.top - m.bottom;
      const x = d3.scaleLinear().domain([minEpoch, Math.max(maxEpoch, minEpoch + 1)]).range([0, iw]);
      const y = (useLog ? d3.scaleLog() : d3.scaleLinear()).domain(yDom).range([ih, 0]);
      if (!useLog) y.nice(5);
      const svg = d3.select(host).append("svg").attr("width", width).attr("height", height).attr("role", "img").attr("aria-label", `${label} per epoch`);
      const g0 = svg.append("g").attr("transform", `translate(${m.left},${m.top})`);
      g0.append("g").selectAll("line").data(y.ticks(opts.small ? 4 : 6)).join("line").attr("class", "gridline")
        .attr("x1", 0).attr("x2", iw).attr("y1", (d) => y(d)).attr("y2", (d) => y(d));
      g0.append("g").attr("class", "axis").attr("transform", `translate(0,${ih})`).call(d3.axisBottom(x).ticks(opts.small ? 4 : 10).tickFormat(d3.format("~d")));
      g0.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(opts.small ? 4 : 6, useLog ? "~g" : undefined));
      if (!opts.small) {
        g0.append("text").attr("class", "axis-label").attr("x", iw / 2).attr("y", ih + 34).attr("text-anchor", "middle").text("epoch");
        g0.append("text").attr("class", "axis-label").attr("transform", "rotate(-90)").attr("x", -ih / 2).attr("y", -44).attr("text-anchor", "middle").text(label);
      }
      const line = d3.line().x((p) => x(p.epoch)).y((p) => y(p.mean)).defined((p) => !useLog || p.mean > 0);
      const lo = state.bands === "sd" ? "lo" : "min", hi = state.bands === "sd" ? "hi" : "max";
      const area = d3.area().x((p) => x(p.epoch)).y0((p) => y(useLog ? Math.max(p[lo], yDom[0]) : p[lo])).y1((p) => y(p[hi]));
      const context = g0.append("g");
      if (opts.context) {
        for (const d of data) if (d !== opts.context && d.pts.length)
          context.append("path").attr("d", line(d.pts)).attr("fill", "none").attr("stroke", "#c4cad1").attr("stroke-width", 1).datum(d);
      }
      const layer = g0.append("g");
      const items = list.map((d) => {
        const gg = layer.append("g");
        const band = state.bands !== "none" && d.pts.length ? gg.append("path").attr("d", area(d.pts)).attr("fill", colorOf(d.g)).attr("stroke", "none") : null;
        const path = gg.append("path").attr("d", line(d.pts)).attr("fill", "none").attr("stroke", colorOf(d.g)).attr("stroke-linejoin", "round");
        return { d, gg, band, path };
      });
      const rule = g0.append("line").attr("y1", 0).attr("y2", ih).attr("stroke", "#8c959f").attr("stroke-dasharray", "3,3").attr("visibility", "hidden");
      const dots = g0.append("g");
      const overlay = g0.append("rect").attr("width", iw).attr("height", ih).attr("fill", "transparent");
      overlay.on("mousemove", (e) => {
        const [mx] = d3.pointer(e);
        const ep = Math.round(x.invert(mx));
        rule.attr("x1", x(ep)).attr("x2", x(ep)).attr("visibility", "visible");
        const rows = [{ text: `epoch ${ep} · ${label}`, head: true }];
        const shown = items.filter((it) => !state.hidden.has(it.d.g.cell)).map((it) => ({ it, p: it.d.pts.find((p) => p.epoch === ep) })).filter((o) => o.p);
        shown.sort((a, b) => b.p.mean - a.p.mean);
        dots.selectAll("circle").data(shown).join("circle").attr("cx", x(ep)).attr("cy", (o) => y(o.p.mean)).attr("r", 3).attr("fill", (o) => colorOf(o.it.d.g)).attr("stroke", "#fff");
        for (const o of shown.slice(0, 24))
          rows.push({ color: colorOf(o.it.d.g), text: opts.small ? "mean" : shortLabel(o.it.d.g), value: fmt(o.p.mean) + (opts.small ? "" : ""), bold: state.highlight === o.it.d.g.cell });
        if (opts.small && shown.length) {
          const p = shown[0].p;
          rows.push({ text: state.bands === "sd" ? "mean ± sd" : "min – max", value: state.bands === "sd" ? `${fmt(p.lo)} – ${fmt(p.hi)}` : `${fmt(p.min)} – ${fmt(p.max)}` }, { text: "runs", value: String(p.n) });
        }
        if (shown.length > 24) rows.push({ text: `… ${shown.length - 24} more` });
        showTip(e, rows);
      }).on("mouseleave", () => { rule.attr("visibility", "hidden"); dots.selectAll("circle").remove(); hideTip(); });
      views.push({
        update() {
          const hl = state.highlight;
          for (const it of items) {
            const hidden = state.hidden.has(it.d.g.cell);
            const on = hl == null || hl === it.d.g.cell;
            it.gg.attr("display", hidden ? "none" : null);
            it.path.attr("stroke-width", hl === it.d.g.cell ? 3.2 : opts.small ? 2 : 1.8).attr("stroke-opacity", on ? 1 : 0.14);
            if (it.band) it.band.attr("fill-opacity", hl === it.d.g.cell ? 0.3 : opts.small ? 0.22 : hl == null ? (list.length <= 3 ? 0.18 : 0.08) : 0.03);
            if (hl === it.d.g.cell) it.gg.raise();
          }
          if (opts.host) {
            const cell = list[0].g.cell;
            opts.host.hidden = state.hidden.has(cell);
            opts.host.classList.toggle("hl", hl === cell);
          }
        },
      });
    }

    const width = chartWidth(body);
    if (state.layout === "overlay") {
      plot(plotHost, width, 400, data, {});
    } else {
      plotHost.append(el("p", { class: "caption", text: `${label} (y) against epoch (x), one chart per group; grey lines are the other groups' means, for comparison.` }));
      const grid = el("div", { class: "multiples" });
      plotHost.append(grid);
      const cols = Math.max(1, Math.floor((width + 10) / 236));
      const w = Math.floor((width - 10 * (cols - 1)) / cols) - 10;
      for (const d of data) {
        const box = el("div", { class: "multiple" }, el("h3", { title: d.g.label }, el("span", { class: "swatch", style: `background:${colorOf(d.g)}` }), shortLabel(d.g)));
        grid.append(box);
        box.addEventListener("mouseenter", () => { state.highlight = d.g.cell; applyHighlight(); });
        box.addEventListener("mouseleave", () => { state.highlight = null; applyHighlight(); });
        plot(box, w, 150, [d], { small: true, context: d, host: box });
      }
    }
    applyHighlight();
  });

  // ---------- 4. parallel coordinates ----------
  section("parallel", (body) => {
    const id = state.metric;
    if (!swept.length) {
      body.append(el("p", { class: "note", text: "Nothing is swept: there is no hyperparameter axis to draw." }));
      return;
    }
    const rs = runs.filter((r) => r.status === "ok" && isNum(valueOf(r, id)));
    const left = runs.length - rs.length;
    const count = el("span", { class: "muted" });
    const clear = el("button", { type: "button", class: "plain", onclick: () => redraw("parallel") }, "clear selection");
    body.append(el("p", { class: "caption", text: `One line per run, coloured by ${metricLabel(id)}. Drag along any axis to select a range; drag again to move it, click outside it to remove it. Only runs inside every selection stay coloured.` + (left ? ` ${left} run(s) without a ${metricLabel(id)} (diverged, failed or missing) are not drawn.` : "") }),
      el("div", { class: "controls" }, count, clear));
    if (!rs.length) {
      body.append(el("p", { class: "note", text: `No run has a value for ${metricLabel(id)}.` }));
      return;
    }
    const width = Math.min(chartWidth(body), 1180), height = 360;
    const m = { top: 34, right: 70, bottom: 16, left: 70 };
    const iw = width - m.left - m.right, ih = height - m.top - m.bottom;
    const axes = swept.map((s) => ({ key: s.key, spec: s, ...keyScale(s, [ih, 0]) }));
    const vext = d3.extent(rs, (r) => valueOf(r, id));
    if (vext[0] === vext[1]) vext[1] = vext[0] + 1e-9;
    axes.push({ key: metricLabel(id), metric: true, scale: d3.scaleLinear().domain(vext).nice().range([ih, 0]), pos: (v) => v });
    const xa = d3.scalePoint().domain(axes.map((a, i) => i)).range([0, iw]);
    const t = (v) => (better(id) === "lower" ? 1 - (v - vext[0]) / (vext[1] - vext[0]) : (v - vext[0]) / (vext[1] - vext[0]));
    const color = (v) => d3.interpolatePlasma(0.04 + 0.82 * Math.max(0, Math.min(1, t(v))));
    const posOf = (r, a, i) => {
      if (a.metric) return a.scale(valueOf(r, id));
      const g = byCell.get(r.cell);
      const v = (g && g.values || {})[a.key];
      const spread = a.spec.numeric ? 8 : Math.min(10, (a.step || 40) * 0.12);
      return a.scale(a.pos(v)) + jitter(runs.indexOf(r) * 7 + i) * spread;
    };
    const ramp = d3.range(0, 1.01, 0.1).map((v) => d3.interpolatePlasma(0.04 + 0.82 * v)).join(",");
    body.querySelector(".controls").append(el("span", { class: "muted" }, "worse", el("span", { class: "gradient", style: `background:linear-gradient(90deg,${ramp})` }), "better"));
    const svg = d3.select(body).append("svg").attr("class", "pc").attr("width", width).attr("height", height).attr("role", "img")
      .attr("aria-label", `parallel coordinates of the swept keys and ${metricLabel(id)}`);
    const g0 = svg.append("g").attr("transform", `translate(${m.left},${m.top})`);
    const lines = g0.append("g").selectAll("path").data(rs).join("path").attr("class", "pc-line")
      .attr("d", (r) => d3.line()(axes.map((a, i) => [xa(i), posOf(r, a, i)])))
      .attr("stroke", (r) => color(valueOf(r, id))).attr("stroke-opacity", 0.75)
      .on("mousemove", (e, r) => {
        d3.select(e.currentTarget).classed("hover", true).raise();
        const g = byCell.get(r.cell);
        showTip(e, [{ text: g ? g.label : "cell " + r.cell, head: true }, { text: "seed " + r.seed + " · run " + r.run_id }, { text: metricLabel(id), value: fmt(valueOf(r, id)), bold: true }]);
      })
      .on("mouseleave", (e) => { d3.select(e.currentTarget).classed("hover", false); hideTip(); });
    const sel = new Map();
    function update() {
      let n = 0;
      lines.each(function (r) {
        const ok = axes.every((a, i) => {
          const s = sel.get(i);
          if (!s) return true;
          const p = posOf(r, a, i);
          return p >= s[0] - 0.5 && p <= s[1] + 0.5;
        });
        if (ok) n++;
        this.classList.toggle("dim", !ok);
      });
      lines.filter(function () { return !this.classList.contains("dim"); }).raise();
      count.textContent = sel.size ? `${n} of ${rs.length} runs selected` : `${rs.length} runs`;
    }
    axes.forEach((a, i) => {
      const ga = g0.append("g").attr("transform", `translate(${xa(i)},0)`);
      const axis = (a.metric ? d3.axisRight : d3.axisLeft)(a.scale);
      if (a.spec && a.spec.numeric) axis.tickValues(a.spec.values.map(Number)).tickFormat((d) => a.spec.values[a.spec.values.map(Number).indexOf(d)] ?? fmt(d));
      if (a.metric) axis.ticks(6);
      ga.append("g").attr("class", "axis").call(axis);
      ga.append("text").attr("class", "chart-title").attr("y", -14).attr("text-anchor", "middle").text(a.key + (a.metric ? (better(id) === "lower" ? " ↓" : " ↑") : ""));
      const brush = d3.brushY().extent([[-12, -2], [12, ih + 2]]).on("start brush end", (e) => {
        if (e.selection) sel.set(i, e.selection);
        else sel.delete(i);
        update();
      });
      ga.append("g").attr("class", "brush").call(brush);
    });
    update();
  });

  // ---------- 5. importance ----------
  section("importance", (body) => {
    const id = state.metric;
    const list = (importance[id] || []).filter((d) => isNum(d.share));
    if (!swept.length || !list.length) {
      body.append(el("p", { class: "note", text: swept.length ? `No importance computed for ${metricLabel(id)}.` : "Nothing is swept: no importance to compute." }));
      return;
    }
    const sorted = list.slice().sort((a, b) => b.share - a.share);
    const rest = 1 - d3.sum(sorted, (d) => d.share);
    const rows = sorted.map((d) => ({ key: d.key, share: d.share }));
    if (rest > 0.005) rows.push({ key: "not explained by one key (seeds, interactions)", share: rest, rest: true });
    body.append(el("p", { class: "caption", text: `Share of the variance of ${metricLabel(id)} over the finished runs that each swept key explains.` }));
    const width = Math.min(chartWidth(body), 900), bh = 26;
    const m = { top: 4, right: 60, bottom: 22, left: Math.min(300, 40 + 7 * d3.max(rows, (r) => r.key.length)) };
    const height = m.top + m.bottom + rows.length * (bh + 8);
    const x = d3.scaleLinear().domain([0, Math.max(1e-9, d3.max(rows, (r) => r.share))]).nice().range([0, width - m.left - m.right]);
    const svg = d3.select(body).append("svg").attr("width", width).attr("height", height).attr("role", "img").attr("aria-label", `importance for ${metricLabel(id)}`);
    const g0 = svg.append("g").attr("transform", `translate(${m.left},${m.top})`);
    rows.forEach((r, i) => {
      const yy = i * (bh + 8);
      g0.append("rect").attr("x", 0).attr("y", yy).attr("height", bh).attr("width", Math.max(1, x(r.share))).attr("rx", 3)
        .attr("fill", r.rest ? "#d0d7de" : "#2f6fb0");
      g0.append("text").attr("x", -8).attr("y", yy + bh / 2 + 4).attr("text-anchor", "end").text(r.key).style("fill", r.rest ? "#59636e" : null);
      g0.append("text").attr("x", x(r.share) + 6).attr("y", yy + bh / 2 + 4).text(pct(r.share)).style("font-weight", 600);
    });
    g0.append("g").attr("class", "axis").attr("transform", `translate(0,${rows.length * (bh + 8)})`).call(d3.axisBottom(x).ticks(5, "%"));
  });

  // ---------- 6. decision boundaries ----------
  const ORANGE = d3.rgb("#f59322"), GREY = d3.rgb("#e8eaeb"), BLUE = d3.rgb("#0877bd");
  const p1Ramp = (() => {
    const lut = new Uint8ClampedArray(256 * 3);
    const a = d3.interpolateRgb(ORANGE, GREY), b = d3.interpolateRgb(GREY, BLUE);
    for (let i = 0; i < 256; i++) {
      const t = i / 255;
      // paler than the points, as in TensorFlow Playground, so that the test points stand out
      const c = d3.rgb(d3.interpolateRgb(t < 0.5 ? a(t * 2) : b(t * 2 - 1), "#ffffff")(0.28));
      lut[i * 3] = c.r; lut[i * 3 + 1] = c.g; lut[i * 3 + 2] = c.b;
    }
    return lut;
  })();
  const classColors = d3.schemeTableau10.map((c) => d3.rgb(c));

  // A grid array may also come as a base64 string of one byte per node (p1 and confidence: the
  // byte / 255; class: the byte), a quarter of the JSON's size.
  function gridArray(v, scale) {
    if (typeof v !== "string") return v || [];
    const bin = atob(v), out = new Float32Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i) / scale;
    return out;
  }

  function drawBoundary(canvas, b, size) {
    const dpr = Math.min(2, window.devicePixelRatio || 1);
    const W = Math.round(size * dpr);
    canvas.width = W; canvas.height = W;
    canvas.style.width = size + "px"; canvas.style.height = size + "px";
    const ctx = canvas.getContext("2d");
    const raw = b.grid || {};
    const grid = { ...raw, p1: raw.p1 == null ? null : gridArray(raw.p1, 255), class: gridArray(raw.class, 1), confidence: gridArray(raw.confidence, 255) };
    const nx = grid.nx, ny = grid.ny;
    const img = ctx.createImageData(W, W);
    const px = img.data;
    const two = grid.p1 != null && grid.p1.length === nx * ny && (b.classes || 2) === 2;
    // one colour per grid node, then bilinear interpolation of the colours between nodes
    const node = new Float32Array(nx * ny * 3);
    for (let k = 0; k < nx * ny; k++) {
      if (two) {
        const v = grid.p1[k];
        const q = Math.max(0, Math.min(255, Math.round((isNum(v) ? v : 0.5) * 255))) * 3;
        node[k * 3] = p1Ramp[q]; node[k * 3 + 1] = p1Ramp[q + 1]; node[k * 3 + 2] = p1Ramp[q + 2];
      } else {
        const c = classColors[((grid.class || [])[k] ?? 0) % 10] || GREY;
        const conf = (grid.confidence || [])[k];
        const a = 0.12 + 0.6 * (isNum(conf) ? conf : 0.5);
        node[k * 3] = 255 - (255 - c.r) * a; node[k * 3 + 1] = 255 - (255 - c.g) * a; node[k * 3 + 2] = 255 - (255 - c.b) * a;
      }
    }
    for (let j = 0; j < W; j++) {
      const gy = (j / (W - 1)) * (ny - 1), j0 = Math.floor(gy), j1 = Math.min(ny - 1, j0 + 1), fy = gy - j0;
      for (let i = 0; i < W; i++) {
        const gx = (i / (W - 1)) * (nx - 1), i0 = Math.floor(gx), i1 = Math.min(nx - 1, i0 + 1), fx = gx - i0;
        const a = (j0 * nx + i0) * 3, bq = (j0 * nx + i1) * 3, c = (j1 * nx + i0) * 3, d = (j1 * nx + i1) * 3;
        const wa = (1 - fx) * (1 - fy), wb = fx * (1 - fy), wc = (1 - fx) * fy, wd = fx * fy;
        const o = (j * W + i) * 4;
        px[o] = node[a] * wa + node[bq] * wb + node[c] * wc + node[d] * wd;
        px[o + 1] = node[a + 1] * wa + node[bq + 1] * wb + node[c + 1] * wc + node[d + 1] * wd;
        px[o + 2] = node[a + 2] * wa + node[bq + 2] * wb + node[c + 2] * wc + node[d + 2] * wd;
        px[o + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
    const pts = b.points;
    const [x0, x1] = grid.x, [y0, y1] = grid.y;
    if (state.points && pts && pts.x) {
      const r = Math.max(1.6, size / 80) * dpr;
      ctx.lineWidth = 0.8 * dpr;
      ctx.strokeStyle = "#fff";
      for (let i = 0; i < pts.x.length; i++) {
        const cx = ((pts.x[i] - x0) / (x1 - x0)) * W, cy = ((y1 - pts.y[i]) / (y1 - y0)) * W;
        const lab = pts.label[i];
        ctx.fillStyle = two ? (lab === 1 ? "#0877bd" : "#f59322") : String(classColors[lab % 10]);
        ctx.beginPath();
        ctx.arc(cx, cy, r, 0, 2 * Math.PI);
        ctx.fill();
        ctx.stroke();
      }
    }
    canvas.addEventListener("mousemove", (e) => {
      const rect = canvas.getBoundingClientRect();
      const fx = (e.clientX - rect.left) / rect.width, fy = (e.clientY - rect.top) / rect.height;
      const gi = Math.round(fx * (nx - 1)), gj = Math.round(fy * (ny - 1));
      const rows = [{ text: `${b.label}`, head: true }, { text: `x ${fmt(x0 + fx * (x1 - x0))}, y ${fmt(y1 - fy * (y1 - y0))}` }];
      if (two) rows.push({ text: "p(class 1)", value: fmt(grid.p1[gj * nx + gi]), bold: true });
      else rows.push({ text: "class", value: String((grid.class || [])[gj * nx + gi]) }, { text: "confidence", value: fmt((grid.confidence || [])[gj * nx + gi]) });
      showTip(e, rows);
    });
    canvas.addEventListener("mouseleave", hideTip);
  }

  section("boundaries", (body) => {
    if (!boundaries.length) {
      body.append(el("p", { class: "note", text: "No decision boundaries: they are drawn only for two-dimensional inputs with saved weights." }));
      return;
    }
    const classes = d3.max(boundaries, (b) => b.classes || 2);
    const controls = el("div", { class: "controls" },
      el("label", {}, el("input", { type: "checkbox", checked: state.points, onchange: (e) => { state.points = e.target.checked; redraw("boundaries"); } }), " test points"),
      el("label", {}, "Show ", el("select", { onchange: (e) => { state.which = e.target.value; redraw("boundaries"); } },
        [["both", "best and median seed"], ["best", "best seed"], ["median", "median seed"]].map(([v, t]) => el("option", { value: v, selected: v === state.which, text: t })))));
    if (classes === 2) {
      controls.append(el("span", { class: "muted" }, "class 0", el("span", { class: "gradient", style: "background:linear-gradient(90deg,#f59322,#e8eaeb,#0877bd)" }), "class 1 (colour: predicted probability of class 1)"));
    } else {
      controls.append(el("span", { class: "muted", text: "colour: predicted class, paler where the model is less confident" }));
    }
    body.append(el("p", { class: "caption", text: "The trained network's prediction over the input plane, for the best and the median seed of each group (by final test accuracy), with the test points on top." }), controls);
    const grid = el("div", { class: "bgrid" });
    body.append(grid);
    const avail = chartWidth(body);
    const perRow = Math.max(1, Math.floor((avail + 12) / 382));
    const cardW = Math.floor((avail - 12 * (perRow - 1)) / perRow) - 18;
    const both = state.which === "both";
    const size = Math.max(120, Math.min(260, Math.floor(both ? (cardW - 8) / 2 : cardW * 0.7)));
    for (const g of groups) {
      const bs = boundaries.filter((b) => b.cell === g.cell && (both || b.which === state.which));
      if (!bs.length) continue;
      const card = el("div", { class: "bcard" }, el("h3", { title: g.label, text: g.label }));
      const pair = el("div", { class: "bpair" });
      card.append(pair);
      grid.append(card);
      for (const b of bs.sort((a, c) => (a.which === "best" ? -1 : 1) - (c.which === "best" ? -1 : 1))) {
        const canvas = el("canvas", { role: "img", "aria-label": `${b.which} seed decision boundary of ${g.label}` });
        pair.append(el("figure", {}, canvas, el("figcaption", { title: `${b.which} seed (${b.seed}) of the group, final test accuracy ${fmt(b.test_acc)}, run ${b.run_id}`, text: `${b.which} · seed ${b.seed} · acc ${fmt(b.test_acc)}` })));
        drawBoundary(canvas, b, size);
      }
    }
  });

  // ---------- 7. overview table and per-run values ----------
  function sortableTable(columns, rows, opts) {
    const table = el("table");
    const thead = el("thead"), tbody = el("tbody");
    table.append(thead, tbody);
    let sortCol = opts.sortCol ?? -1, dir = opts.dir || 1;
    const tr = el("tr");
    columns.forEach((c, i) => {
      const th = el("th", { scope: "col", class: c.selected ? "selected" : null }, el("button", { type: "button", title: "sort by " + c.label, onclick: () => {
        dir = sortCol === i ? -dir : c.defaultDir || 1;
        sortCol = i;
        render();
      } }, c.label));
      tr.append(th);
    });
    thead.append(tr);
    let filter = "";
    function render() {
      const list = rows.filter((r) => !filter || r.text.toLowerCase().includes(filter));
      if (sortCol >= 0) {
        const c = columns[sortCol];
        list.sort((a, b) => {
          const va = c.sort(a.item), vb = c.sort(b.item);
          const na = va == null || (typeof va === "number" && !Number.isFinite(va)), nb = vb == null || (typeof vb === "number" && !Number.isFinite(vb));
          if (na || nb) return na - nb; // missing values last either way
          return (va < vb ? -1 : va > vb ? 1 : 0) * dir;
        });
      }
      thead.querySelectorAll("th").forEach((th, i) => th.setAttribute("aria-sort", i === sortCol ? (dir > 0 ? "ascending" : "descending") : "none"));
      tbody.replaceChildren(...list.map((r) => el("tr", {}, columns.map((c) => c.cell(r.item)))));
      if (opts.onCount) opts.onCount(list.length, rows.length);
    }
    render();
    return { table, setFilter(f) { filter = f.toLowerCase(); render(); } };
  }

  section("overview", (body) => {
    const id = state.metric;
    const valueRank = new Map(swept.map((s) => [s.key, new Map(s.values.map((v, i) => [v, i]))]));
    const bestOf = new Map(metrics.map((m) => [m.id, bestGroup(m.id)]));
    const cols = [];
    if (swept.length) {
      for (const s of swept) cols.push({ label: s.key, sort: (g) => valueRank.get(s.key).get((g.values || {})[s.key]) ?? 1e9, cell: (g) => el("td", { class: s.numeric ? "num" : "mono", text: (g.values || {})[s.key] ?? "" }) });
    } else cols.push({ label: "group", sort: (g) => g.label, cell: (g) => el("td", { text: g.label }) });
    cols.push({ label: "runs", sort: (g) => okRuns(g).length, cell: (g) => {
      const all = groupRuns(g), ok = all.filter((r) => r.status === "ok").length;
      const div = all.filter((r) => r.status === "diverged").length, fail = all.filter((r) => r.status === "failed").length;
      return el("td", { class: "num" }, String(ok), div ? el("span", { class: "status-diverged", text: ` +${div} diverged` }) : "", fail ? el("span", { class: "status-failed", text: ` +${fail} failed` }) : "");
    } });
    for (const mt of metrics) {
      cols.push({ label: mt.label + (mt.better === "lower" ? " ↓" : " ↑"), selected: mt.id === id, defaultDir: mt.better === "lower" ? 1 : -1,
        sort: (g) => stat(g, mt.id).mean,
        cell: (g) => {
          const st = stat(g, mt.id);
          const cls = ["num", bestOf.get(mt.id) === g ? "best" : "", mt.id === id ? "selected" : ""].join(" ");
          const td = el("td", { class: cls, text: isNum(st.mean) ? fmt(st.mean) : "–" });
          if (isNum(st.lo)) td.append(el("span", { class: "ci", text: ` [${fmt(st.lo)}, ${fmt(st.hi)}]` }));
          // n only when some finished runs were not counted (no value: threshold not reached...)
          if (st.n !== okRuns(g).length && st.n > 0) td.append(el("span", { class: "ci", text: ` n=${st.n}` }));
          return td;
        } });
    }
    const count = el("span", { class: "muted" });
    const sortCol = cols.findIndex((c) => c.selected);
    const t = sortableTable(cols, groups.map((g) => ({ item: g, text: g.label + " " + Object.values(g.values || {}).join(" ") })),
      { sortCol: -1, dir: 1, onCount: (n, all) => { count.textContent = n === all ? `${all} group${all === 1 ? "" : "s"}` : `${n} of ${all} groups`; } });
    const filterBox = el("input", { type: "search", placeholder: "filter groups, e.g. 0.01", "aria-label": "filter groups", oninput: (e) => t.setFilter(e.target.value) });
    body.append(el("p", { class: "caption", text: "Mean over the finished runs and [95% interval] (n: runs counted, when fewer than finished). Click a header to sort; the best group of each metric is in green." }),
      el("div", { class: "controls" }, el("label", {}, "Filter ", filterBox), count), el("div", { class: "table-wrap" }, t.table));
    void sortCol;

    // per-run values, folded
    const runCols = [
      { label: "run", sort: (r) => r.run_id, cell: (r) => el("td", { class: "mono", text: r.run_id }) },
      { label: "group", sort: (r) => groups.indexOf(byCell.get(r.cell)), cell: (r) => el("td", { text: (byCell.get(r.cell) || { label: r.cell }).label }) },
      { label: "seed", sort: (r) => r.seed, cell: (r) => el("td", { class: "num", text: String(r.seed) }) },
      { label: "status", sort: (r) => r.status, cell: (r) => el("td", { class: "status-" + r.status, text: r.status }) },
      ...metrics.map((mt) => ({ label: mt.label, sort: (r) => valueOf(r, mt.id), cell: (r) => el("td", { class: "num", text: fmt(valueOf(r, mt.id)) }) })),
    ];
    const runCount = el("span", { class: "muted" });
    const rt = sortableTable(runCols, runs.map((r) => ({ item: r, text: [r.run_id, (byCell.get(r.cell) || {}).label, r.status, "seed " + r.seed].join(" ") })),
      { onCount: (n, all) => { runCount.textContent = n === all ? `${all} runs` : `${n} of ${all} runs`; } });
    const runFilter = el("input", { type: "search", placeholder: "filter runs, e.g. diverged", "aria-label": "filter runs", oninput: (e) => rt.setFilter(e.target.value) });
    body.append(el("details", { class: "runs" }, el("summary", { text: `Per-run values (${runs.length} runs)` }),
      el("div", { class: "controls", style: "margin-top:8px" }, el("label", {}, "Filter ", runFilter), runCount), el("div", { class: "table-wrap" }, rt.table)));
  });

  // ---------- metric selector ----------
  function setMetric(id) {
    if (!metricById.has(id) || id === state.metric) return;
    state.metric = id;
    document.getElementById("metric").value = id;
    drawVerdict();
    redraw("effects", "parallel", "importance", "overview");
  }
  const metricSel = document.getElementById("metric");
  for (const mt of metrics) metricSel.append(el("option", { value: mt.id, selected: mt.id === state.metric, text: mt.label + (metricHasData(mt.id) ? "" : " (no data)") }));
  metricSel.addEventListener("change", (e) => setMetric(e.target.value));

  try {
    drawHeader();
    drawVerdict();
  } catch (e) {
    recordError("header: " + e.message);
  }
  redraw();
  let lastWidth = window.innerWidth;
  window.addEventListener("resize", () => {
    clearTimeout(window.__dlpResize);
    window.__dlpResize = setTimeout(() => {
      if (window.innerWidth !== lastWidth) {
        lastWidth = window.innerWidth;
        redraw();
      }
    }, 200);
  });
  document.body.dataset.renderMs = String(Math.round(performance.now() - started));
  document.body.dataset.timings = Object.entries(timings).map(([k, v]) => k + ":" + v).join(" ");
  document.body.dataset.ready = "1";
})();
