// The project's rules for its rendered Kubernetes manifests: each object valid
// against the Kubernetes OpenAPI schema (kubernetes-models), plus the rules
// that tie objects together and that a schema cannot see — a Service that
// selects no pod, a worker aimed at the wrong port, a Job that retries forever.
// checkObjects() returns every broken rule as a message naming the object.
import { createRequire } from "node:module";
import { unknownFields } from "./strict_schema.mjs";
import { hostPort, parseSwarmArgs } from "./swarm_args.mjs";

const require = createRequire(import.meta.url);

// --- schema ---------------------------------------------------------------

function schemaModule(apiVersion, kind) {
    // kubernetes-models lays out one module per kind: apps/v1/Deployment, v1/Service.
    if (!/^[a-z0-9.]*\/?v[0-9a-z]+$/.test(apiVersion ?? "") || !/^[A-Z][A-Za-z]+$/.test(kind ?? "")) return null;
    return `kubernetes-models/${apiVersion}/${kind}`;
}

function schemaModel(apiVersion, kind) {
    const module = schemaModule(apiVersion, kind);
    try {
        return module ? require(module)[kind] : null;
    } catch {
        return null;
    }
}

function checkSchema(obj, name, errors) {
    const Model = schemaModel(obj.apiVersion, obj.kind);
    if (!Model) {
        errors.push(`${name}: no Kubernetes schema for apiVersion ${obj.apiVersion}, kind ${obj.kind}`);
        return;
    }
    try {
        new Model(obj).validate();
    } catch (e) {
        errors.push(`${name}: schema: ${e.message}`);
    }
    // Strict: the validators above accept fields the API does not know.
    for (const e of unknownFields(obj, schemaModule(obj.apiVersion, obj.kind))) errors.push(`${name}: schema: ${e}`);
}

// --- what the render holds --------------------------------------------------

const WORKLOAD_KINDS = new Set(["Deployment", "Job", "StatefulSet", "DaemonSet"]);
const SWARM_ROLES = new Set(["master", "worker", "target", "run"]);

function describe(obj) {
    return `${obj?.kind ?? "?"}/${obj?.metadata?.name ?? "?"}`;
}

// One entry per pod template: who owns it, its labels, and each container's
// parsed swarm command line.
function podTemplates(objects) {
    return objects
        .filter((o) => WORKLOAD_KINDS.has(o.kind) || o.kind === "Pod")
        .map((o) => {
            const template = o.kind === "Pod" ? o : o.spec?.template;
            return {
                owner: o,
                name: describe(o),
                labels: template?.metadata?.labels ?? {},
                annotations: template?.metadata?.annotations ?? {},
                spec: template?.spec ?? {},
                containers: (template?.spec?.containers ?? []).map((c) => ({ c, args: parseSwarmArgs(c.args) })),
            };
        });
}

// A container running swarm (its first argument a swarm role), not a helper image.
const runsSwarm = ({ args }) => SWARM_ROLES.has(args.sub);

