// web.ui_workers: a worker that dies and comes back under its name is one
// row in the Workers tab, and the header's "(N missing)" counts it only
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
  // The master keeps both entries; the page shows the worker once, back.
  const json = await (await fetch(ui + "workers")).json();
  assert.equal(json.workers.length, 2);
  const shown = await rows();
  assert.equal(shown.length, 1, JSON.stringify(shown));
  assert.match(shown[0][0], /^alpha(#\d+)?$/);
  assert.equal(shown[0][1], "");
  assert.equal(await missing(), "");
  stopChild(alpha);
  stopChild(master.child);
  console.log("web.ui_workers: ok (the master lists 2 entries for alpha, the page 1)");
}

await runTest("web.ui_workers", main, 60000);
