// User classes, task sets, tasks and steps.
#include <algorithm>
#include <set>

#include "common/scenario/load_context.hpp"
#include "common/suggest.hpp"

namespace swarm::scenario::detail {
namespace {

// Every name a user class declares as a variable (vars, let, extract), anywhere
// in it, so templates can refer to a variable set by an earlier step.
void collect_variables(const YAML::Node& n, std::set<std::string, std::less<>>& out, int depth) {
    if (depth > max_nesting * 4) return;
    if (n.IsSequence()) {
        for (const auto& item : n) collect_variables(item, out, depth + 1);
        return;
    }
    if (!n.IsMap()) return;
    for (const auto& kv : n) {
        if (!kv.first.IsScalar()) continue;
        const auto& key = kv.first.Scalar();
        if ((key == "vars" || key == "let" || key == "extract") && kv.second.IsMap()) {
            for (const auto& var : kv.second) {
                if (var.first.IsScalar()) out.insert(var.first.Scalar());
            }
        }
        if (key != "json" && key != "form" && key != "headers" && key != "query") {
            collect_variables(kv.second, out, depth + 1);
        }
    }
}

wait_spec load_wait(load_context& ctx, const YAML::Node& n, const std::string& path) {
    wait_spec w;
    if (n.IsScalar()) {  // `wait: 2s` is shorthand for constant
        if (auto t = ctx.time(n, path)) {
            w.how = t->count() == 0 ? wait_spec::kind::none : wait_spec::kind::constant;
            w.min = w.max = *t;
        }
        return w;
    }
    if (!ctx.expect_map(n, path,
                        "{between: [min, max]}, {constant: t}, {pacing: t} or {throughput: n}"))
        return w;
    ctx.check_keys(n, path, {"between", "constant", "pacing", "throughput"});
    if (n.size() != 1) {
        ctx.error(n, path, "a wait has exactly one of between, constant, pacing, throughput");
        return w;
    }
    const auto entry = *n.begin();  // yaml-cpp iterators yield temporaries: keep a copy
    const auto key = entry.first.Scalar();
    const YAML::Node v = entry.second;
    const auto sub = join_path(path, key);
    if (key == "between") {
        if (!v.IsSequence() || v.size() != 2) {
            ctx.error(v, sub, "expected [min, max]");
            return w;
        }
        auto lo = ctx.time(v[0], sub), hi = ctx.time(v[1], sub);
        if (lo && hi && *lo > *hi) {
            ctx.error(v, sub, "min " + v[0].Scalar() + " is greater than max " + v[1].Scalar());
        } else if (lo && hi) {
            w = {wait_spec::kind::between, *lo, *hi, 0};
        }
    } else if (key == "constant" || key == "pacing") {
        if (auto t = ctx.time(v, sub)) {
            w = {key == "constant" ? wait_spec::kind::constant : wait_spec::kind::pacing, *t, *t,
                 0};
        }
    } else if (key == "throughput") {
        if (auto n_per_s = ctx.positive_number(v, sub))
            w = {wait_spec::kind::throughput, {}, {}, *n_per_s};
    }
    return w;
}

void load_task(load_context& ctx, const std::string& name, const YAML::Node& n,
               const std::string& path, scope where, task& out);

void finish_weights(task_set& set) {
    double sum = 0;
    set.cumulative_weights.clear();
    for (const auto& t : set.tasks) {
        sum += t.weight;
        set.cumulative_weights.push_back(sum);
    }
}

// `arrival:`: an open class. Its users are a pool its arrival rate draws
// on, so the closed-model keys (weight, fixed_count) do not apply.
void load_open_class(load_context& ctx, const YAML::Node& n, const std::string& path,
                     user_class& out) {
    for (const char* key : {"weight", "fixed_count"}) {
        if (!n[key]) continue;
        ctx.error(key_node(n, key), join_path(path, key),
                  std::string("`arrival` and `") + key +
                      "` together: an open class's users are a pool its arrival rate draws on "
                      "(max_users), weight and fixed_count are for closed classes");
    }
    if (n["wait"]) {
        ctx.warning(key_node(n, "wait"), join_path(path, "wait"),
                    "`wait` is ignored in an open class: each arrival runs one task, with no "
                    "wait (the arrival rate sets the pace)");
    }
    arrival_spec spec;
    load_arrival(ctx, n["arrival"], join_path(path, "arrival"), spec);
    out.arrival = std::move(spec);
}

// `tags: [checkout, slow]` (or one tag as text), for --tags/--exclude-tags.
std::vector<std::string> load_tags(load_context& ctx, const YAML::Node& n,
                                   const std::string& path) {
    std::vector<std::string> out;
    auto add = [&](const YAML::Node& item, const std::string& item_path) {
        auto t = ctx.string(item, item_path);
        if (!t) return;
        // Tags travel to workers in --tags (proto/codec.hpp: ≤ 255 bytes each).
        if (t->empty() || t->size() > max_tag_bytes || t->find(',') != std::string::npos) {
            ctx.error(item, item_path,
                      "a tag is 1 to " + std::to_string(max_tag_bytes) +
                          " bytes without a comma, got '" + *t + "'");
            return;
        }
        out.push_back(std::move(*t));
    };
    if (n.IsScalar()) {
        add(n, path);
    } else if (ctx.expect_sequence(n, path)) {
        if (n.size() > max_task_tags) {
            ctx.error(n, path, "at most " + std::to_string(max_task_tags) + " tags");
            return out;
        }
        std::size_t i = 0;
        for (const auto& item : n) add(item, index_path(path, i++));
    }
    return out;
}

}  // namespace

void load_user_class(load_context& ctx, const std::string& name, const YAML::Node& n,
                     const std::string& path, user_class& out) {
    out.name = name;
    out.where = location_of(n);
    if (name.size() > max_stats_name_bytes) {
        ctx.error(n, path,
                  "a user class name is at most " + std::to_string(max_stats_name_bytes) +
                      " bytes (it names the class's errors in stats reports)");
    }
    if (!ctx.expect_map(n, path, "a user class (a map with tasks, wait, weight, ...)")) return;
    ctx.check_keys(
        n, path,
        {"weight", "fixed_count", "arrival", "host", "wait", "vars", "on_start", "on_stop", "tasks",
         "insecure", "ca_file", "protocol", "tls", "close_idle_after"});
    std::set<std::string, std::less<>> variables;
    collect_variables(n, variables, 0);
    ctx.begin_user_class(std::move(variables));

    if (n["weight"])
        out.weight = ctx.positive_number(n["weight"], join_path(path, "weight")).value_or(1);
    if (n["fixed_count"]) {
        out.fixed_count =
            ctx.integer(n["fixed_count"], join_path(path, "fixed_count"), 0, 100'000'000);
    }
    if (n["arrival"]) load_open_class(ctx, n, path, out);
    if (n["host"]) out.host = ctx.constant_text(n["host"], join_path(path, "host")).value_or("");
    if (n["insecure"])
        out.insecure = ctx.boolean(n["insecure"], join_path(path, "insecure")).value_or(false);
    if (n["ca_file"])
        load_ca_file(ctx, n["ca_file"], join_path(path, "ca_file"), out.ca_file, out.ca_pem);
    if (n["protocol"]) {
        out.protocol =
            ctx.protocol(n["protocol"], join_path(path, "protocol")).value_or(out.protocol);
    }
    ctx.set_class_protocol(out.protocol);  // the default of the class's requests
    if (n["tls"]) load_tls(ctx, n["tls"], join_path(path, "tls"), out.tls);
    if (const auto idle = n["close_idle_after"]) {
        const auto where = join_path(path, "close_idle_after");
        if (auto d = ctx.time(idle, where); d && *d <= duration{0}) {
            ctx.error(idle, where, "must be longer than 0 (leave it out to keep connections open)");
        } else {
            out.close_idle_after = d;
        }
    }
    if (n["wait"]) out.root.wait = load_wait(ctx, n["wait"], join_path(path, "wait"));
    if (n["vars"]) out.vars = ctx.templates_map(n["vars"], join_path(path, "vars"));
    const scope root{1, false};
    if (n["on_start"])
        out.root.on_start = load_steps(ctx, n["on_start"], join_path(path, "on_start"), root);
    // Every task starts with the WebSocket on_start opened, if any. on_stop
    // may close one a task opened: not known here, so not refused.
    ctx.ws_open_at_start = ctx.ws_open;
    ctx.ws_open = true;
    if (n["on_stop"])
        out.root.on_stop = load_steps(ctx, n["on_stop"], join_path(path, "on_stop"), root);
    if (!n["tasks"]) {
        ctx.error(n, path, "a user class needs `tasks:`");
        return;
    }
    // An arrival runs one task and ends: there is no wait between tasks
    // (nor in its nested sets, which inherit the class's wait).
    if (out.arrival) out.root.wait = wait_spec{};
    scope tasks_scope = root;
    tasks_scope.user_wait = &out.root.wait;
    load_task_set_body(ctx, n["tasks"], join_path(path, "tasks"), tasks_scope, out.root);
}

void load_task_set_body(load_context& ctx, const YAML::Node& n, const std::string& path,
                        scope where, task_set& out) {
    if (!ctx.expect_map(n, path, "a map of tasks by name")) return;
    if (n.size() == 0) ctx.error(n, path, "needs at least one task");
    const auto errors_before = ctx.errors().size();
    for (const auto& kv : n) {
        if (!kv.first.IsScalar()) {
            ctx.error(kv.first, path, "task names must be plain text");
            continue;
        }
        task t;
        load_task(ctx, kv.first.Scalar(), kv.second, join_path(path, kv.first.Scalar()), where, t);
        out.tasks.push_back(std::move(t));
    }
    const bool all_disabled =
        !out.tasks.empty() && std::all_of(out.tasks.begin(), out.tasks.end(),
                                          [](const task& t) { return t.weight == 0; });
    if (all_disabled && ctx.errors().size() == errors_before) {
        ctx.error(n, path, "every task has weight 0 (disabled): at least one must be able to run");
    }
    finish_weights(out);
}

namespace {

bool has_method_key(const YAML::Node& n) {
    return std::any_of(std::begin(method_keys), std::end(method_keys),
                       [&](std::string_view m) { return static_cast<bool>(n[std::string(m)]); });
}

void load_nested_set(load_context& ctx, const YAML::Node& n, const std::string& path, scope where,
                     task& out) {
    auto set = std::make_shared<task_set>();
    const scope inner{where.depth + 1, true, where.user_wait};
    if (n["wait"]) {
        set->wait = load_wait(ctx, n["wait"], join_path(path, "wait"));
    } else if (where.user_wait) {
        set->wait = *where.user_wait;
        set->wait_inherited = true;
    }
    if (n["sequential"])
        set->sequential =
            ctx.boolean(n["sequential"], join_path(path, "sequential")).value_or(false);
    if (n["iterations"])
        set->iterations =
            ctx.integer(n["iterations"], join_path(path, "iterations"), 1, 1'000'000'000);
    if (n["on_start"])
        set->on_start = load_steps(ctx, n["on_start"], join_path(path, "on_start"), inner);
    // A WebSocket the nested on_start opens is open in the nested tasks.
    const bool outer_ws_open_at_start = ctx.ws_open_at_start;
    ctx.ws_open_at_start = ctx.ws_open;
    if (n["on_stop"])
        set->on_stop = load_steps(ctx, n["on_stop"], join_path(path, "on_stop"), inner);
    load_task_set_body(ctx, n["tasks"], join_path(path, "tasks"), inner, *set);
    ctx.ws_open_at_start = outer_ws_open_at_start;
    out.nested = std::move(set);
}

void load_task(load_context& ctx, const std::string& name, const YAML::Node& n,
               const std::string& path, scope where, task& out) {
    out.name = name;
    out.where = location_of(n);
    ctx.ws_open = ctx.ws_open_at_start;
    if (where.depth > max_nesting) {
        ctx.error(n, path, "nested more than " + std::to_string(max_nesting) + " levels deep");
        return;
    }
    if (n.IsSequence()) {  // `name: [steps...]`
        out.steps = load_steps(ctx, n, path, where);
        return;
    }
    if (!ctx.expect_map(n, path, "a task: a request (get: /path), `steps:` or `tasks:`")) return;
    if (n["weight"])
        out.weight = ctx.non_negative_number(n["weight"], join_path(path, "weight")).value_or(1);
    if (n["tags"]) out.tags = load_tags(ctx, n["tags"], join_path(path, "tags"));
    if (n["let"]) out.let = ctx.templates_map(n["let"], join_path(path, "let"));

    if (n["tasks"]) {
        ctx.check_keys(n, path,
                       {"weight", "tags", "let", "tasks", "wait", "on_start", "on_stop",
                        "sequential", "iterations"});
        load_nested_set(ctx, n, path, where, out);
    } else if (n["steps"]) {
        ctx.check_keys(n, path, {"weight", "tags", "let", "steps"});
        out.steps = load_steps(ctx, n["steps"], join_path(path, "steps"), where);
    } else if (has_method_key(n)) {
        step s;
        s.where = location_of(n);
        request_step r;
        load_request(ctx, n, path, {"weight", "tags", "let"}, r);
        s.action = std::move(r);
        out.steps.push_back(std::move(s));
    } else {
        ctx.check_keys(n, path,
                       {"weight", "tags", "let", "steps", "tasks", "get", "post", "put", "patch",
                        "delete", "head", "options"});
        ctx.error(n, path, "a task needs a request (get: /path, post: ...), `steps:` or `tasks:`");
    }
}

const std::vector<std::string_view> step_kinds = {
    "get",   "post",     "put",   "patch", "delete",    "head",      "options",
    "if",    "repeat",   "sleep", "let",   "interrupt", "stop_user", "while",
    "group", "parallel", "ws",    "send",  "receive",   "close"};

// `sleep: 2s`, or a template rendered per run ("{{ delay }}", "{{ rand_int(1, 3) }}s").
sleep_step load_sleep(load_context& ctx, const YAML::Node& n, const std::string& path) {
    sleep_step out;
    if (n.IsScalar() && n.Scalar().find("{{") != std::string::npos) {
        out.templated = ctx.templ(n, path);
        return out;
    }
    out.time = ctx.time(n, path).value_or(duration{0});
    return out;
}

// `while: EXPR` with a mandatory `max:` (rounds) and `steps:`.
while_step load_while(load_context& ctx, const YAML::Node& n, const std::string& path,
                      scope where) {
    while_step w;
    w.where = location_of(n);
    ctx.check_keys(n, path, {"while", "max", "steps"});
    if (auto e = ctx.expression(n["while"], join_path(path, "while"))) w.condition = std::move(*e);
    if (!n["max"]) {
        ctx.error(n, path, "`while` needs `max:`, the most rounds it may run (like max: 20)");
    } else {
        w.max = ctx.integer(n["max"], join_path(path, "max"), 1, 1'000'000).value_or(0);
    }
    if (!n["steps"]) ctx.error(n, path, "`while` needs `steps:`");
    else w.steps = load_steps(ctx, n["steps"], join_path(path, "steps"), where.deeper());
    return w;
}

std::optional<step> load_step(load_context& ctx, const YAML::Node& n, const std::string& path,
                              scope where) {
    step s;
    s.where = location_of(n);
    if (n.IsScalar() && (n.Scalar() == "interrupt" || n.Scalar() == "stop_user")) {
        if (n.Scalar() == "interrupt") {
            if (!where.nested) {
                ctx.error(n, path,
                          "`interrupt` only makes sense inside a nested task set (`tasks:` within "
                          "a task)");
                return std::nullopt;
            }
            s.action = interrupt_step{};
        } else {
            s.action = stop_user_step{};
        }
        return s;
    }
    if (!ctx.expect_map(
            n, path,
            "a step: a request (get: /path), if, repeat, while, sleep, let, group, parallel, "
            "interrupt or stop_user")) {
        return std::nullopt;
    }
    if (has_method_key(n)) {
        request_step r;
        load_request(ctx, n, path, {}, r);
        s.action = std::move(r);
    } else if (n["if"]) {
        ctx.check_keys(n, path, {"if", "steps", "else"});
        if_step i;
        if (auto e = ctx.expression(n["if"], join_path(path, "if"))) i.condition = std::move(*e);
        if (!n["steps"]) ctx.error(n, path, "`if` needs `steps:`");
        else i.then_steps = load_steps(ctx, n["steps"], join_path(path, "steps"), where.deeper());
        if (n["else"])
            i.else_steps = load_steps(ctx, n["else"], join_path(path, "else"), where.deeper());
        s.action = std::move(i);
    } else if (n["repeat"]) {
        ctx.check_keys(n, path, {"repeat", "steps"});
        repeat_step r;
        r.count = ctx.integer(n["repeat"], join_path(path, "repeat"), 0, 1'000'000'000).value_or(0);
        if (!n["steps"]) ctx.error(n, path, "`repeat` needs `steps:`");
        else r.steps = load_steps(ctx, n["steps"], join_path(path, "steps"), where.deeper());
        s.action = std::move(r);
    } else if (n["sleep"]) {
        ctx.check_keys(n, path, {"sleep"});
        s.action = load_sleep(ctx, n["sleep"], join_path(path, "sleep"));
    } else if (n["while"]) {
        s.action = load_while(ctx, n, path, where);
    } else if (n["let"]) {
        ctx.check_keys(n, path, {"let"});
        s.action = let_step{ctx.templates_map(n["let"], join_path(path, "let"))};
    } else if (n["group"]) {
        load_group(ctx, n, path, where, s);
    } else if (n["parallel"]) {
        load_parallel(ctx, n, path, s);
    } else if (load_ws_step(ctx, n, path, s)) {
        // ws, send, receive, close (load_ws.cpp)
    } else if (n["interrupt"] || n["stop_user"]) {
        ctx.check_keys(n, path, {"interrupt", "stop_user"});
        if (n["interrupt"] && !where.nested) {
            ctx.error(
                n, path,
                "`interrupt` only makes sense inside a nested task set (`tasks:` within a task)");
            return std::nullopt;
        }
        if (n["interrupt"]) s.action = interrupt_step{};
        else s.action = stop_user_step{};
    } else {
        std::string first =
            n.size() > 0 && n.begin()->first.IsScalar() ? n.begin()->first.Scalar() : "";
        ctx.error(n, path,
                  "unknown step '" + first + "'" + did_you_mean(first, step_kinds) +
                      " (a step is a request, if, repeat, while, sleep, let, group, parallel, "
                      "interrupt, stop_user, or a WebSocket's ws, send, receive or close)");
        return std::nullopt;
    }
    return s;
}

}  // namespace

step_list load_steps(load_context& ctx, const YAML::Node& n, const std::string& path, scope where) {
    step_list out;
    if (where.depth > max_nesting) {
        ctx.error(n, path, "nested more than " + std::to_string(max_nesting) + " levels deep");
        return out;
    }
    if (!ctx.expect_sequence(n, path)) return out;
    std::size_t i = 0;
    for (const auto& item : n) {
        if (auto s = load_step(ctx, item, index_path(path, i), where)) out.push_back(std::move(*s));
        ++i;
    }
    return out;
}

}  // namespace swarm::scenario::detail