function selects(selector, labels) {
    const entries = Object.entries(selector ?? {});
    return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

// A LabelSelector (matchLabels and matchExpressions with In) against labels.
function labelSelectorMatches(selector, labels) {
    const byLabels = Object.entries(selector?.matchLabels ?? {});
    const byExpressions = selector?.matchExpressions ?? [];
    if (byLabels.length + byExpressions.length === 0) return false;
    return byLabels.every(([k, v]) => labels[k] === v) &&
        byExpressions.every((e) => e.operator === "In" && (e.values ?? []).includes(labels[e.key]));
}

// A port reference (number or name) resolved against a container's ports.
function findPort(container, ref) {
    return (container.ports ?? []).find((p) => p.name === ref || p.containerPort === ref) ?? null;
}

// --- per pod template ---------------------------------------------------------

// `swarm:0.1.0` is Docker Hub's library/swarm (Docker Swarm "classic"): a node
// without the local build would pull another program. Names are fully
// qualified (a registry host first) and pinned; IfNotPresent only with a tag
// that is a release version or a digest (a rebuilt `:dev` would never be pulled).
function checkImage(where, c, swarm, version, errors) {
    const image = String(c.image ?? "");
    if (image.includes("$(")) {
        errors.push(`${where}: image ${image} has an unresolved kustomize var`);
        return;
    }
    const m = image.match(/^(.+?)(?::([\w][\w.-]*))?(@sha256:[0-9a-f]{64})?$/);
    const [repo, tag, digest] = [m?.[1] ?? "", m?.[2], m?.[3]];
    if (!tag && !digest) errors.push(`${where}: image ${image} has no tag (pin one; never :latest)`);
    else if (tag === "latest") errors.push(`${where}: image ${image} uses :latest`);
    else if (swarm && version && tag && tag !== version) {
        errors.push(`${where}: image ${image} is not tagged with the project version ${version}`);
    }
    const first = repo.split("/")[0];
    if (swarm && !(repo.includes("/") && (/[.:]/.test(first) || first === "localhost"))) {
        errors.push(`${where}: image ${image} is not fully qualified (REGISTRY/PATH/swarm): a bare swarm is Docker Hub's library/swarm`);
    }
    if (c.imagePullPolicy === undefined) errors.push(`${where}: no imagePullPolicy`);
    else if (c.imagePullPolicy === "IfNotPresent" && !digest && !/^v?\d+\.\d+(\.\d+)?$/.test(tag ?? "")) {
        errors.push(`${where}: imagePullPolicy IfNotPresent with the mutable tag ${tag} (use a version, a digest or Always)`);
    }
}

function checkSecurity(pod, where, c, errors) {
    const psc = pod.spec.securityContext ?? {};
    const sc = c.securityContext ?? {};
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) errors.push(`${where}: runAsNonRoot is not true`);
    if ((sc.seccompProfile ?? psc.seccompProfile)?.type !== "RuntimeDefault") {
        errors.push(`${where}: seccompProfile is not RuntimeDefault`);
    }
    if (sc.readOnlyRootFilesystem !== true) errors.push(`${where}: readOnlyRootFilesystem is not true`);
    if (sc.allowPrivilegeEscalation !== false) errors.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) errors.push(`${where}: capabilities do not drop ALL`);
}

function checkResources(where, c, errors) {
    const r = c.resources ?? {};
    for (const [part, key] of [["requests", "cpu"], ["requests", "memory"], ["limits", "memory"]]) {
        if (r[part]?.[key] === undefined) errors.push(`${where}: resources.${part}.${key} missing`);
    }
}

function checkProbe(where, kind, c, probe, basePath, tls, errors) {
    if (probe.httpGet && (probe.httpGet.scheme ?? "HTTP") !== (tls ? "HTTPS" : "HTTP")) {
        errors.push(`${where}: ${kind} is ${probe.httpGet.scheme ?? "HTTP"} but the server ${tls ? "serves HTTPS (--tls-cert)" : "serves plain HTTP"}`);
    }
    const ref = probe.httpGet?.port ?? probe.tcpSocket?.port;
    if (ref !== undefined && !findPort(c, ref)) errors.push(`${where}: ${kind} port ${ref} is not a container port`);
    const path = probe.httpGet?.path;
    if (path !== undefined && basePath && !path.startsWith(`${basePath.replace(/\/$/, "")}/`)) {
        errors.push(`${where}: ${kind} path ${path} is outside --web-base-path ${basePath}`);
    }
}

// A server (a container with ports) gets liveness and readiness; a worker has
// no port and is ready while its --ready-file exists.
function checkProbes(pod, where, c, args, errors) {
    const basePath = args.flags.get("--web-base-path");
    if (!c.readinessProbe && runsSwarm({ args })) errors.push(`${where}: no readinessProbe`);
    if ((c.ports ?? []).length > 0 && !c.livenessProbe) errors.push(`${where}: no livenessProbe`);
    for (const kind of ["livenessProbe", "readinessProbe"]) {
        if (c[kind]) checkProbe(where, kind, c, c[kind], basePath, args.flags.has("--tls-cert"), errors);
    }
    const readyFile = args.flags.get("--ready-file");
    if (args.sub === "worker") {
        const command = c.readinessProbe?.exec?.command ?? [];
        if (!readyFile || command.join(" ") !== `test -f ${readyFile}`) {
            errors.push(`${where}: the worker's readinessProbe must be \`test -f\` on its --ready-file`);
        }
    }
    if (readyFile && !mountFor(pod, c, readyFile)) {
        errors.push(`${where}: --ready-file ${readyFile} is on the read-only root filesystem (mount a volume there)`);
    }
}

