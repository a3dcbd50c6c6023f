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
const container = (objects, kind, name) => {
    const o = find(objects, kind, name);
    return (o.kind === "Pod" ? o.spec : o.spec.template.spec).containers[0];
};

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
        (o) => { container(o, "Deployment", "swarm-target").image = "ghcr.io/swarm-loadgen/swarm:latest"; }, /uses :latest/],
    "image without tag": ["headless-job",
        (o) => { container(o, "Job", "swarm-worker").image = "ghcr.io/swarm-loadgen/swarm"; }, /has no tag/],
    "image tag is not the project version": ["interactive",
        (o) => { container(o, "Deployment", "swarm-master").image = "ghcr.io/swarm-loadgen/swarm:0.0.9"; }, /not tagged with the project version/],
    "image is Docker Hub's library/swarm": ["interactive",
        (o) => { container(o, "Deployment", "swarm-master").image = "swarm:0.1.0"; }, /not fully qualified/],
    "a Job's image differs from swarm-image": ["headless-job",
        (o) => { container(o, "Job", "swarm-worker").image = "registry.example.com/other/swarm:0.1.0"; }, /is not swarm-image's/],
    "a var kustomize did not resolve": ["headless-job",
        (o) => { container(o, "Job", "swarm-master").image = "$(SWARM_IMAGE)"; }, /unresolved kustomize var/],
    "mutable tag with IfNotPresent": ["interactive",
        (o) => { const c = container(o, "Deployment", "swarm-worker"); c.image = "ghcr.io/swarm-loadgen/swarm:dev"; }, /IfNotPresent with the mutable tag dev/],
    "unknown field (strict schema)": ["interactive",
        (o) => { container(o, "Deployment", "swarm-worker").imagePullPolicyy = "Always"; }, /imagePullPolicyy: unknown field/],
    "unknown field deep in a pod": ["headless-job",
        (o) => { find(o, "Job", "swarm-master").spec.template.spec.volumes[0].configMap.itemz = []; }, /volumes\[0\]\.configMap\.itemz: unknown field/],
    "service links on": ["interactive",
        (o) => { delete find(o, "Deployment", "swarm-worker").spec.template.spec.enableServiceLinks; }, /enableServiceLinks/],
    "no safe-to-evict annotation": ["headless-job",
        (o) => { find(o, "Job", "swarm-worker").spec.template.metadata.annotations = {}; }, /safe-to-evict/],
    "no disruption budget": ["interactive",
        (o) => { o.splice(o.findIndex((x) => x.kind === "PodDisruptionBudget" && x.metadata.name === "swarm-master"), 1); }, /no PodDisruptionBudget/],
    "a budget that allows evictions": ["interactive",
        (o) => { find(o, "PodDisruptionBudget", "swarm-worker").spec.maxUnavailable = 1; }, /allows evictions/],
    "workers not spread": ["interactive",
        (o) => { delete find(o, "Deployment", "swarm-worker").spec.template.spec.topologySpreadConstraints; }, /topologySpreadConstraints/],
    "interactive worker with --master-timeout": ["interactive",
        (o) => { container(o, "Deployment", "swarm-worker").args.push("--master-timeout", "10m"); }, /crash-loop/],
    "worker port open to every pod": ["interactive",
        (o) => { find(o, "NetworkPolicy", "swarm-master").spec.ingress[0].from = [{ podSelector: {} }]; }, /open to more than the worker pods/],
    "worker port open to a namespace": ["headless-job",
        (o) => { find(o, "NetworkPolicy", "swarm-master").spec.ingress[0].from.push({ namespaceSelector: {} }); }, /open to more than the worker pods/],
    "worker port open through a rule without ports": ["interactive",
        (o) => { delete find(o, "NetworkPolicy", "swarm-master").spec.ingress[1].ports; }, /open to more than the worker pods/],
    "no NetworkPolicy": ["interactive",
        (o) => { o.splice(o.findIndex((x) => x.kind === "NetworkPolicy"), 1); }, /no NetworkPolicy guards the worker port/],
    "CURVE off": ["interactive",
        (o) => { const c = container(o, "Deployment", "swarm-master"); c.args = c.args.slice(0, c.args.indexOf("--auth-key-file")); },
        /the master has no --auth-key-file/],
    "key file not on a Secret": ["headless-job",
        (o) => { const c = container(o, "Job", "swarm-worker"); c.args[c.args.indexOf("--auth-key-file") + 1] = "/tmp/swarm/swarm.key"; },
        /--auth-key-file \/tmp\/swarm\/swarm.key is not on a Secret volume/],
    "key Secret readable by others": ["interactive",
        (o) => { find(o, "Deployment", "swarm-master").spec.template.spec.volumes.find((v) => v.secret).secret.defaultMode = 0o444; },
        /others can read it/],
    "UI behind an Ingress without a password": ["interactive-ingress",
        (o) => { const c = container(o, "Deployment", "swarm-master"); const i = c.args.indexOf("--web-auth-file"); c.args.splice(i, 2); },
        /without --web-auth/],
    "HTTP probes on an HTTPS master": ["interactive-tls",
        (o) => { delete container(o, "Deployment", "swarm-master").readinessProbe.httpGet.scheme; }, /readinessProbe is HTTP but the server serves HTTPS/],
    "HTTPS probes on a plain master": ["interactive",
        (o) => { container(o, "Deployment", "swarm-master").livenessProbe.httpGet.scheme = "HTTPS"; }, /livenessProbe is HTTPS but the server serves plain HTTP/],
    "results overwritten by every run": ["headless-job",
        (o) => { const c = container(o, "Job", "swarm-master"); c.args[c.args.indexOf("--json") + 1] = "/results/result.json"; }, /not named per run/],
    "results claim deleted by kubectl delete -k": ["headless-job",
        (o) => { o.push({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "swarm-results" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }); },
        /kubectl delete -k would delete the results/],
    "data file without its items: mapping": ["interactive-data",
        (o) => { find(o, "Deployment", "swarm-master").spec.template.spec.volumes[0].configMap.items[0].key = "website.yaml.typo"; },
        /the scenario \/scenarios\/accounts.yaml is not in ConfigMap|maps key website.yaml.typo/],
    "results reader not restricted": ["results",
        (o) => { delete find(o, "Pod", "swarm-results-reader").spec.containers[0].securityContext.capabilities; }, /drop ALL/],
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
        (o) => { o.splice(o.findIndex((x) => x.kind === "ConfigMap" && x.metadata.name.startsWith("swarm-scenario-")), 1); },
        /needs ConfigMap swarm-scenario/],
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
    "worker without the master's key": ["headless-job",
        (o) => { const c = container(o, "Job", "swarm-worker"); c.args = c.args.slice(0, c.args.indexOf("--auth-key-file")); },
        /the worker has no --auth-key-file/],
    "key Secret unreadable without fsGroup": ["headless-job",
        (o) => { delete find(o, "Job", "swarm-worker").spec.template.spec.securityContext.fsGroup; }, /no fsGroup/],
};

for (const [name, [overlay, mutate, pattern]] of Object.entries(mutations)) {
    test(`k8s rules catch: ${name}`, () => expectBroken(overlay, mutate, pattern));
}
