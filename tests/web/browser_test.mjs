// web.browser: the UI in a real browser. Debian's Chromium, driven by npm's
// playwright-core, against real `swarm` processes and `swarm target`:
//  1. `swarm run` under --web-base-path, opened without the trailing slash:
//     start a test from the form (after an inline validation error), see the
//     table fill and the charts draw, edit the users while running (header and
//     /stats/requests follow), select a row and see its response-time chart,
//     reload (history and selection survive), stop, download the CSV and
//     compare its count with the target's own counter; the test is started
//     with a profile typed in the form (a bad one first: the stage's error
//     by the field), its stage shown in the header, Edit warning that it
//     switches to manual control; and the workload model's drawing (planned
//     users dashed under the users, dropped iterations, classes, ITER rows,
//     the manual-control banner) from a snapshot fed to the page;
//  2. 1000 request names: the table shows a window of them (the rows in
//     view), sorts all of them and scrolls from the first to the last;
//  3. `swarm master` with two `swarm worker` processes: one SIGKILLed is
//     flagged missing in the Workers tab while the other keeps running.
// Exits 77 (skipped) only when Chromium is missing outside CI. Screenshots are
// left in the working directory (the build tree): web_browser_*.png.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { newBrowser, requireChromium, runTest, scenarioFile, scratch, start, stopChild, swarm, track } from "./browser_support.mjs";

requireChromium("web.browser");

async function startFromForm(page, users, rate) {
  await page.waitForSelector("#start-dialog[open]");
  await page.fill("#f-users", String(users));
  await page.fill("#f-rate", String(rate));
  await page.click("#start-submit");
  await page.waitForSelector("#start-dialog", { state: "hidden" });
}

const usersIs = (n) => document.getElementById("users").textContent === String(n);