function mountFor(pod, c, file) {
    return (c.volumeMounts ?? []).find((m) => file.startsWith(`${m.mountPath.replace(/\/$/, "")}/`) && !m.readOnly);
}

function checkVolumes(pod, where, c, objects, errors) {
    const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
    for (const m of c.volumeMounts ?? []) {
        const v = volumes.get(m.name);
        if (!v) {
            errors.push(`${where}: volumeMount ${m.name} names no volume of the pod`);
            continue;
        }
        const wanted = v.configMap ? ["ConfigMap", v.configMap.name]
            : v.secret ? ["Secret", v.secret.secretName]
            : v.persistentVolumeClaim ? ["PersistentVolumeClaim", v.persistentVolumeClaim.claimName] : null;
        // Secrets are made by hand (keys never enter the repository); a 0400
        // one is readable by the non-root user only through the pod's fsGroup.
        if (v.secret && pod.spec.securityContext?.fsGroup === undefined) {
            errors.push(`${where}: volume ${v.name} mounts a Secret but the pod has no fsGroup to read it with`);
        }
        // Secrets and the results claim are made by hand, once (deploy/k8s/results).
        if (wanted?.[0] === "ConfigMap" && !objects.some((o) => o.kind === wanted[0] && o.metadata?.name === wanted[1])) {
            errors.push(`${where}: volume ${v.name} needs ${wanted[0]} ${wanted[1]}, which the render does not have`);
        }
    }
}

function checkPod(pod, objects, version, errors) {
    if (pod.spec.enableServiceLinks !== false) {
        errors.push(`${pod.name}: enableServiceLinks is not false (a Service swarm-master injects SWARM_MASTER_PORT=tcp://…)`);
    }
    for (const { c, args } of pod.containers) {
        const where = `${pod.name} container ${c.name}`;
        checkImage(where, c, runsSwarm({ args }), version, errors);
        checkSecurity(pod, where, c, errors);
        checkResources(where, c, errors);
        checkProbes(pod, where, c, args, errors);
        checkVolumes(pod, where, c, objects, errors);
        if (args.sub === "master") checkMasterPorts(where, c, args, errors);
    }
}

function checkMasterPorts(where, c, args, errors) {
    const bind = hostPort(args.flags.get("--bind") ?? "0.0.0.0:5557", 5557);
    const webPort = Number(args.flags.get("--web-port") ?? 8089);
    if (!bind || !(c.ports ?? []).some((p) => p.containerPort === bind.port)) {
        errors.push(`${where}: --bind port is not a container port`);
    }
    if (!(c.ports ?? []).some((p) => p.containerPort === webPort)) {
        errors.push(`${where}: --web-port ${webPort} is not a container port`);
    }
}

// --- across objects -------------------------------------------------------------

function checkServices(objects, pods, errors) {
    for (const svc of objects.filter((o) => o.kind === "Service")) {
        const name = describe(svc);
        const matched = pods.filter((p) => selects(svc.spec?.selector, p.labels));
        if (matched.length === 0) {
            errors.push(`${name}: selector ${JSON.stringify(svc.spec?.selector ?? {})} matches no pod template`);
            continue;
        }
        for (const port of svc.spec?.ports ?? []) {
            const target = port.targetPort ?? port.port;
            for (const pod of matched) {
                if (!pod.containers.some(({ c }) => findPort(c, target))) {
                    errors.push(`${name}: port ${port.name ?? port.port} targets ${target}, not a port of ${pod.name}`);
                }
            }
        }
    }
}

function checkIngresses(objects, errors) {
    for (const ing of objects.filter((o) => o.kind === "Ingress")) {
        for (const rule of ing.spec?.rules ?? []) {
            for (const path of rule.http?.paths ?? []) {
                const backend = path.backend?.service;
                const svc = objects.find((o) => o.kind === "Service" && o.metadata?.name === backend?.name);
                const port = svc?.spec?.ports?.find((p) => p.name === backend?.port?.name || p.port === backend?.port?.number);
                if (!port) errors.push(`${describe(ing)}: backend ${backend?.name}:${JSON.stringify(backend?.port)} is no Service port`);
            }
        }
    }
}

