// node compare_renders.mjs DIR_A DIR_B
// The renders of two kustomize versions (kubectl 1.20's v2.0.3 and a modern
// v5) must hold the same objects. What may differ, and is normalised away:
// the generated ConfigMaps' hash suffixes (each version hashes its own way),
// an empty `labels: {}`/`annotations: {}` v2 leaves on a replaced ConfigMap,
// and the order of objects. Exit 0 when every file of DIR_A has its twin in
// DIR_B with the same objects, 1 otherwise (naming the first difference).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { loadDocuments } from "./check_k8s.mjs";

function dropEmptyMaps(value) {
    if (Array.isArray(value)) return value.map(dropEmptyMaps);
    if (value === null || typeof value !== "object") return value;
    const out = {};
    for (const [k, v] of Object.entries(value)) {
        if ((k === "labels" || k === "annotations") && v && typeof v === "object" && Object.keys(v).length === 0) continue;
        out[k] = dropEmptyMaps(v);
    }
    return out;
}

export function normalise(objects) {
    const real = objects.filter((o) => o && typeof o === "object" && Object.keys(o).length > 0);
    // "swarm-scenario-9hb5k9k42t" → "swarm-scenario-<hash>", wherever it is named.
    const hashed = real.filter((o) => ["ConfigMap", "Secret"].includes(o.kind))
        .map((o) => o.metadata?.name ?? "").filter((n) => /-[a-z0-9]{10}$/.test(n));
    let text = JSON.stringify(real.map(dropEmptyMaps));
    for (const name of hashed) text = text.split(`"${name}"`).join(`"${name.slice(0, -10)}<hash>"`);
    const key = (o) => `${o.kind}/${o.metadata?.name}`;
    return JSON.parse(text).sort((a, b) => key(a).localeCompare(key(b)));
}

// The first difference between two renders, or null.
export function difference(a, b) {
    const na = normalise(a), nb = normalise(b);
    const names = (list) => list.map((o) => `${o.kind}/${o.metadata?.name}`).join(", ");
    if (na.length !== nb.length) return `objects differ: ${names(na)} vs ${names(nb)}`;
    for (let i = 0; i < na.length; i++) {
        if (!isDeepStrictEqual(na[i], nb[i])) {
            return `${na[i].kind}/${na[i].metadata?.name} differs:\n${JSON.stringify(na[i])}\n${JSON.stringify(nb[i])}`;
        }
    }
    return null;
}

function main([dirA, dirB]) {
    if (!dirA || !dirB) {
        console.error("usage: compare_renders.mjs DIR_A DIR_B");
        return 2;
    }
    let failed = false;
    const files = readdirSync(dirA).filter((f) => f.endsWith(".yaml"));
    for (const file of files) {
        let diff;
        try {
            diff = difference(loadDocuments(join(dirA, file)), loadDocuments(join(dirB, file)));
        } catch (e) {
            diff = e.message;
        }
        if (diff) console.error(`${file}: ${diff}`);
        failed ||= diff !== null;
    }
    console.log(`${files.length} renders compared: ${failed ? "they differ" : "the same objects"}`);
    return failed || files.length === 0 ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
