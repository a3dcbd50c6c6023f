// node check_flags.mjs docker-compose.yml docker-compose.headless.yml RENDERED.yaml...
// Compares the compose commands with the Kubernetes containers of the same
// role (flags_agree.mjs); each render is named by its file name, and
// headless-job.yaml is compared with compose plus its headless override.
// Exit 0 when they agree, 1 otherwise, 2 on bad input.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parse } from "yaml";
import { loadDocuments } from "./check_k8s.mjs";
import { compareDeployments, withOverride } from "./flags_agree.mjs";

export function loadCompose(file) {
    return parse(readFileSync(file, "utf8"), { merge: true });
}

function main([composeFile, headlessFile, ...renderFiles]) {
    if (!composeFile || !headlessFile || renderFiles.length === 0) {
        console.error("usage: check_flags.mjs docker-compose.yml docker-compose.headless.yml RENDERED.yaml...");
        return 2;
    }
    let compose, headless, renders;
    try {
        compose = loadCompose(composeFile);
        headless = withOverride(compose, loadCompose(headlessFile));
        renders = Object.fromEntries(renderFiles.map((f) => [basename(f, ".yaml"), loadDocuments(f)]));
    } catch (e) {
        console.error(e.message);
        return 2;
    }
    const errors = compareDeployments(compose, renders, headless);
    for (const e of errors) console.error(e);
    console.log(`${composeFile} vs ${Object.keys(renders).join(", ")}: ${errors.length ? `${errors.length} differences` : "same flags and ports"}`);
    return errors.length ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
