// The HTML report (/stats/report, --html FILE): draws window.SWARM_REPORT,
// which the master inlined with uPlot, so the file works offline.
"use strict";
(function () {
  const r = window.SWARM_REPORT;
  // stop_reason (master/stop_reason.hpp) in words; unknown ones as they are.
  const STOP_REASONS = { run_time: "run time reached", profile_end: "load profile ended",
    iterations: "iterations reached", stopped: "stopped by the user", interrupted: "interrupted (signal)",
    threshold_abort: "a threshold failed and aborted the test", workers_lost: "workers lost" };
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const f = (v, d) => Number(v).toFixed(d);
  const el = (id) => document.getElementById(id);
  el("title").textContent = "swarm report: " + r.hello.scenario;
  el("summary").textContent = `${new Date(r.start_unix_ms).toISOString()} to ${new Date(r.end_unix_ms).toISOString()}, ` +
    `host ${r.hello.host}, state ${r.state}, failure ratio ${f(r.fail_ratio * 100, 2)}%` +
    (r.dropped_iterations ? `, ${r.dropped_iterations} dropped iterations` : "") +
    (r.profile ? `, profile ${r.profile.stages}${r.profile.manual ? " (switched to manual control)" : ""}` : "") +
    (r.stop_reason ? `, ended by: ${STOP_REASONS[r.stop_reason] || r.stop_reason}` : "");
  // 30000 → "30s", 90000 → "1m30s" (the console's and the UI's form).
  const durationText = (ms) => {
    if (ms < 1000) return `${ms}ms`;
    const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, sec = (ms % 60000) / 1000;
    return (h ? `${h}h` : "") + (m ? `${m}m` : "") + (sec ? `${sec}s` : "");
  };
  // The gates' verdicts with the master's value_text (the console's text).
  const thresholds = r.thresholds || [];
  el("thresholds-section").hidden = thresholds.length === 0;
  const marks = { passing: "\u2713", failing: "\u2717", pending: "\u2026" };
  el("thresholds").innerHTML = "<thead><tr><th></th><th>Threshold</th><th>Value</th><th>Verdict</th><th>Notes</th>" +
    "</tr></thead><tbody>" + thresholds.map((t) => `<tr class="${esc(t.status)}"><td>${marks[t.status] || ""}</td>` +
    `<td>${esc(t.expression)}</td><td>${esc(t.value_text)}</td><td>${esc(t.status)}${t.final ? "" : " (not final)"}</td>` +
    `<td>${[t.aborted ? "aborted the test" : t.abort_on_fail ? "abort on fail" : "",
      t.delay_ms > 0 ? `delay ${durationText(t.delay_ms)}` : "", esc(t.detail || "")].filter(Boolean).join("; ")}</td></tr>`).join("") +
    "</tbody>";
  const cols = [["Type", "method"], ["Name", "name"], ["# Requests", "num_requests"], ["# Fails", "num_failures"],
    ["Median (ms)", "median_response_time_precise"], ["95%ile (ms)", "response_time_percentile_0.95"],
    ["99%ile (ms)", "response_time_percentile_0.99"], ["Average (ms)", "avg_response_time"],
    ["Min (ms)", "min_response_time"], ["Max (ms)", "max_response_time"], ["Average size (bytes)", "avg_content_length"],
    ["RPS", "total_rps"], ["Failures/s", "total_fail_per_sec"]];
  el("stats").innerHTML = "<thead><tr>" + cols.map((c) => `<th>${c[0]}</th>`).join("") + "</tr></thead><tbody>" +
    r.stats.map((s) => "<tr>" + cols.map((c) => {
      const v = s[c[1]];
      return `<td>${typeof v === "number" && !Number.isInteger(v) ? f(v, 2) : esc(v)}</td>`;
    }).join("") + "</tr>").join("") + "</tbody>";
  // Per user class; ITER rows above are open classes' iterations, not in Aggregated.
  const classes = r.classes || [];
  el("classes-section").hidden = classes.length === 0;
  el("classes").innerHTML = "<thead><tr><th>Class</th><th>Iterations</th><th>Dropped iterations</th>" +
    "<th>Pacing overruns</th></tr></thead><tbody>" + classes.map((c) => `<tr><td>${esc(c.name)}</td>` +
    `<td>${c.iterations}</td><td>${c.dropped_iterations}</td><td>${c.pacing_overruns}</td></tr>`).join("") + "</tbody>";
  el("failures").innerHTML = "<thead><tr><th>Type</th><th>Name</th><th>Message</th><th># Occurrences</th></tr></thead><tbody>" +
    r.errors.map((e) => `<tr><td>${esc(e.method)}</td><td>${esc(e.name)}</td><td>${esc(e.error)}</td><td>${e.occurrences}</td></tr>`).join("") +
    "</tbody>";
  const list = (tasks) => "<ul>" + tasks.map((t) => `<li>${f(t.class_ratio * 100, 1)}% ${esc(t.name)}` +
    (t.tasks ? list(t.tasks) : "") + "</li>").join("") + "</ul>";
  el("ratio").innerHTML = r.hello.ratio.map((c) => `<h3>${esc(c.name)}</h3>` + list(c.tasks)).join("");
  const h = r.hello.history;
  const col = (k) => h.map((p) => (p[k] === undefined ? null : p[k]));
  // Whole-second ticks (one point a second), as in the live UI.
  const ticks = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];
  const opts = (title, series) => ({ title, width: 900, height: 240, scales: { x: { time: true } },
    series: [{}, ...series.map(([label, stroke, dash]) => (dash ? { label, stroke, width: 2, dash } : { label, stroke, width: 2 }))],
    axes: [{ incrs: ticks }, {}] });
  new uPlot(opts("Requests per second", [["req/s", "#2e7d32"], ["failures/s", "#c62828"]]),
    [col("t"), col("rps"), col("fps")], el("chart-rps"));
  new uPlot(opts("Response times (ms)", [["p50", "#1565c0"], ["p95", "#ef6c00"], ["p99", "#6a1b9a"]]),
    [col("t"), col("p50"), col("p95"), col("p99")], el("chart-latency"));
  // The profile's planned users dashed, under the actual users.
  window.swarmReportCharts = {
    users: new uPlot(opts("Users", [["planned users", "#90a4ae", [6, 4]], ["users", "#37474f"]]),
      [col("t"), col("planned"), col("users")], el("chart-users")),
  };
})();
