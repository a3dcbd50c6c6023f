// Each rule of k8s_rules.mjs must be able to fail: start from the real
// renders (which pass), break one thing the way a careless edit would, and
// expect the matching complaint. Run: DEPLOY_RENDER_DIR=dir node --test k8s_rules_test.mjs
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { loadDocuments } from "./check_k8s.mjs";
import { checkObjects } from "./k8s_rules.mjs";

const renderDir = process.env.DEPLOY_RENDER_DIR;
const version = process.env.SWARM_VERSION;

function render(overlay) {
    assert.ok(renderDir, "DEPLOY_RENDER_DIR names the folder of rendered overlays");
    return loadDocuments(join(renderDir, `${overlay}.yaml`));
}

const find = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const container = (objects, kind, name) => find(objects, kind, name).spec.template.spec.containers[0];

function setArg(c, flag, value) {
    const i = c.args.indexOf(flag);
    assert.ok(i > 0, `${flag} is in the args`);
    c.args[i + 1] = value;
}

function expectBroken(overlay, mutate, pattern) {
    const objects = render(overlay);
    assert.deepEqual(checkObjects(objects, { version }), [], `${overlay} passes before the change`);
    mutate(objects);
    const errors = checkObjects(objects, { version });
    assert.ok(errors.some((e) => pattern.test(e)), `expected ${pattern}, got:\n${errors.join("\n") || "(no error)"}`);
}