// The worker's --master must name a Service that reaches a master's worker
// port, and that Service must publish the master before it is ready (a master
// with --expect-workers is ready only once the workers have joined).
function checkWorkerToMaster(objects, pods, errors) {
    const masters = pods.filter((p) => p.containers.some(({ args }) => args.sub === "master"));
    for (const pod of pods) {
        for (const { c, args } of pod.containers.filter(({ args }) => args.sub === "worker")) {
            const where = `${pod.name} container ${c.name}`;
            const target = hostPort(args.flags.get("--master"), 5557);
            const svc = objects.find((o) => o.kind === "Service" && o.metadata?.name === target?.host);
            if (!svc) {
                errors.push(`${where}: --master ${args.flags.get("--master")} names no Service`);
                continue;
            }
            const port = (svc.spec?.ports ?? []).find((p) => p.port === target.port);
            const reached = masters.filter((m) => selects(svc.spec?.selector, m.labels));
            const zmqReached = reached.some((m) => m.containers.some(({ c: mc, args: margs }) => {
                const bind = hostPort(margs.flags.get("--bind") ?? "0.0.0.0:5557", 5557);
                const p = port && findPort(mc, port.targetPort ?? port.port);
                return margs.sub === "master" && p && p.containerPort === bind?.port;
            }));
            if (!zmqReached) {
                errors.push(`${where}: --master ${target.host}:${target.port} does not reach a master's --bind port`);
            }
            if (svc.spec?.publishNotReadyAddresses !== true) {
                errors.push(`${describe(svc)}: the workers' Service needs publishNotReadyAddresses: true`);
            }
        }
    }
}

// The files a pod reads at `path`: the volume mounted there, or null.
function volumeAt(pod, c, path) {
    const mount = (c.volumeMounts ?? []).find((m) => String(path).startsWith(`${m.mountPath.replace(/\/$/, "")}/`));
    const volume = mount && (pod.spec.volumes ?? []).find((v) => v.name === mount.name);
    return volume ? { mount, volume, rel: String(path).slice(mount.mountPath.replace(/\/$/, "").length + 1) } : null;
}

// The key of a ConfigMap or Secret volume that appears at `rel` below its
// mount: with `items:` only the listed keys, each at its path; without, every
// key at its own name.
function keyAt(source, rel) {
    if (source.items) return source.items.find((i) => i.path === rel)?.key ?? null;
    return rel.includes("/") ? null : rel;
}

// Secure by default: CURVE on every master and worker (a worker port open to
// anyone lets anyone join, or read the scenario), the key and the UI's
// credentials and certificate from Secrets, owner- and group-readable only.
const SECRET_FLAGS = ["--auth-key-file", "--web-auth-file", "--tls-cert", "--tls-key"];
function checkSecrets(pods, errors) {
    for (const pod of pods) {
        for (const { c, args } of pod.containers) {
            const where = `${pod.name} container ${c.name}`;
            if ((args.sub === "master" || args.sub === "worker") && !args.flags.has("--auth-key-file")) {
                errors.push(`${where}: the ${args.sub} has no --auth-key-file (CURVE is on by default)`);
            }
            for (const flag of SECRET_FLAGS.filter((f) => args.flags.has(f))) {
                const file = args.flags.get(flag);
                const at = volumeAt(pod, c, file);
                if (!at?.volume.secret) {
                    errors.push(`${where}: ${flag} ${file} is not on a Secret volume`);
                    continue;
                }
                if (keyAt(at.volume.secret, at.rel) === null) {
                    errors.push(`${where}: ${flag} ${file}: Secret ${at.volume.secret.secretName} puts no key at ${at.rel}`);
                }
                const mode = at.volume.secret.defaultMode ?? 0o644;
                if (mode & 0o007) errors.push(`${where}: ${flag}'s Secret volume has defaultMode 0${mode.toString(8)} (others can read it)`);
            }
        }
    }
}

