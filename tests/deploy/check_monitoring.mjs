// node check_monitoring.mjs --metrics SAMPLE.txt --dashboard DASHBOARD.json [--render RENDERED.yaml]
// deploy/'s monitoring files against what swarm really serves:
// - every metric name a query of the Grafana dashboard uses exists in a real
//   GET /metrics sample (a family is there when the sample declares its TYPE:
//   a family with no series yet, such as swarm_threshold_passing without
//   thresholds, still counts; a histogram brings _bucket, _sum and _count);
// - every panel has at least one query, and each query names a swarm_ metric;
// - with --render (an overlay rendered with addons/prometheus): each
//   PodMonitor selects the master's pod template and scrapes a port the
//   master's container declares, at /metrics under its --web-base-path.
// Prints every problem; exit 0 when none, 1 otherwise, 2 on bad usage or input.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

export function metricNames(sampleText) {
    const names = new Set();
    for (const line of sampleText.split("\n")) {
        const typed = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)$/.exec(line);
        if (typed) {
            names.add(typed[1]);
            if (typed[2] === "histogram" || typed[2] === "summary") {
                for (const s of ["_bucket", "_sum", "_count"]) names.add(typed[1] + s);
            }
            continue;
        }
        const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
        if (sample) names.add(sample[1]);
    }
    return names;
}

// Every query of every panel (rows' nested panels too), with its panel's title.
export function dashboardQueries(dashboard) {
    const out = [];
    const visit = (panels) => {
        for (const p of panels ?? []) {
            if (p.type === "row") {
                visit(p.panels);
                continue;
            }
            if (!(p.targets ?? []).length) out.push({ panel: p.title, expr: "" });
            for (const t of p.targets ?? []) out.push({ panel: p.title, expr: t.expr ?? "" });
        }
    };
    visit(dashboard.panels);
    for (const v of dashboard.templating?.list ?? []) {
        const q = typeof v.query === "string" ? v.query : v.query?.query;
        if (v.type === "query" && q) out.push({ panel: `variable ${v.name}`, expr: q });
    }
    return out;
}

// swarm_ names in a PromQL expression (label names and values are inside {}; strip them).
export function usedMetrics(expr) {
    const bare = expr.replace(/\{[^}]*\}/g, "{}").replace(/"[^"]*"/g, '""');
    return [...new Set(bare.match(/\bswarm_[a-zA-Z0-9_:]*/g) ?? [])];
}

export function checkDashboard(dashboard, names) {
    const errors = [];
    const queries = dashboardQueries(dashboard);
    if (!queries.length) errors.push("the dashboard has no queries");
    for (const { panel, expr } of queries) {
        const used = usedMetrics(expr);
        if (!used.length) errors.push(`panel "${panel}": no swarm_ metric in query '${expr}'`);
        for (const m of used) {
            if (!names.has(m)) errors.push(`panel "${panel}": ${m} is not in the /metrics sample`);
        }
    }
    return errors;
}

function flagValue(args, flag) {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
}

export function checkPodMonitors(objects) {
    const errors = [];
    const monitors = objects.filter((o) => o.kind === "PodMonitor");
    if (!monitors.length) errors.push("no PodMonitor in the render");
    const templates = objects
        .filter((o) => o.spec?.template?.spec?.containers)
        .map((o) => ({ owner: `${o.kind}/${o.metadata?.name}`, template: o.spec.template }));
    for (const m of monitors) {
        const where = `PodMonitor/${m.metadata?.name}`;
        if (m.apiVersion !== "monitoring.coreos.com/v1") errors.push(`${where}: apiVersion ${m.apiVersion}`);
        const want = m.spec?.selector?.matchLabels ?? {};
        if (!Object.keys(want).length) errors.push(`${where}: no selector.matchLabels`);
        const selected = templates.filter(({ template }) =>
            Object.entries(want).every(([k, v]) => template.metadata?.labels?.[k] === v));
        const masters = selected.filter(({ template }) => template.spec.containers[0]?.args?.some((a) => a === "master" || a === "run"));
        if (!masters.length) errors.push(`${where}: selects no master pod`);
        for (const { owner } of selected.filter((s) => !masters.includes(s)))
            errors.push(`${where}: also selects ${owner}, which is not a master (workers serve no /metrics)`);
        for (const ep of m.spec?.podMetricsEndpoints ?? []) {
            for (const { owner, template } of masters) {
                const c = template.spec.containers[0];
                if (!(c.ports ?? []).some((p) => p.name === ep.port))
                    errors.push(`${where}: port ${ep.port} is not a container port of ${owner}`);
                const base = flagValue(c.args ?? [], "--web-base-path") ?? "";
                if (ep.path !== `${base.replace(/\/$/, "")}/metrics`)
                    errors.push(`${where}: path ${ep.path} is not ${base}/metrics for ${owner}`);
            }
        }
        if (!(m.spec?.podMetricsEndpoints ?? []).length) errors.push(`${where}: no podMetricsEndpoints`);
    }
    return errors;
}

function main(args) {
    const metrics = flagValue(args, "--metrics");
    const dashboardFile = flagValue(args, "--dashboard");
    const render = flagValue(args, "--render");
    if (!metrics || !dashboardFile) {
        console.error("usage: check_monitoring.mjs --metrics SAMPLE.txt --dashboard DASHBOARD.json [--render RENDERED.yaml]");
        return 2;
    }
    let names, dashboard, objects = [];
    try {
        names = metricNames(readFileSync(metrics, "utf8"));
        dashboard = JSON.parse(readFileSync(dashboardFile, "utf8"));
        if (render) objects = parseAllDocuments(readFileSync(render, "utf8")).map((d) => d.toJS()).filter((o) => o);
    } catch (e) {
        console.error(e.message);
        return 2;
    }
    if (![...names].some((n) => n.startsWith("swarm_"))) {
        console.error(`${metrics}: no swarm_ metric in the sample`);
        return 2;
    }
    const errors = checkDashboard(dashboard, names);
    if (render) errors.push(...checkPodMonitors(objects));
    for (const e of errors) console.error(e);
    const queries = dashboardQueries(dashboard).length;
    console.log(`${dashboardFile}: ${queries} queries over ${names.size} sampled names` +
        (render ? `; ${objects.filter((o) => o.kind === "PodMonitor").length} PodMonitor(s)` : "") +
        (errors.length ? `: ${errors.length} problems` : ": ok"));
    return errors.length ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
