// web.ui_workers: a worker that dies and comes back under its name is one
// entry in the master's /workers and /stats/requests and one row in the Workers tab, and the header's "(N missing)" counts it only
// while it is away. Real `swarm master`, `swarm worker` (SIGKILLed, then
// started again with the same --name) and Chromium (browser_support.mjs).
import { spawn } from "node:child_process";
import assert from "node:assert/strict";
import { newBrowser, requireChromium, runTest, scenarioFile, start, stopChild, swarm, track } from "./browser_support.mjs";

requireChromium("web.ui_workers");

function worker(address, name) {
  return track(spawn(swarm, ["worker", "--master", address, "--threads", "1", "--name", name], { stdio: ["ignore", "ignore", "inherit"] }));
}

async function main() {
  const target = await start(["target", "--listen", "127.0.0.1:0", "--threads", "1"], "swarm target listening on ");
  const scenario = scenarioFile("w.yaml", "users:\n  W:\n    wait: {constant: 50ms}\n    tasks:\n      home: {get: /, name: home}\n");
  const master = start(["master", scenario, "-H", target, "--bind", "127.0.0.1:0", "--web-host", "127.0.0.1",
    "--web-port", "0"], "swarm master: listening for workers on tcp://", "swarm: web UI at ");
  const lines = await master;
  const address = lines["swarm master: listening for workers on tcp://"];
  const ui = lines["swarm: web UI at "];
  let alpha = worker(address, "alpha");
  const { page } = await newBrowser();
  await page.goto(ui);
  await page.waitForFunction(() => document.getElementById("workers").textContent === "1");
  await page.click("#start-cancel");
  await page.click("#tab-workers-tab");
  const rows = () => page.$$eval("#workers-table tbody tr", (trs) => trs.map((tr) => [tr.children[0].textContent, tr.className]));
  const missing = () => page.textContent("#workers-missing");

  alpha.kill("SIGKILL");
  await page.waitForSelector("#workers-table tbody tr.missing", { timeout: 15000 });
  assert.deepEqual(await rows(), [["alpha", "missing"]]);
  assert.equal(await missing(), "(1 missing)");
  assert.equal(await page.textContent("#workers"), "0");

  alpha = worker(address, "alpha");
  await page.waitForFunction(() => document.getElementById("workers").textContent === "1", null, { timeout: 15000 });
  // The new connection replaces the missing entry in the master: one entry
  // under its name in /workers and /stats/requests, one row on the page.
  const json = await (await fetch(ui + "workers")).json();
  assert.deepEqual(json.workers.map((w) => [w.id, w.missing]), [["alpha", false]]);
  const stats = await (await fetch(ui + "stats/requests")).json();
  assert.equal(stats.worker_count, 1);
  assert.deepEqual(stats.workers.map((w) => w.id), ["alpha"]);
  const shown = await rows();
  assert.deepEqual(shown, [["alpha", ""]]);
  assert.equal(await missing(), "");
  stopChild(alpha);
  stopChild(master.child);
  console.log("web.ui_workers: ok (one entry for alpha in the master and on the page)");
}

await runTest("web.ui_workers", main, 60000);
