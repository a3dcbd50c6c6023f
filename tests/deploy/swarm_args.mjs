// Reads a swarm command line (a container's args or a compose `command:`) into
// its subcommand, positionals and flags, so checks can ask "which --master?"
// instead of matching list positions.

// Flags that take no value (everything else takes exactly one).
const BOOLEAN_FLAGS = new Set(["--headless", "--only-summary", "--reset-stats", "--insecure", "--ratio", "--force"]);

// parseSwarmArgs(["master", "/s.yaml", "--bind", "0.0.0.0:5557"]) →
// { sub: "master", positionals: ["/s.yaml"], flags: Map { "--bind" → "0.0.0.0:5557" } }
export function parseSwarmArgs(args) {
    const list = (args ?? []).map(String);
    const result = { sub: list[0] ?? "", positionals: [], flags: new Map() };
    for (let i = 1; i < list.length; i++) {
        const arg = list[i];
        if (!arg.startsWith("-")) {
            result.positionals.push(arg);
        } else if (arg.includes("=")) {
            const at = arg.indexOf("=");
            result.flags.set(arg.slice(0, at), arg.slice(at + 1));
        } else if (BOOLEAN_FLAGS.has(arg)) {
            result.flags.set(arg, true);
        } else {
            result.flags.set(arg, list[i + 1] ?? "");
            i++;
        }
    }
    return result;
}

// "swarm-master:5557" → { host: "swarm-master", port: 5557 };
// "http://swarm-target:8080/x" → { host: "swarm-target", port: 8080 }.
export function hostPort(value, defaultPort) {
    const text = String(value ?? "");
    const m = text.match(/^(?:[a-z]+:\/\/)?([^/:[\]]+|\[[^\]]+\])(?::(\d+))?(?:\/.*)?$/);
    if (!m) return null;
    return { host: m[1], port: m[2] ? Number(m[2]) : defaultPort };
}
