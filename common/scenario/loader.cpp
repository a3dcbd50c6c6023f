// compile(): the top level of a scenario (host, data, users, load) and the
// entry points. Tasks and steps are in load_tasks.cpp, requests, checks and
// extraction in load_request.cpp, data files in data_files.cpp.
#include "common/scenario/loader.hpp"

#include <fstream>
#include <sstream>
#include <tuple>

#include "common/scenario/alias_expansion.hpp"
#include "common/scenario/ca_file.hpp"
#include "common/scenario/data_files.hpp"
#include "common/scenario/duplicate_keys.hpp"
#include "common/scenario/load_context.hpp"

namespace swarm::scenario {

namespace {

using detail::join_path;
using detail::load_context;

// Parses YAML text; a syntax error becomes a diagnostic and an undefined node.
YAML::Node parse_yaml(const std::string& name, const std::string& text,
                      std::vector<diagnostic>& errors) {
    auto fail = [&](int line, int column, std::string message) {
        errors.push_back(diagnostic{name, line, column, "", std::move(message)});
        return YAML::Node(YAML::NodeType::Undefined);
    };
    if (text.size() > max_source_bytes) {
        return fail(0, 0,
                    "scenario is larger than " + std::to_string(max_source_bytes >> 20) + " MiB");
    }
    try {
        auto root = YAML::Load(text);
        // Before anything walks the tree: aliases could make it astronomically large.
        if (auto bomb = detail::check_alias_expansion(text)) {
            return fail(bomb->where.line + 1, bomb->where.column + 1, bomb->message);
        }
        detail::find_duplicate_keys(
            text, [&](const YAML::Mark& m, const std::string& path, const std::string& key) {
                errors.push_back(diagnostic{name, m.line + 1, m.column + 1, path,
                                            "duplicate key '" + key + "'"});
            });
        return root;
    } catch (const YAML::Exception& e) {
        const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
        const int column = e.mark.is_null() ? 0 : e.mark.column + 1;
        return fail(line, column, "YAML syntax error: " + e.msg);
    } catch (const std::exception& e) {
        return fail(0, 0, std::string("cannot parse YAML: ") + e.what());
    }
}

void load_users(load_context& ctx, const YAML::Node& n, plan& out) {
    if (!n) {
        ctx.error(n, "users", "a scenario needs `users:` with at least one user class");
        return;
    }
    if (!ctx.expect_map(n, "users", "a map of user classes by name")) return;
    if (n.size() == 0) ctx.error(n, "users", "a scenario needs at least one user class");
    for (const auto& kv : n) {
        if (!kv.first.IsScalar()) continue;
        const auto& name = kv.first.Scalar();
        user_class u;
        detail::load_user_class(ctx, name, kv.second, join_path("users", name), u);
        out.users.push_back(std::move(u));
    }
}

// True when any request of the steps (or nested sets) has a URL that needs a
// host to be complete (not http:// or https://, or a template).
bool has_relative_url(const step_list& steps);

bool has_relative_url(const task_set& set) {
    if (has_relative_url(set.on_start) || has_relative_url(set.on_stop)) return true;
    for (const auto& t : set.tasks) {
        if (has_relative_url(t.steps) || (t.nested && has_relative_url(*t.nested))) return true;
    }
    return false;
}

bool has_relative_url(const step_list& steps) {
    for (const auto& s : steps) {
        if (const auto* r = std::get_if<request_step>(&s.action)) {
            const auto& url = r->url.source();
            if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0 &&
                url.rfind("{{", 0) != 0)
                return true;
        } else if (const auto* i = std::get_if<if_step>(&s.action)) {
            if (has_relative_url(i->then_steps) || has_relative_url(i->else_steps)) return true;
        } else if (const auto* rep = std::get_if<repeat_step>(&s.action)) {
            if (has_relative_url(rep->steps)) return true;
        } else if (const auto* w = std::get_if<while_step>(&s.action)) {
            if (has_relative_url(w->steps)) return true;
        } else if (const auto* g = std::get_if<group_step>(&s.action)) {
            if (has_relative_url(g->steps)) return true;
        } else if (const auto* p = std::get_if<parallel_step>(&s.action)) {
            if (has_relative_url(p->requests)) return true;
        } else if (const auto* ws = std::get_if<ws_connect_step>(&s.action)) {
            if (ws->url.source().rfind('/', 0) == 0) return true;  // a path: on the host
        }
    }
    return false;
}

void check_hosts(load_context& ctx, const YAML::Node& root, plan& p) {
    if (!ctx.options().host_override.empty()) p.host = ctx.options().host_override;
    for (auto& u : p.users) {
        if (!ctx.options().host_override.empty()) u.host = ctx.options().host_override;
        if (u.host.empty()) u.host = p.host;
        if (!u.host.empty() && u.host.rfind("http://", 0) != 0 &&
            u.host.rfind("https://", 0) != 0) {
            ctx.error(root["host"],
                      u.host == p.host ? "host" : join_path(join_path("users", u.name), "host"),
                      "host must start with http:// or https://, got '" + u.host + "'");
        }
        while (!u.host.empty() && u.host.back() == '/') u.host.pop_back();
        if (ctx.options().require_host && u.host.empty() && has_relative_url(u.root)) {
            ctx.error_at(
                YAML::Mark::null_mark(), join_path("users", u.name),
                "requests with a path need a host: set `host:` at the top or in the user class, "
                "or pass --host");
            ctx.errors().back().line = u.where.line;
            ctx.errors().back().column = u.where.column;
        }
    }
    while (!p.host.empty() && p.host.back() == '/') p.host.pop_back();
}

void compile_root(load_context& ctx, const YAML::Node& root, plan& p) {
    if (!root.IsMap()) {
        ctx.error(
            root, "",
            "a scenario is a map with `host`, `users` and optionally `data`, `load` and `ca_file`");
        return;
    }
    ctx.check_keys(root, "", {"host", "data", "users", "load", "ca_file", "thresholds"});
    if (root["host"]) {
        if (auto h = ctx.constant_text(root["host"], "host")) p.host = *h;
    }
    if (root["data"]) p.data_on_end = detail::load_data(ctx, root["data"]);
    p.data = ctx.data_sets();
    load_users(ctx, root["users"], p);
    if (root["ca_file"]) {
        // The scenario's CA file is the default of every class that names none.
        std::string file, pem;
        detail::load_ca_file(ctx, root["ca_file"], "ca_file", file, pem);
        for (auto& u : p.users) {
            if (u.ca_file.empty()) std::tie(u.ca_file, u.ca_pem) = std::tie(file, pem);
        }
    }
    if (root["load"]) detail::load_load_spec(ctx, root["load"], p.load);
    // Before --tags filters tasks: a tag selector names the scenario's tags.
    if (root["thresholds"]) detail::load_thresholds(ctx, root["thresholds"], p);
    // Only a plan whose classes all loaded is filtered: a half-loaded class
    // would be reported as left empty by --tags.
    if (ctx.errors().empty()) detail::filter_tasks(ctx, root, p);
    check_hosts(ctx, root, p);
}

// A file the scenario names: the node holding its path, the key path for
// errors, and how large it may be.
struct file_reference {
    YAML::Node node;
    std::string where;
    std::size_t limit;
};

// Every well-formed file reference; compile() reports the malformed ones.
std::vector<file_reference> referenced_files(const YAML::Node& root) {
    std::vector<file_reference> out;
    auto add = [&out](const YAML::Node& n, std::string where, std::size_t limit) {
        if (n && n.IsScalar() && !n.Scalar().empty()) out.push_back({n, std::move(where), limit});
    };
    if (root["data"] && root["data"].IsMap()) {
        for (const auto& kv : root["data"]) {
            if (!kv.first.IsScalar() || !kv.second.IsMap()) continue;
            add(kv.second["file"], join_path(join_path("data", kv.first.Scalar()), "file"),
                max_data_file_bytes);
        }
    }
    add(root["ca_file"], "ca_file", max_ca_file_bytes);
    if (root["users"] && root["users"].IsMap()) {
        for (const auto& kv : root["users"]) {
            if (!kv.first.IsScalar() || !kv.second.IsMap()) continue;
            add(kv.second["ca_file"], join_path(join_path("users", kv.first.Scalar()), "ca_file"),
                max_ca_file_bytes);
        }
        // `multipart:` file parts, wherever a request is written.
        detail::find_multipart_files(root["users"], "users", 0,
                                     [&add](const YAML::Node& n, std::string where) {
                                         add(n, std::move(where), max_data_file_bytes);
                                     });
    }
    return out;
}

}  // namespace

