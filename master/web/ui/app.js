// swarm's web UI: one page, plain JS. Live data arrives over the WebSocket
// (/ws): first a "hello" (scenario, defaults, history so far), then one
// "snapshot" a second. Commands go to the REST API with relative URLs, so the
// page works under any --web-base-path.
"use strict";

const $ = (id) => document.getElementById(id);
const base = location.pathname.replace(/[^/]*$/, "");
// planned: the load profile's users (null without one); dropped: that second's dropped iterations.
const history = { t: [], rps: [], fps: [], p50: [], p95: [], p99: [], users: [], planned: [], dropped: [] };
const MAX_POINTS = 3600;
let hello = null;
let last = null;
// The test the charts' history belongs to (tests_started): the master keeps
// one test's history, so a new test starts the charts afresh, as a reload would.
let historyOfTest = null;
let sortKey = null;
let sortDesc = false;
let formMode = "new";
// The entry whose response times the Charts tab shows (a row click picks
// it; kept in the URL's #hash so a reload keeps it), and its history,
// fetched from /stats/entry_history and then one second at a time.
let selected = null;
const entryHistory = { t: [], rps: [], fps: [], p50: [], p95: [], p99: [] };
let entryFetching = false;

// ---- formatting ----
const fmt = (v, digits) => (v === undefined || v === null ? "" : Number(v).toFixed(digits));
const ms = (v) => (v < 10 ? fmt(v, 2) : v < 100 ? fmt(v, 1) : fmt(v, 0));
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// ---- tabs ----
for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    for (const t of document.querySelectorAll(".tab")) {
      t.classList.toggle("active", t === tab);
      t.setAttribute("aria-selected", String(t === tab));
      t.tabIndex = t === tab ? 0 : -1;  // one tab stop; arrows move between tabs (look.js)
    }
    for (const p of document.querySelectorAll(".panel")) p.classList.toggle("active", p.id === tab.dataset.tab);
    if (tab.dataset.tab === "charts") drawCharts();
    if (tab.dataset.tab === "stats") renderStats();
  });
}

// ---- statistics table ----
function isSelected(s) {
  return selected !== null && selected.method === s.method && selected.name === s.name;
}

// ITER rows (open classes' iterations) are listed like names; Aggregated leaves them out.
function statsRow(s, total) {
  const cls = [isSelected(s) ? "selected" : "", s.method === "ITER" ? "iter" : ""].filter(Boolean).join(" ");
  // tabindex: a row opens its chart by keyboard too (Enter/Space, look.js).
  const attrs = total ? "" : ` tabindex="0" data-method="${esc(s.method)}" data-name="${esc(s.name)}"` +
    (cls ? ` class="${cls}"` : "");
  return `<tr${attrs}><td>${esc(s.method)}</td><td class="name" title="${esc(s.name)}">${esc(s.name)}</td>` +
    `<td class="num">${s.num_requests}</td><td class="num">${s.num_failures}</td>` +
    `<td class="num">${ms(s.median_response_time_precise)}</td>` +
    `<td class="num">${ms(s["response_time_percentile_0.9"])}</td>` +
    `<td class="num">${ms(s["response_time_percentile_0.95"])}</td>` +
    `<td class="num">${ms(s["response_time_percentile_0.99"])}</td>` +
    `<td class="num">${ms(s.avg_response_time)}</td><td class="num">${ms(s.min_response_time)}</td>` +
    `<td class="num">${ms(s.max_response_time)}</td><td class="num">${fmt(s.avg_content_length, 0)}</td>` +
    `<td class="num">${fmt(s.current_rps, 1)}</td><td class="num">${fmt(s.current_fail_per_sec, 1)}</td></tr>`;
}

// Up to VIRTUAL_FROM rows are all rendered. Past that (the master caps
// names at 1000) the table is a window onto the sorted rows: only the rows
// in view (plus OVERSCAN either side) are in the DOM, between two spacer
// rows that keep the scroll height, because laying out a 1000-row table
// every second costs the browser hundreds of ms. Rendered only while the
// Statistics tab is showing.
const VIRTUAL_FROM = 200;
const OVERSCAN = 20;
let sortedRows = [];
let rowHeight = 0;  // px, measured from a rendered row

function sortRows(rows) {
  if (!sortKey) return rows;
  return rows.sort((a, b) => {
    const x = a[sortKey], y = b[sortKey];
    const c = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
    return sortDesc ? -c : c;
  });
}