const mutations = {
    "schema: replicas is not a number": ["interactive",
        (o) => { find(o, "Deployment", "swarm-worker").spec.replicas = "four"; }, /schema: .*replicas must be integer/],
    "service selector matches no pod": ["interactive",
        (o) => { find(o, "Service", "swarm-web").spec.selector["app.kubernetes.io/component"] = "mastr"; }, /matches no pod template/],
    "service targetPort is no container port": ["interactive",
        (o) => { find(o, "Service", "swarm-target").spec.ports[0].targetPort = 8081; }, /targets 8081, not a port/],
    "worker --master names no service": ["interactive",
        (o) => { setArg(container(o, "Deployment", "swarm-worker"), "--master", "master:5557"); }, /names no Service/],
    "worker --master uses the web port": ["interactive",
        (o) => { setArg(container(o, "Deployment", "swarm-worker"), "--master", "swarm-web:8089"); }, /does not reach a master's --bind port/],
    "master --bind port differs from its container port": ["interactive",
        (o) => { setArg(container(o, "Deployment", "swarm-master"), "--bind", "0.0.0.0:6000"); }, /--bind port is not a container port/],
    "zmq service gated on readiness": ["headless-job",
        (o) => { delete find(o, "Service", "swarm-master").spec.publishNotReadyAddresses; }, /publishNotReadyAddresses/],
    "image :latest": ["interactive",
        (o) => { container(o, "Deployment", "swarm-target").image = "swarm:latest"; }, /uses :latest/],
    "image without tag": ["headless-job",
        (o) => { container(o, "Job", "swarm-worker").image = "swarm"; }, /has no tag/],
    "image tag is not the project version": ["interactive",
        (o) => { container(o, "Deployment", "swarm-master").image = "swarm:0.0.9"; }, /not tagged with the project version/],
    "no readiness probe": ["interactive",
        (o) => { delete container(o, "Deployment", "swarm-master").readinessProbe; }, /no readinessProbe/],
    "no liveness probe on a server": ["interactive",
        (o) => { delete container(o, "Deployment", "swarm-target").livenessProbe; }, /no livenessProbe/],
    "probe on a port the container lacks": ["interactive",
        (o) => { container(o, "Deployment", "swarm-master").livenessProbe.httpGet.port = "http"; }, /livenessProbe port http/],
    "worker readiness not on its ready file": ["interactive",
        (o) => { container(o, "Deployment", "swarm-worker").readinessProbe.exec.command = ["test", "-f", "/tmp/other"]; }, /--ready-file/],
    "ready file on the read-only root": ["headless-job",
        (o) => { container(o, "Job", "swarm-worker").volumeMounts = []; }, /read-only root filesystem/],
    "probe outside --web-base-path": ["interactive-ingress",
        (o) => { container(o, "Deployment", "swarm-master").readinessProbe.httpGet.path = "/readyz"; }, /outside --web-base-path/],
    "no memory limit": ["interactive",
        (o) => { delete container(o, "Deployment", "swarm-worker").resources.limits; }, /resources.limits.memory missing/],
    "writable root filesystem": ["interactive",
        (o) => { container(o, "Deployment", "swarm-worker").securityContext.readOnlyRootFilesystem = false; }, /readOnlyRootFilesystem/],
    "capabilities kept": ["interactive",
        (o) => { container(o, "Deployment", "swarm-worker").securityContext.capabilities.drop = []; }, /drop ALL/],
    "runs as root": ["headless-job",
        (o) => { delete find(o, "Job", "swarm-master").spec.template.spec.securityContext.runAsNonRoot; }, /runAsNonRoot/],
    "scenario ConfigMap missing": ["interactive",
        (o) => { o.splice(o.findIndex((x) => x.kind === "ConfigMap"), 1); }, /needs ConfigMap swarm-scenario/],
    "Job restarts forever": ["headless-job",
        (o) => { find(o, "Job", "swarm-master").spec.template.spec.restartPolicy = "Always"; }, /restartPolicy is Always/],
    "Job without backoffLimit": ["headless-job",
        (o) => { delete find(o, "Job", "swarm-worker").spec.backoffLimit; }, /no backoffLimit/],
    "Job without ttlSecondsAfterFinished": ["headless-job",
        (o) => { delete find(o, "Job", "swarm-master").spec.ttlSecondsAfterFinished; }, /no ttlSecondsAfterFinished/],
    "expect-workers differs from parallelism": ["headless-job",
        (o) => { find(o, "Job", "swarm-worker").spec.parallelism = 3; }, /parallelism 3 differs from the master's --expect-workers 4/],
    "master Job without --headless": ["headless-job",
        (o) => { const c = container(o, "Job", "swarm-master"); c.args = c.args.filter((a) => a !== "--headless"); }, /must run --headless/],
    "worker Job without --master-timeout": ["headless-job",
        (o) => { const c = container(o, "Job", "swarm-worker"); c.args = c.args.slice(0, c.args.indexOf("--master-timeout")); }, /--master-timeout/],
    "headless master in a Deployment": ["interactive",
        (o) => { container(o, "Deployment", "swarm-master").args.push("--headless"); }, /must be a Job/],
    "two master replicas": ["interactive",
        (o) => { find(o, "Deployment", "swarm-master").spec.replicas = 2; }, /exactly 1 replica/],
    "ingress to a missing port": ["interactive-ingress",
        (o) => { find(o, "Ingress", "swarm-web").spec.rules[0].http.paths[0].backend.service.port.name = "zmq"; }, /is no Service port/],
    "--host port differs from the target Service": ["interactive",
        (o) => { setArg(container(o, "Deployment", "swarm-master"), "--host", "http://swarm-target:9999"); }, /--host port 9999/],
    "worker without the master's key": ["headless-job-curve",
        (o) => { const c = container(o, "Job", "swarm-worker"); c.args = c.args.slice(0, c.args.indexOf("--auth-key-file")); },
        /the worker has no --auth-key-file/],
    "key Secret unreadable without fsGroup": ["headless-job-curve",
        (o) => { delete find(o, "Job", "swarm-worker").spec.template.spec.securityContext.fsGroup; }, /no fsGroup/],
};

for (const [name, [overlay, mutate, pattern]] of Object.entries(mutations)) {
    test(`k8s rules catch: ${name}`, () => expectBroken(overlay, mutate, pattern));
}
