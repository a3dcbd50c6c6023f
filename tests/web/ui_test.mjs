// web.ui: the UI and the HTML report as a reader meets them, in Chromium
// against a real `swarm run` and `swarm target` (browser_support.mjs):
//  - the header: host, version, the tab's title with the state and users,
//    "workers N (M missing)" and one Workers row per master entry;
//  - the start form: `3` as run time is 3 s (the test ends by itself after
//    3 s), the last values come back after a reload (localStorage), an
//    edit without spawn_rate keeps the running test's rate (POST /swarm);
//  - the charts: a sentence before any data, earlier runs kept (Run #1,
//    Run #2, also after a reload), users from 0, log scale, synced cursors, the legend's time,
//    Save PNG (a real PNG file);
//  - keyboard and ARIA: tabs (arrows), sortable headers and rows (Enter and
//    Space), aria-selected, aria-sort, exactly one <h1>; dark mode; 390 px
//    with the sideways cue;
//  - the report: the facts header in the reader's time zone, the percentile
//    table, right-aligned numbers, the bold Aggregated row, long names
//    wrapping, charts as wide as the page, y labels not clipped.
// With SWARM_UPDATE_SCREENSHOTS=1 it refreshes the README's pictures
// (docs/images/*.png); else they go to the working directory (the build tree).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { newBrowser, requireChromium, runTest, scenarioFile, scratch, source, start, stopChild } from "./browser_support.mjs";

requireChromium("web.ui");
const pictures = process.env.SWARM_UPDATE_SCREENSHOTS === "1" ? join(source, "docs/images") : ".";
const LONG_NAME = "/api/v1/catalogue/products/" + "very-long-segment-".repeat(8) + "end";

async function formStart(page, fields) {
  await page.waitForSelector("#start-dialog[open]");
  for (const [id, value] of Object.entries(fields)) await page.fill(id, String(value));
  await page.click("#start-submit");
  await page.waitForSelector("#start-dialog", { state: "hidden" });
}

const stateIs = (s) => document.getElementById("state").textContent === s;

