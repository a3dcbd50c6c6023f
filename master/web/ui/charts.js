// The Charts tab (uPlot): total req/s, response times, users, and the
// selected entry's response times. Loaded before app.js, whose `history`,
// `entryHistory`, `selected` and `hello` it reads when drawing. Earlier
// tests' charts are kept in the page (not on the master, which keeps one
// test's history) and picked with the Run selector; cursors are synced
// across the charts; response times can use a log scale; each chart can be
// saved as a PNG. UI thread only.
"use strict";

let charts = null;
// Earlier tests seen by this page: { test, history } with a copy of their points.
const earlierRuns = [];
let shownRun = null;  // null: the current test; else a number in earlierRuns' `test`
let logScale = false;
let currentTest = null;  // the current test's number (tests_started), for its label

// Whole-second ticks: the history has one point a second, and uPlot's own
// choice for a short run is ticks every 50 ms (":02.050").
const SECOND_TICKS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

// Called by app.js before a new test (`next`) clears the history of `test`.
function keepEarlierRun(test, next) {
  currentTest = next;
  // Test 0 is the idle time before the first test: not a run.
  if (!(test > 0) || history.t.length === 0) return renderRunSelect();
  const copy = {};
  for (const k of Object.keys(history)) copy[k] = history[k].slice();
  earlierRuns.push({ test, history: copy });
  if (earlierRuns.length > 10) earlierRuns.shift();  // bounded: 10 runs of up to an hour each
  renderRunSelect();
}

// A page loaded after earlier tests: the master's "earlier_runs" (hello)
// join those this page kept itself (by test number, oldest first).
function restoreEarlierRuns(runs) {
  for (const r of runs || []) {
    if (!(r.test > 0) || earlierRuns.some((e) => e.test === r.test)) continue;
    const copy = {};
    for (const k of Object.keys(history)) copy[k] = r.history.map((p) => (p[k] === undefined ? null : p[k]));
    earlierRuns.push({ test: r.test, history: copy });
  }
  earlierRuns.sort((a, b) => a.test - b.test);
  while (earlierRuns.length > 10) earlierRuns.shift();
  renderRunSelect();
}

// The test whose points the charts show: the current one, or an earlier one picked.
function shownHistory() {
  const run = shownRun === null ? null : earlierRuns.find((r) => r.test === shownRun);
  return run ? run.history : history;
}

function renderRunSelect() {
  const current = currentTest > 0 ? currentTest : null;
  const options = earlierRuns.map((r) => [String(r.test), `Run #${r.test}`]);
  options.push(["", current ? `Run #${current} (current)` : "Current"]);
  const sel = $("run-select");
  sel.innerHTML = options.reverse().map(([v, label]) => `<option value="${v}">${label}</option>`).join("");
  sel.value = shownRun === null ? "" : String(shownRun);
  sel.parentElement.hidden = earlierRuns.length === 0;
}

// The legend's time: seconds into the test and the locale's date and time.
function timeLegend(u, v) {
  if (v === null || v === undefined) return "";
  const t0 = u.data[0].length ? u.data[0][0] : v;
  return `${Math.round(v - t0)} s · ${new Date(v * 1000).toLocaleString()}`;
}

// A series is [label, stroke] or [label, stroke, dash] (a dashed line, e.g. [6, 4]).
// `y` is the y scale's options (log, or from 0).
function chartOpts(title, series, width, y) {
  return {
    title, width, height: 240,
    cursor: { sync: { key: "swarm" } },
    scales: { x: { time: true }, y: y || {} },
    series: [{ label: "time", value: timeLegend },
      ...series.map(([label, stroke, dash]) => (dash ? { label, stroke, width: 2, dash } : { label, stroke, width: 2 }))],
    axes: [axis({ incrs: SECOND_TICKS }), axis({ size: axisSize })],
  };
}

// Axes in the page's colours (dark mode too): uPlot draws them on a canvas, outside CSS.
function axis(opts) {
  const style = getComputedStyle(document.body);
  const line = style.getPropertyValue("--line").trim() || "#d9dee4";
  return Object.assign({ stroke: style.color, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } }, opts);
}

// Wide enough for the longest tick label ("20,000", "1.5k"), so none is clipped.
function axisSize(u, values) {
  const longest = values ? Math.max(...values.map((v) => String(v).length)) : 4;
  return Math.max(50, 14 + longest * 8);
}

// The users axis starts at 0, so 100 → 120 users does not look like 0 → 120.
const FROM_ZERO = { range: (u, min, max) => [0, Math.max(1, max)] };
const LOG = { distr: 3 };

// A log scale cannot draw 0 ms: such seconds are left out (gaps), not bent.
const forLog = (a) => (logScale ? a.map((v) => (v > 0 ? v : null)) : a);

function chartData(h) {
  return {
    rps: [h.t, h.rps, h.fps],
    latency: [h.t, forLog(h.p50), forLog(h.p95), forLog(h.p99)],
    users: [h.t, h.planned, h.users],
  };
}

