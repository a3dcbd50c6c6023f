// What of each class's task sets runs: disabled tasks (weight 0) go, and
// --tags/--exclude-tags keep what Locust's filter_tasks_by_tags keeps — a
// task runs when it has one of the included tags (or none are given) and
// none of the excluded ones; a nested set's tags are its tasks' tags too; a
// nested set left without tasks goes; a class left without tasks does not run.
#include <algorithm>
#include <set>

#include "common/scenario/load_context.hpp"
#include "common/suggest.hpp"

namespace swarm::scenario::detail {
namespace {

using tag_list = std::vector<std::string>;

bool has_any(const tag_list& tags, const tag_list& wanted) {
    return std::any_of(tags.begin(), tags.end(), [&](const std::string& t) {
        return std::find(wanted.begin(), wanted.end(), t) != wanted.end();
    });
}

// Filters `set` in place; `inherited`: the tags of the tasks that enclose it.
// True when a task is left.
bool filter_set(task_set& set, const tag_list& inherited, const compile_options& o) {
    std::vector<task> kept;
    for (auto& t : set.tasks) {
        if (t.weight == 0) continue;  // disabled: never picked, so not in the plan
        tag_list tags = inherited;
        tags.insert(tags.end(), t.tags.begin(), t.tags.end());
        bool keep = false;
        if (t.nested) {
            auto copy = std::make_shared<task_set>(*t.nested);
            keep = filter_set(*copy, tags, o);
            t.nested = std::move(copy);
        } else {
            keep = (o.include_tags.empty() || has_any(tags, o.include_tags)) &&
                   !has_any(tags, o.exclude_tags);
        }
        if (keep) kept.push_back(std::move(t));
    }
    set.tasks = std::move(kept);
    double sum = 0;
    set.cumulative_weights.clear();
    for (const auto& t : set.tasks) {
        sum += t.weight;
        set.cumulative_weights.push_back(sum);
    }
    return !set.tasks.empty();
}

void collect_tags(const task_set& set, std::set<std::string, std::less<>>& out) {
    for (const auto& t : set.tasks) {
        out.insert(t.tags.begin(), t.tags.end());
        if (t.nested) collect_tags(*t.nested, out);
    }
}

// A --tags name on no task is most likely a typo; it would silently run nothing of it.
void warn_unknown_tags(load_context& ctx, const plan& p) {
    std::set<std::string, std::less<>> known;
    for (const auto& u : p.users) collect_tags(u.root, known);
    const std::vector<std::string_view> candidates(known.begin(), known.end());
    auto check = [&](const tag_list& given, const char* option) {
        for (const auto& t : given) {
            if (known.count(t) > 0) continue;
            ctx.warning(YAML::Node(YAML::NodeType::Undefined), "",
                        std::string(option) + " '" + t + "' is the tag of no task" +
                            did_you_mean(t, candidates));
        }
    };
    check(ctx.options().include_tags, "--tags");
    check(ctx.options().exclude_tags, "--exclude-tags");
}

}  // namespace

void filter_tasks(load_context& ctx, const YAML::Node& root, plan& p) {
    const YAML::Node users = root["users"];
    const auto& o = ctx.options();
    if (!o.include_tags.empty() || !o.exclude_tags.empty()) warn_unknown_tags(ctx, p);
    std::vector<user_class> kept;
    for (auto& u : p.users) {
        if (filter_set(u.root, {}, o)) {
            kept.push_back(std::move(u));
            continue;
        }
        ctx.warning(key_node(users, u.name), join_path("users", u.name),
                    "no task of user class '" + u.name +
                        "' is left after --tags/--exclude-tags: the class does not run");
    }
    p.users = std::move(kept);
    if (p.users.empty()) {
        ctx.error(key_node(root, "users"), "users",
                  "no task left after --tags/--exclude-tags (every user class is left out)");
    }
}

}  // namespace swarm::scenario::detail