async function main() {
  const target = await start(["target", "--listen", "127.0.0.1:0", "--threads", "1"], "swarm target listening on ");
  const scenario = scenarioFile("ui.yaml", "users:\n  Shop:\n    wait: {constant: 20ms}\n    tasks:\n" +
    `      home: {weight: 3, get: /, name: home}\n      long: {weight: 1, get: /long, name: "${LONG_NAME}"}\n`);
  const run = start(["run", scenario, "-H", target, "--web-port", "0", "--threads", "1"], "swarm: web UI at ");
  const ui = await run;
  const { page } = await newBrowser({ viewport: { width: 1280, height: 800 } });
  await page.goto(ui);

  // Before any test: one <h1>, ARIA tabs, and the charts say there is nothing yet.
  await page.waitForSelector("#start-dialog[open]");
  assert.equal(await page.locator("h1").count(), 1);
  assert.equal(await page.getAttribute("#tab-stats", "aria-selected"), "true");
  assert.equal(await page.getAttribute("nav", "role"), "tablist");
  assert.equal(await page.locator("[role=tabpanel]").count(), 6);
  assert.match(await page.getAttribute("link[rel=icon]", "href"), /^data:image\/svg\+xml,/);
  await page.click("#start-cancel");
  await page.click("#tab-charts");
  assert.ok(await page.isVisible("#charts-empty"));
  assert.ok(!(await page.isVisible("#chart-rps")));
  await page.click("#tab-stats");
  assert.match(await page.textContent("#host"), new RegExp(target.replace(/[.]/g, "\\.")));
  assert.match(await page.textContent("#version"), /^v\d+\.\d+/);

  // Run 1: run time `3` is 3 seconds in the form and in the API; it ends by itself.
  await page.click("#new-test");
  const began = Date.now();
  await formStart(page, { "#f-users": 3, "#f-rate": 30, "#f-time": "3" });
  await page.waitForFunction(stateIs, "stopped", { timeout: 15000 });
  const lasted = (Date.now() - began) / 1000;
  assert.ok(lasted >= 2.5 && lasted < 9, `a 3 s run took ${lasted} s`);
  const run1 = await (await fetch(ui + "stats/requests")).json();
  assert.equal(run1.tests_started, 1);

  // The form remembers this browser's last values for this scenario.
  await page.reload();
  await page.waitForFunction(stateIs, "stopped");
  await page.click("#new-test");
  await page.waitForSelector("#start-dialog[open]");
  assert.equal(await page.inputValue("#f-users"), "3");
  assert.equal(await page.inputValue("#f-rate"), "30");
  assert.equal(await page.inputValue("#f-time"), "3");
  await page.click("#start-cancel");
  const run1Seconds = await page.evaluate(() => history.t.length);
  assert.ok(run1Seconds >= 2 && run1Seconds <= 6, `run 1 has ${run1Seconds} seconds`);

  // Run 2, until stopped: the header and the title follow.
  await page.click("#new-test");
  await formStart(page, { "#f-users": 4, "#f-rate": 40, "#f-time": "" });
  await page.waitForFunction(() => document.title === "swarm — running — 4 users");
  // An edit without spawn_rate keeps the running test's (40), not the default (1).
  const edit = await (await fetch(ui + "swarm", { method: "POST", body: new URLSearchParams({ user_count: "5" }) })).json();
  assert.equal(edit.spawn_rate, 40);
  assert.equal(edit.user_count, 5);
  await page.waitForFunction(() => document.title === "swarm — running — 5 users");
  await page.waitForFunction(() => history.t.length >= 3);

  // Charts: runs, users from 0, log scale, synced cursors, the legend's time, PNG.
  await page.click("#tab-charts");
  assert.ok(!(await page.isVisible("#charts-empty")));
  const options = await page.$$eval("#run-select option", (os) => os.map((o) => o.textContent));
  assert.deepEqual(options, ["Run #2 (current)", "Run #1"]);
  await page.selectOption("#run-select", "1");
  assert.equal(await page.evaluate(() => window.swarmCharts.rps.data[0].length), run1Seconds);
  await page.selectOption("#run-select", "");
  assert.ok(await page.evaluate(() => window.swarmCharts.rps.data[0].length >= 3));
  // A reload keeps the earlier run: the master sends its points (hello's
  // earlier_runs), and the page marks it Run #1 as before.
  await page.reload();
  await page.waitForFunction(stateIs, "running");
  await page.click("#tab-charts");
  await page.waitForFunction(() => document.querySelectorAll("#run-select option").length === 2);
  assert.deepEqual(await page.$$eval("#run-select option", (os) => os.map((o) => o.textContent)),
    ["Run #2 (current)", "Run #1"]);
  await page.selectOption("#run-select", "1");
  assert.equal(await page.evaluate(() => window.swarmCharts.rps.data[0].length), run1Seconds);
  await page.selectOption("#run-select", "");
  await page.waitForFunction(() => history.t.length >= 3);
  assert.equal(await page.evaluate(() => window.swarmCharts.users.scales.y.min), 0);
  await page.check("#log-scale");
  assert.equal(await page.evaluate(() => window.swarmCharts.latency.scales.y.distr), 3);
  const box = await page.locator("#chart-rps .u-over").boundingBox();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
  const cursors = await page.evaluate(() => ({
    rps: window.swarmCharts.rps.cursor.idx, users: window.swarmCharts.users.cursor.idx,
    latency: window.swarmCharts.latency.cursor.idx,
    legend: document.querySelector("#chart-users .u-legend .u-series:first-child .u-value").textContent,
  }));
  assert.ok(cursors.rps !== null && cursors.rps !== undefined, "no cursor");
  assert.equal(cursors.users, cursors.rps);
  assert.equal(cursors.latency, cursors.rps);
  assert.match(cursors.legend, /^\d+ s · .*\d/);
  const [png] = await Promise.all([page.waitForEvent("download"), page.click(".save-png[data-chart=rps]")]);
  assert.equal(png.suggestedFilename(), "swarm-rps.png");
  const pngPath = join(scratch, "rps.png");
  await png.saveAs(pngPath);
  const bytes = readFileSync(pngPath);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.ok(bytes.length > 2000, `${bytes.length} bytes`);
  await page.uncheck("#log-scale");

  // Keyboard: tabs by arrows, headers and rows by Enter and Space.
  await page.focus("#tab-charts");
  await page.keyboard.press("ArrowLeft");
  assert.equal(await page.getAttribute("#tab-stats", "aria-selected"), "true");
  assert.equal(await page.getAttribute("#tab-charts", "aria-selected"), "false");
  assert.equal(await page.evaluate(() => document.activeElement.id), "tab-stats");
  const header = '#stats-table th[data-key="num_requests"]';
  assert.equal(await page.getAttribute(header, "tabindex"), "0");
  await page.focus(header);
  await page.keyboard.press("Enter");
  assert.equal(await page.getAttribute(header, "aria-sort"), "ascending");
  await page.keyboard.press(" ");
  assert.equal(await page.getAttribute(header, "aria-sort"), "descending");
  await page.focus('#stats-table tbody tr[data-name="home"]');
  await page.keyboard.press("Enter");
  await page.waitForSelector('#stats-table tbody tr.selected[data-name="home"]');
  assert.match(page.url(), /#method=GET&name=home$/);
  // The rows are redrawn every second; the focus stays on the entry.
  await page.waitForTimeout(1200);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.name), "home");

  // Workers: one row per entry of the master (a worker back under its name
  // already replaced its missing entry there: web.ui_workers); the header
  // counts the missing.
  const workers = await page.evaluate(() => {
    const w = (id, missing, index) => ({ id, index, host: "h", state: missing ? "missing" : "running", missing,
      user_count: 1, threads: 1, cpu_usage: 1, memory_usage: 1, loop_lag_ms: 0, last_heard_ms_ago: 0,
      num_requests: 1, num_failures: 0 });
    onSnapshot(Object.assign({}, last, { points: [], worker_count: 1,
      workers: [w("b", true, 1), w("a", false, 2)] }));
    return { rows: [...document.querySelectorAll("#workers-table tbody tr")].map((tr) => [tr.children[0].textContent, tr.className]),
      header: document.getElementById("workers").parentElement.textContent.replace(/\s+/g, " ").trim() };
  });
  assert.deepEqual(workers.rows, [["b", "missing"], ["a", ""]]);
  assert.equal(workers.header, "workers 1 (1 missing)");

  await page.waitForTimeout(1500);  // a few more seconds for the pictures
  await page.screenshot({ path: join(pictures, "ui-1280.png") });
  await page.click("#tab-charts");
  await page.screenshot({ path: join(pictures, "ui-charts-1280.png"), fullPage: true });
  await page.click("#tab-stats");

  // 1024 px: every column of the statistics fits (a long name is cut, its title whole).
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.waitForTimeout(300);
  const fit = await page.evaluate(() => { const b = document.getElementById("stats-scroll");
    return [b.scrollWidth, b.clientWidth, [...document.querySelectorAll("#stats-table th")].map((th) => Math.round(th.getBoundingClientRect().width)).join(",")]; });
  assert.ok(fit[0] <= fit[1], `the statistics need sideways scrolling at 1024 px: ${fit[0]} px in ${fit[1]} px (${fit[2]})`);
  assert.equal(await page.getAttribute('#stats-table td.name[title^="/api/"]', "title"), LONG_NAME);
  assert.ok(!(await page.isVisible("#stats-cue")));

  // Phone width: the table scrolls sideways, with the cue until its end.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForSelector("#stats-cue", { state: "visible" });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), "the page itself scrolls sideways");
  await page.screenshot({ path: join(pictures, "ui-390.png") });
  await page.evaluate(() => { const b = document.getElementById("stats-scroll"); b.scrollLeft = b.scrollWidth; });
  await page.waitForSelector("#stats-cue", { state: "hidden" });

  // Dark mode follows the system's setting.
  await page.emulateMedia({ colorScheme: "dark" });
  assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(20, 24, 29)");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(pictures, "ui-dark-1280.png") });
  await page.emulateMedia({ colorScheme: "light" });

  await page.click("#stop");
  await page.waitForFunction(stateIs, "stopped");
  await reportChecks(ui, target);
  stopChild(run.child);
  console.log(`web.ui: ok (a 3 s run time lasted ${lasted} s; run 1 kept with ${run1Seconds} seconds)`);
}

