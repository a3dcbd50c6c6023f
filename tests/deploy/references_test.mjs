// deploy.k8s_references: the renamed copies deploy/README.md describes are
// self-contained (references.mjs), and the check notices one stale name.
// Run: DEPLOY_RENDER_DIR=dir node --test references_test.mjs
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { loadDocuments } from "./check_k8s.mjs";
import { copyErrors } from "./references.mjs";

const copies = {
    // tests/deploy/fixtures/interactive-prefixed: a second install in one namespace.
    "interactive-prefixed": { rename: (n) => `team-a-${n}`, instance: "team-a" },
    // deploy/k8s/run-headless-job --print --run-id r1: one run of the headless Job.
    "headless-job-run": { rename: (n) => `${n}-r1`, instance: "run-r1" },
};

const render = (name) => loadDocuments(join(process.env.DEPLOY_RENDER_DIR, `${name}.yaml`));
const container = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name).spec.template.spec.containers[0];

for (const [name, opts] of Object.entries(copies)) {
    test(`${name}: every reference stays within the copy`, () => {
        const objects = render(name);
        assert.ok(objects.length >= 8, `${name} has its objects`);
        assert.deepEqual(copyErrors(objects, opts), []);
    });
}

test("a worker still aimed at the original master is caught", () => {
    const objects = render("interactive-prefixed");
    const args = container(objects, "Deployment", "team-a-swarm-worker").args;
    args[args.indexOf("--master") + 1] = "swarm-master:5557";
    assert.ok(copyErrors(objects, copies["interactive-prefixed"]).some((e) => /--master swarm-master:5557 names no Service/.test(e)));
});

test("a Job master loading the original target is caught", () => {
    const objects = render("headless-job-run");
    const args = container(objects, "Job", "swarm-master-r1").args;
    args[args.indexOf("--host") + 1] = "http://swarm-target:8080";
    assert.ok(copyErrors(objects, copies["headless-job-run"]).some((e) => /--host http:\/\/swarm-target:8080 names no Service/.test(e)));
});

test("a selector without the instance label is caught", () => {
    const objects = render("interactive-prefixed");
    delete objects.find((o) => o.kind === "Service" && o.metadata.name === "team-a-swarm-master").spec.selector["app.kubernetes.io/instance"];
    assert.ok(copyErrors(objects, copies["interactive-prefixed"]).some((e) => /another copy's pods/.test(e)));
});
