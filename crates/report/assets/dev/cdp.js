// Headless Chromium driven over the DevTools protocol, for the pages' browser checks: this
// folder's interact.js (the report) and crates/runner/assets/serve/dev/e2e.js (dlp serve).
// Starts Chromium on a page, connects to it, sends commands, evaluates expressions, collects
// what the page logged as an error, and counts the checks that failed.
//
// Node 20 (WebSocket behind --experimental-websocket) or newer; nothing from npm.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts `chromium` headless on `url`, with a fresh profile under the system's temporary folder.
function launch(chromium, url) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "dlp-cdp-"));
  const proc = spawn(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`,
    "--remote-debugging-port=0", "--window-size=1280,1000", url], { stdio: "ignore" });
  let failed = 0;
  return {
    // Prints one `ok   ...` or `FAIL ...` line; returns `ok`.
    check(ok, what) {
      console.log((ok ? "ok   " : "FAIL ") + what);
      if (!ok) failed++;
      return ok;
    },
    // Connects to the page. `ignoreLog(entry)` tells a logged error the page expects.
    async connect({ ignoreLog = () => false } = {}) {
      // Port 0: Chromium picks a free port and writes it to DevToolsActivePort in its profile.
      let target;
      for (let i = 0; i < 300 && !target; i++) {
        await sleep(100);
        try {
          const port = fs.readFileSync(path.join(profile, "DevToolsActivePort"), "utf8").split("\n")[0];
          const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
          target = list.find((t) => t.type === "page");
        } catch (_) { /* not up yet */ }
      }
      if (!target) throw new Error("chromium did not start");
      const ws = new WebSocket(target.webSocketDebuggerUrl);
      await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
      let id = 0;
      const pending = new Map(), problems = [];
      ws.onmessage = (m) => {
        const msg = JSON.parse(m.data);
        if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); }
        if (msg.method === "Runtime.exceptionThrown") problems.push("exception: " + msg.params.exceptionDetails.text + " " + (msg.params.exceptionDetails.exception || {}).description);
        if (msg.method === "Runtime.consoleAPICalled" && msg.params.type === "error") problems.push("console.error: " + msg.params.args.map((a) => a.value || a.description).join(" "));
        if (msg.method === "Log.entryAdded" && msg.params.entry.level === "error" && !ignoreLog(msg.params.entry)) problems.push("log: " + msg.params.entry.text + (msg.params.entry.url ? " " + msg.params.entry.url : ""));
      };
      const send = (method, params = {}) => new Promise((r) => { const n = ++id; pending.set(n, r); ws.send(JSON.stringify({ id: n, method, params })); });
      const evaluate = async (expr) => {
        const res = await send("Runtime.evaluate", { expression: expr, returnByValue: true, awaitPromise: true });
        if (res.error) throw new Error(expr + ": " + res.error.message);
        if (res.result.exceptionDetails) throw new Error(expr + ": " + res.result.exceptionDetails.text + " " + ((res.result.exceptionDetails.exception || {}).description || ""));
        return res.result.result.value;
      };
      return { ws, send, evaluate, problems };
    },
    // Runs `main`, then stops Chromium, removes its profile and exits 1 if any check failed.
    run(main) {
      main().catch((e) => { console.log("FAIL " + e.message); failed++; }).finally(() => {
        proc.kill();
        setTimeout(() => { fs.rmSync(profile, { recursive: true, force: true }); process.exit(failed ? 1 : 0); }, 300);
      });
    },
  };
}

module.exports = { launch, sleep };
