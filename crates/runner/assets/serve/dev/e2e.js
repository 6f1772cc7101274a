// The end-to-end check of `dlp serve` in a real browser: headless Chromium driven over the
// DevTools protocol opens the page, trains tp1_spirals (400 + 200 points) from the form, sees
// at least 10 epochs arrive and the boundary redrawn, pauses (the epoch counter stops), steps
// one epoch, saves the form as an experiment file, opens the results view, and checks that no
// error was logged.
//
//   node --experimental-websocket e2e.js CHROMIUM URL ARTEFACT_DIR
//
// Writes ARTEFACT_DIR/saved.toml (for `dlp check`) and the screenshots ARTEFACT_DIR/serve-*.png.
// Prints one `ok   ...` or `FAIL ...` line per check; exits 0 only if every check passed.
// Node 20 (WebSocket behind the flag above) or newer; nothing from npm. The server may be
// `dlp serve` or dev/mock-server.js.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { launch, sleep } = require("../../../../report/assets/dev/cdp.js");

const [chromium, url, artefacts] = process.argv.slice(2);
if (!chromium || !url || !artefacts) {
  console.error("usage: node --experimental-websocket e2e.js CHROMIUM URL ARTEFACT_DIR");
  process.exit(2);
}
fs.mkdirSync(artefacts, { recursive: true });
const browser = launch(chromium, "about:blank");
const check = browser.check;