function renderStats() {
  if (!last || !$("stats").classList.contains("active")) return;
  sortedRows = sortRows(last.stats.slice(0, -1));
  $("stats-table").dataset.rows = String(sortedRows.length);
  $("stats-count").textContent = sortedRows.length > VIRTUAL_FROM ? `${sortedRows.length} entries (scroll for more)` : "";
  document.querySelector("#stats-table tfoot").innerHTML = statsRow(last.stats[last.stats.length - 1], true);
  renderWindow();
}

// Rows are redrawn every second: a row that has the keyboard focus keeps it.
function renderWindow() {
  const focused = document.activeElement && document.activeElement.closest("#stats-table tbody tr[data-name]");
  renderRows();
  if (!focused) return;
  for (const row of document.querySelectorAll("#stats-table tbody tr[data-name]")) {
    if (row.dataset.method === focused.dataset.method && row.dataset.name === focused.dataset.name) row.focus();
  }
}

function renderRows() {
  const body = document.querySelector("#stats-table tbody");
  const rows = sortedRows;
  if (rows.length <= VIRTUAL_FROM) {
    body.innerHTML = rows.map((r) => statsRow(r, false)).join("");
    return;
  }
  const box = $("stats-scroll");
  const h = rowHeight || 27;
  const first = Math.max(0, Math.floor(box.scrollTop / h) - OVERSCAN);
  const count = Math.ceil(box.clientHeight / h) + 2 * OVERSCAN;
  const end = Math.min(rows.length, first + count);
  const spacer = (px) => `<tr class="spacer"><td colspan="14" style="height:${px}px"></td></tr>`;
  body.innerHTML = spacer(first * h) + rows.slice(first, end).map((r) => statsRow(r, false)).join("") +
    spacer((rows.length - end) * h);
  const sample = body.querySelector("tr[data-name]");
  if (!rowHeight && sample) {
    rowHeight = sample.getBoundingClientRect().height;
    if (rowHeight && Math.abs(rowHeight - h) > 0.5) renderRows();
  }
}

let windowQueued = false;
$("stats-scroll").addEventListener("scroll", () => {
  if (windowQueued || sortedRows.length <= VIRTUAL_FROM) return;
  windowQueued = true;
  requestAnimationFrame(() => { windowQueued = false; renderWindow(); });
});

for (const th of document.querySelectorAll("#stats-table th")) {
  th.addEventListener("click", () => {
    sortDesc = sortKey === th.dataset.key ? !sortDesc : false;
    sortKey = th.dataset.key;
    for (const o of document.querySelectorAll("#stats-table th")) {
      o.classList.remove("sorted-asc", "sorted-desc");
      o.setAttribute("aria-sort", "none");
    }
    th.classList.add(sortDesc ? "sorted-desc" : "sorted-asc");
    th.setAttribute("aria-sort", sortDesc ? "descending" : "ascending");
    renderStats();
  });
}

document.querySelector("#stats-table tbody").addEventListener("click", (ev) => {
  const tr = ev.target.closest("tr[data-name]");
  if (!tr) return;
  select({ method: tr.dataset.method, name: tr.dataset.name });
});

// ---- per-entry response times ----
function select(entry) {
  selected = entry;
  for (const k of Object.keys(entryHistory)) entryHistory[k].length = 0;
  replaceHash(entry);
  $("entry-hint").textContent = entry ? `Response times of ${entry.method} ${entry.name}: see Charts` : "";
  $("entry-title").textContent = entry ? `${entry.method} ${entry.name}` : "";
  if (charts && charts.entry) { charts.entry.destroy(); delete charts.entry; }
  renderStats();
  fetchEntryHistory();
}

// (`history` is the charts' data here, so the browser's is window.history.)
function replaceHash(entry) {
  const hash = entry ? "#" + new URLSearchParams({ method: entry.method, name: entry.name }).toString() : "";
  window.history.replaceState(null, "", location.pathname + location.search + hash);
}

function selectionFromHash() {
  if (location.hash.length < 2) return null;
  const p = new URLSearchParams(location.hash.slice(1));
  return p.has("name") ? { method: p.get("method") || "", name: p.get("name") } : null;
}

async function fetchEntryHistory() {
  if (!selected || entryFetching) return;
  entryFetching = true;
  const want = selected;
  try {
    const n = entryHistory.t.length;
    const since = n ? entryHistory.t[n - 1] : 0;
    const q = new URLSearchParams({ method: want.method, name: want.name, since: String(since) });
    const res = await fetch(base + "stats/entry_history?" + q.toString());
    if (!res.ok || want !== selected) return;
    const doc = await res.json();
    for (const p of doc.points) {
      const m = entryHistory.t.length;
      if (m && p.t <= entryHistory.t[m - 1]) continue;
      for (const k of Object.keys(entryHistory)) {
        entryHistory[k].push(p[k]);
        if (entryHistory[k].length > MAX_POINTS) entryHistory[k].shift();
      }
    }
    drawCharts();
  } catch (e) {
    // the next snapshot retries
  } finally {
    entryFetching = false;
  }
}

