// web.liveness: the numbers on screen follow the master, in a real browser
// (Debian's Chromium through npm's playwright-core, as web.browser), against
// a real `swarm run` and `swarm target`:
//  1. a stale dialog: page A's "Start a new test" dialog is open when page B
//     starts a test; A's dialog turns into the edit form of the running test
//     (its users, a notice), a POST made for the old view gets 409, and an
//     edit from it says what it changed;
//  2. the last, cut second of a test with a run time: the charts' last
//     req/s point is the steady rate (at most 1.2 x the median), not a spike;
//  3. staleness: the master SIGSTOPped (a half-open WebSocket) → within a few
//     seconds a "no data" banner, the state no longer "running", Stop/Edit/
//     Reset disabled; SIGCONT → fresh data, banner gone, buttons enabled;
//     SIGKILLed → the same banner and disabled buttons; a failed command
//     shows its error.
// Exits 77 (skipped) only when Chromium is missing outside CI.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

const chromiumPath = "/usr/bin/chromium";
if (!existsSync(chromiumPath)) {
  console.log(`web.liveness: ${chromiumPath} is missing (scripts/install-deps installs it)`);
  process.exit(process.env.CI ? 1 : 77);
}
const source = process.env.SWARM_SOURCE_DIR;
const swarm = process.env.SWARM_BIN;
const require = createRequire(join(source, "master/web/ui/package.json"));
const { chromium } = require("playwright-core");

const children = [];
const scratch = mkdtempSync(join(tmpdir(), "swarm-liveness-"));
let browser = null;

// Starts `swarm ARGS`; resolves with the rest of its first output line starting with `prefix`.
function start(args, prefix) {
  const child = spawn(swarm, args, { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const promise = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${prefix}' line from swarm ${args[0]}`)), 30000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (!line.startsWith(prefix)) return;
      clearTimeout(timer);
      resolve(line.slice(prefix.length).trim());
    });
    child.on("exit", (code) => reject(new Error(`swarm ${args[0]} exited with ${code}`)));
  });
  return Object.assign(promise, { child });
}