async function main() {
  // the browser logs every 4xx; a 400 from /api/check is the form's error, shown in the form
  const formError = (e) => /status of 400\b/.test(e.text) && /\/api\/check$/.test(e.url || "");
  const { ws, send, evaluate, problems } = await browser.connect({ ignoreLog: formError });
  const waitFor = async (expr, ms) => {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      if (await evaluate(expr).catch(() => false)) return true;
      await sleep(50);
    }
    return false;
  };
  const shot = async (name) => {
    const s = await send("Page.captureScreenshot", { format: "png" });
    const file = path.join(artefacts, name);
    fs.writeFileSync(file, Buffer.from(s.result.data, "base64"));
    return file;
  };
  const data = (k) => evaluate(`document.body.dataset.${k} || ''`);
  const click = (sel) => evaluate(`(() => { const b = document.querySelector(${JSON.stringify(sel)}); if (!b) throw new Error('no ${sel}'); if (b.disabled) return false; b.click(); return true; })()`);
  // set a form field the way a user does: its value, then the events the page listens to
  const setField = (key, value) => evaluate(`(() => {
    const e = document.querySelector('[data-key="${key}"]');
    if (!e) throw new Error('no field ${key}');
    e.value = ${JSON.stringify(String(value))};
    e.dispatchEvent(new Event('input', { bubbles: true }));
    e.dispatchEvent(new Event('change', { bubbles: true }));
    return e.value; })()`);

  await send("Runtime.enable");
  await send("Log.enable");
  await send("Page.enable");
  await send("Emulation.setDeviceMetricsOverride", { width: 1280, height: 1000, deviceScaleFactor: 1, mobile: false });
  await send("Page.navigate", { url });
  check(await waitFor("document.body && document.body.dataset.ready === '1'", 30000), "page ready (form built from /api/options)");

  // the form: tp1_spirals, small sizes for speed, enough epochs to pause before the end
  await setField("data.kind", "tp1_spirals");
  await setField("data.n_train", 400);
  await setField("data.n_test", 200);
  await setField("train.epochs", 20000);
  const form = await evaluate(`[document.querySelector('[data-key="data.kind"]').value, document.querySelector('[data-key="data.n_train"]').value, document.querySelector('[data-key="data.n_test"]').value].join(' ')`);
  check(form === "tp1_spirals 400 200", `form set: ${form}`);
  check(await waitFor(`document.getElementById('form-check').textContent.includes('valid')`, 10000),
    "the server checks the form: " + (await evaluate("document.getElementById('form-check').textContent || document.getElementById('form-error').textContent")));
  // the form is in the URL (a shareable link)
  const shared = await evaluate(`(() => { const m = location.hash.match(/c=([A-Za-z0-9_-]+)/); if (!m) return null;
    return JSON.parse(decodeURIComponent(escape(atob(m[1].replace(/-/g, '+').replace(/_/g, '/'))))); })()`);
  check(shared && shared.data && shared.data.kind === "tp1_spirals" && shared.data.n_train === 400 && shared.data.n_test === 200,
    "the URL holds the form: " + JSON.stringify(shared && shared.data));

  // start, and see the epochs arrive and the boundary redraw
  await click("#btn-start");
  const t0 = Date.now();
  const trained = await waitFor("+document.body.dataset.epochs >= 10 && +document.body.dataset.redraws >= 2", 120000);
  const secs = (Date.now() - t0) / 1000;
  const [epochs0, redraws0] = [await data("epochs"), await data("redraws")];
  check(trained, `at least 10 epochs arrive and the boundary redraws (${epochs0} epochs, ${redraws0} redraws in ${secs.toFixed(1)} s)`);
  const painted = await evaluate(`(() => { const c = document.getElementById('heat'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set(); for (let i = 0; i < d.length; i += 4 * 37) seen.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]); return seen.size; })()`);
  check(painted > 5, `the boundary canvas is painted (${painted} colours sampled)`);
  await sleep(300);
  console.log("     " + await shot("serve-training.png"));

  // pause: the counter stops
  await click("#btn-pause");
  const paused = await waitFor("document.body.dataset.state === 'paused'", 10000);
  const atPause = +(await data("epochs"));
  await sleep(1200);
  const later = +(await data("epochs"));
  const shown = await evaluate("document.getElementById('epoch').textContent");
  check(paused && atPause === later && atPause >= 10, `pause stops the epochs (${atPause} then ${later} after 1.2 s; counter shows ${shown})`);

  // step: one more epoch, then paused again
  await click("#btn-step");
  const stepped = await waitFor(`+document.body.dataset.epochs > ${later} && document.body.dataset.state === 'paused'`, 15000);
  await sleep(600);
  const afterStep = +(await data("epochs"));
  check(stepped && afterStep === later + 1, `step trains one epoch and pauses (${later} -> ${afterStep})`);

  // save as experiment: the TOML the page downloads, kept in window.dlpSaved
  await send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: artefacts }).catch(() => {});
  await click("#btn-save");
  const saved = await waitFor("typeof window.dlpSaved === 'string' && window.dlpSaved.length > 0", 10000);
  const toml = saved ? await evaluate("window.dlpSaved") : "";
  fs.writeFileSync(path.join(artefacts, "saved.toml"), toml);
  check(saved && /kind\s*=\s*"tp1_spirals"/.test(toml) && /n_train\s*=\s*400\b/.test(toml) && /n_test\s*=\s*200\b/.test(toml) && /epochs\s*=\s*20000\b/.test(toml),
    `save as experiment gives the form as TOML (${toml.length} bytes): ${path.join(artefacts, "saved.toml")}`);
  await sleep(200);
  console.log("     " + await shot("serve-paused.png"));

  // reset: the run stops, the counter goes back to 0
  await click("#btn-reset");
  const reset = await waitFor("document.body.dataset.state === 'idle' && document.getElementById('epoch').textContent.replace(/\\D/g, '') === '000000'", 10000);
  check(reset, "reset stops the run and clears the counter");

  // the results view lists the studies
  await evaluate("document.getElementById('tab-results').click()");
  const listed = await waitFor("document.body.dataset.results !== undefined && !document.getElementById('view-results').hidden", 10000);
  const rows = await data("results");
  check(listed, `the results view lists the studies (${rows} row(s))`);
  await sleep(200);
  console.log("     " + await shot("serve-results.png"));
  // back to the playground: the form comes back from the URL
  await evaluate("document.getElementById('tab-play').click()");
  const back = await waitFor(`!document.getElementById('view-play').hidden && document.querySelector('[data-key="data.n_train"]').value === '400'`, 5000);
  check(back, "back to the playground, the form is as it was");

  // early stopping: refused without a validation set (the engine's message, at its field),
  // then with one the run stops early and the status line says which epoch was restored
  await click("#f-train-early_stopping");
  const refused = await waitFor(`!document.getElementById('form-error').hidden
    && document.getElementById('form-error').textContent.includes('train.early_stopping')
    && document.querySelector('[data-field="train.early_stopping"]').classList.contains('invalid')`, 10000);
  check(refused, "early stopping without a validation fraction: " + await evaluate("document.getElementById('form-error').textContent"));
  await setField("data.validation_fraction", 0.25);
  await setField("train.early_stopping.patience", 2);
  await setField("train.epochs", 2000);
  const accepted = await waitFor(`document.getElementById('form-error').hidden && document.getElementById('form-check').textContent.includes('valid')`, 10000);
  check(accepted, "with validation_fraction = 0.25 the form is valid");
  await click("#btn-start");
  const stopped = await waitFor("document.body.dataset.state === 'done'", 60000);
  const status = await evaluate("document.getElementById('run-status').textContent");
  const valLine = await evaluate(`(() => { const p = document.querySelector('#curve-loss path[stroke="#e8710a"]'); return p ? (p.getAttribute('d') || '').length : 0; })()`);
  check(stopped && await data("stopReason") === "early_stopping" && /^stopped early at epoch \d+, best epoch \d+ restored$/.test(status) && valLine > 20,
    `the run stops early: "${status}" (validation curve: ${valLine} characters)`);
  console.log("     " + await shot("serve-early-stopping.png"));

  const errors = await data("errors");
  check(!errors && !problems.length, "no error: " + (errors || problems.join("; ") || "none"));
  ws.close();
}

browser.run(main);
