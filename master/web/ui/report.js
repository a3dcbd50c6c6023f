// The HTML report (/stats/report, --html FILE): draws window.SWARM_REPORT,
// which the master inlined with uPlot, so the file works offline. Meant to be
// sent as it is: a header of the test's facts (host, scenario, local start
// and end, duration, users or profile, workers, thresholds, dropped
// iterations), Locust's tables (statistics and response-time percentiles,
// numbers right-aligned, Aggregated in bold) and charts as wide as the page.
"use strict";
(function () {
  const r = window.SWARM_REPORT;
  // stop_reason (master/stop_reason.hpp) in words; unknown ones as they are.
  const STOP_REASONS = { run_time: "run time reached", profile_end: "load profile ended",
    iterations: "iterations reached", stopped: "stopped by the user", interrupted: "interrupted (signal)",
    threshold_abort: "a threshold failed and aborted the test", workers_lost: "workers lost",
    data_exhausted: "a data set was used up (on_end: stop_test)" };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const f = (v, d) => Number(v).toFixed(d);
  const el = (id) => document.getElementById(id);
  // The reader's local time, with the zone: the report travels.
  const local = (ms) => new Date(ms).toLocaleString(undefined, { timeZoneName: "short" });
  // 30000 → "30s", 90000 → "1m30s" (the console's and the UI's form).
  const durationText = (ms) => {
    if (ms < 1000) return `${ms}ms`;
    const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, sec = Math.round((ms % 60000) / 100) / 10;
    return (h ? `${h}h` : "") + (m ? `${m}m` : "") + (sec ? `${sec}s` : "");
  };
  const history = r.hello.history;
  const thresholds = r.thresholds || [];

  el("title").textContent = "swarm report: " + r.hello.scenario;
  document.title = `swarm report: ${r.hello.scenario} (${local(r.start_unix_ms)})`;
  const peakUsers = history.reduce((m, p) => Math.max(m, p.users || 0), r.user_count || 0);
  const total = r.stats[r.stats.length - 1];
  const passing = thresholds.filter((t) => t.status === "passing").length;
  const failing = thresholds.filter((t) => t.status === "failing").length;
  const facts = [
    ["Host", r.hello.host],
    ["Scenario", r.hello.scenario],
    ["Start", local(r.start_unix_ms)],
    ["End", local(r.end_unix_ms)],
    ["Duration", durationText(Math.max(0, r.end_unix_ms - r.start_unix_ms))],
    ["Users", r.profile ? `profile ${r.profile.stages}${r.profile.manual ? " (switched to manual control)" : ""}, peak ${peakUsers}`
      : `${peakUsers} (peak)`],
    ["Workers", String((r.workers || []).filter((w) => !w.missing).length) +
      ((r.workers_lost || []).length ? ` (${r.workers_lost.length} lost)` : "")],
    ["Requests", `${total.num_requests}, ${total.num_failures} failed (${f(r.fail_ratio * 100, 2)}%)`],
    ["Dropped iterations", String(r.dropped_iterations || 0)],
    ["Thresholds", thresholds.length ? `${passing} of ${thresholds.length} passing` + (failing ? `, ${failing} failing` : "") : "none"],
    // No reason recorded: the state says whether it ended.
    ["Ended by", r.stop_reason ? STOP_REASONS[r.stop_reason] || r.stop_reason
      : r.state === "stopped" ? "stopped" : `not yet (${r.state})`],
    ["swarm", r.hello.version || ""],
  ];
  el("facts").innerHTML = facts.map(([k, v]) => `<div class="${k === "Thresholds" && failing ? "bad" : ""}">` +
    `<dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join("");
  el("summary").textContent = `${local(r.start_unix_ms)} to ${local(r.end_unix_ms)}, ` +
    `host ${r.hello.host}, state ${r.state}, failure ratio ${f(r.fail_ratio * 100, 2)}%` +
    (r.dropped_iterations ? `, ${r.dropped_iterations} dropped iterations` : "") +
    (r.profile ? `, profile ${r.profile.stages}${r.profile.manual ? " (switched to manual control)" : ""}` : "") +
    (r.stop_reason ? `, ended by: ${STOP_REASONS[r.stop_reason] || r.stop_reason}` : "");

  // The gates' verdicts with the master's value_text (the console's text).
  el("thresholds-section").hidden = thresholds.length === 0;
  const marks = { passing: "\u2713", failing: "\u2717", pending: "\u2026" };
  el("thresholds").innerHTML = "<thead><tr><th></th><th>Threshold</th><th class=\"num\">Value</th><th>Verdict</th><th>Notes</th>" +
    "</tr></thead><tbody>" + thresholds.map((t) => `<tr class="${esc(t.status)}"><td>${marks[t.status] || ""}</td>` +
    `<td class="name">${esc(t.expression)}</td><td class="num">${esc(t.value_text)}</td><td>${esc(t.status)}${t.final ? "" : " (not final)"}</td>` +
    `<td>${[t.aborted ? "aborted the test" : t.abort_on_fail ? "abort on fail" : "",
      t.delay_ms > 0 ? `delay ${durationText(t.delay_ms)}` : "", esc(t.detail || "")].filter(Boolean).join("; ")}</td></tr>`).join("") +
    "</tbody>";

  // A table of r.stats: the last row (Aggregated) in <tfoot>, bold; figures right-aligned.
  const cell = (v, key) => (typeof v === "number" ? `<td class="num">${Number.isInteger(v) ? v : f(v, 2)}</td>`
    : `<td${key === "name" ? ' class="name"' : ""}>${esc(v)}</td>`);
  const table = (cols) => "<thead><tr>" + cols.map(([label, key]) =>
    `<th${key === "method" || key === "name" ? "" : ' class="num"'}>${label}</th>`).join("") + "</tr></thead>" +
    "<tbody>" + r.stats.slice(0, -1).map((s) => "<tr>" + cols.map((c) => cell(s[c[1]], c[1])).join("") + "</tr>").join("") +
    "</tbody><tfoot><tr>" + cols.map((c) => cell(total[c[1]], c[1])).join("") + "</tr></tfoot>";
  el("stats").innerHTML = table([["Type", "method"], ["Name", "name"], ["# Requests", "num_requests"],
    ["# Fails", "num_failures"], ["Median (ms)", "median_response_time_precise"], ["95%ile (ms)", "response_time_percentile_0.95"],
    ["99%ile (ms)", "response_time_percentile_0.99"], ["Average (ms)", "avg_response_time"],
    ["Min (ms)", "min_response_time"], ["Max (ms)", "max_response_time"], ["Average size (bytes)", "avg_content_length"],
    ["RPS", "total_rps"], ["Failures/s", "total_fail_per_sec"]]);
  // Locust's percentile table: the keys as stats_json.cpp's percentile_key writes them.
  const PERCENTILES = [["50%", "0.5"], ["66%", "0.66"], ["75%", "0.75"], ["80%", "0.8"], ["90%", "0.9"], ["95%", "0.95"],
    ["98%", "0.98"], ["99%", "0.99"], ["99.9%", "0.999"], ["99.99%", "0.9999"], ["100%", "1.0"]];
  el("percentiles").innerHTML = table([["Type", "method"], ["Name", "name"],
    ...PERCENTILES.map(([label, key]) => [label, "response_time_percentile_" + key])]);

  // Per user class; ITER rows above are open classes' iterations, not in Aggregated.
  const classes = r.classes || [];
  el("classes-section").hidden = classes.length === 0;
  el("classes").innerHTML = "<thead><tr><th>Class</th><th class=\"num\">Iterations</th><th class=\"num\">Dropped iterations</th>" +
    "<th class=\"num\">Pacing overruns</th></tr></thead><tbody>" + classes.map((c) => `<tr><td>${esc(c.name)}</td>` +
    `<td class="num">${c.iterations}</td><td class="num">${c.dropped_iterations}</td><td class="num">${c.pacing_overruns}</td></tr>`).join("") +
    "</tbody>";
  el("failures").innerHTML = "<thead><tr><th>Type</th><th>Name</th><th>Message</th><th class=\"num\"># Occurrences</th></tr></thead><tbody>" +
    r.errors.map((e) => `<tr><td>${esc(e.method)}</td><td class="name">${esc(e.name)}</td><td class="name">${esc(e.error)}</td>` +
      `<td class="num">${e.occurrences}</td></tr>`).join("") + "</tbody>";
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
  const list = (tasks) => "<ul>" + tasks.map((t) => `<li>${percentText(t.class_ratio)} ${esc(t.name)}` +
    (t.tasks ? list(t.tasks) : "") + "</li>").join("") + "</ul>";
  el("ratio").innerHTML = r.hello.ratio.map((c) => `<h3>${esc(c.name)}: ` +
    `${c.fixed_count !== undefined ? c.fixed_count + " users (fixed)" : percentText(c.share) + " of users"}</h3>` +
    list(c.tasks)).join("");

  const col = (k) => history.map((p) => (p[k] === undefined ? null : p[k]));
  const width = () => Math.max(300, el("charts-section").clientWidth);
  // Whole-second ticks (one point a second), as in the live UI; the legend's
  // time in the reader's locale; y labels given room ("20,000" is not clipped).
  const ticks = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];
  const axisSize = (u, values) => Math.max(50, 14 + (values ? Math.max(...values.map((v) => String(v).length)) : 4) * 8);
  const style = getComputedStyle(document.body);
  const axis = (o) => Object.assign({ stroke: style.color, grid: { stroke: style.getPropertyValue("--line").trim(), width: 1 } }, o);
  const opts = (title, series, y) => ({ title, width: width(), height: 240, cursor: { sync: { key: "report" } },
    scales: { x: { time: true }, y: y || {} },
    series: [{ label: "time", value: (u, v) => (v === null ? "" : new Date(v * 1000).toLocaleString()) },
      ...series.map(([label, stroke, dash]) => (dash ? { label, stroke, width: 2, dash } : { label, stroke, width: 2 }))],
    axes: [axis({ incrs: ticks }), axis({ size: axisSize })] });
  const charts = {
    rps: new uPlot(opts("Requests per second", [["req/s", "#2e7d32"], ["failures/s", "#c62828"]]),
      [col("t"), col("rps"), col("fps")], el("chart-rps")),
    latency: new uPlot(opts("Response times (ms)", [["p50", "#1565c0"], ["p95", "#ef6c00"], ["p99", "#6a1b9a"]]),
      [col("t"), col("p50"), col("p95"), col("p99")], el("chart-latency")),
    // The profile's planned users dashed, under the actual users; the axis from 0.
    users: new uPlot(opts("Users", [["planned users", "#90a4ae", [6, 4]], ["users", "#37474f"]],
      { range: (u, min, max) => [0, Math.max(1, max)] }), [col("t"), col("planned"), col("users")], el("chart-users")),
  };
  window.swarmReportCharts = charts;
  // A table wider than the screen (a phone) says that it scrolls sideways.
  const cues = () => {
    for (const box of document.querySelectorAll(".wide")) {
      const more = box.scrollWidth - box.clientWidth - box.scrollLeft > 4;
      let cue = box.previousElementSibling;
      if (!cue || !cue.classList.contains("scroll-cue")) {
        cue = document.createElement("p");
        cue.className = "scroll-cue";
        cue.textContent = "More columns to the right: scroll sideways \u2192";
        box.before(cue);
        box.addEventListener("scroll", cues);
      }
      cue.hidden = !more;
    }
  };
  cues();
  window.addEventListener("resize", () => {
    for (const c of Object.values(charts)) c.setSize({ width: width(), height: 240 });
    cues();
  });
})();