async function newPage() {
  const context = await browser.newContext();
  await context.route("**/*", (route) =>
    new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort());
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  return page;
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function main() {
  const target = await start(["target", "--listen", "127.0.0.1:0", "--threads", "1"], "swarm target listening on ");
  const scenario = join(scratch, "live.yaml");
  writeFileSync(scenario, "users: {U: {wait: {constant: 20ms}, tasks: {t: {get: /}}}}\n");
  const run = start(["run", scenario, "-H", target, "--web-port", "0", "--threads", "1"], "swarm: web UI at ");
  const ui = await run;
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });

  // 1. Page A's new-test dialog is open (it opens by itself on a fresh master).
  const a = await newPage();
  await a.goto(ui);
  await a.waitForSelector("#start-dialog[open]");
  assert.equal(await a.textContent("#form-title"), "Start a new test");
  const b = await newPage();
  await b.goto(ui);
  await b.waitForSelector("#start-dialog[open]");
  await b.fill("#f-users", "20");
  await b.fill("#f-rate", "100");
  await b.fill("#f-time", "6s");
  await b.click("#start-submit");
  await b.waitForSelector("#start-dialog", { state: "hidden" });
  // A's dialog is now the running test's edit form, and says why.
  await a.waitForFunction(() => document.getElementById("form-title").textContent === "Change the running test");
  assert.match(await a.textContent("#form-notice"), /Test 1 was started meanwhile/);
  assert.equal(await a.inputValue("#f-users"), "20");
  // A POST made for the view before (test 0) changes nothing.
  const stale = await a.evaluate(async () => {
    const r = await fetch("swarm", { method: "POST", body: new URLSearchParams({ user_count: "3", tests_started: "0" }) });
    return { status: r.status, body: await r.json() };
  });
  assert.equal(stale.status, 409);
  assert.match(stale.body.message, /made for test 0, but test 1/);
  // An edit from A's (now current) form says what it changed.
  assert.equal(await a.inputValue("#f-rate"), "100");
  await a.fill("#f-rate", "50");  // the same users: the load stays steady for part 2
  await a.click("#start-submit");
  await a.waitForSelector("#edit-result", { state: "visible" });
  assert.equal(await a.textContent("#edit-result"), "Test changed: spawn rate 100/s → 50/s");
  // (The edit kept the test's 6s run time: the form sends none.)
  await a.click("#edit");
  await a.waitForSelector("#start-dialog[open]");

  // 2. The test ends by its run time: the charts' last point is no spike.
  await b.waitForFunction(() => document.getElementById("state").textContent === "stopped", null, { timeout: 15000 });
  // A's edit form turned back into a new-test form.
  await a.waitForFunction(() => document.getElementById("form-title").textContent === "Start a new test");
  assert.match(await a.textContent("#form-notice"), /has (stopped|begun to stop)/);
  await b.waitForTimeout(1200);  // the last point arrives with the next snapshot
  const rps = await b.evaluate(() => history.rps.slice());
  assert.ok(rps.length >= 4, `chart points: ${rps}`);
  const steady = median(rps.slice(0, -1));
  assert.ok(steady > 100, `steady rate ${steady} (points ${rps})`);
  const lastPoint = rps[rps.length - 1];
  assert.ok(lastPoint <= 1.2 * steady && lastPoint >= 0.8 * steady, `last chart point ${lastPoint} vs steady ${steady}: ${rps}`);
  await a.close();

  // 3. A running test, then the master frozen: a half-open WebSocket.
  await b.click("#new-test");
  await b.fill("#f-users", "2");
  await b.fill("#f-time", "");
  await b.click("#start-submit");
  await b.waitForFunction(() => document.getElementById("state").textContent === "running");
  // A failed command shows its error (no unhandled rejection).
  await b.evaluate(() => liveness.command(location.pathname.replace(/[^/]*$/, ""), "no-such-command", "Test"));
  assert.match(await b.textContent("#command-error"), /Test failed: /);
  run.child.kill("SIGSTOP");
  const stalledAt = Date.now();
  await b.waitForSelector("#stale-banner", { state: "visible", timeout: 8000 });
  const staleAfter = Date.now() - stalledAt;
  assert.match(await b.textContent("#stale-text"), /No data from the master for \d+ s/);
  assert.notEqual(await b.textContent("#state"), "running");
  assert.notEqual(await b.textContent("#conn"), "live");
  for (const id of ["stop", "edit", "reset"]) assert.ok(await b.isDisabled(`#${id}`), `#${id} enabled while stale`);
  run.child.kill("SIGCONT");
  await b.waitForSelector("#stale-banner", { state: "hidden", timeout: 12000 });
  await b.waitForFunction(() => document.getElementById("state").textContent === "running");
  for (const id of ["stop", "edit", "reset"]) assert.ok(!(await b.isDisabled(`#${id}`)), `#${id} disabled after fresh data`);

  // A killed master: the same path.
  run.child.removeAllListeners("exit");
  run.child.kill("SIGKILL");
  const killedAt = Date.now();
  await b.waitForSelector("#stale-banner", { state: "visible", timeout: 8000 });
  const killedAfter = Date.now() - killedAt;
  assert.notEqual(await b.textContent("#state"), "running");
  assert.ok(await b.isDisabled("#stop"));
  console.log(`web.liveness: ok (steady ${steady.toFixed(1)} req/s, last point ${rps[rps.length - 1].toFixed(1)}; ` +
    `banner ${staleAfter} ms after SIGSTOP, ${killedAfter} ms after SIGKILL)`);
}

let code = 0;
const watchdog = setTimeout(() => {
  console.error("web.liveness: timed out");
  for (const c of children) c.kill("SIGKILL");
  process.exit(1);
}, 90000);
try {
  await main();
} catch (e) {
  console.error("web.liveness:", e);
  code = 1;
} finally {
  clearTimeout(watchdog);
  if (browser) await browser.close().catch(() => {});
  for (const c of children.reverse()) { c.kill("SIGCONT"); c.kill("SIGTERM"); }
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(code);
