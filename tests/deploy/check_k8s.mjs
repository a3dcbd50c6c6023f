// node check_k8s.mjs --version X.Y.Z RENDERED.yaml...
// Checks each file (the output of `kubectl kustomize` for one overlay) against
// the Kubernetes schemas and the project's rules (k8s_rules.mjs). Prints every
// broken rule; exit 0 when none, 1 otherwise, 2 on bad usage or unreadable input.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { checkObjects } from "./k8s_rules.mjs";

export function loadDocuments(file) {
    const docs = parseAllDocuments(readFileSync(file, "utf8"));
    const errors = docs.flatMap((d) => d.errors.map((e) => `${file}: ${e.message}`));
    if (errors.length) throw new Error(errors.join("\n"));
    return docs.map((d) => d.toJS()).filter((o) => o !== null);
}

function main(argv) {
    let version;
    const files = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--version") version = argv[++i];
        else files.push(argv[i]);
    }
    if (files.length === 0) {
        console.error("usage: check_k8s.mjs [--version X.Y.Z] RENDERED.yaml...");
        return 2;
    }
    let failed = false;
    for (const file of files) {
        let objects;
        try {
            objects = loadDocuments(file);
        } catch (e) {
            console.error(e.message);
            return 2;
        }
        const errors = checkObjects(objects, { version });
        for (const e of errors) console.error(`${file}: ${e}`);
        console.log(`${file}: ${objects.length} objects, ${errors.length ? `${errors.length} broken rules` : "ok"}`);
        failed ||= errors.length > 0;
    }
    return failed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
