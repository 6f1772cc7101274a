// Drive a built report page in headless Chromium over the DevTools protocol and check that it
// is interactive: no console error or exception, the overview table sorts on a header click,
// a legend click hides a group's curves, the metric selector redraws the charts.
//
//   node --experimental-websocket interact.js CHROMIUM PAGE.html
//
// tests/tests/browser.rs runs it on a report `dlp run` wrote.
//
// Prints one line per check; exits 1 if any fails. Node 20 (WebSocket behind the flag above)
// or newer; nothing from npm.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { launch, sleep } = require("./cdp.js");

const [chromium, page] = process.argv.slice(2);
const browser = launch(chromium, "file://" + path.resolve(page));
const check = browser.check;

async function main() {
  const { ws, send, evaluate, problems } = await browser.connect();
  await send("Runtime.enable");
  await send("Log.enable");
  await send("Page.reload");
  let ready = false;
  const t0 = Date.now();
  while (!ready && Date.now() - t0 < 60000) {
    await sleep(50);
    ready = await evaluate("document.body && document.body.dataset.ready === '1'").catch(() => false);
  }
  check(ready, `page ready (render ${await evaluate("document.body.dataset.renderMs")} ms: ${await evaluate("document.body.dataset.timings")})`);

  // sort the overview table by the selected metric's column, both ways: each click orders the
  // column's numbers (blanks aside) as its aria-sort says
  const column = () => evaluate(`(() => { const t = document.querySelectorAll('#overview table')[0];
    const i = Array.from(t.tHead.rows[0].cells).findIndex(c => c.classList.contains('selected'));
    return Array.from(t.tBodies[0].rows).map(r => parseFloat(r.cells[i].textContent)).filter(Number.isFinite); })()`);
  const clickSelected = () => evaluate(`document.querySelector('#overview th.selected button').click()`);
  const sortState = () => evaluate(`document.querySelector('#overview th.selected').getAttribute('aria-sort')`);
  const ordered = (values, state) => values.every((v, i) => i === 0 ||
    (state === "ascending" ? values[i - 1] <= v : values[i - 1] >= v));
  await clickSelected();
  const [once, firstState] = [await column(), await sortState()];
  await clickSelected();
  const [twice, secondState] = [await column(), await sortState()];
  check(firstState !== secondState && /ascending|descending/.test(firstState) && /ascending|descending/.test(secondState)
    && once.length > 1 && ordered(once, firstState) && ordered(twice, secondState),
    `table sorts on a header click, both ways (aria-sort ${firstState} then ${secondState})`);

  // legend: hide the first group
  const nGroups = await evaluate(`document.querySelectorAll('#curves .legend button[data-cell]').length`);
  if (nGroups) {
    const visibleBefore = await evaluate(`document.querySelectorAll('#curves svg g[display=none]').length + Array.from(document.querySelectorAll('#curves .multiple')).filter(m => m.hidden).length`);
    await evaluate(`document.querySelector('#curves .legend button[data-cell]').click()`);
    const pressed = await evaluate(`document.querySelector('#curves .legend button[data-cell]').getAttribute('aria-pressed')`);
    const hiddenAfter = await evaluate(`document.querySelectorAll('#curves svg g[display=none]').length + Array.from(document.querySelectorAll('#curves .multiple')).filter(m => m.hidden).length`);
    check(pressed === "false" && hiddenAfter > visibleBefore, `legend click hides a group (aria-pressed ${pressed}, hidden ${visibleBefore} -> ${hiddenAfter})`);
  }

  // metric selector: every metric redraws without error
  const ids = await evaluate(`Array.from(document.querySelectorAll('#metric option')).map(o => o.value)`);
  for (const m of ids) {
    await evaluate(`(() => { const s = document.getElementById('metric'); s.value = ${JSON.stringify(m)}; s.dispatchEvent(new Event('change')); })()`);
  }
  await evaluate(`(() => { const s = document.getElementById('metric'); s.value = ${JSON.stringify(ids[0])}; s.dispatchEvent(new Event('change')); })()`);
  // brush on the metric axis of the parallel coordinates
  const brushed = await evaluate(`(() => {
    const b = document.querySelectorAll('#parallel .brush');
    if (!b.length) return 'none';
    const r = b[b.length - 1].querySelector('.overlay').getBoundingClientRect();
    const opts = (y) => ({ bubbles: true, clientX: r.x + r.width / 2, clientY: y, view: window });
    const o = b[b.length - 1].querySelector('.overlay');
    o.dispatchEvent(new MouseEvent('mousedown', opts(r.y + 4)));
    window.dispatchEvent(new MouseEvent('mousemove', opts(r.y + r.height / 3)));
    window.dispatchEvent(new MouseEvent('mouseup', opts(r.y + r.height / 3)));
    return document.querySelectorAll('#parallel .pc-line.dim').length + '/' + document.querySelectorAll('#parallel .pc-line').length;
  })()`);
  const [dimmed, lines] = brushed.split("/").map(Number);
  check(dimmed > 0 && dimmed < lines, `a brush on the metric axis dims the lines outside it (${brushed})`);
  // the learning curves as one chart, a group highlighted from the keyboard (focus on its legend
  // entry), the pointer on the chart: a screenshot of the tooltip, bands and highlight
  if (nGroups) {
    await evaluate(`(() => { document.querySelector('#curves .legend button[data-cell]').click();
      const s = Array.from(document.querySelectorAll('#curves select')).find(x => Array.from(x.options).some(o => o.value === 'overlay'));
      s.value = 'overlay'; s.dispatchEvent(new Event('change')); })()`);
    const box = await evaluate(`(() => { document.getElementById('curves').scrollIntoView(); const b = document.querySelectorAll('#curves .legend button[data-cell]');
      b[Math.min(2, b.length - 1)].focus(); const r = document.querySelector('#curves svg').getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })()`);
    await send("Input.dispatchMouseEvent", { type: "mouseMoved", x: box[0] + box[2] * 0.55, y: box[1] + box[3] * 0.5 });
    await sleep(100);
    const shot = await send("Page.captureScreenshot", { format: "png" });
    const file = page.replace(/\.html$/, "") + "-curves-hover.png";
    fs.writeFileSync(file, Buffer.from(shot.result.data, "base64"));
    const tipShown = await evaluate("!document.getElementById('tooltip').hidden");
    check(tipShown, "hover on the curves shows values: " + file);
  }
  // DLP_VIEWS=DIR: a screenshot of each section, at most 1400 px tall (docs/reports.md shows them)
  if (process.env.DLP_VIEWS) {
    await send("Emulation.setDeviceMetricsOverride", { width: 1280, height: 8000, deviceScaleFactor: 1, mobile: false });
    for (const section of ["claims", "effects", "curves", "parallel", "importance", "boundaries", "overview"]) {
      const r = await evaluate(`(() => { const r = document.getElementById('${section}').getBoundingClientRect();
        return [r.x, r.y + window.scrollY, r.width, Math.min(r.height, 1400)]; })()`);
      const shot = await send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true,
        clip: { x: r[0], y: r[1], width: r[2], height: r[3], scale: 1 } });
      fs.writeFileSync(path.join(process.env.DLP_VIEWS, `report-${section}.png`), Buffer.from(shot.result.data, "base64"));
    }
  }
  const errors = await evaluate("document.body.dataset.errors || ''");
  check(!errors && !problems.length, "no error: " + (errors || problems.join("; ") || "none"));
  ws.close();
}

browser.run(main);
