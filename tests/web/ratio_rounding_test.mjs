// web.ratio_rounding: one rounding of task shares everywhere, Locust's.
// The web UI's and the HTML report's percentText (master/web/ui/app.js and
// report.js), `swarm check --ratio` and Python's "%.1f" (what Locust's
// --show-task-ratio prints) give the same text for the same share: ties to
// even on the exact binary value (31.25 → "31.2", 18.75 → "18.8"), where
// JavaScript's toFixed alone gives "31.3".
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const source = process.env.SWARM_SOURCE_DIR;
const bin = process.env.SWARM_BIN;
assert.ok(source && bin, "SWARM_SOURCE_DIR and SWARM_BIN must be set");

// The function as the page defines it, taken from the file the page loads.
function percentTextOf(file) {
  const text = readFileSync(join(source, "master/web/ui", file), "utf8");
  const match = text.match(/function percentText\(fraction\) \{[\s\S]*?\n\s*\}\n/);
  assert.ok(match, `${file} defines percentText(fraction)`);
  return new Function(`${match[0]}; return percentText;`)();
}
const fromApp = percentTextOf("app.js");
const fromReport = percentTextOf("report.js");

// Python's "%.1f%%" of each share times 100 (Locust's formatting).
function python(fractions) {
  const code = "import sys\nfor line in sys.stdin: print('%.1f%%' % (float(line) * 100))";
  const run = spawnSync("python3", ["-c", code], { input: fractions.map(String).join("\n") + "\n" });
  if (run.error) {
    console.log("SKIP: python3 is missing");
    process.exit(77);
  }
  return run.stdout.toString().trim().split("\n");
}

// 1. A sweep of shares, ties among them (k/1000, k/16, k/80), against Python.
const shares = [];
for (let k = 0; k <= 1000; ++k) shares.push(k / 1000);
for (let k = 0; k <= 16; ++k) shares.push(k / 16);
for (let k = 0; k <= 80; ++k) shares.push(k / 80);
const expected = python(shares);
shares.forEach((share, i) => {
  assert.equal(fromApp(share), expected[i], `app.js, share ${share}`);
  assert.equal(fromReport(share), expected[i], `report.js, share ${share}`);
});
assert.equal(fromApp(0.3125), "31.2%");
assert.equal(fromApp(0.1875), "18.8%");

// 2. `swarm check --ratio` on a scenario whose shares are ties: its text,
// per class and in total, is what the pages and Python print.
const dir = mkdtempSync(join(tmpdir(), "ratio-rounding-"));
const scenario = join(dir, "ties.yaml");
const weights = [5, 3, 1, 1, 1, 1, 1, 1, 1, 1];  // of 16: 31.25 %, 18.75 %, 6.25 %
writeFileSync(scenario, "host: http://127.0.0.1:1\nusers:\n" +
  "  A:\n    weight: 5\n    tasks:\n" + weights.map((w, i) => `      t${i}: {weight: ${w}, get: /${i}}\n`).join("") +
  "  B:\n    weight: 11\n    tasks: {b: {get: /b}}\n");
const check = spawnSync(bin, ["check", "--ratio", scenario]);
assert.equal(check.status, 0, check.stderr.toString());
const out = check.stdout.toString();
const [perClass, total] = out.split("Total task ratio");
const line = (block, name) => {
  const m = block.match(new RegExp(`^\\s*(\\S+%)  ${name}$`, "m"));
  assert.ok(m, `a line for ${name} in:\n${block}`);
  return m[1];
};
const classShare = 5 / 16;
for (const [text, share] of [[line(perClass, "A"), classShare], [line(perClass, "B"), 11 / 16]]) {
  assert.equal(text, fromApp(share));
  assert.equal(text, fromReport(share));
}
weights.forEach((w, i) => {
  const within = w / 16;
  const inTotal = within * classShare;
  const [py] = python([within]);
  assert.equal(line(perClass, `t${i}`), py, `per class, t${i}`);
  assert.equal(line(perClass, `t${i}`), fromApp(within));
  assert.equal(line(total, `t${i}`), fromReport(inTotal), `in total, t${i}`);
});
console.log(`web.ratio_rounding: ${shares.length} shares and check --ratio agree`);