// The HTML report, read in Paris in German: its times are the reader's.
async function reportChecks(ui, target) {
  const { page } = await newBrowser({ viewport: { width: 1280, height: 800 }, locale: "de-DE", timezoneId: "Europe/Paris" });
  await page.goto(ui + "stats/report");
  const seen = await page.evaluate(() => {
    const facts = Object.fromEntries([...document.querySelectorAll("#facts div")]
      .map((d) => [d.querySelector("dt").textContent, d.querySelector("dd").textContent]));
    const heads = [...document.querySelectorAll("#percentiles thead th")].map((th) => th.textContent);
    const foot = document.querySelector("#stats tfoot td:nth-child(3)");
    const name = [...document.querySelectorAll("#stats tbody td.name")].find((td) => td.textContent.startsWith("/api/"));
    const u = window.swarmReportCharts.latency;
    return { facts, heads, h1: document.querySelectorAll("h1").length,
      footWeight: getComputedStyle(foot).fontWeight, footAlign: getComputedStyle(foot).textAlign,
      nameLines: name.getBoundingClientRect().height / parseFloat(getComputedStyle(name).lineHeight),
      p100: Number(document.querySelector("#percentiles tfoot td:last-child").textContent),
      max: window.SWARM_REPORT.stats.at(-1).max_response_time,
      start: window.SWARM_REPORT.start_unix_ms,
      chartWidth: u.width, sectionWidth: document.getElementById("charts-section").clientWidth };
  });
  assert.equal(seen.h1, 1);
  assert.equal(seen.facts.Host, target);
  assert.match(seen.facts.Scenario, /ui\.yaml$/);
  assert.equal(seen.facts.Workers, "1");
  assert.equal(seen.facts["Dropped iterations"], "0");
  assert.match(seen.facts["Ended by"], /^stopped( by the user)?$/);  // the reason once recorded (issue 14)
  assert.match(seen.facts.Users, /^5 \(peak\)$/);
  const paris = new Date(seen.start).toLocaleString("de-DE", { timeZone: "Europe/Paris", timeZoneName: "short" });
  assert.equal(seen.facts.Start, paris);
  assert.match(seen.facts.Start, /MEZ|MESZ/);
  assert.deepEqual(seen.heads, ["Type", "Name", "50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"]);
  assert.ok(Math.abs(seen.p100 - seen.max) <= 0.005, `100% ${seen.p100} ms, max ${seen.max} ms`);  // 2 decimals
  assert.equal(seen.footWeight, "700");
  assert.equal(seen.footAlign, "right");
  assert.ok(seen.nameLines >= 2, `the long name takes ${seen.nameLines} lines`);
  assert.ok(Math.abs(seen.chartWidth - seen.sectionWidth) <= 2, `chart ${seen.chartWidth} px in ${seen.sectionWidth} px`);
  assert.equal(await page.locator(".scroll-cue:visible").count(), 0);
  await page.screenshot({ path: join(pictures, "report-1280.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => window.swarmReportCharts.rps.width <= 390);
  // Wide tables say they scroll sideways (the statistics at 390 px); none does at 1280 px.
  assert.ok(await page.isVisible("#stats >> xpath=../preceding-sibling::p[contains(@class, 'scroll-cue')]"));
  await page.screenshot({ path: join(pictures, "report-390.png") });

  // Y labels are never clipped: with 20,000 req/s the axis is as wide as its widest label.
  const html = await (await fetch(ui + "stats/report")).text();
  const at = html.indexOf("</script>", html.indexOf("window.SWARM_REPORT = ")) + "</script>".length;
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.setContent(html.slice(0, at) + "<script>for (const p of window.SWARM_REPORT.hello.history) p.rps = 20000;" +
    "</script>" + html.slice(at));
  const axis = await page.evaluate(() => {
    const u = window.swarmReportCharts.rps;
    const ctx = document.createElement("canvas").getContext("2d");
    ctx.font = u.axes[1].font[0] || u.axes[1].font;
    const labels = [...u.root.querySelectorAll(".u-axis")].length;
    const widest = Math.max(...u.axes[1]._values.map((v) => ctx.measureText(v).width));
    return { size: u.axes[1]._size, widest, labels, values: u.axes[1]._values };
  });
  assert.ok(axis.values.some((v) => v.replace(/\D/g, "").length >= 5), `labels ${axis.values}`);
  assert.ok(axis.size >= axis.widest + 10, `axis ${axis.size} px for labels ${axis.widest} px wide`);
}

await runTest("web.ui", main, 90000);
