// The flag comparison must notice a drift on either side. Starts from the real
// compose file and renders (which agree), changes one, expects the complaint.
// Run: DEPLOY_RENDER_DIR=dir COMPOSE_FILE=file COMPOSE_HEADLESS_FILE=file node --test flags_agree_test.mjs
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { loadCompose } from "./check_flags.mjs";
import { loadDocuments } from "./check_k8s.mjs";
import { compareDeployments, withOverride } from "./flags_agree.mjs";

const OVERLAYS = ["interactive", "interactive-ingress", "headless-job"];

function load() {
    assert.ok(process.env.DEPLOY_RENDER_DIR && process.env.COMPOSE_FILE, "DEPLOY_RENDER_DIR and COMPOSE_FILE are set");
    const renders = Object.fromEntries(OVERLAYS.map((o) => [o, loadDocuments(join(process.env.DEPLOY_RENDER_DIR, `${o}.yaml`))]));
    const compose = loadCompose(process.env.COMPOSE_FILE);
    return { compose, headless: withOverride(compose, loadCompose(process.env.COMPOSE_HEADLESS_FILE)), renders };
}

const k8sArgs = (renders, overlay, kind, name) =>
    renders[overlay].find((o) => o.kind === kind && o.metadata.name === name).spec.template.spec.containers[0].args;

function expectDrift(mutate, pattern) {
    const { compose, headless, renders } = load();
    assert.deepEqual(compareDeployments(compose, renders, headless), [], "compose and manifests agree before the change");
    mutate(compose, renders, headless);
    const errors = compareDeployments(compose, renders, headless);
    assert.ok(errors.some((e) => pattern.test(e)), `expected ${pattern}, got:\n${errors.join("\n") || "(no difference)"}`);
}

const drifts = {
    "a worker port changed in compose": [(c) => { c.services.worker.command[2] = "master:5558"; }, /--master is <master>:5558 in compose/],
    "a flag only in compose": [(c) => { c.services.worker.command.push("--threads", "2"); }, /--threads is in compose, not in the manifests/],
    "a flag only in the manifests": [(c, r) => { k8sArgs(r, "interactive", "Deployment", "swarm-worker").push("--threads", "2"); },
        /interactive worker: --threads is in the manifests, not in compose/],
    "the web port changed in the headless Job": [(c, r) => {
        const a = k8sArgs(r, "headless-job", "Job", "swarm-master"); a[a.indexOf("--web-port") + 1] = "8090";
    }, /headless-job master: --web-port is 8089 in compose, 8090/],
    "a headless flag in the interactive master": [(c, r) => { k8sArgs(r, "interactive", "Deployment", "swarm-master").push("--headless"); },
        /interactive master: --headless is in the manifests/],
    "the worker aimed at the target": [(c) => { c.services.worker.command[2] = "target:5557"; }, /<target>:5557 in compose/],
    "a published port dropped": [(c) => { c.services.master.ports.pop(); }, /ports .* in compose/],
    "a command as one string": [(c) => { c.services.worker.command = "worker --master master:5557"; }, /must be a list of strings/],
    "the scenario path differs": [(c) => { c.services.master.command[1] = "/scenarios/shop.yaml"; }, /arguments \/scenarios\/shop.yaml vs/],
    "the run time differs between compose and the Job": [(c, r, h) => {
        const a = h.services.master.command; a[a.indexOf("-t") + 1] = "10m";
    }, /headless-job master: -t is 10m in compose, 5m in the manifests/],
    "a headless flag missing from the compose override": [(c, r, h) => {
        h.services.master.command = h.services.master.command.filter((a) => a !== "--only-summary");
    }, /headless-job master: --only-summary is in the manifests, not in compose/],
    "the override changes more than headless flags": [(c, r, h) => {
        const a = h.services.master.command; a[a.indexOf("--bind") + 1] = "0.0.0.0:6000";
    }, /compose vs compose \(headless\) master: --bind/],
    "the Job's reports written elsewhere than compose's": [(c, r) => {
        const a = k8sArgs(r, "headless-job", "Job", "swarm-master"); a[a.indexOf("--json") + 1] = "/tmp/$(RUN_ID).json";
    }, /headless-job master: --json writes to \/results in compose, \/tmp in the manifests/],
    "the interactive worker's --master-timeout is compose's only; a Job's must agree": [(c, r, h) => {
        const a = k8sArgs(r, "headless-job", "Job", "swarm-worker"); a[a.indexOf("--master-timeout") + 1] = "1m";
    }, /headless-job worker: --master-timeout is 10m in compose, 1m in the manifests/],
    "the compose service renamed": [(c) => { c.services.workers = c.services.worker; delete c.services.worker; }, /no service named worker/],
};

for (const [name, [mutate, pattern]] of Object.entries(drifts)) {
    test(`flag drift caught: ${name}`, () => expectDrift(mutate, pattern));
}