// Only the workers reach the worker port: a NetworkPolicy selects each master
// pod, and every rule of it that opens the --bind port admits worker pods
// only (pod selectors of this render's workers; no namespace or IP blocks).
function checkNetworkPolicy(objects, pods, errors) {
    const policies = objects.filter((o) => o.kind === "NetworkPolicy");
    const workers = pods.filter((p) => p.containers.some(({ args }) => args.sub === "worker"));
    for (const pod of pods) {
        const master = pod.containers.find(({ args }) => args.sub === "master");
        if (!master) continue;
        const bind = hostPort(master.args.flags.get("--bind") ?? "0.0.0.0:5557", 5557)?.port;
        const mine = policies.filter((np) => selects(np.spec?.podSelector?.matchLabels, pod.labels) &&
            (np.spec?.policyTypes ?? ["Ingress"]).includes("Ingress"));
        if (mine.length === 0) errors.push(`${pod.name}: no NetworkPolicy guards the worker port ${bind}`);
        for (const np of mine) {
            for (const rule of np.spec?.ingress ?? []) {
                const opens = !rule.ports || rule.ports.some((p) => p.port === bind || p.port === "zmq");
                if (!opens) continue;
                const from = rule.from ?? [];
                const onlyWorkers = from.length > 0 && from.every((f) => !f.ipBlock && !f.namespaceSelector && f.podSelector &&
                    workers.some((w) => selects(f.podSelector.matchLabels, w.labels)) &&
                    pods.filter((p) => !workers.includes(p)).every((p) => !selects(f.podSelector.matchLabels, p.labels)));
                if (!onlyWorkers) errors.push(`${describe(np)}: port ${bind} is open to more than the worker pods`);
            }
        }
    }
}

// A voluntary eviction (drain, autoscaler scale-down) truncates a test: the
// test's pods say safe-to-evict "false" and a PodDisruptionBudget with no
// room covers them; the workers spread over nodes.
function checkScheduling(objects, pods, errors) {
    const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");
    for (const pod of pods) {
        const role = pod.containers.find(({ args }) => args.sub === "master" || args.sub === "worker")?.args.sub;
        if (!role) continue;
        if (pod.annotations["cluster-autoscaler.kubernetes.io/safe-to-evict"] !== "false") {
            errors.push(`${pod.name}: no cluster-autoscaler.kubernetes.io/safe-to-evict: "false"`);
        }
        const pdb = budgets.find((b) => selects(b.spec?.selector?.matchLabels, pod.labels));
        if (!pdb) errors.push(`${pod.name}: no PodDisruptionBudget selects its pods`);
        else if (!(pdb.spec.maxUnavailable === 0 || pdb.spec.minAvailable === "100%")) {
            errors.push(`${describe(pdb)}: allows evictions (maxUnavailable ${pdb.spec.maxUnavailable})`);
        }
        if (role === "worker") {
            const spread = (pod.spec.topologySpreadConstraints ?? []).find((t) => t.topologyKey === "kubernetes.io/hostname" &&
                labelSelectorMatches(t.labelSelector, pod.labels));
            if (!spread) errors.push(`${pod.name}: no topologySpreadConstraints over kubernetes.io/hostname for its workers`);
        }
        if (role === "worker" && pod.owner.kind === "Deployment" && pod.containers.some(({ args }) => args.flags.has("--master-timeout"))) {
            errors.push(`${pod.name}: an interactive worker has --master-timeout (it would exit and crash-loop while the master is away)`);
        }
    }
}

// One image for every swarm container, the one the ConfigMap swarm-image names
// (deploy/k8s/base: the only place it is set).
function checkOneImage(objects, pods, errors) {
    const source = objects.find((o) => o.kind === "ConfigMap" && /(^|-)swarm-image(-|$)/.test(o.metadata?.name ?? ""));
    const images = pods.flatMap((p) => p.containers.filter(runsSwarm).map(({ c }) => ({ where: `${p.name} container ${c.name}`, image: c.image })));
    if (images.length === 0) return;
    if (!source?.data?.image) {
        errors.push("no ConfigMap swarm-image with the image name (deploy/k8s/base sets it)");
        return;
    }
    for (const { where, image } of images.filter((i) => i.image !== source.data.image)) {
        errors.push(`${where}: image ${image} is not swarm-image's ${source.data.image}`);
    }
}

