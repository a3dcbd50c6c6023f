// `swarm convert` on a HAR that headless Chromium records (Playwright's
// recordHar) against `swarm target`: a visitor signs in on the home page,
// opens their account, reads /about, sends the contact form (its CSRF token
// bound to the session) and searches. The converted scenario passes `swarm
// check`, and one iteration of it (`swarm try -n 1`) makes the target count
// exactly the requests the recording holds (static assets left out) — the
// same counts the browser itself made.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { newBrowser, requireChromium, runTest, scratch, start, swarm } from "../web/browser_support.mjs";

const test = "authoring.record_har";
requireChromium(test);

async function targetCounts(target) {
  const stats = await (await fetch(`${target}/__stats`)).json();
  return stats.requests;
}

// "METHOD /path" → count of the recording's entries `swarm convert` keeps
// (its --include-static rules: images, CSS, scripts, fonts, media, .ico).
function recordedRequests(har, target) {
  const counts = {};
  for (const e of har.log.entries) {
    const url = new URL(e.request.url);
    if (url.origin !== target) continue;
    if (/\.(css|js|png|jpe?g|gif|svg|ico|woff2?)$/.test(url.pathname)) continue;
    if (["image", "stylesheet", "script", "font", "media"].includes(e._resourceType)) continue;
    const key = `${e.request.method} ${url.pathname}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function withoutStatic(counts) {
  return Object.fromEntries(Object.entries(counts).filter(([k]) => !k.endsWith(".ico")));
}

function swarmCommand(args) {
  const r = spawnSync(swarm, args, { encoding: "utf8", timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

await runTest(test, async () => {
  const target = await start(["target", "--listen", "127.0.0.1:0", "--threads", "1"], "swarm target listening on ");
  const harPath = join(scratch, "recording.har");
  await fetch(`${target}/__reset`, { method: "POST" });

  // The visit, as a person would make it.
  const { context, page } = await newBrowser({ recordHar: { path: harPath } });
  await page.goto(`${target}/`);
  await page.fill("input[name=email]", "visitor@example.com");
  await page.fill("input[name=password]", "secret");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/user/signin'] button")]);
  await Promise.all([page.waitForNavigation(), page.click("a[href='/account']")]);
  await page.waitForTimeout(300);  // a think time the scenario should keep
  await page.goto(`${target}/about`);
  await page.goto(`${target}/contact_us`);
  await page.fill("input[name=email]", "visitor@example.com");
  await page.fill("textarea[name=message]", "Hello {{ not a template }} & more");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/contact_us'] button")]);
  assert.match(await page.content(), /Thank you/);
  await page.goto(`${target}/search?search=swarm+load`);
  await context.close();  // writes the HAR
  const browserCounts = withoutStatic(await targetCounts(target));

  const har = JSON.parse(readFileSync(harPath, "utf8"));
  const expected = recordedRequests(har, target);
  // The recording holds what the browser sent (besides what Chromium fetches on its own).
  assert.deepEqual(expected, browserCounts);
  assert.equal(expected["POST /contact_us"], 1);
  assert.equal(expected["POST /user/signin"], 1);

  const converted = swarmCommand(["convert", harPath]);
  assert.equal(converted.code, 0, converted.err);
  const scenario = join(scratch, "converted.yaml");
  writeFileSync(scenario, converted.out);
  assert.match(converted.out, /\{\{ csrf_token \}\}/, "the CSRF token is taken from the replayed page");
  assert.doesNotMatch(converted.out, /[Cc]ookie|:authority|sec-ch-ua|User-Agent/);
  // A task per page seen (Playwright records one HAR page per tab), named by its <title>.
  assert.match(converted.out, /"About · swarm target":\n/);
  assert.match(converted.out, /- sleep: \d+ms/, "the recorded think times are kept");
  if (process.env.SWARM_SHOW_SCENARIO) console.log(converted.out, converted.err);
  const checked = swarmCommand(["check", scenario]);
  assert.equal(checked.code, 0, checked.err + checked.out);

  await fetch(`${target}/__reset`, { method: "POST" });
  const tried = swarmCommand(["try", scenario, "-n", "1"]);
  assert.equal(tried.code, 0, tried.out + tried.err);
  assert.match(tried.out, /RecordedUser: 1 iteration, \d+ requests, 0 failed, 0 checks failed/);
  assert.deepEqual(await targetCounts(target), expected, tried.out);
  console.log(`${test}: ${Object.values(expected).reduce((a, b) => a + b, 0)} requests recorded, converted and replayed`);
}, 120000);
