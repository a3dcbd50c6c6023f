// The page's identity and reach, loaded after app.js: the header's host,
// title and worker count (with the missing ones), the start form's
// memory (localStorage), keyboard use of tabs, sortable headers and rows,
// and the cue that a table scrolls sideways. UI thread only.
"use strict";

// ---- header and title ----
// The tab's title says the state at a glance: "swarm — running — 500 users".
function renderIdentity() {
  const workers = last.workers;
  const missing = workers.filter((w) => w.missing).length;
  $("workers").textContent = last.worker_count;
  $("workers-missing").textContent = missing ? `(${missing} missing)` : "";
  const active = last.state === "spawning" || last.state === "running";
  document.title = `swarm — ${last.state}` + (active ? ` — ${last.user_count} users` : "");
}

// ---- the start form remembers the last values (per scenario, in this browser) ----
const FORM_FIELDS = ["user_count", "spawn_rate", "host", "run_time", "stages", "iterations"];
const formKey = (scenario) => "swarm.form." + scenario;

function rememberForm(scenario, form) {
  const values = {};
  for (const name of FORM_FIELDS) values[name] = form[name].value.trim();
  try {
    localStorage.setItem(formKey(scenario), JSON.stringify(values));
  } catch (e) {
    // private mode or full storage: the form simply starts from the scenario's values
  }
}

function restoreForm(scenario) {
  let values = null;
  try {
    values = JSON.parse(localStorage.getItem(formKey(scenario)) || "null");
  } catch (e) {
    values = null;
  }
  if (!values) return;
  const form = $("start-form");
  for (const name of FORM_FIELDS) {
    if (typeof values[name] === "string") form[name].value = values[name];
  }
}

// ---- keyboard ----
const isActivation = (ev) => ev.key === "Enter" || ev.key === " ";

// Tabs: arrows, Home and End move between them (the ARIA tabs pattern).
document.querySelector("[role=tablist]").addEventListener("keydown", (ev) => {
  const tabs = [...document.querySelectorAll(".tab")];
  const at = tabs.indexOf(document.activeElement);
  if (at < 0) return;
  const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[ev.key];
  if (next === undefined) return;
  ev.preventDefault();
  const tab = tabs[(next + tabs.length) % tabs.length];
  tab.click();
  tab.focus();
});

for (const th of document.querySelectorAll("#stats-table th")) {
  th.addEventListener("keydown", (ev) => {
    if (!isActivation(ev)) return;
    ev.preventDefault();
    th.click();
  });
}

document.querySelector("#stats-table tbody").addEventListener("keydown", (ev) => {
  const tr = ev.target.closest("tr[data-name]");
  if (!tr || !isActivation(ev)) return;
  ev.preventDefault();
  const method = tr.dataset.method, name = tr.dataset.name;
  select({ method, name });  // redraws the rows; renderWindow keeps the focus on this entry's
});

// ---- sideways scroll cue (phones): shown while columns are out of view ----
function updateScrollCue() {
  const box = $("stats-scroll");
  const more = box.scrollWidth - box.clientWidth - box.scrollLeft > 4;
  $("stats-cue").hidden = !more;
}
$("stats-scroll").addEventListener("scroll", updateScrollCue);
window.addEventListener("resize", updateScrollCue);
new ResizeObserver(updateScrollCue).observe($("stats-table"));
