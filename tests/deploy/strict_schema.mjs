// Strict field checking for rendered Kubernetes objects: every field must be
// one the API knows. kubernetes-models' validators (k8s_rules.mjs) check
// types and required fields but let unknown ones through, so a misspelt
// `imagePullPolicyy` or a field indented one level too deep would reach the
// cluster and be dropped there, silently (or refused by a strict server).
// The field lists come from the package's own TypeScript declarations (one
// .d.ts per API type, generated from the Kubernetes OpenAPI spec), read once.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// The packages' own folders: their "exports" maps hide the .d.ts files from require.resolve.
const modules = join(dirname(fileURLToPath(import.meta.url)), "node_modules");
const cache = new Map();  // .d.ts path → { props: Map(name → {type, array, map}) } | null (a scalar type)

// The .d.ts of `spec` imported from `fromFile` ("./Probe", "@kubernetes-models/…/ObjectMeta").
function resolveDeclaration(spec, fromFile) {
    if (spec.startsWith(".")) return join(dirname(fromFile), `${spec}.d.ts`);
    return join(modules, `${spec}.d.ts`);
}

// One property's type: the interface it names (if any), and whether it is a
// list of them or a map to them.
function propertyType(text, imports) {
    const named = [...text.matchAll(/\bI[A-Za-z0-9]+\b/g)].map((m) => m[0]).find((n) => imports.has(n));
    return { file: named ? imports.get(named) : null, array: /^Array</.test(text.trim()), map: /\[key: string\]/.test(text) };
}

function load(file) {
    if (cache.has(file)) return cache.get(file);
    const text = readFileSync(file, "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "");
    const imports = new Map();
    for (const m of text.matchAll(/import \{ ([^}]+) \} from "([^"]+)";/g)) {
        for (const name of m[1].split(",").map((s) => s.trim())) imports.set(name, resolveDeclaration(m[2], file));
    }
    const start = text.search(/^export interface I\w+[^{]*\{$/m);
    let entry = null;
    if (start >= 0) {
        const body = text.slice(text.indexOf("{", start) + 1, text.indexOf("\n}", start));
        const props = new Map();
        // `    "name"?: TYPE;` — a map type spans lines up to `    };`.
        for (const m of body.matchAll(/^ {4}"([^"]+)"\??: ([^\n]*(?:\n {8}[^\n]*)*(?:\n {4}\};)?)/gm)) {
            props.set(m[1], propertyType(m[2], imports));
        }
        entry = { props };
    }
    cache.set(file, entry);
    return entry;
}

function walk(value, file, path, errors) {
    const entry = file && load(file);
    if (!entry || value === null || typeof value !== "object" || Array.isArray(value)) return;
    for (const [key, child] of Object.entries(value)) {
        const prop = entry.props.get(key);
        if (!prop) {
            errors.push(`${path ? `${path}.` : ""}${key}: unknown field`);
            continue;
        }
        const where = `${path ? `${path}.` : ""}${key}`;
        if (prop.array && Array.isArray(child)) child.forEach((c, i) => walk(c, prop.file, `${where}[${i}]`, errors));
        else if (prop.map && child && typeof child === "object") {
            for (const [k, v] of Object.entries(child)) walk(v, prop.file, `${where}.${k}`, errors);
        } else walk(child, prop.file, where, errors);
    }
}

// Unknown fields of `obj` (an object of a kind kubernetes-models has), as
// "spec.template.spec.containers[0].imagePullPolicyy: unknown field".
export function unknownFields(obj, modulePath) {
    const file = join(modules, `${modulePath}.d.ts`);
    if (!existsSync(file)) return [`no type declaration for ${modulePath}`];
    const errors = [];
    walk(obj, file, "", errors);
    return errors;
}
