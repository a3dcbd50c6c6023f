// node materialize.mjs RENDERED.yaml OUTDIR
// Lays out the master's ConfigMap volumes of a render the way the kubelet
// would (each key at its `items:` path, or at its own name without items)
// under OUTDIR/<mountPath>, and prints the scenario's path there, one line
// per master container — so `swarm check` can load the scenario and its data
// files exactly as the pod will see them. Exit 2 on bad input.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadDocuments } from "./check_k8s.mjs";
import { parseSwarmArgs } from "./swarm_args.mjs";

export function materialize(objects, outDir) {
    const scenarios = [];
    for (const owner of objects.filter((o) => o.spec?.template?.spec?.containers)) {
        const spec = owner.spec.template.spec;
        for (const c of spec.containers) {
            const args = parseSwarmArgs(c.args);
            if (args.sub !== "master") continue;
            for (const m of c.volumeMounts ?? []) {
                const source = (spec.volumes ?? []).find((v) => v.name === m.name)?.configMap;
                const cm = source && objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === source.name);
                if (!cm) continue;
                const entries = source.items ?? Object.keys(cm.data ?? {}).map((key) => ({ key, path: key }));
                for (const { key, path } of entries) {
                    if (cm.data?.[key] === undefined) throw new Error(`${owner.metadata.name}: ConfigMap ${source.name} has no key ${key}`);
                    const file = join(outDir, m.mountPath, path);
                    mkdirSync(dirname(file), { recursive: true });
                    writeFileSync(file, cm.data[key]);
                }
            }
            scenarios.push(join(outDir, args.positionals[0] ?? ""));
        }
    }
    return scenarios;
}

function main([render, outDir]) {
    if (!render || !outDir) {
        console.error("usage: materialize.mjs RENDERED.yaml OUTDIR");
        return 2;
    }
    try {
        for (const s of materialize(loadDocuments(render), outDir)) console.log(s);
    } catch (e) {
        console.error(e.message);
        return 2;
    }
    return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
