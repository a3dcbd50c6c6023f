// `group: NAME` steps: steps run as one named, timed unit (a GROUP row).
#include "common/scenario/load_context.hpp"

namespace swarm::scenario::detail {

void load_group(load_context& ctx, const YAML::Node& n, const std::string& path, scope where,
                step& out) {
    ctx.check_keys(n, path, {"group", "steps"});
    group_step g;
    const auto name_path = join_path(path, "group");
    if (ctx.refuse_template(n["group"], name_path,
                            "a group is one row, a template a row per value")) {
        // refused above, with the reason
    } else if (auto name = ctx.string(n["group"], name_path)) {
        if (name->empty()) {
            ctx.error(n["group"], name_path, "a group needs a name (its GROUP row's)");
        } else if (name->size() > max_stats_name_bytes) {
            // The name travels in every stats report, as a request's does.
            ctx.error(n["group"], name_path,
                      "a group's name is at most " + std::to_string(max_stats_name_bytes) +
                          " bytes, got " + std::to_string(name->size()));
        }
        g.name = std::move(*name);
    }
    if (!n["steps"]) {
        ctx.error(n, path, "`group` needs `steps:` (the steps it times)");
    } else {
        // Groups nest, each a level of steps: max_nesting bounds them.
        g.steps = load_steps(ctx, n["steps"], join_path(path, "steps"), where.deeper());
    }
    out.action = std::move(g);
}

}  // namespace swarm::scenario::detail
