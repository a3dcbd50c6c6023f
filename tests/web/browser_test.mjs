// web.browser: the UI in a real browser. Debian's Chromium, driven by npm's
// playwright-core, against `swarm run` and `swarm target`: start a test from
// the form (after an inline validation error), see the table fill and the
// charts draw, stop it, download the CSV and compare its count with the
// target's own counter. Exits 77 (skipped) only when Chromium is missing
// outside CI. A screenshot is left in the working directory (the build tree).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

const chromiumPath = "/usr/bin/chromium";
if (!existsSync(chromiumPath)) {
  console.log(`web.browser: ${chromiumPath} is missing (scripts/install-deps installs it)`);
  process.exit(process.env.CI ? 1 : 77);
}
const source = process.env.SWARM_SOURCE_DIR;
const swarm = process.env.SWARM_BIN;
const require = createRequire(join(source, "master/web/ui/package.json"));
const { chromium } = require("playwright-core");

const children = [];
const scratch = mkdtempSync(join(tmpdir(), "swarm-browser-"));

// Starts `swarm ARGS` and resolves with the rest of its first line starting with `prefix`.
function start(args, prefix) {
  const child = spawn(swarm, args, { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${prefix}' line from swarm ${args[0]}`)), 30000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith(prefix)) {
        clearTimeout(timer);
        resolve(line.slice(prefix.length).trim());
      }
    });
    child.on("exit", (code) => reject(new Error(`swarm ${args[0]} exited with ${code}`)));
  });
}

async function main() {
  const target = await start(["target", "--listen", "127.0.0.1:0", "--threads", "1"], "swarm target listening on ");
  const scenario = join(scratch, "browser.yaml");
  writeFileSync(scenario, "users:\n  Browser:\n    wait: {constant: 20ms}\n    tasks:\n" +
    "      home: {weight: 3, get: /, name: home}\n      about: {weight: 1, get: /about, name: about}\n");
  const ui = await start(["run", scenario, "-H", target, "--web-port", "0", "--threads", "1"], "swarm: web UI at ");

  const context = await chromium.launchPersistentContext(join(scratch, "profile"), {
    executablePath: chromiumPath,
    headless: true,
    acceptDownloads: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  // Nothing may leave 127.0.0.1.
  await context.route("**/*", (route) =>
    new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort());
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20000);
  await page.goto(ui);

  // The form opens by itself on a fresh master, pre-filled from the scenario.
  await page.waitForSelector("#start-dialog[open]");
  assert.equal(await page.inputValue("#f-host"), target);
  await page.fill("#f-users", "many");
  await page.click("#start-submit");
  assert.match(await page.textContent('.field-error[data-for="user_count"]'), /whole number/);
  assert.ok(await page.isVisible("#start-dialog"));
  await page.fill("#f-users", "3");
  await page.fill("#f-rate", "10");
  await page.click("#start-submit");
  await page.waitForSelector("#start-dialog", { state: "hidden" });

  // The table fills, the header follows.
  await page.waitForFunction(() => document.querySelectorAll("#stats-table tbody tr").length === 2 &&
    Number(document.querySelector("#stats-table tfoot td:nth-child(3)").textContent) > 50);
  await page.waitForFunction(() => document.getElementById("users").textContent === "3");
  await page.click('.tab[data-tab="charts"]');
  await page.waitForFunction(() => window.swarmCharts && window.swarmCharts.rps.data[0].length >= 2);
  assert.ok(await page.isVisible("#chart-rps canvas"));
  await page.screenshot({ path: "web_browser_running.png", fullPage: true });

  // Stop, then download the CSV: its Aggregated count is the target's.
  await page.click("#stop");
  await page.waitForFunction(() => document.getElementById("state").textContent === "stopped");
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
  await context.close();
  console.log(`web.browser: ok (${counted} requests, as the target counted)`);
}

let code = 0;
const watchdog = setTimeout(() => {
  console.error("web.browser: timed out");
  for (const c of children) c.kill("SIGKILL");
  process.exit(1);
}, 100000);
try {
  await main();
} catch (e) {
  console.error("web.browser:", e);
  code = 1;
} finally {
  clearTimeout(watchdog);
  for (const c of children.reverse()) c.kill("SIGTERM");
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(code);
