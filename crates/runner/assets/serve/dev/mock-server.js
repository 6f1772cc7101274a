// A stand-in for `dlp serve`, to develop and test the playground page without Rust: it serves
// the page exactly as the Rust server does (playground.html with its three markers filled in
// one pass) and implements the API the page uses (see ../README.md) with fake training: a
// logistic-ish field that sharpens epoch after epoch, and fake studies whose runs finish one
// after another.
//
//   node mock-server.js [--port P] [--rate EPOCHS_PER_SECOND] [--cores N]
//
// Binds 127.0.0.1 only and prints `listening on http://127.0.0.1:P/`. Node 20 or newer;
// nothing from npm.
"use strict";
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const PORT = Number(arg("--port", 0));
const RATE = Number(arg("--rate", 30));
const CORES = Number(arg("--cores", 2));

const ASSETS = path.join(__dirname, "..");
const D3 = path.join(__dirname, "../../../report/assets/vendor/d3-7.9.2/d3.min.js");

// The page, filled in one pass (text inserted for one marker is never searched for another).
// Read on every request, so that edits show on reload.
function page() {
  const files = { STYLE: "playground.css", LIBRARY: D3, SCRIPT: "playground.js" };
  const html = fs.readFileSync(path.join(ASSETS, "playground.html"), "utf8");
  return html.replace(/\/\*DLP_(STYLE|LIBRARY|SCRIPT)\*\//g, (_, m) => fs.readFileSync(path.resolve(ASSETS, files[m]), "utf8"));
}

// ---------- registries, as `dlp list` has them ----------
const P = (name, dflt, doc = "", extra = {}) => ({ name, default: dflt, doc, ...extra });
const gen = (n_train, n_test, noise, extra = []) => [P("n_train", n_train, "number of training points"),
  P("n_test", n_test, "number of test points"), P("noise", noise, "noise level"), ...extra, P("standardize", true, "scale each input to mean 0, sd 1")];
const OPTIONS = {
  datasets: [
    { kind: "circles", summary: "two concentric circles (radii 1 and 0.5), like scikit-learn's make_circles", params: gen(500, 500, 0.1) },
    { kind: "csv", summary: "your own data: a csv file with a header row and integer labels 0..k-1",
      params: [P("path", null, "the csv file (required)"), P("test_path", null, "a separate test file"), P("test_fraction", 0.2, "held-out fraction without test_path"), P("label_column", null, "the label column (default: the last)"), P("standardize", true, "")] },
    { kind: "gaussians", summary: "k Gaussian blobs on a regular polygon of radius 3 (k classes)", params: gen(500, 500, 1.0, [P("k", 3, "number of blobs (classes), 2..=10")]) },
    { kind: "moons", summary: "two interleaving half circles, like scikit-learn's make_moons", params: gen(500, 500, 0.1) },
    { kind: "spiral", summary: "TensorFlow Playground's two-arm spiral (uniform noise)", params: gen(500, 500, 0.0) },
    { kind: "tp1_spirals", summary: "the TP1 exercise's two interlaced spirals", params: gen(4000, 1000, 0.4) },
    { kind: "xor", summary: "uniform points in [-1, 1]^2 labelled by the sign of x*y", params: gen(500, 500, 0.0) },
  ],
  activations: ["gelu", "identity", "leaky_relu", "relu", "sigmoid", "tanh"],
  losses: [
    { name: "bce", summary: "binary cross-entropy on the sigmoid probability, logs clamped at -100 (torch BCELoss)" },
    { name: "bce_with_logits", summary: "binary cross-entropy on the raw logit, numerically stable (torch BCEWithLogitsLoss)" },
    { name: "cross_entropy", summary: "softmax cross-entropy over k logits (torch CrossEntropyLoss)" },
    { name: "hinge", summary: "binary hinge loss max(0, 1 - s*z) on the raw logit, labels mapped to s = +-1" },
    { name: "mse", summary: "mean squared error on the sigmoid probability (torch MSELoss after Sigmoid; TP1 baseline)" },
  ],
  optimizers: [
    { name: "adagrad", summary: "Adagrad (torch.optim.Adagrad)", params: [P("lr", 0.01, "learning rate"), P("lr_decay", 0.0, ""), P("weight_decay", 0.0, "L2 penalty")] },
    { name: "adam", summary: "Adam (torch.optim.Adam)", params: [P("lr", 0.001, "learning rate"), P("betas", [0.9, 0.999], "decay rates of the moment estimates"), P("eps", 1e-8, ""), P("weight_decay", 0.0, "L2 penalty"), P("amsgrad", false, "")] },
    { name: "adamw", summary: "Adam with decoupled weight decay (torch.optim.AdamW)", params: [P("lr", 0.001, "learning rate"), P("betas", [0.9, 0.999], ""), P("eps", 1e-8, ""), P("weight_decay", 0.01, "decoupled weight decay"), P("amsgrad", false, "")] },
    { name: "lion", summary: "Lion, sign of an interpolated momentum (plugin)", params: [P("lr", 0.0001, "learning rate"), P("betas", [0.9, 0.99], ""), P("weight_decay", 0.0, "")] },
    { name: "rmsprop", summary: "RMSprop (torch.optim.RMSprop)", params: [P("lr", 0.01, "learning rate"), P("alpha", 0.99, ""), P("eps", 1e-8, ""), P("weight_decay", 0.0, ""), P("momentum", 0.0, ""), P("centered", false, "")] },
    { name: "sgd", summary: "stochastic gradient descent, with momentum and Nesterov (torch.optim.SGD)", params: [P("lr", 0.001, "learning rate"), P("momentum", 0.0, ""), P("dampening", 0.0, ""), P("weight_decay", 0.0, "L2 penalty"), P("nesterov", false, "")] },
  ],
  schedules: [
    { name: "adaptive", summary: "divide by 5 when the training loss stalls (scikit-learn's \"adaptive\")", params: [P("tol", 1e-4), P("n_iter_no_change", 10)] },
    { name: "constant", summary: "the base learning rate at every epoch", params: [] },
    { name: "cosine", summary: "cosine annealing from the base lr to eta_min over t_max epochs (PyTorch CosineAnnealingLR)", params: [P("t_max", null, "epochs of one half cosine (required)"), P("eta_min", 0.0)] },
    { name: "exponential", summary: "multiply by gamma every epoch (PyTorch ExponentialLR)", params: [P("gamma", null, "factor per epoch (required)")] },
    { name: "loss_increase", summary: "multiply by factor whenever the training loss rises above the previous epoch's (TP1 report)", params: [P("factor", 0.5)] },
    { name: "reduce_on_plateau", summary: "multiply by factor when the monitored loss stops improving on its best (PyTorch ReduceLROnPlateau)",
      params: [P("factor", 0.1), P("patience", 10), P("threshold", 1e-4), P("threshold_mode", "rel", "", { choices: ["rel", "abs"] }), P("cooldown", 0), P("min_lr", 0.0), P("eps", 1e-8)] },
    { name: "step", summary: "multiply by gamma every step_size epochs (PyTorch StepLR)", params: [P("step_size", null, "epochs between decays (required)"), P("gamma", 0.1)] },
    { name: "warmup", summary: "linear warm-up from start_factor * lr to lr over `epochs` epochs (PyTorch LinearLR)", params: [P("epochs", 5), P("start_factor", 1 / 3)] },
  ],
  model: { max_depth: 8, max_width: 1024, keys: ["hidden", "activation", "init"] },
  defaults: {
    name: "playground", seeds: 1,
    data: { kind: "tp1_spirals", n_train: 4000, n_test: 1000, noise: 0.4 },
    model: { hidden: [8, 8], activation: "tanh", init: "default" },
    loss: { name: "bce_with_logits" },
    optim: { name: "adam", lr: 0.01, schedule: { name: "constant" } },
    train: { epochs: 100, batch_size: 10, threshold: 0.5 },
  },
  cores: CORES,
};

// ---------- validation, worded like `dlp check` ----------
const known = (list) => list.join(", ");
function nearest(name, list) {
  const d = (a, b) => { const m = Array.from({ length: a.length + 1 }, (_, i) => [i]); for (let j = 1; j <= b.length; j++) m[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) m[i][j] = Math.min(m[i - 1][j] + 1, m[i][j - 1] + 1, m[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return m[a.length][b.length]; };
  const best = list.map((x) => [d(name, x), x]).sort((a, b) => a[0] - b[0])[0];
  return best && best[0] <= 3 ? ` (did you mean \`${best[1]}\`?)` : "";
}
function validate(c) {
  if (!c || typeof c !== "object" || Array.isArray(c)) return "the configuration must be a table";
  const top = ["name", "description", "seeds", "data", "model", "loss", "optim", "train", "sweep", "expect"];
  for (const k of Object.keys(c)) if (!top.includes(k)) return `unknown key \`${k}\` (known: ${known(top)})`;
  if (typeof c.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(c.name)) return "`name` must be a file-name-safe string (letters, digits, `-`, `_`, `.`)";
  const seeds = c.seeds ?? 1;
  if (!(Number.isInteger(seeds) && seeds >= 1) && !(Array.isArray(seeds) && seeds.length && seeds.every((s) => Number.isInteger(s) && s >= 0))) return "`seeds` must be a count >= 1 or a list of seeds";
  const data = c.data || {};
  const ds = OPTIONS.datasets.find((d) => d.kind === (data.kind ?? "tp1_spirals"));
  if (!ds) return `unknown dataset kind \`${data.kind}\` (known: ${known(OPTIONS.datasets.map((d) => d.kind))})${nearest(String(data.kind), OPTIONS.datasets.map((d) => d.kind))}`;
  for (const [k, v] of Object.entries(data)) {
    if (k === "kind") continue;
    if (!ds.params.some((p) => p.name === k)) return `\`data.${k}\` does not apply to kind \`${ds.kind}\` (it accepts: ${known(ds.params.map((p) => p.name))})`;
    if ((k === "n_train" || k === "n_test") && !(Number.isInteger(v) && v >= 1)) return `\`data.${k}\` must be an integer >= 1, got ${JSON.stringify(v)}`;
    if (k === "noise" && !(typeof v === "number" && v >= 0)) return `\`data.noise\` must be finite and >= 0, got ${JSON.stringify(v)}`;
    if (k === "k" && !(Number.isInteger(v) && v >= 2 && v <= 10)) return `\`data.k\` must be an integer in 2..=10, got ${JSON.stringify(v)}`;
  }
  if (ds.kind === "csv" && !data.path) return "`data.path` is required for kind `csv`: set it to your csv file";
  const model = c.model || {};
  for (const k of Object.keys(model)) if (!OPTIONS.model.keys.includes(k)) return `unknown key \`model.${k}\` (known: ${known(OPTIONS.model.keys)})`;
  const hidden = model.hidden ?? [];
  if (!Array.isArray(hidden) || !hidden.every((w) => Number.isInteger(w) && w >= 1 && w <= OPTIONS.model.max_width)) return `\`model.hidden\` must be a list of widths in 1..=${OPTIONS.model.max_width}, got ${JSON.stringify(hidden)}`;
  if (hidden.length > OPTIONS.model.max_depth) return `\`model.hidden\` has ${hidden.length} layers; at most ${OPTIONS.model.max_depth}`;
  if (model.activation != null && !OPTIONS.activations.includes(model.activation)) return `unknown activation \`${model.activation}\` (known: ${known(OPTIONS.activations)})`;
  const loss = (c.loss || {}).name ?? "mse";
  if (!OPTIONS.losses.some((l) => l.name === loss)) return `unknown loss \`${loss}\` (known: ${known(OPTIONS.losses.map((l) => l.name))})${nearest(loss, OPTIONS.losses.map((l) => l.name))}`;
  const k = ds.kind === "gaussians" ? data.k ?? 3 : 2;
  if (k > 2 && loss !== "cross_entropy") return `loss \`${loss}\` is binary but the data has ${k} classes: use \`loss.name = "cross_entropy"\``;
  const optim = c.optim || {};
  const opt = OPTIONS.optimizers.find((o) => o.name === (optim.name ?? "sgd"));
  if (!opt) return `unknown optimizer \`${optim.name}\` (known: ${known(OPTIONS.optimizers.map((o) => o.name))})${nearest(String(optim.name), OPTIONS.optimizers.map((o) => o.name))}`;
  for (const [key, v] of Object.entries(optim)) {
    if (key === "name" || key === "schedule") continue;
    if (!opt.params.some((p) => p.name === key)) return `unknown parameter \`optim.${key}\` for optimizer \`${opt.name}\` (known: ${known(opt.params.map((p) => p.name))})${nearest(key, opt.params.map((p) => p.name))}`;
    if (key === "lr" && !(typeof v === "number" && v > 0)) return `\`optim.lr\` must be a finite number > 0, got ${JSON.stringify(v)}`;
  }
  const sched = optim.schedule || { name: "constant" };
  const s = OPTIONS.schedules.find((x) => x.name === sched.name);
  if (!s) return `unknown schedule \`${sched.name}\` (known: ${known(OPTIONS.schedules.map((x) => x.name))})`;
  for (const p of s.params) if (p.default === null && sched[p.name] == null) return `schedule \`${s.name}\` needs \`optim.schedule.${p.name}\`: add it (e.g. \`${p.name} = 10\`)`;
  const train = c.train || {};
  for (const key of Object.keys(train)) if (!["epochs", "batch_size", "threshold", "save_weights"].includes(key)) return `unknown key \`train.${key}\` (known: epochs, batch_size, threshold, save_weights)`;
  if (train.epochs != null && !(Number.isInteger(train.epochs) && train.epochs >= 1)) return `\`train.epochs\` must be an integer >= 1, got ${JSON.stringify(train.epochs)}`;
  if (train.batch_size != null && !(Number.isInteger(train.batch_size) && train.batch_size >= 1)) return `\`train.batch_size\` must be an integer >= 1, got ${JSON.stringify(train.batch_size)}`;
  if (c.sweep != null) {
    if (typeof c.sweep !== "object" || Array.isArray(c.sweep)) return "`sweep` must be a table of `\"key\" = [values]`";
    for (const [key, vals] of Object.entries(c.sweep)) if (!Array.isArray(vals) || !vals.length) return `\`sweep."${key}"\` must be a non-empty list of values`;
  }
  return null;
}
const cells = (c) => Object.values(c.sweep || {}).reduce((n, v) => n * v.length, 1);
const seedCount = (c) => (Array.isArray(c.seeds) ? c.seeds.length : c.seeds ?? 1);

// ---------- TOML, enough for an experiment file ----------
function tomlValue(v) {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return "[" + v.map(tomlValue).join(", ") + "]";
  if (v && typeof v === "object") return "{ " + Object.entries(v).map(([k, x]) => `${tomlKey(k)} = ${tomlValue(x)}`).join(", ") + " }";
  throw new Error("null in TOML");
}
const tomlKey = (k) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k));
function toToml(c) {
  const out = [];
  const table = (name, obj) => {
    const scalars = Object.entries(obj).filter(([, v]) => v != null && !(v && typeof v === "object" && !Array.isArray(v)));
    const subs = Object.entries(obj).filter(([, v]) => v && typeof v === "object" && !Array.isArray(v));
    if (name) out.push("", `[${name}]`);
    for (const [k, v] of scalars) out.push(`${tomlKey(k)} = ${tomlValue(v)}`);
    for (const [k, v] of subs) table(name ? `${name}.${tomlKey(k)}` : tomlKey(k), v);
  };
  table("", c);
  return out.join("\n").replace(/^\n/, "") + "\n";
}

// ---------- fake data and fake training ----------
function rng(seed) { let s = (seed * 2654435761 + 1) >>> 0; return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; }; }
function gaussian(r) { return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()); }
// The "true" decision function of each kind: > 0 for class 1. For gaussians, the class index.
function truth(kind, k) {
  switch (kind) {
    case "circles": return (x, y) => 0.75 - Math.hypot(x, y);
    case "moons": return (x, y) => y - 0.25 - 0.5 * Math.sin(2.2 * (x - 0.5)) * -1 - 0.0;
    case "xor": return (x, y) => -x * y;
    case "gaussians": return (x, y) => { const a = Math.atan2(y, x); return Math.floor(((a + Math.PI) / (2 * Math.PI)) * k + 0.5) % k; };
    default: return (x, y) => { const r = Math.hypot(x, y), a = Math.atan2(y, x); return Math.sin(a - 1.6 * r); };
  }
}
function makeData(data, seed) {
  const ds = OPTIONS.datasets.find((d) => d.kind === data.kind);
  const def = (n) => (ds.params.find((p) => p.name === n) || {}).default;
  const nTrain = Math.min(data.n_train ?? def("n_train"), 3000), nTest = Math.min(data.n_test ?? def("n_test"), 1500);
  const noise = data.noise ?? def("noise");
  const k = data.kind === "gaussians" ? data.k ?? 3 : 2;
  const f = truth(data.kind, k), r = rng(seed + 1);
  const pts = { x: [], y: [], label: [], split: [] };
  for (let i = 0; i < nTrain + nTest; i++) {
    const x = (r() * 2 - 1) * 2.6, y = (r() * 2 - 1) * 2.6;
    const v = f(x + 0.15 * noise * gaussian(r), y + 0.15 * noise * gaussian(r));
    pts.x.push(+x.toFixed(4)); pts.y.push(+y.toFixed(4));
    pts.label.push(k > 2 ? v : v > 0 ? 1 : 0);
    pts.split.push(i < nTrain ? "train" : "test");
  }
  return { pts, k, f };
}