function chartWidth() {
  return Math.max(300, $("charts").clientWidth - 24);
}

function makeLatencyChart(width, data) {
  return new uPlot(chartOpts("Response times (ms)", [["p50", "#1565c0"], ["p95", "#ef6c00"], ["p99", "#6a1b9a"]],
    width, logScale ? LOG : {}), data, $("chart-latency"));
}

function drawCharts() {
  if (!$("charts").classList.contains("active")) return;
  const h = shownHistory();
  // An empty chart is a sentence, not flat lines at zero.
  // Before the first test the master's seconds are idle ones: nothing to chart.
  const empty = h.t.length === 0 || (shownRun === null && !(currentTest > 0));
  $("charts-empty").hidden = !empty;
  for (const id of ["chart-rps", "chart-latency", "chart-users"]) $(id).hidden = empty;
  const width = chartWidth();
  const data = chartData(h);
  if (!charts) {
    charts = {
      rps: new uPlot(chartOpts("Total requests per second", [["req/s", "#2e7d32"], ["failures/s", "#c62828"]], width),
        data.rps, $("chart-rps")),
      latency: makeLatencyChart(width, data.latency),
      // The planned users first, so the actual users' line is drawn over it.
      users: new uPlot(chartOpts("Number of users", [["planned users", "#90a4ae", [6, 4]], ["users", "#37474f"]],
        width, FROM_ZERO), data.users, $("chart-users")),
    };
    window.swarmCharts = charts;
    for (const id of ["chart-rps", "chart-latency", "chart-users", "chart-entry"]) addSaveButton(id);
    drawEntryChart(width);
    return;
  }
  drawEntryChart(width);
  charts.rps.setData(data.rps);
  charts.latency.setData(data.latency);
  charts.users.setData(data.users);
}

function drawEntryChart(width) {
  $("entry-chart-box").hidden = !selected || shownRun !== null;
  if (!selected) return;
  const data = [entryHistory.t, forLog(entryHistory.p50), forLog(entryHistory.p95), forLog(entryHistory.p99),
    entryHistory.rps];
  if (!charts.entry) {
    const opts = chartOpts(`Response times of ${selected.method} ${selected.name} (ms)`,
      [["p50", "#1565c0"], ["p95", "#ef6c00"], ["p99", "#6a1b9a"]], width, logScale ? LOG : {});
    opts.series.push({ label: "req/s", stroke: "#2e7d32", width: 1, scale: "rps" });
    opts.axes.push(axis({ scale: "rps", side: 1, size: axisSize, grid: { show: false } }));
    opts.spanGaps = false;
    charts.entry = new uPlot(opts, data, $("chart-entry"));
    return;
  }
  charts.entry.setData(data);
}

// ---- save as PNG: the chart's canvas under its title, on the page's background ----
function chartPng(u) {
  const src = u.ctx.canvas;
  const titleHeight = 28 * devicePixelRatio;
  const out = document.createElement("canvas");
  out.width = src.width;
  out.height = src.height + titleHeight;
  const ctx = out.getContext("2d");
  const style = getComputedStyle(document.body);
  ctx.fillStyle = style.getPropertyValue("--panel").trim() || "#fff";
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = style.color;
  ctx.font = `${14 * devicePixelRatio}px system-ui, sans-serif`;
  ctx.fillText(u.root.querySelector(".u-title").textContent, 8 * devicePixelRatio, 19 * devicePixelRatio);
  ctx.drawImage(src, 0, titleHeight);
  return out.toDataURL("image/png");
}

function addSaveButton(id) {
  const box = $(id);
  if (box.previousElementSibling && box.previousElementSibling.classList.contains("save-png")) return;
  const button = document.createElement("button");
  button.className = "save-png";
  button.dataset.chart = id.slice("chart-".length);
  button.textContent = "Save PNG";
  button.title = "Save this chart as a PNG image";
  button.addEventListener("click", () => {
    const key = id.slice("chart-".length);
    if (!charts[key]) return;
    const a = document.createElement("a");
    a.href = chartPng(charts[key]);
    a.download = `swarm-${key}.png`;
    a.click();
  });
  box.before(button);
}

function redrawCharts() {
  if (!charts) return drawCharts();
  for (const c of Object.values(charts)) c.destroy();
  for (const id of ["chart-rps", "chart-latency", "chart-users", "chart-entry"]) $(id).textContent = "";
  charts = null;
  drawCharts();
}

// (Run before app.js, which defines $.)
document.getElementById("log-scale").addEventListener("change", (ev) => { logScale = ev.target.checked; redrawCharts(); });
document.getElementById("run-select").addEventListener("change", (ev) => {
  shownRun = ev.target.value === "" ? null : Number(ev.target.value);
  drawCharts();
});
window.addEventListener("resize", () => {
  if (!charts) return;
  for (const c of Object.values(charts)) c.setSize({ width: chartWidth(), height: 240 });
});