// The UI behind an Ingress is behind a password.
function checkIngressAuth(objects, pods, errors) {
    for (const ing of objects.filter((o) => o.kind === "Ingress")) {
        for (const path of (ing.spec?.rules ?? []).flatMap((r) => r.http?.paths ?? [])) {
            const svc = objects.find((o) => o.kind === "Service" && o.metadata?.name === path.backend?.service?.name);
            for (const pod of pods.filter((p) => svc && selects(svc.spec?.selector, p.labels))) {
                const open = pod.containers.some(({ args }) => args.sub === "master" && !args.flags.has("--web-auth") && !args.flags.has("--web-auth-file"));
                if (open) errors.push(`${describe(ing)}: exposes ${pod.name}'s UI without --web-auth or --web-auth-file`);
            }
        }
    }
}

// A headless master writes each run's reports under a name of its own (a
// $(VAR) Kubernetes fills from the pod's name), onto a claim the render does
// not hold (`kubectl delete -k` would delete it).
function checkResults(objects, pods, errors) {
    for (const pod of pods) {
        for (const { c, args } of pod.containers.filter(({ args }) => args.sub === "master" && args.flags.get("--headless"))) {
            const where = `${pod.name} container ${c.name}`;
            for (const flag of ["--json", "--csv"].filter((f) => args.flags.has(f))) {
                const value = String(args.flags.get(flag));
                const vars = [...value.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1]);
                const perRun = vars.some((v) => (c.env ?? []).some((e) => e.name === v && e.valueFrom?.fieldRef?.fieldPath === "metadata.name"));
                if (!perRun) errors.push(`${where}: ${flag} ${value} is not named per run (use $(VAR) with VAR from the pod's metadata.name)`);
                const claim = volumeAt(pod, c, value)?.volume.persistentVolumeClaim?.claimName;
                if (claim && objects.some((o) => o.kind === "PersistentVolumeClaim" && o.metadata?.name === claim)) {
                    errors.push(`${where}: ${flag} writes to PersistentVolumeClaim ${claim}, which this render holds (kubectl delete -k would delete the results)`);
                }
            }
        }
    }
}

// The master's scenario is on its volume: a ConfigMap key under the path the
// master reads (flat keys reach subfolders only through `items:`).
function checkScenarioFile(objects, pods, errors) {
    for (const pod of pods) {
        for (const { c, args } of pod.containers.filter(({ args }) => args.sub === "master")) {
            const file = args.positionals[0];
            const at = file && volumeAt(pod, c, file);
            const where = `${pod.name} container ${c.name}`;
            if (!at) {
                errors.push(`${where}: the scenario ${file} is on no volume`);
                continue;
            }
            const cm = at.volume.configMap;
            if (!cm) continue;  // a claim or an image: filled outside the render
            const key = keyAt(cm, at.rel);
            const source = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === cm.name);
            if (key === null || (source && source.data?.[key] === undefined)) {
                errors.push(`${where}: the scenario ${file} is not in ConfigMap ${cm.name} (key ${key ?? `for ${at.rel}`})`);
            }
            for (const item of cm.items ?? []) {
                if (source && source.data?.[item.key] === undefined && source.binaryData?.[item.key] === undefined) {
                    errors.push(`${where}: volume ${at.volume.name} maps key ${item.key}, which ConfigMap ${cm.name} does not have`);
                }
            }
        }
    }
}

