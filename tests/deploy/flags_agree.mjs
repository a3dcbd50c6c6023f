// The compose file and the Kubernetes manifests start the same programs with
// the same flags and ports, and the multi-host test runs the compose commands
// for real — so what it proves holds for the manifests. compareDeployments()
// lists every difference. Host names differ by design (compose service
// `master`, Kubernetes Service `swarm-master`): each host is replaced by the
// role it reaches (the subcommand behind it) before comparing.
import { hostPort, parseSwarmArgs } from "./swarm_args.mjs";

// Flags a headless Job adds to the interactive master, and the Ingress overlay's.
export const HEADLESS_FLAGS = new Set([
    "--headless", "--expect-workers", "--expect-workers-max-wait", "-u", "-r", "-t",
    "--json", "--csv", "--only-summary",
]);
export const INGRESS_FLAGS = new Set(["--web-base-path"]);
const HOST_FLAGS = new Set(["--master", "--host"]);
// What the cluster adds by design, in every overlay: CURVE on by default (its
// Secret; compose documents the flag in deploy/README.md), and the UI's
// password and certificate of the -auth, -ingress and -tls overlays.
export const K8S_ONLY_FLAGS = new Set(["--auth-key-file", "--web-auth-file", "--tls-cert", "--tls-key"]);
// What compose may have and the interactive worker Deployment must not: a
// worker there waits for its master for ever (with a timeout it would exit
// and crash-loop while the master is away).
const COMPOSE_ONLY_WORKER_FLAGS = new Set(["--master-timeout"]);
// Report files: the Job names each run's after its pod ($(RUN_ID)), compose
// writes fixed names; both write below /results.
const PER_RUN_FLAGS = new Set(["--json", "--csv"]);

// role → parsed args, from compose `services:`; hosts resolve to service names.
export function composeRoles(compose) {
    const services = compose?.services ?? {};
    const roles = new Map();
    const roleOfHost = (host) => services[host] ? String(services[host].command?.[0] ?? "") : null;
    for (const [name, svc] of Object.entries(services)) {
        if (!Array.isArray(svc.command) || !svc.command.every((a) => typeof a === "string")) {
            roles.set(name, { error: `compose service ${name}: command must be a list of strings` });
            continue;
        }
        roles.set(name, { args: parseSwarmArgs(svc.command), roleOfHost, ports: composePorts(svc) });
    }
    return roles;
}

function composePorts(svc) {
    // "127.0.0.1:8089:8089" or "${X:-127.0.0.1}:8089:8089" → container port 8089.
    return (svc.ports ?? []).map((p) => Number(String(typeof p === "object" ? p.target : p).split(":").pop().split("/")[0]));
}

// role (the subcommand) → parsed args of the first container running it.
export function k8sRoles(objects) {
    const pods = objects.filter((o) => o.spec?.template?.spec?.containers);
    const roleOfHost = (host) => {
        const svc = objects.find((o) => o.kind === "Service" && o.metadata?.name === host);
        if (!svc) return null;
        const pod = pods.find((p) => Object.entries(svc.spec?.selector ?? {})
            .every(([k, v]) => p.spec.template.metadata?.labels?.[k] === v));
        return pod ? String(pod.spec.template.spec.containers[0].args?.[0] ?? "") : null;
    };
    const roles = new Map();
    for (const pod of pods) {
        const c = pod.spec.template.spec.containers[0];
        const args = parseSwarmArgs(c.args);
        if (!roles.has(args.sub)) {
            roles.set(args.sub, { args, roleOfHost, owner: pod.kind, ports: (c.ports ?? []).map((p) => p.containerPort) });
        }
    }
    return roles;
}

// A flag value with its host replaced by the role behind it: "master:5557" → "<master>:5557".
function normalise(flag, value, roleOfHost) {
    if (!HOST_FLAGS.has(flag)) return value;
    const hp = hostPort(value, flag === "--master" ? 5557 : 80);
    const role = hp && roleOfHost(hp.host);
    return role ? String(value).replace(hp.host, `<${role}>`).replace(/^(<\w+>)$/, `$1:${hp.port}`) : `unresolved host in ${value}`;
}

function flagsOf(entry) {
    return new Map([...entry.args.flags].map(([f, v]) => [f, normalise(f, v, entry.roleOfHost)]));
}

