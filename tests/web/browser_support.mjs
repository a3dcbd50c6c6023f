// Shared by the browser tests (ui_test.mjs): real `swarm` processes and
// Debian's Chromium driven by npm's playwright-core, nothing leaving
// 127.0.0.1. Each test process owns its children and contexts; cleanUp()
// ends them.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const chromiumPath = "/usr/bin/chromium";
export const source = process.env.SWARM_SOURCE_DIR;
export const swarm = process.env.SWARM_BIN;
const children = [];
const contexts = [];
export const pageErrors = [];
export const scratch = mkdtempSync(join(tmpdir(), "swarm-browser-"));

// Exits 77 (skipped) when Chromium is missing, outside CI.
export function requireChromium(test) {
  if (existsSync(chromiumPath)) return;
  console.log(`${test}: ${chromiumPath} is missing (scripts/install-deps installs it)`);
  process.exit(process.env.CI ? 1 : 77);
}

// Starts `swarm ARGS`; resolves with, for each prefix, the rest of the first
// line of its output starting with it.
export function start(args, ...prefixes) {
  const child = spawn(swarm, args, { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const found = {};
  const promise = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${prefixes}' line from swarm ${args[0]}`)), 30000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      for (const p of prefixes) {
        if (line.startsWith(p) && !(p in found)) found[p] = line.slice(p.length).trim();
      }
      if (Object.keys(found).length === prefixes.length) {
        clearTimeout(timer);
        resolve(prefixes.length === 1 ? found[prefixes[0]] : found);
      }
    });
    child.on("exit", (code) => reject(new Error(`swarm ${args[0]} exited with ${code}`)));
  });
  return Object.assign(promise, { child });
}

// A child started elsewhere (spawn), ended with the others at the end.
export function track(child) {
  children.push(child);
  return child;
}

export function stopChild(child) {
  child.removeAllListeners("exit");
  child.kill("SIGTERM");
}

export function scenarioFile(name, yaml) {
  const path = join(scratch, name);
  writeFileSync(path, yaml);
  return path;
}

export async function newBrowser(options = {}) {
  const require = createRequire(join(source, "master/web/ui/package.json"));
  const { chromium } = require("playwright-core");
  const context = await chromium.launchPersistentContext(join(scratch, `profile-${contexts.length}`), {
    executablePath: chromiumPath,
    headless: true,
    acceptDownloads: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    ...options,
  });
  // Nothing may leave 127.0.0.1.
  await context.route("**/*", (route) =>
    new URL(route.request().url()).hostname === "127.0.0.1" ? route.continue() : route.abort());
  contexts.push(context);
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20000);
  // A script error fails the test (runTest checks pageErrors).
  page.on("pageerror", (e) => pageErrors.push(e.message));
  return { context, page };
}

// Runs main() under a watchdog; exits 0, or 1 with the error.
export async function runTest(test, main, budgetMs) {
  let code = 0;
  const watchdog = setTimeout(() => {
    console.error(`${test}: timed out`);
    for (const c of children) c.kill("SIGKILL");
    process.exit(1);
  }, budgetMs);
  try {
    await main();
    if (pageErrors.length) throw new Error(`script errors in the page: ${pageErrors.join("; ")}`);
  } catch (e) {
    console.error(`${test}:`, e, pageErrors.length ? `(page errors: ${pageErrors.join("; ")})` : "");
    code = 1;
  } finally {
    clearTimeout(watchdog);
    for (const c of contexts) await c.close().catch(() => {});
    for (const c of children.reverse()) c.kill("SIGTERM");
    rmSync(scratch, { recursive: true, force: true });
  }
  process.exit(code);
}
