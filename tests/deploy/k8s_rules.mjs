// The project's rules for its rendered Kubernetes manifests: each object valid
// against the Kubernetes OpenAPI schema (kubernetes-models), plus the rules
// that tie objects together and that a schema cannot see — a Service that
// selects no pod, a worker aimed at the wrong port, a Job that retries forever.
// checkObjects() returns every broken rule as a message naming the object.
import { createRequire } from "node:module";
import { hostPort, parseSwarmArgs } from "./swarm_args.mjs";

const require = createRequire(import.meta.url);

// --- schema ---------------------------------------------------------------

function schemaModel(apiVersion, kind) {
    // kubernetes-models lays out one module per kind: apps/v1/Deployment, v1/Service.
    if (!/^[a-z0-9.]*\/?v[0-9a-z]+$/.test(apiVersion ?? "") || !/^[A-Z][A-Za-z]+$/.test(kind ?? "")) return null;
    try {
        return require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
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
}

// --- what the render holds --------------------------------------------------

const WORKLOAD_KINDS = new Set(["Deployment", "Job", "StatefulSet", "DaemonSet"]);

function describe(obj) {
    return `${obj?.kind ?? "?"}/${obj?.metadata?.name ?? "?"}`;
}

// One entry per pod template: who owns it, its labels, and each container's
// parsed swarm command line.
function podTemplates(objects) {
    return objects
        .filter((o) => WORKLOAD_KINDS.has(o.kind))
        .map((o) => ({
            owner: o,
            name: describe(o),
            labels: o.spec?.template?.metadata?.labels ?? {},
            spec: o.spec?.template?.spec ?? {},
            containers: (o.spec?.template?.spec?.containers ?? []).map((c) => ({ c, args: parseSwarmArgs(c.args) })),
        }));
}

function selects(selector, labels) {
    const entries = Object.entries(selector ?? {});
    return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

// A port reference (number or name) resolved against a container's ports.
function findPort(container, ref) {
    return (container.ports ?? []).find((p) => p.name === ref || p.containerPort === ref) ?? null;
}

// --- per pod template ---------------------------------------------------------

function checkImage(where, image, version, errors) {
    const m = String(image ?? "").match(/^(.+?)(?::([\w][\w.-]*))?(@sha256:[0-9a-f]{64})?$/);
    const tag = m?.[2];
    if (!tag && !m?.[3]) errors.push(`${where}: image ${image} has no tag (pin one; never :latest)`);
    else if (tag === "latest") errors.push(`${where}: image ${image} uses :latest`);
    else if (version && tag && tag !== version) {
        errors.push(`${where}: image ${image} is not tagged with the project version ${version}`);
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

function checkProbe(where, kind, c, probe, basePath, errors) {
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
    if (!c.readinessProbe) errors.push(`${where}: no readinessProbe`);
    if ((c.ports ?? []).length > 0 && !c.livenessProbe) errors.push(`${where}: no livenessProbe`);
    for (const kind of ["livenessProbe", "readinessProbe"]) {
        if (c[kind]) checkProbe(where, kind, c, c[kind], basePath, errors);
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
        if (wanted && wanted[0] !== "Secret" && !objects.some((o) => o.kind === wanted[0] && o.metadata?.name === wanted[1])) {
            errors.push(`${where}: volume ${v.name} needs ${wanted[0]} ${wanted[1]}, which the render does not have`);
        }
    }
}

function checkPod(pod, objects, version, errors) {
    for (const { c, args } of pod.containers) {
        const where = `${pod.name} container ${c.name}`;
        checkImage(where, c.image, version, errors);
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

// CURVE is all or nothing: a master with --auth-key-file refuses workers
// without one, and a worker with one cannot talk to a master without.
function checkAuthAgrees(pods, errors) {
    const roles = pods.flatMap((p) => p.containers.filter(({ args }) => ["master", "worker"].includes(args.sub))
        .map(({ args }) => ({ name: p.name, sub: args.sub, key: args.flags.has("--auth-key-file") })));
    const keyed = roles.filter((r) => r.key);
    if (keyed.length > 0 && keyed.length < roles.length) {
        for (const r of roles.filter((x) => !x.key)) errors.push(`${r.name}: the ${r.sub} has no --auth-key-file, unlike ${keyed[0].name}`);
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
    checkAuthAgrees(pods, errors);
    checkMasterDeployments(pods, errors);
    checkTargetHost(objects, pods, errors);
    return errors;
}
