// `thresholds:` - the scenario's gates (threshold_expr.hpp has the grammar).
// Each item is an expression, or a map with the expression, abort_on_fail
// and delay. Selectors are checked against the plan: a class or tag that
// does not exist is an error; a request row that no request of the plan
// names is only a warning (a templated name may still match at run time).
#include <algorithm>

#include "common/scenario/load_context.hpp"
#include "common/scenario/threshold_expr.hpp"
#include "common/suggest.hpp"

namespace swarm::scenario::detail {

namespace {

std::vector<std::string_view> views(const std::vector<std::string>& names) {
    return {names.begin(), names.end()};
}

void collect_tags(const task_set& set, std::vector<std::string>& tags) {
    for (const auto& task : set.tasks) {
        tags.insert(tags.end(), task.tags.begin(), task.tags.end());
        if (task.nested) collect_tags(*task.nested, tags);
    }
}

// Reports threshold_plan_problems() at the item.
void check_against_plan(load_context& ctx, const YAML::Node& n, const std::string& path,
                        const threshold_expr& t, const plan& p) {
    const auto problems = threshold_plan_problems(t, p);
    for (const auto& e : problems.errors) ctx.error(n, path, e);
    for (const auto& w : problems.warnings) ctx.warning(n, path, w);
}

void load_threshold(load_context& ctx, const YAML::Node& n, const std::string& path, plan& p) {
    threshold_spec spec;
    spec.where = location_of(n);
    // Not assigned later: assigning a YAML::Node writes through to the document.
    const YAML::Node expression = n.IsMap() ? n["expression"] : n;
    if (n.IsMap()) {
        ctx.check_keys(n, path, {"expression", "abort_on_fail", "delay"});
        if (!expression) {
            ctx.error(n, path, "a threshold needs `expression:`, e.g. expression: p95 < 200ms");
            return;
        }
        if (n["abort_on_fail"]) {
            if (auto b = ctx.boolean(n["abort_on_fail"], join_path(path, "abort_on_fail")))
                spec.abort_on_fail = *b;
        }
        if (n["delay"]) {
            if (auto d = ctx.time(n["delay"], join_path(path, "delay"))) spec.delay = *d;
        }
    } else if (!n.IsScalar()) {
        ctx.error(n, path,
                  "a threshold is an expression such as 'p95 < 200ms' or a map with "
                  "expression, abort_on_fail and delay");
        return;
    }
    auto text = ctx.string(expression, n.IsMap() ? join_path(path, "expression") : path);
    if (!text) return;
    auto parsed = parse_threshold(*text);
    if (!parsed) {
        ctx.error(expression, path, *text + ": " + parsed.error().message);
        return;
    }
    check_against_plan(ctx, expression, path, *parsed, p);
    auto first = text->find_first_not_of(" \t");
    auto last = text->find_last_not_of(" \t");
    spec.expression = first == std::string::npos ? "" : text->substr(first, last - first + 1);
    p.thresholds.push_back(std::move(spec));
}

}  // namespace

void load_thresholds(load_context& ctx, const YAML::Node& n, plan& p) {
    if (!ctx.expect_sequence(n, "thresholds")) return;
    for (std::size_t i = 0; i < n.size(); ++i)
        load_threshold(ctx, n[i], index_path("thresholds", i), p);
}

}  // namespace swarm::scenario::detail

namespace swarm::scenario {

threshold_problems threshold_plan_problems(const threshold_expr& t, const plan& p) {
    threshold_problems out;
    using k = threshold_selector::kind;
    const auto& sel = t.selector;
    const auto prefix = t.normalised() + ": ";
    if (sel.what == k::user_class) {
        std::vector<std::string> classes;
        for (const auto& u : p.users) classes.push_back(u.name);
        if (std::find(classes.begin(), classes.end(), sel.text) == classes.end())
            out.errors.push_back(prefix + "no user class '" + sel.text + "'" +
                                 did_you_mean(sel.text, detail::views(classes)));
    } else if (sel.what == k::tag) {
        std::vector<std::string> tags;
        for (const auto& u : p.users) detail::collect_tags(u.root, tags);
        if (std::find(tags.begin(), tags.end(), sel.text) == tags.end())
            out.errors.push_back(prefix + "no task has the tag '" + sel.text + "'" +
                                 did_you_mean(sel.text, detail::views(tags)));
    } else if (sel.what == k::row || sel.what == k::name) {
        if (sel.method == "ITER") return out;   // task names of open classes, not requests
        if (sel.method == "GROUP") return out;  // `group:` names, not requests
        const auto rows = plan_request_rows(p);
        const bool found = std::any_of(rows.begin(), rows.end(), [&](const request_row& r) {
            return r.name == sel.text && (sel.what == k::name || r.method == sel.method);
        });
        if (found) return out;
        std::vector<std::string> names;
        names.reserve(rows.size());
        for (const auto& r : rows)
            names.push_back(sel.what == k::row ? r.method + " " + r.name : r.name);
        const auto written = sel.what == k::row ? sel.method + " " + sel.text : sel.text;
        out.warnings.push_back(prefix + "no request of the scenario is named '" + written + "'" +
                               did_you_mean(written, detail::views(names)) +
                               " (a templated name may still match at run time)");
    }
    return out;
}

}  // namespace swarm::scenario