// ---- failures, workers, ratio ----
function renderFailures() {
  $("failure-count").textContent = last.errors.length ? `(${last.errors.length})` : "";
  document.querySelector("#failures-table tbody").innerHTML = last.errors
    .map((e) => `<tr><td>${esc(e.method)}</td><td class="name">${esc(e.name)}</td><td>${esc(e.error)}</td>` +
      `<td class="num">${e.occurrences}</td></tr>`).join("");
}

// Per user class: shown once a class reported (open classes, pacing, iterations).
function renderClasses() {
  const classes = last.classes || [];
  $("classes-box").hidden = classes.length === 0;
  document.querySelector("#classes-table tbody").innerHTML = classes
    .map((c) => `<tr><td>${esc(c.name)}</td><td class="num">${c.iterations}</td>` +
      `<td class="num${c.dropped_iterations ? " bad" : ""}">${c.dropped_iterations}</td>` +
      `<td class="num">${c.pacing_overruns}</td></tr>`).join("");
}

// The gates' verdicts (issue 14): one row each, ✓/✗/… with the master's
// value_text (the console's and the reports' text); hidden without thresholds.
const MARKS = { passing: "\u2713", failing: "\u2717", pending: "\u2026" };

// 30000 → "30s", 90000 → "1m30s", 500 → "500ms" (the console's form).
function durationText(ms) {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, sec = (ms % 60000) / 1000;
  return (h ? `${h}h` : "") + (m ? `${m}m` : "") + (sec ? `${sec}s` : "");
}

function thresholdNotes(t) {
  const badges = [];
  if (t.aborted) badges.push('<span class="badge bad">aborted the test</span>');
  else if (t.abort_on_fail) badges.push('<span class="badge">abort on fail</span>');
  if (t.delay_ms > 0) badges.push(`<span class="badge">delay ${durationText(t.delay_ms)}</span>`);
  return badges.join("") + esc(t.detail || "");
}

function thresholdsSummary(list) {
  const passing = list.filter((t) => t.status === "passing").length;
  const failing = list.filter((t) => t.status === "failing").length;
  return { text: `${passing}/${list.length} \u2713` + (failing ? ` ${failing} \u2717` : ""), failing };
}

function renderThresholds() {
  const list = last.thresholds || [];
  $("thresholds-panel").hidden = list.length === 0;
  $("thresholds-box").hidden = list.length === 0;
  const summary = thresholdsSummary(list);
  $("thresholds-summary").textContent = summary.text;
  $("thresholds-box").classList.toggle("warn", summary.failing > 0);
  document.querySelector("#thresholds-table tbody").innerHTML = list
    .map((t) => `<tr class="${esc(t.status)}"><td class="mark">${MARKS[t.status] || ""}</td>` +
      `<td class="name">${esc(t.expression)}</td><td class="num value">${esc(t.value_text)}</td>` +
      `<td>${esc(t.status)}${t.final ? " (final)" : ""}</td><td>${thresholdNotes(t)}</td></tr>`).join("");
}

function renderWorkers() {
  // One row per entry: a worker back under its name replaces its missing
  // entry in the master (coordinator::replace_missing_namesake).
  document.querySelector("#workers-table tbody").innerHTML = last.workers
    .map((w) => `<tr class="${w.missing ? "missing" : ""}"><td>${esc(w.id)}</td><td>${esc(w.host)}</td>` +
      `<td>${esc(w.state)}${w.missing ? " ⚠" : ""}</td><td class="num">${w.user_count}</td>` +
      `<td class="num">${w.num_requests}</td><td class="num">${fmt(w.cpu_usage, 1)}</td>` +
      `<td class="num">${fmt(w.memory_usage / 1048576, 1)}</td><td class="num">${fmt(w.last_heard_ms_ago / 1000, 1)}</td></tr>`)
    .join("");
}

// A share (0..1) as "31.2%": one decimal, ties to even on the exact binary
// value, as Python's "%.1f" (Locust) and `swarm check --ratio` round (toFixed
// alone rounds ties up: 31.25 → "31.3"). toFixed(100) shows a double's exact
// digits far enough to tell a tie from its neighbours.
function percentText(fraction) {
  const v = fraction * 100;
  const exact = v.toFixed(100);
  const dot = exact.indexOf(".");
  const tie = /^50*$/.test(exact.slice(dot + 2));
  if (tie && Number(exact[dot + 1]) % 2 === 0) return exact.slice(0, dot + 2) + "%";
  return v.toFixed(1) + "%";
}