async function mainFlow(target) {
  const scenario = scenarioFile("browser.yaml", "users:\n  Browser:\n    wait: {constant: 20ms}\n    tasks:\n" +
    "      home: {weight: 3, get: /, name: home}\n      about: {weight: 1, get: /about, name: about}\n");
  const run = start(["run", scenario, "-H", target, "--web-port", "0", "--threads", "1",
    "--web-base-path", "/base"], "swarm: web UI at ");
  const ui = await run;
  assert.match(ui, /\/base\/$/);
  const { context, page } = await newBrowser();
  await page.goto(ui.slice(0, -1));  // "/base": redirected to "/base/"
  assert.match(page.url(), /\/base\/$/);

  // The form opens by itself on a fresh master, pre-filled from the scenario.
  await page.waitForSelector("#start-dialog[open]");
  assert.equal(await page.inputValue("#f-host"), target);
  await page.fill("#f-users", "many");
  await page.click("#start-submit");
  assert.match(await page.textContent('.field-error[data-for="user_count"]'), /whole number/);
  assert.ok(await page.isVisible("#start-dialog"));
  // What only the master can refuse (a 400) shows its message by the field it names.
  const fieldSays = ([name, pattern]) =>
    new RegExp(pattern).test(document.querySelector(`.field-error[data-for="${name}"]`).textContent);
  await page.fill("#f-users", "2000000");
  await page.click("#start-submit");
  await page.waitForFunction(fieldSays, ["user_count", "1000000 users per worker"], { timeout: 10000 });
  await page.fill("#f-users", "1");
  await page.fill("#f-host", "http://%00");
  await page.click("#start-submit");
  await page.waitForFunction(fieldSays, ["host", "control character \\\\x00"], { timeout: 10000 });
  assert.ok(await page.isVisible("#start-dialog"));
  await page.fill("#f-host", target);
  // A profile typed in: the master's parse error names the stage, by the field.
  assert.equal(await page.inputValue("#f-stages"), "");  // the scenario has none
  await page.fill("#f-stages", "30s:2,xx:5");
  await page.click("#start-submit");
  await page.waitForFunction(fieldSays, ["stages", "^stages: stage 2: duration 'xx'"], { timeout: 10000 });
  await page.fill("#f-stages", "5m:3@10");
  const testStartSecond = Math.floor(Date.now() / 1000);
  await startFromForm(page, 3, 10);

  // The table fills, the header follows.
  await page.waitForFunction(() => document.querySelectorAll("#stats-table tbody tr").length === 2 &&
    Number(document.querySelector("#stats-table tfoot td:nth-child(3)").textContent) > 50);
  await page.waitForFunction(usersIs, 3);
  await page.waitForFunction(() => document.getElementById("profile").textContent === "stage 1 of 1");
  assert.ok(await page.isVisible("#profile-box"));

  // Edit while running: the form opens with the running target; 5 users.
  // A profile test: it says, before submitting, that this means manual control.
  await page.click("#edit");
  await page.waitForSelector("#start-dialog[open]");
  assert.ok(await page.isVisible("#manual-note"));
  assert.match(await page.textContent("#manual-note"), /switches the test to manual control/);
  assert.ok(!(await page.isVisible("#f-stages")));
  assert.equal(await page.inputValue("#f-users"), "3");
  assert.ok(!(await page.isVisible("#f-host")));  // host and run time only for a new test
  await startFromForm(page, 5, 20);
  await page.waitForFunction(usersIs, 5);
  const doc = await (await fetch(ui + "stats/requests")).json();
  assert.equal(doc.user_count, 5);
  assert.equal(doc.tests_started, 1);

  // A row click selects the entry; the Charts tab draws its response times.
  await page.click('#stats-table tbody tr[data-name="home"]');
  await page.waitForSelector('#stats-table tbody tr.selected[data-name="home"]');
  await page.click('.tab[data-tab="charts"]');
  await page.waitForFunction(() => window.swarmCharts && window.swarmCharts.rps.data[0].length >= 3);
  // One point a second, none missing, and only this test's seconds: not the
  // idle ones the page was shown before the test started.
  const seconds = await page.evaluate(() => window.swarmCharts.rps.data[0]);
  assert.ok(seconds.every((t, i) => i === 0 || t === seconds[i - 1] + 1), `seconds ${seconds}`);
  assert.ok(seconds[0] >= testStartSecond, `first second ${seconds[0]}, test started in ${testStartSecond}`);
  await page.waitForFunction(() => {
    const e = window.swarmCharts.entry;
    return e && e.data[0].length >= 2 && e.data[1].some((v) => v > 0);
  });
  assert.ok(await page.isVisible("#chart-rps canvas"));
  assert.ok(await page.isVisible("#chart-entry canvas"));
  assert.match(await page.textContent("#entry-title"), /GET home/);
  assert.match(page.url(), /#method=GET&name=home$/);
  await page.screenshot({ path: "web_browser_running.png", fullPage: true });

  // A reload keeps the history (from the master) and the selection (in the URL).
  const points = await page.evaluate(() => window.swarmCharts.rps.data[0].length);
  await page.reload();
  await page.click('.tab[data-tab="charts"]');
  await page.waitForFunction((n) => window.swarmCharts && window.swarmCharts.rps.data[0].length >= n, points);
  await page.waitForFunction(() => window.swarmCharts.entry && window.swarmCharts.entry.data[0].length >= 2);

  // Stop, then download the CSV: its Aggregated count is the target's.
  await page.click("#stop");
  await page.waitForFunction(() => document.getElementById("state").textContent === "stopped");
  // Nothing is sent any more: the header shows the test's average rate, not a frozen current one.
  await page.waitForFunction(() => document.getElementById("rps-label").textContent === "avg req/s");
  assert.ok(Number(await page.textContent("#rps")) > 0);
  await page.click('.tab[data-tab="download"]');
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#dl-stats")]);
  const csvPath = join(scratch, "requests.csv");
  await download.saveAs(csvPath);
  const csv = readFileSync(csvPath, "utf8").split("\r\n");
  assert.match(csv[0], /^Type,Name,Request Count,Failure Count,/);
  const aggregated = csv.find((l) => l.startsWith(",Aggregated,"));
  const counted = Number(aggregated.split(",")[2]);
  const seen = await (await fetch(target + "/__stats")).json();
  assert.equal(counted, seen.total);
  assert.ok(csv.some((l) => l.startsWith("GET,home,")));
  await page.screenshot({ path: "web_browser_stopped.png", fullPage: true });
  await workloadDrawing(page);
  await thresholdsDrawing(page);
  // The HTML report draws the planned users' line too (dashed), and lists
  // the classes that reported (every class counts its task iterations).
  await page.goto(ui + "stats/report");
  const report = await page.evaluate(() => ({
    series: window.swarmReportCharts.users.series.slice(1).map((x) => [x.label, x.dash || null]),
    classesShown: !document.getElementById("classes-section").hidden,
    classRow: [...document.querySelectorAll("#classes tbody tr:first-child td")].map((td) => td.textContent),
  }));
  assert.deepEqual(report.series, [["planned users", [6, 4]], ["users", null]]);
  assert.equal(report.classesShown, true);
  assert.equal(report.classRow[0], "Browser");
  assert.ok(Number(report.classRow[1]) > 0, `iterations: ${report.classRow[1]}`);
  assert.deepEqual(report.classRow.slice(2), ["0", "0"]);  // nothing dropped or overrun
  await thresholdsReport(page, ui);
  await context.close();
  stopChild(run.child);
  return counted;
}

// The workload model's fields as the master sends them (stats_json.hpp), fed
// to the page as one snapshot in one synchronous step (the next live push
// would redraw): two more seconds with planned users 3 and 5, 4 dropped
// iterations, an open class, an ITER row, a test switched to manual control.
async function workloadDrawing(page) {
  await page.click('.tab[data-tab="charts"]');
  const seen = await page.evaluate(() => {
    const t = history.t[history.t.length - 1] + 1;
    const point = (dt, users, planned, dropped) =>
      ({ t: t + dt, rps: 1, fps: 0, p50: 1, p95: 1, p99: 1, users, planned, dropped });
    const rows = last.stats.slice(0, -1);
    onSnapshot(Object.assign({}, last, {
      points: [point(0, 2, 3, 4), point(1, 3, 5, 0)],
      dropped_iterations: 4,
      classes: [{ name: "Shop", iterations: 9, dropped_iterations: 4, pacing_overruns: 1 }],
      profile: { stages: "5m:3@10", stage_count: 1, stage: 1, manual: true },
      stats: [...rows, Object.assign({}, rows[0], { method: "ITER", name: "buy" }), last.stats[rows.length]],
    }));
    const u = window.swarmCharts.users;
    document.querySelector('.tab[data-tab="stats"]').click();
    const text = (sel) => document.querySelector(sel).textContent;
    return {
      series: u.series.map((x) => [x.label, x.dash || null]),
      planned: u.data[1].slice(-2), users: u.data[2].slice(-2),
      dropped: text("#dropped"), droppedShown: !document.getElementById("dropped-box").hidden,
      banner: document.getElementById("manual-banner").hidden ? "" : text("#manual-banner"),
      profileShown: !document.getElementById("profile-box").hidden,
      classes: [...document.querySelectorAll("#classes-table tbody td")].map((td) => td.textContent),
      iter: document.querySelector('#stats-table tbody tr.iter[data-name="buy"] td').textContent,
    };
  });
  assert.deepEqual(seen.series.slice(1), [["planned users", [6, 4]], ["users", null]]);
  assert.deepEqual(seen.planned, [3, 5]);
  assert.deepEqual(seen.users, [2, 3]);
  assert.ok(seen.droppedShown);
  assert.equal(seen.dropped, "4");
  assert.match(seen.banner, /^Manual control/);
  assert.ok(!seen.profileShown);  // manual: no stage to show
  assert.deepEqual(seen.classes, ["Shop", "9", "4", "1"]);
  assert.equal(seen.iter, "ITER");
  await page.click('.tab[data-tab="charts"]');
  await page.screenshot({ path: "web_browser_workload.png", fullPage: true });
}

// The gates' verdicts as the master sends them (json_result.hpp's threshold
// objects in the snapshot's "thresholds"), fed to the page like the workload
// model above: the panel's rows, marks, values and badges, the header's
// summary; then none, and both hide.
const VERDICTS = [
  { expression: "p95(GET home) < 200ms", status: "passing", final: false, aborted: false, abort_on_fail: false,
    delay_ms: 0, value: 183.2, unit: "ms", value_text: "183.2 ms", detail: "" },
  { expression: "fail_ratio < 1%", status: "failing", final: true, aborted: true, abort_on_fail: true,
    delay_ms: 0, value: 2.5, unit: "%", value_text: "2.5 %", detail: "" },
  { expression: "rps(GET about) > 10", status: "pending", final: false, aborted: false, abort_on_fail: false,
    delay_ms: 30000, value: null, unit: "/s", value_text: "", detail: "no requests matched" },
];

async function thresholdsDrawing(page) {
  await page.click('.tab[data-tab="stats"]');
  const seen = await page.evaluate((verdicts) => {
    const text = (sel) => document.querySelector(sel).textContent;
    const shown = (id) => !document.getElementById(id).hidden;
    const before = { panel: shown("thresholds-panel"), box: shown("thresholds-box") };
    onSnapshot(Object.assign({}, last, { points: [], thresholds: verdicts }));
    const rows = [...document.querySelectorAll("#thresholds-table tbody tr")]
      .map((tr) => [tr.className, ...[...tr.children].map((td) => td.textContent)]);
    const during = { panel: shown("thresholds-panel"), box: shown("thresholds-box"), summary: text("#thresholds-summary"),
      warn: document.getElementById("thresholds-box").classList.contains("warn"), rows };
    onSnapshot(Object.assign({}, last, { points: [], thresholds: [] }));
    return { before, during, after: { panel: shown("thresholds-panel"), box: shown("thresholds-box") } };
  }, VERDICTS);
  assert.deepEqual(seen.before, { panel: false, box: false });  // this test has none
  assert.deepEqual(seen.after, { panel: false, box: false });
  assert.ok(seen.during.panel && seen.during.box);
  assert.equal(seen.during.summary, "1/3 \u2713 1 \u2717");
  assert.ok(seen.during.warn);
  assert.deepEqual(seen.during.rows, [
    ["passing", "\u2713", "p95(GET home) < 200ms", "183.2 ms", "passing", ""],
    ["failing", "\u2717", "fail_ratio < 1%", "2.5 %", "failing (final)", "aborted the test"],
    ["pending", "\u2026", "rps(GET about) > 10", "", "pending", "delay 30sno requests matched"],
  ]);
  await page.evaluate((verdicts) => onSnapshot(Object.assign({}, last, { points: [], thresholds: verdicts })), VERDICTS);
  await page.screenshot({ path: "web_browser_thresholds.png", fullPage: true });
}

// The HTML report's Thresholds section and stop reason: the master's report
// with these verdicts put into its inlined data (this test has no thresholds).
async function thresholdsReport(page, ui) {
  const html = await (await fetch(ui + "stats/report")).text();
  const marker = "window.SWARM_REPORT = ";
  assert.ok(html.includes(marker));
  assert.equal(await page.evaluate(() => document.getElementById("thresholds-section").hidden), true);
  // A script after the data's (report.js runs after both).
  const at = html.indexOf("</script>", html.indexOf(marker)) + "</script>".length;
  await page.setContent(html.slice(0, at) + "<script>Object.assign(window.SWARM_REPORT, " +
    JSON.stringify({ thresholds: VERDICTS, stop_reason: "threshold_abort" }) + ");</script>" + html.slice(at));
  const seen = await page.evaluate(() => ({
    shown: !document.getElementById("thresholds-section").hidden,
    rows: [...document.querySelectorAll("#thresholds tbody tr")].map((tr) => [...tr.children].map((td) => td.textContent)),
    summary: document.getElementById("summary").textContent,
  }));
  assert.ok(seen.shown);
  assert.deepEqual(seen.rows, [
    ["\u2713", "p95(GET home) < 200ms", "183.2 ms", "passing (not final)", ""],
    ["\u2717", "fail_ratio < 1%", "2.5 %", "failing", "aborted the test"],
    ["\u2026", "rps(GET about) > 10", "", "pending (not final)", "delay 30s; no requests matched"],
  ]);
  assert.match(seen.summary, /ended by: a threshold failed and aborted the test$/);
}

// One task of 1000 steps, each its own name: the master's cap of names.
async function thousandEntries(target) {
  let steps = "";
  for (let i = 0; i < 1000; ++i) steps += `          - get: "/?i=${i}"\n`;
  const scenario = scenarioFile("thousand.yaml",
    "users:\n  Many:\n    wait: {constant: 0s}\n    tasks:\n      all:\n        steps:\n" + steps);
  const run = start(["run", scenario, "-H", target, "--web-port", "0", "--threads", "1"], "swarm: web UI at ");
  const ui = await run;
  const { context, page } = await newBrowser();
  await page.goto(ui);
  await startFromForm(page, 2, 10);
  const began = Date.now();
  await page.waitForFunction(() => document.getElementById("stats-table").dataset.rows === "1000",
    null, { timeout: 40000 });
  const rendered = Date.now() - began;
  // Past 200 rows the table is a window: the rows in view are in the DOM,
  // spacers keep the scroll height, scrolling moves the window.
  const visible = () => page.evaluate(() => [...document.querySelectorAll("#stats-table tbody tr[data-name]")]
    .map((tr) => [tr.dataset.name, Number(tr.children[2].textContent)]));
  const scrollTo = async (top) => {
    await page.evaluate((y) => { document.getElementById("stats-scroll").scrollTop = y; }, top);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  };
  const sortBy = async (key) => {
    await page.click(`#stats-table th[data-key="${key}"]`);
    return visible();
  };
  const inPageOrder = (names) => page.evaluate((n) => n.every((x, i) => i === 0 || n[i - 1].localeCompare(x) <= 0), names);
  const allNames = () => page.evaluate(() => last.stats.slice(0, -1).map((s) => s.name).sort((a, b) => a.localeCompare(b)));
  await scrollTo(0);
  const t0 = Date.now();
  let rows = await sortBy("name");
  const sortMs = Date.now() - t0;
  assert.ok(rows.length >= 10 && rows.length <= 200, `${rows.length} rows in the DOM`);
  assert.ok(await inPageOrder(rows.map(([n]) => n)));
  const sorted = await allNames();
  assert.equal(sorted.length, 1000);
  assert.equal(rows[0][0], sorted[0]);
  await scrollTo(1e9);  // the bottom: the last names
  rows = await visible();
  assert.ok(await inPageOrder(rows.map(([n]) => n)));
  assert.equal(rows[rows.length - 1][0], sorted[999]);
  await scrollTo(0);
  await sortBy("num_requests");
  rows = await sortBy("num_requests");  // second click: descending
  for (let i = 1; i < rows.length; ++i) assert.ok(rows[i - 1][1] >= rows[i][1], `row ${i} out of order`);
  // A row of the window selects like any other.
  await page.click(`#stats-table tbody tr[data-name="${rows[3][0]}"]`);
  assert.ok((await page.textContent("#entry-hint")).includes(rows[3][0]));
  await page.screenshot({ path: "web_browser_1000.png" });
  await context.close();
  stopChild(run.child);
  return { rendered, sortMs };
}

async function workersTab(target) {
  const scenario = scenarioFile("workers.yaml", "users:\n  W:\n    wait: {constant: 50ms}\n    tasks:\n" +
    "      home: {get: /, name: home}\n");
  const master = start(["master", scenario, "-H", target, "--bind", "127.0.0.1:0", "--web-host", "127.0.0.1",
    "--web-port", "0"], "swarm master: listening for workers on tcp://", "swarm: web UI at ");
  const lines = await master;
  const address = lines["swarm master: listening for workers on tcp://"];
  const workers = {};
  for (const name of ["alpha", "beta"]) {
    const child = spawn(swarm, ["worker", "--master", address, "--threads", "1", "--name", name],
      { stdio: ["ignore", "ignore", "inherit"] });
    workers[name] = track(child);
  }
  const { context, page } = await newBrowser();
  await page.goto(lines["swarm: web UI at "]);
  await page.waitForFunction(() => document.getElementById("workers").textContent === "2");
  await startFromForm(page, 4, 20);
  await page.waitForFunction(usersIs, 4);
  await page.click('.tab[data-tab="workers-tab"]');
  const rowOf = (name) => `#workers-table tbody tr:has(td:text-is("${name}"))`;
  await page.waitForSelector(`${rowOf("alpha")} >> text=running`);
  await page.waitForSelector(`${rowOf("beta")} >> text=running`);

  workers.beta.kill("SIGKILL");
  await page.waitForSelector(`${rowOf("beta")}.missing`);
  assert.match(await page.textContent(`${rowOf("beta")} td:nth-child(3)`), /missing ⚠/);
  assert.equal(await page.getAttribute(rowOf("alpha"), "class"), "");
  // Not missing; "spawning" while it takes beta's users (the rebalance can be
  // under way already), then running all four.
  assert.match(await page.textContent(`${rowOf("alpha")} td:nth-child(3)`), /^(running|spawning)$/);
  await page.waitForFunction(() => [...document.querySelectorAll("#workers-table tbody tr")]
    .some((tr) => tr.children[0].textContent === "alpha" && tr.children[2].textContent === "running" &&
      tr.children[3].textContent === "4"));
  await page.screenshot({ path: "web_browser_workers.png", fullPage: true });
  await context.close();
  stopChild(workers.alpha);
  stopChild(master.child);
}

async function main() {
  const target = await start(["target", "--listen", "127.0.0.1:0", "--threads", "1"], "swarm target listening on ");
  const counted = await mainFlow(target);
  const { rendered, sortMs } = await thousandEntries(target);
  await workersTab(target);
  console.log(`web.browser: ok (${counted} requests, as the target counted; ` +
    `1000 names listed ${rendered} ms after the start, a sort took ${sortMs} ms)`);
}

await runTest("web.browser", main, 170000);
