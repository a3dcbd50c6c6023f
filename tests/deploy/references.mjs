// A renamed copy of an overlay (namePrefix for a second install in one
// namespace, nameSuffix for a per-run headless Job) must be self-contained:
// every object carries the new name and the instance label, and every
// reference — the worker's --master, the master's --host, volumes, Service,
// NetworkPolicy and PodDisruptionBudget selectors, Ingress backends — points
// at this copy's objects, never at the original names.
import { parseSwarmArgs, hostPort } from "./swarm_args.mjs";

// The names the base and overlays give (before any prefix or suffix).
const ORIGINAL = ["swarm-master", "swarm-web", "swarm-target", "swarm-worker", "swarm-scenario", "swarm-image"];

export function copyErrors(objects, { rename, instance }) {
    const errors = [];
    const names = new Set(objects.map((o) => `${o.kind}/${o.metadata?.name}`));
    const has = (kind, name) => names.has(`${kind}/${name}`);
    const renamed = (name) => ORIGINAL.some((orig) => name.startsWith(rename(orig)));
    for (const o of objects) {
        const name = o.metadata?.name ?? "";
        if (!renamed(name)) errors.push(`${o.kind}/${name}: not renamed`);
        if (o.metadata?.labels?.["app.kubernetes.io/instance"] !== instance) errors.push(`${o.kind}/${name}: no instance label ${instance}`);
        const selector = o.kind === "Service" ? o.spec?.selector
            : ["NetworkPolicy"].includes(o.kind) ? o.spec?.podSelector?.matchLabels
            : o.kind === "PodDisruptionBudget" ? o.spec?.selector?.matchLabels : null;
        if (selector && selector["app.kubernetes.io/instance"] !== instance) {
            errors.push(`${o.kind}/${name}: its selector would also pick another copy's pods (no instance label)`);
        }
        for (const rule of o.kind === "NetworkPolicy" ? o.spec?.ingress ?? [] : []) {
            for (const from of rule.from ?? []) {
                if (from.podSelector && from.podSelector.matchLabels?.["app.kubernetes.io/instance"] !== instance) {
                    errors.push(`${o.kind}/${name}: admits another copy's pods`);
                }
            }
        }
        for (const path of o.kind === "Ingress" ? (o.spec?.rules ?? []).flatMap((r) => r.http?.paths ?? []) : []) {
            if (!has("Service", path.backend?.service?.name)) errors.push(`${o.kind}/${name}: backend ${path.backend?.service?.name} is not this copy's`);
        }
        const spec = o.spec?.template?.spec;
        for (const c of spec?.containers ?? []) {
            const args = parseSwarmArgs(c.args);
            for (const flag of ["--master", "--host"].filter((f) => args.flags.has(f))) {
                const host = hostPort(args.flags.get(flag), 80)?.host;
                if (!has("Service", host)) errors.push(`${o.kind}/${name}: ${flag} ${args.flags.get(flag)} names no Service of this copy`);
            }
        }
        for (const v of spec?.volumes ?? []) {
            if (v.configMap && !has("ConfigMap", v.configMap.name)) errors.push(`${o.kind}/${name}: volume ${v.name} names ConfigMap ${v.configMap.name}, not this copy's`);
        }
    }
    return errors;
}