function ratioList(tasks) {
  return "<ul>" + tasks.map((t) => `<li>${percentText(t.class_ratio)} ${esc(t.name)}` +
    (t.tasks ? ratioList(t.tasks) : "") + "</li>").join("") + "</ul>";
}

function renderRatio() {
  $("ratio-body").innerHTML = hello.ratio.map((c) =>
    `<h3>${esc(c.name)}: ${c.fixed_count !== undefined ? c.fixed_count + " users (fixed)" : percentText(c.share) + " of users"}</h3>` +
    ratioList(c.tasks)).join("");
}

// ---- header and buttons ----
function renderHeader() {
  $("state").textContent = last.state;
  $("users").textContent = last.user_count;
  renderIdentity();  // look.js: host, title, workers (missing)
  // A stopped test sends nothing now: its header shows the test's average.
  const stopped = last.state === "stopped";
  $("rps-label").textContent = stopped ? "avg req/s" : "req/s";
  $("rps").textContent = fmt(stopped ? last.average_rps : last.total_rps, 1);
  $("failpct").textContent = fmt(last.fail_ratio * 100, 1) + "%";
  $("dropped-box").hidden = !last.dropped_iterations;
  $("dropped").textContent = last.dropped_iterations || 0;
  const profile = last.profile;
  $("profile-box").hidden = !profile || profile.manual || profile.stage === null;
  if (profile && profile.stage !== null && profile.stage !== undefined) {
    $("profile").textContent = profile.stage > profile.stage_count ? `all ${profile.stage_count} stages done`
      : `stage ${profile.stage} of ${profile.stage_count}`;
    $("profile-box").title = profile.stages;
  }
  $("manual-banner").hidden = !(profile && profile.manual);
  const active = last.state === "spawning" || last.state === "running";
  $("stop").hidden = !active;
  $("edit").hidden = !active;
  $("new-test").hidden = active || last.state === "stopping";
}

function addPoint(p) {
  const n = history.t.length;
  if (n && p.t <= history.t[n - 1]) return;
  for (const k of Object.keys(history)) {
    history[k].push(p[k] === undefined ? null : p[k]);
    if (history[k].length > MAX_POINTS) history[k].shift();
  }
}

// ---- live data ----
function clearHistory() {
  for (const k of Object.keys(history)) history[k].length = 0;
  for (const k of Object.keys(entryHistory)) entryHistory[k].length = 0;
}

function onHello(h) {
  hello = h;
  if (h.tests_started !== historyOfTest) keepEarlierRun(historyOfTest, h.tests_started);
  clearHistory();
  historyOfTest = h.tests_started;
  for (const p of h.history) addPoint(p);
  currentTest = h.tests_started;
  restoreEarlierRuns(h.earlier_runs);  // charts.js: Run #N of the tests before, after a reload
  $("scenario").textContent = $("scenario").title = h.scenario;
  $("host").textContent = $("host").title = h.host;
  $("version").textContent = h.version ? "v" + h.version : "";
  $("f-users").value = h.users;
  $("f-rate").value = h.spawn_rate;
  $("f-host").value = h.host;
  $("f-time").value = h.run_time;
  $("f-stages").value = h.stages || "";
  $("f-iterations").value = h.iterations === null || h.iterations === undefined ? "" : h.iterations;
  restoreForm(h.scenario);  // look.js: the values this browser last started this scenario with
  renderRatio();
  drawCharts();
}

function onSnapshot(s) {
  const first = last === null;
  last = s;
  if (s.tests_started !== historyOfTest) {
    keepEarlierRun(historyOfTest, s.tests_started);
    clearHistory();
    historyOfTest = s.tests_started;
  }
  for (const p of s.points || []) addPoint(p);
  renderHeader();
  renderStats();
  renderFailures();
  renderClasses();
  renderThresholds();
  renderWorkers();
  drawCharts();
  fetchEntryHistory();
  formSync.follow(s, formMode, openForm);
  if (first && s.state === "ready" && s.tests_started === 0) openForm("new");
}

let retry = 500;
function connect() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + base + "ws");
  liveness.watch(ws, connect);
  ws.onopen = () => { retry = 500; $("conn").textContent = "live"; $("conn").classList.remove("down"); };
  ws.onmessage = (ev) => {
    liveness.heard();
    const m = JSON.parse(ev.data);
    if (m.type === "hello") onHello(m);
    else if (m.type === "snapshot") onSnapshot(m);
  };
  ws.onclose = () => {
    $("conn").textContent = "disconnected; retrying";
    $("conn").classList.add("down");
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  };
}