// Differences between one compose service and the Kubernetes container of the same role.
export function compareRole(role, composeEntry, k8sEntry, extraAllowed, where) {
    const errors = [];
    if (!composeEntry || composeEntry.error || !k8sEntry) {
        return [composeEntry?.error ?? `${where}: role ${role} is missing from ${composeEntry ? "the manifests" : "compose"}`];
    }
    const a = composeEntry.args, b = k8sEntry.args;
    if (a.sub !== b.sub) errors.push(`${where} ${role}: subcommand ${a.sub} vs ${b.sub}`);
    if (JSON.stringify(a.positionals) !== JSON.stringify(b.positionals)) {
        errors.push(`${where} ${role}: arguments ${a.positionals.join(" ")} vs ${b.positionals.join(" ")}`);
    }
    const fa = flagsOf(composeEntry), fb = flagsOf(k8sEntry);
    const interactiveWorker = role === "worker" && k8sEntry.owner === "Deployment";
    for (const [flag, value] of fa) {
        if (!fb.has(flag)) {
            if (!(interactiveWorker && COMPOSE_ONLY_WORKER_FLAGS.has(flag))) errors.push(`${where} ${role}: ${flag} is in compose, not in the manifests`);
        } else if (PER_RUN_FLAGS.has(flag)) {
            const dir = (v) => String(v).replace(/\/[^/]*$/, "");
            if (dir(fb.get(flag)) !== dir(value)) errors.push(`${where} ${role}: ${flag} writes to ${dir(value)} in compose, ${dir(fb.get(flag))} in the manifests`);
        } else if (fb.get(flag) !== value) errors.push(`${where} ${role}: ${flag} is ${value} in compose, ${fb.get(flag)} in the manifests`);
    }
    for (const flag of fb.keys()) {
        if (!fa.has(flag) && !extraAllowed.has(flag) && !K8S_ONLY_FLAGS.has(flag)) errors.push(`${where} ${role}: ${flag} is in the manifests, not in compose`);
    }
    // Every port the manifests' container exposes is published (or reachable) in compose and vice versa.
    const pa = [...new Set(composeEntry.ports)].sort(), pb = [...new Set(k8sEntry.ports)].sort();
    if (role === "master" && JSON.stringify(pa) !== JSON.stringify(pb)) {
        errors.push(`${where} ${role}: ports ${pa.join(",")} in compose, ${pb.join(",")} in the manifests`);
    }
    return errors;
}

// compose over a compose override file (services merged key by key, as docker compose does).
export function withOverride(compose, override) {
    const merged = structuredClone(compose);
    for (const [name, svc] of Object.entries(override?.services ?? {})) {
        merged.services[name] = { ...(merged.services?.[name] ?? {}), ...svc };
    }
    return merged;
}

function rolesByName(compose, where, errors) {
    const c = composeRoles(compose);
    for (const service of ["master", "worker", "target"]) {
        if (!c.has(service)) errors.push(`${where}: no service named ${service}`);
    }
    const byRole = new Map([...c.values()].filter((e) => e.args).map((e) => [e.args.sub, e]));
    for (const [name, e] of c) if (e.error) byRole.set(name, e);
    return byRole;
}

// compose: the parsed compose file; renders: overlay name → rendered objects;
// headless (optional): compose with its headless override, which must match
// the headless-job overlay exactly.
export function compareDeployments(compose, renders, headless) {
    const errors = [];
    const interactive = rolesByName(compose, "compose", errors);
    const headlessRoles = headless ? rolesByName(headless, "compose (headless)", errors) : null;
    for (const [overlay, objects] of Object.entries(renders)) {
        const k = k8sRoles(objects);
        const isHeadless = overlay.includes("headless");
        const roles = isHeadless && headlessRoles ? headlessRoles : interactive;
        const extra = isHeadless ? (headlessRoles ? new Set() : HEADLESS_FLAGS)
            : overlay.includes("ingress") ? INGRESS_FLAGS : new Set();
        for (const role of ["master", "worker", "target"]) {
            errors.push(...compareRole(role, roles.get(role), k.get(role), role === "master" ? extra : new Set(), overlay));
        }
    }
    if (headlessRoles) {
        // The override only adds the headless flags to the interactive master.
        errors.push(...compareRole("master", interactive.get("master"), headlessRoles.get("master"), HEADLESS_FLAGS,
            "compose vs compose (headless)"));
    }
    return errors;
}