compile_result compile(const bundle& b, const compile_options& opts) {
    compile_result out;
    load_context ctx(b, opts);
    const auto root = parse_yaml(b.name, b.source, ctx.errors());
    if (!ctx.errors().empty()) {
        out.errors = std::move(ctx.errors());
        return out;
    }
    auto p = std::make_shared<plan>();
    p->name = b.name;
    try {
        compile_root(ctx, root, *p);
    } catch (const std::exception& e) {
        // A bug, not the user's mistake; still an error message, never an abort.
        ctx.error(root, "", std::string("internal error while compiling: ") + e.what());
    }
    const auto by_place = [](const diagnostic& a, const diagnostic& c) {
        return std::tie(a.line, a.column) < std::tie(c.line, c.column);
    };
    out.warnings = std::move(ctx.warnings());
    std::stable_sort(out.warnings.begin(), out.warnings.end(), by_place);
    if (ctx.errors().empty()) {
        out.result = std::move(p);
    } else {
        out.errors = std::move(ctx.errors());
        std::stable_sort(out.errors.begin(), out.errors.end(), by_place);
    }
    return out;
}

read_result read_bundle(const std::string& path) {
    read_result out;
    auto text = read_text_file(path, max_source_bytes);
    if (!text) {
        out.errors.push_back(diagnostic{path, 0, 0, "", std::move(text.error().message)});
        return out;
    }
    bundle b;
    b.name = path;
    b.source = std::move(*text);

    // Data files (`data:`) and CA files (`ca_file:`) are read relative to the
    // scenario's folder and travel in the bundle, so workers need no files.
    std::vector<diagnostic> yaml_errors;
    const auto root = parse_yaml(path, b.source, yaml_errors);
    if (yaml_errors.empty() && root.IsMap()) {
        load_context ctx(b, {});
        for (const auto& ref : referenced_files(root)) {
            const auto& file = ref.node.Scalar();
            if (std::any_of(b.files.begin(), b.files.end(),
                            [&](auto& f) { return f.first == file; }))
                continue;
            auto content = read_text_file(resolve_relative(path, file), ref.limit);
            if (!content) {
                ctx.error(ref.node, ref.where, content.error().message);
                continue;
            }
            b.files.emplace_back(file, std::move(*content));
            // Checked here, not when the first worker joins: a bundle the
            // transport cannot carry would reach no worker.
            if (b.bytes() > max_bundle_bytes) {
                ctx.error(ref.node, ref.where,
                          "with this file the scenario's data is " +
                              std::to_string(b.bytes() >> 20) + " MiB, more than the " +
                              std::to_string(max_bundle_bytes >> 20) +
                              " MiB that can be sent to workers (the scenario and all its files "
                              "travel to every worker in one message)");
                break;
            }
        }
        out.errors = std::move(ctx.errors());
    }
    // YAML errors are left for compile() to report, with the rest.
    if (out.errors.empty()) out.result = std::move(b);
    return out;
}

compile_result load_file(const std::string& path, const compile_options& opts) {
    auto read = read_bundle(path);
    if (!read.result) return compile_result{nullptr, std::move(read.errors)};
    return compile(*read.result, opts);
}

}  // namespace swarm::scenario