// ---- start / edit form ----
// A bare number is seconds ("20" = 20 s), as the API and Locust read it.
const DURATION = /^(\d+(\.\d+)?|(\d+(\.\d+)?(ms|us|h|m|s))+)$/;

function fieldError(name, text) {
  const span = document.querySelector(`.field-error[data-for="${name}"]`);
  if (span) span.textContent = text || "";
  const input = document.querySelector(`#start-form input[name="${name}"]`);
  if (input) input.classList.toggle("invalid", !!text);
  return !text;
}

const USERS = /^\d+$/;
const usersOk = (form) => USERS.test(form.user_count.value.trim());
const rateOk = (form) => form.spawn_rate.value.trim() !== "" && Number(form.spawn_rate.value.trim()) > 0;
// A new test with a profile: its stages set the users and rate (the master checks their text).
const withProfile = (form) => formMode === "new" && form.stages.value.trim() !== "";

function validate(form) {
  let ok = true;
  const profile = withProfile(form);
  ok = fieldError("user_count", profile || usersOk(form) ? "" : "a whole number of users, 0 or more") && ok;
  ok = fieldError("spawn_rate", profile || rateOk(form) ? "" : "a number above 0") && ok;
  if (formMode === "new") {
    const host = form.host.value.trim();
    ok = fieldError("host", host === "" || /^https?:\/\/./.test(host) ? "" : "http://... or https://...") && ok;
    const time = form.run_time.value.trim();
    ok = fieldError("run_time", time === "" || DURATION.test(time) ? "" : "a duration like 30s, 5m or 1h30m") && ok;
    const n = form.iterations.value.trim();
    ok = fieldError("iterations", n === "" || /^[1-9]\d*$/.test(n) ? "" : "a whole number above 0, or empty") && ok;
  }
  return ok;
}

function openForm(mode) {
  formMode = mode;
  $("form-title").textContent = mode === "edit" ? "Change the running test" : "Start a new test";
  $("start-submit").textContent = mode === "edit" ? "Update" : "Start";
  for (const el of document.querySelectorAll(".for-new")) el.hidden = mode === "edit";
  $("form-error").textContent = "";
  formSync.clearNotice();
  formSync.opened(last);
  if (mode === "edit" && last) formSync.fillEdit(last);
  // Said before submitting: an edit hands a profile test over to the form's numbers.
  $("manual-note").hidden = !(mode === "edit" && last && last.profile && !last.profile.manual);
  if (!$("start-dialog").open) $("start-dialog").showModal();
}

$("start-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = ev.target;
  if (!validate(form)) return;
  const body = new URLSearchParams();
  // With a profile, users and rate are sent only when valid (Locust's fields, ignored then).
  if (!withProfile(form) || usersOk(form)) body.set("user_count", form.user_count.value.trim());
  if (!withProfile(form) || rateOk(form)) body.set("spawn_rate", form.spawn_rate.value.trim());
  if (formMode === "new") {
    body.set("host", form.host.value.trim());
    body.set("run_time", form.run_time.value.trim());
    body.set("stages", form.stages.value.trim());
    body.set("iterations", form.iterations.value.trim());
  }
  formSync.sign(body);
  let res;
  try {
    res = await fetch(base + "swarm", { method: "POST", body });
  } catch (e) {
    $("form-error").textContent = `could not reach the master: ${e.message}`;
    return;
  }
  const answer = await res.json().catch(() => ({ message: res.statusText }));
  if (!res.ok) {
    const field = /^(\w+):/.exec(answer.message || "");
    if (field && document.querySelector(`.field-error[data-for="${field[1]}"]`)) fieldError(field[1], answer.message);
    else $("form-error").textContent = answer.message;
    return;
  }
  if (formMode === "new") rememberForm(hello.scenario, form);
  formSync.done(answer);
  $("start-dialog").close();
});
$("start-cancel").addEventListener("click", () => $("start-dialog").close());
$("new-test").addEventListener("click", () => openForm("new"));
$("edit").addEventListener("click", () => openForm("edit"));
$("stop").addEventListener("click", () => liveness.command(base, "stop", "Stop"));
$("reset").addEventListener("click", () => liveness.command(base, "stats/reset", "Reset stats"));

const fromHash = selectionFromHash();
if (fromHash) select(fromHash);
// After every script (charts.js, look.js) has run: the hello may arrive at once.
document.addEventListener("DOMContentLoaded", connect);