const runs = new Map();
let nextRun = 1;
const queue = []; // runs waiting for a slot
let active = 0;

function sse(res, event, data) { res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`); }
function schedule() {
  while (active < CORES && queue.length) {
    const run = queue.shift();
    active++;
    run.state = "running";
    begin(run);
  }
  queue.forEach((run, i) => run.res && sse(run.res, "queued", { position: i + 1 }));
}
function finish(run, status) {
  if (run.state === "done") return;
  const wasActive = run.state === "running" || run.state === "paused";
  run.state = "done";
  clearTimeout(run.timer);
  if (run.res && status) { sse(run.res, "done", { status, epoch: run.epoch }); run.res.end(); }
  const i = queue.indexOf(run);
  if (i >= 0) queue.splice(i, 1);
  if (wasActive) active--;
  schedule();
}
function begin(run) {
  const c = run.config;
  const data = c.data || {};
  const seed = Array.isArray(c.seeds) ? c.seeds[0] : 0;
  const { pts, k, f } = makeData({ kind: "tp1_spirals", ...data }, seed);
  run.k = k; run.f = f; run.epochs = (c.train || {}).epochs ?? 100;
  const lr = (c.optim || {}).lr ?? 0.001;
  run.speed = Math.min(3, Math.max(0.05, Math.log10(lr * 1000 + 1))) * (((c.model || {}).hidden || []).length ? 1 : 0.15);
  const twoD = data.kind !== "csv";
  run.grid = twoD ? { x: [-3, 3], y: [-3, 3], nx: 100, ny: 100 } : null;
  run.pts = pts;
  sse(run.res, "start", { epochs: run.epochs, classes: k, grid: run.grid, points: twoD ? pts : null });
  run.epoch = 0;
  run.lr = lr;
  emitEpoch(run);
  tick(run);
}
function emitEpoch(run) {
  const t = 1 - Math.exp(-run.speed * run.epoch / 25); // progress 0..1
  const r = rng(run.epoch * 7 + 3);
  const trainLoss = 0.69 * (1 - 0.93 * t) + 0.01 * r(), testLoss = trainLoss * (1.05 + 0.1 * t) + 0.01 * r();
  const trainAcc = 0.5 + 0.48 * t - 0.01 * r(), testAcc = trainAcc - 0.02 * t - 0.01 * r();
  const ev = { epoch: run.epoch, train_loss: +trainLoss.toFixed(5), train_acc: +trainAcc.toFixed(4), test_loss: +testLoss.toFixed(5), test_acc: +testAcc.toFixed(4), lr: run.lr };
  if (run.grid) {
    const { nx, ny, x: [x0, x1], y: [y0, y1] } = run.grid;
    const a = Buffer.alloc(nx * ny), b = run.k > 2 ? Buffer.alloc(nx * ny) : null;
    // early on a tilted plane, then the true function, sharpening
    const s = 0.3 + 6 * t;
    for (let j = 0; j < ny; j++) {
      const y = y1 - (j / (ny - 1)) * (y1 - y0);
      for (let i = 0; i < nx; i++) {
        const x = x0 + (i / (nx - 1)) * (x1 - x0);
        if (run.k > 2) {
          a[j * nx + i] = run.f(x, y);
          b[j * nx + i] = Math.round(255 * Math.min(1, (1 / run.k) + t * (1 - 1 / run.k) * Math.min(1, Math.hypot(x, y) / 2)));
        } else {
          const v = (1 - t) * 0.4 * (x + 0.5 * y) + t * run.f(x, y);
          a[j * nx + i] = Math.round(255 / (1 + Math.exp(-s * v)));
        }
      }
    }
    if (run.k > 2) { ev.class = a.toString("base64"); ev.confidence = b.toString("base64"); } else ev.p1 = a.toString("base64");
  }
  sse(run.res, "epoch", ev);
}
function tick(run) {
  run.timer = setTimeout(() => {
    if (run.state !== "running") return;
    if (run.epoch >= run.epochs) return finish(run, "ok");
    run.epoch++;
    emitEpoch(run);
    if (run.stepOnce) { run.stepOnce = false; run.state = "paused"; sse(run.res, "paused", { epoch: run.epoch }); return; }
    tick(run);
  }, 1000 / RATE);
}

// ---------- fake studies ----------
const started = (m) => new Date(Date.now() - m * 60000).toISOString().replace(/\.\d+Z$/, "Z");
const studies = [
  { name: "tp1-architecture", runs: 150, planned: 150, claims_passed: 6, claims: 6, started: started(600), running: false, report: "/results/0/tp1-architecture/report.html" },
  { name: "tp1-learning-rate", runs: 60, planned: 60, claims_passed: 2, claims: 3, started: started(1500), running: false, report: "/results/0/tp1-learning-rate/report.html" },
];
function studyTick() {
  for (const s of studies) if (s.running) { s.runs = Math.min(s.planned, s.runs + 1); if (s.runs === s.planned) { s.running = false; s.claims_passed = s.claims; } }
}
setInterval(studyTick, 700).unref();

// ---------- HTTP ----------
function send(res, code, body, type = "application/json") {
  res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
  res.end(type === "application/json" ? JSON.stringify(body) : body);
}
function body(req) {
  return new Promise((resolve) => {
    let s = "";
    req.on("data", (d) => { s += d; if (s.length > 1e6) req.destroy(); });
    req.on("end", () => { try { resolve({ ok: true, value: JSON.parse(s) }); } catch (e) { resolve({ ok: false, error: "the body is not JSON: " + e.message }); } });
  });
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  const p = url.pathname;
  try {
    if (req.method === "GET" && p === "/") return send(res, 200, page(), "text/html; charset=utf-8");
    if (req.method === "GET" && p === "/api/options") return send(res, 200, OPTIONS);
    if (req.method === "GET" && p === "/api/results") return send(res, 200, studies);
    if (req.method === "GET" && /^\/results\/0\/[\w.-]+\/report\.html$/.test(p)) {
      const s = studies.find((x) => x.report === p);
      if (!s) return send(res, 404, { error: `no such report: ${p}` });
      return send(res, 200, `<!DOCTYPE html><meta charset="utf-8"><title>${s.name}: dlp report</title><h1>${s.name}</h1><p>(mock report: ${s.runs}/${s.planned} runs)</p>`, "text/html; charset=utf-8");
    }
    if (req.method === "POST" && ["/api/check", "/api/runs", "/api/toml", "/api/studies"].includes(p)) {
      const b = await body(req);
      if (!b.ok) return send(res, 400, { error: b.error });
      const error = validate(b.value);
      if (error) return send(res, 400, { error });
      const c = b.value;
      if (p === "/api/check") return send(res, 200, { runs: cells(c) * seedCount(c), cells: cells(c), toml: toToml(c) });
      if (p === "/api/toml") return send(res, 200, { toml: toToml(c), file_name: c.name + ".toml" });
      if (p === "/api/studies") {
        const suffix = Object.keys(c.sweep || {}).map((k) => k.split(".").pop()).join("-");
        let name = c.name + (suffix ? "-" + suffix : "");
        if (studies.some((s) => s.name === name)) name += "-" + (studies.length + 1);
        studies.unshift({ name, runs: 0, planned: cells(c) * seedCount(c), claims_passed: 0, claims: 0, started: new Date().toISOString().replace(/\.\d+Z$/, "Z"), running: true, report: `/results/0/${name}/report.html` });
        return send(res, 201, { name, report: `/results/0/${name}/report.html` });
      }
      const id = "r" + nextRun++;
      runs.set(id, { id, config: c, state: "new", epoch: 0 });
      return send(res, 201, { id });
    }
    const m = p.match(/^\/api\/runs\/(r\d+)(?:\/(events|pause|resume|step))?$/);
    if (m) {
      const run = runs.get(m[1]);
      if (!run) return send(res, 404, { error: `no run \`${m[1]}\`` });
      if (req.method === "GET" && m[2] === "events") {
        if (run.res) return send(res, 409, { error: "this run already has a listener" });
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
        run.res = res;
        req.on("close", () => { finish(run, null); runs.delete(run.id); });
        run.state = "queued";
        queue.push(run);
        schedule();
        return;
      }
      if (req.method === "POST" && m[2] === "pause") {
        if (run.state === "running") { run.state = "paused"; clearTimeout(run.timer); sse(run.res, "paused", { epoch: run.epoch }); }
        return send(res, 204, "", "text/plain");
      }
      if (req.method === "POST" && (m[2] === "resume" || m[2] === "step")) {
        if (run.state === "paused") { run.state = "running"; run.stepOnce = m[2] === "step"; tick(run); }
        else if (run.state === "running" && m[2] === "step") run.stepOnce = true;
        return send(res, 204, "", "text/plain");
      }
      if (req.method === "DELETE" && !m[2]) {
        finish(run, "stopped");
        runs.delete(run.id);
        return send(res, 204, "", "text/plain");
      }
    }
    return send(res, 404, { error: `no route ${req.method} ${p}` });
  } catch (e) {
    console.error(e);
    return send(res, 500, { error: String(e && e.message) });
  }
});
server.listen(PORT, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}/`));
