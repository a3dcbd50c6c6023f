// `parallel:` steps: requests one user sends at once (a page's assets).
#include <algorithm>

#include "common/scenario/load_context.hpp"

namespace swarm::scenario::detail {
namespace {

bool is_request(const YAML::Node& n) {
    return n.IsMap() &&
           std::any_of(std::begin(method_keys), std::end(method_keys),
                       [&](std::string_view m) { return static_cast<bool>(n[std::string(m)]); });
}

// What a step that is not a request is, for the refusal's message.
std::string step_kind(const YAML::Node& n) {
    if (n.IsScalar()) return "`" + n.Scalar() + "`";
    if (n.IsMap() && n.size() > 0 && n.begin()->first.IsScalar())
        return "`" + n.begin()->first.Scalar() + ":`";
    return "this";
}

}  // namespace

void load_parallel(load_context& ctx, const YAML::Node& n, const std::string& path, step& out) {
    ctx.check_keys(n, path, {"parallel"});
    parallel_step p;
    const YAML::Node list = n["parallel"];
    const auto list_path = join_path(path, "parallel");
    if (!list.IsSequence()) {
        ctx.error(list, list_path,
                  "expected a list of requests, like [{get: /a.css}, {get: /b.js}]");
    } else if (list.size() == 0) {
        ctx.error(list, list_path, "a parallel block needs at least one request");
    } else if (list.size() > max_parallel_requests) {
        ctx.error(list, list_path,
                  "a parallel block holds at most " + std::to_string(max_parallel_requests) +
                      " requests, got " + std::to_string(list.size()) +
                      " (split it into blocks one after the other)");
    } else {
        std::size_t i = 0;
        for (const auto& item : list) {
            const auto item_path = index_path(list_path, i++);
            if (!is_request(item)) {
                // Requests only: a condition, loop or group inside would
                // need an order the block does not have.
                ctx.error(item, item_path,
                          step_kind(item) +
                              " inside `parallel`: a parallel block holds requests only (get:, "
                              "post: ...); put `if`, `repeat`, `while`, `group` and the like "
                              "around the block, not in it");
                continue;
            }
            step s;
            s.where = location_of(item);
            request_step r;
            load_request(ctx, item, item_path, {}, r);
            s.action = std::move(r);
            p.requests.push_back(std::move(s));
        }
    }
    out.action = std::move(p);
}

}  // namespace swarm::scenario::detail