// Jobs end: bounded retries, a pod that is not restarted in place forever, and
// clean-up. A headless master never runs in a Deployment (it would rerun the
// test forever), and the worker Job matches what the master waits for.
function checkJobs(objects, pods, errors) {
    for (const job of objects.filter((o) => o.kind === "Job")) {
        const name = describe(job);
        if (typeof job.spec?.backoffLimit !== "number") errors.push(`${name}: no backoffLimit`);
        if (typeof job.spec?.ttlSecondsAfterFinished !== "number") errors.push(`${name}: no ttlSecondsAfterFinished`);
        if (typeof job.spec?.activeDeadlineSeconds !== "number") errors.push(`${name}: no activeDeadlineSeconds`);
        const policy = job.spec?.template?.spec?.restartPolicy;
        if (policy !== "Never" && policy !== "OnFailure") errors.push(`${name}: restartPolicy is ${policy}, not Never or OnFailure`);
    }
    const headless = pods.filter((p) => p.containers.some(({ args }) => args.sub === "master" && args.flags.get("--headless")));
    for (const pod of headless.filter((p) => p.owner.kind !== "Job")) {
        errors.push(`${pod.name}: a headless master must be a Job, not a ${pod.owner.kind} (it would rerun forever)`);
    }
    for (const pod of pods.filter((p) => p.owner.kind === "Job")) {
        for (const { args } of pod.containers) {
            if (args.sub === "master" && !args.flags.get("--headless")) errors.push(`${pod.name}: a master Job must run --headless`);
        }
    }
    checkWorkerCount(pods, headless, errors);
}

function checkWorkerCount(pods, headless, errors) {
    const workerJobs = pods.filter((p) => p.owner.kind === "Job" && p.containers.some(({ args }) => args.sub === "worker"));
    for (const master of headless) {
        const expected = Number(master.containers.find(({ args }) => args.sub === "master").args.flags.get("--expect-workers"));
        if (!Number.isInteger(expected) || expected < 1) errors.push(`${master.name}: a headless master needs --expect-workers N`);
        if (workerJobs.length !== 1) {
            errors.push(`${master.name}: expected one worker Job beside the headless master, found ${workerJobs.length}`);
            continue;
        }
        const spec = workerJobs[0].owner.spec ?? {};
        if (spec.parallelism !== expected) {
            errors.push(`${workerJobs[0].name}: parallelism ${spec.parallelism} differs from the master's --expect-workers ${expected}`);
        }
        if (spec.completions !== undefined && spec.completions !== spec.parallelism) {
            errors.push(`${workerJobs[0].name}: completions ${spec.completions} differs from parallelism ${spec.parallelism}`);
        }
    }
    for (const job of workerJobs) {
        for (const { args } of job.containers.filter(({ args }) => args.sub === "worker")) {
            if (!args.flags.get("--master-timeout")) {
                errors.push(`${job.name}: a worker Job needs --master-timeout, or an orphaned worker never completes`);
            }
        }
    }
}

function checkMasterDeployments(pods, errors) {
    for (const pod of pods.filter((p) => p.owner.kind === "Deployment")) {
        const isMaster = pod.containers.some(({ args }) => args.sub === "master");
        if (isMaster && pod.owner.spec?.replicas !== 1) errors.push(`${pod.name}: a master Deployment runs exactly 1 replica`);
    }
}

// --host http://NAME:PORT that names a Service of the render must use its port.
function checkTargetHost(objects, pods, errors) {
    for (const pod of pods) {
        for (const { c, args } of pod.containers) {
            const target = args.flags.has("--host") ? hostPort(args.flags.get("--host"), 80) : null;
            const svc = objects.find((o) => o.kind === "Service" && o.metadata?.name === target?.host);
            if (svc && !(svc.spec?.ports ?? []).some((p) => p.port === target.port)) {
                errors.push(`${pod.name} container ${c.name}: --host port ${target.port} is not a port of Service ${target.host}`);
            }
        }
    }
}

export function checkObjects(objects, { version } = {}) {
    const errors = [];
    objects.forEach((o, i) => checkSchema(o, o?.metadata?.name ? describe(o) : `document ${i + 1}`, errors));
    const pods = podTemplates(objects);
    if (pods.length === 0) errors.push("no workload (Deployment or Job) in the render");
    for (const pod of pods) checkPod(pod, objects, version, errors);
    checkServices(objects, pods, errors);
    checkIngresses(objects, errors);
    checkWorkerToMaster(objects, pods, errors);
    checkJobs(objects, pods, errors);
    checkSecrets(pods, errors);
    checkNetworkPolicy(objects, pods, errors);
    checkScheduling(objects, pods, errors);
    checkOneImage(objects, pods, errors);
    checkIngressAuth(objects, pods, errors);
    checkResults(objects, pods, errors);
    checkScenarioFile(objects, pods, errors);
    checkMasterDeployments(pods, errors);
    checkTargetHost(objects, pods, errors);
    return errors;
}
