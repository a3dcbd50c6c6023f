// The load profile: `load:` (users, spawn_rate, run_time, closed-model
// stages, iterations) and a user class's `arrival:` (an open class's rate
// and pool). The plan's fields they fill are described in plan.hpp.
#include <algorithm>
#include <cmath>

#include "common/scenario/load_context.hpp"
#include "common/scenario/rate_text.hpp"
#include "common/scenario/stages_text.hpp"
#include "common/suggest.hpp"

namespace swarm::scenario::detail {

YAML::Node key_node(const YAML::Node& map, std::string_view key) {
    if (map.IsMap()) {
        for (const auto& kv : map) {
            if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.first;
        }
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

namespace {

// Stage lengths: a stage of no time would be a jump nobody wrote on purpose.
std::optional<duration> positive_time(load_context& ctx, const YAML::Node& n,
                                      const std::string& path) {
    auto t = ctx.time(n, path);
    if (t && t->count() <= 0) {
        ctx.error(n, path, "must be longer than 0, got " + n.Scalar());
        return std::nullopt;
    }
    if (t && *t > max_stage_length) {
        ctx.error(n, path, "a stage lasts at most a year (365d), got " + n.Scalar());
        return std::nullopt;
    }
    return t;
}

// An arrival rate (rate_text.hpp); 0 only where a ramp may end at 0.
std::optional<double> arrival_rate(load_context& ctx, const YAML::Node& n, const std::string& path,
                                   bool zero_allowed) {
    if (!ctx.expect_scalar(n, path, "a rate like 200/s")) return std::nullopt;
    auto r = parse_rate(n.Scalar());
    if (!r) {
        ctx.error(n, path, r.error().message);
        return std::nullopt;
    }
    if (*r == 0 && !zero_allowed) {
        ctx.error(n, path,
                  "must be greater than 0, got " + n.Scalar() +
                      " (only a stage's rate may be 0, to ramp down)");
        return std::nullopt;
    }
    return *r;
}

// A stage list's common checks: a non-empty list of at most max_load_stages.
bool stage_list(load_context& ctx, const YAML::Node& n, const std::string& path) {
    if (!ctx.expect_sequence(n, path)) return false;
    if (n.size() == 0) {
        ctx.error(n, path, "needs at least one stage");
        return false;
    }
    if (n.size() > max_load_stages) {
        ctx.error(n, path,
                  "at most " + std::to_string(max_load_stages) + " stages, got " +
                      std::to_string(n.size()));
        return false;
    }
    return true;
}

std::vector<load_stage> load_stages(load_context& ctx, const YAML::Node& n,
                                    const std::string& path) {
    std::vector<load_stage> out;
    if (!stage_list(ctx, n, path)) return out;
    std::int64_t previous_users = 0;
    std::size_t i = 0;
    for (const auto& item : n) {
        const auto sp = index_path(path, i++);
        if (!ctx.expect_map(item, sp, "a stage: {duration: 30s, users: 100, rate: 10}")) continue;
        ctx.check_keys(item, sp, {"duration", "users", "rate"});
        load_stage stage;
        stage.where = location_of(item);
        if (!item["duration"]) ctx.error(item, sp, "a stage needs `duration:`");
        else
            stage.length = positive_time(ctx, item["duration"], join_path(sp, "duration"))
                               .value_or(duration{0});
        if (!item["users"]) ctx.error(item, sp, "a stage needs `users:` (its target)");
        else
            stage.users =
                ctx.integer(item["users"], join_path(sp, "users"), 0, max_stage_users).value_or(0);
        if (item["rate"]) {
            const auto rp = join_path(sp, "rate");
            auto r = ctx.positive_number(item["rate"], rp);
            if (r && *r > max_arrival_rate) {
                ctx.error(item["rate"], rp,
                          "at most " + std::to_string(static_cast<std::int64_t>(max_arrival_rate)) +
                              " users/s, got " + item["rate"].Scalar());
            }
            stage.rate = r.value_or(1);
        } else {
            // As --stages: without a rate the users move within one second.
            stage.rate = std::max<double>(
                1.0, static_cast<double>(std::llabs(stage.users - previous_users)));
        }
        previous_users = stage.users;
        out.push_back(stage);
    }
    return out;
}

std::vector<arrival_stage> load_arrival_stages(load_context& ctx, const YAML::Node& n,
                                               const std::string& path) {
    std::vector<arrival_stage> out;
    if (!stage_list(ctx, n, path)) return out;
    std::size_t i = 0;
    for (const auto& item : n) {
        const auto sp = index_path(path, i++);
        if (!ctx.expect_map(item, sp, "a stage: {duration: 1m, rate: 50/s}")) continue;
        ctx.check_keys(item, sp, {"duration", "rate"});
        arrival_stage stage;
        stage.where = location_of(item);
        if (!item["duration"]) ctx.error(item, sp, "a stage needs `duration:`");
        else
            stage.length = positive_time(ctx, item["duration"], join_path(sp, "duration"))
                               .value_or(duration{0});
        if (!item["rate"]) ctx.error(item, sp, "a stage needs `rate:` (the rate it ends at)");
        else
            stage.per_second =
                arrival_rate(ctx, item["rate"], join_path(sp, "rate"), true).value_or(0);
        out.push_back(stage);
    }
    return out;
}

void load_distribution(load_context& ctx, const YAML::Node& n, const std::string& path,
                       arrival_spec& out) {
    auto text = ctx.string(n, path);
    if (!text) return;
    if (*text == "constant") out.spacing = arrival_spec::distribution::constant;
    else if (*text == "poisson") out.spacing = arrival_spec::distribution::poisson;
    else
        ctx.error(n, path,
                  "unknown distribution '" + *text + "'" +
                      did_you_mean(*text, {"constant", "poisson"}) + " (constant or poisson)");
}

// The pool's bound and its pre-made users, once the rates are known.
void load_pool(load_context& ctx, const YAML::Node& n, const std::string& path, arrival_spec& out) {
    double peak = out.start_rate;
    for (const auto& s : out.stages) peak = std::max(peak, s.per_second);
    if (n["max_users"]) {
        out.max_users =
            ctx.integer(n["max_users"], join_path(path, "max_users"), 1, max_stage_users)
                .value_or(0);
    } else if (peak > 0) {
        // Enough for iterations of up to ~10 s at the peak rate, at least 100.
        const double users = std::max(100.0, std::ceil(10 * peak));
        out.max_users =
            static_cast<std::int64_t>(std::min(users, static_cast<double>(max_stage_users)));
        ctx.warning(n, path,
                    "no `max_users`: the pool is bounded at " + std::to_string(out.max_users) +
                        " users (10 × the peak rate " + format_rate(peak) +
                        ", at least 100); an arrival finding every user busy is dropped — set "
                        "max_users for your iterations' duration");
    }
    if (n["pre_allocate"]) {
        const auto pp = join_path(path, "pre_allocate");
        auto v = ctx.integer(n["pre_allocate"], pp, 0, max_stage_users);
        if (v && out.max_users > 0 && *v > out.max_users) {
            ctx.error(n["pre_allocate"], pp,
                      "pre_allocate " + std::to_string(*v) + " is more than max_users " +
                          std::to_string(out.max_users) + " (the pool's bound)");
        }
        out.pre_allocate = v.value_or(0);
    } else {
        out.pre_allocate = std::min<std::int64_t>(out.max_users, 10);
    }
}

}  // namespace

void load_load_spec(load_context& ctx, const YAML::Node& n, load_spec& out) {
    const std::string path = "load";
    if (!ctx.expect_map(n, path)) return;
    ctx.check_keys(n, path, {"users", "spawn_rate", "run_time", "stages", "iterations"});
    if (n["stages"]) {
        for (const char* key : {"users", "spawn_rate"}) {
            if (!n[key]) continue;
            ctx.error(key_node(n, key), join_path(path, key),
                      std::string("`") + key +
                          "` and `stages` together: stages replace users/spawn_rate (run_time "
                          "may stay: it bounds the test)");
        }
        out.stages = load_stages(ctx, n["stages"], join_path(path, "stages"));
    } else {
        if (n["users"]) out.users = ctx.integer(n["users"], "load.users", 0, max_stage_users);
        if (n["spawn_rate"])
            out.spawn_rate = ctx.positive_number(n["spawn_rate"], "load.spawn_rate");
    }
    if (n["run_time"]) out.run_time = ctx.time(n["run_time"], "load.run_time");
    if (n["iterations"]) {
        out.iterations = ctx.integer(n["iterations"], "load.iterations", 1, max_load_iterations);
    }
}

void load_arrival(load_context& ctx, const YAML::Node& n, const std::string& path,
                  arrival_spec& out) {
    if (!ctx.expect_map(n, path,
                        "an arrival rate: {rate: 200/s} or {stages: [{duration: 1m, rate: "
                        "50/s}, ...]}"))
        return;
    ctx.check_keys(n, path,
                   {"rate", "stages", "start_rate", "max_users", "pre_allocate", "distribution"});
    if (n["rate"] && n["stages"]) {
        ctx.error(key_node(n, "stages"), join_path(path, "stages"),
                  "`rate` and `stages` together: a constant rate or stages, not both");
    } else if (n["rate"]) {
        if (n["start_rate"]) {
            ctx.error(key_node(n, "start_rate"), join_path(path, "start_rate"),
                      "`start_rate` applies to `stages` only (a constant rate starts at its rate)");
        }
        if (auto r = arrival_rate(ctx, n["rate"], join_path(path, "rate"), false)) {
            // Held until the test ends (plan.hpp: a last stage of length 0).
            out.stages = {arrival_stage{duration{0}, *r, location_of(n["rate"])}};
            out.start_rate = *r;
        }
    } else if (n["stages"]) {
        const auto errors_before = ctx.errors().size();
        out.stages = load_arrival_stages(ctx, n["stages"], join_path(path, "stages"));
        if (n["start_rate"]) {
            out.start_rate =
                arrival_rate(ctx, n["start_rate"], join_path(path, "start_rate"), true).value_or(0);
        } else if (!out.stages.empty()) {
            out.start_rate = out.stages.front().per_second;
        }
        const bool all_zero = out.start_rate == 0 &&
                              std::all_of(out.stages.begin(), out.stages.end(),
                                          [](const arrival_stage& s) { return s.per_second == 0; });
        if (ctx.errors().size() == errors_before && all_zero) {
            ctx.error(key_node(n, "stages"), join_path(path, "stages"),
                      "every rate is 0: this class would never start an iteration");
        }
    } else {
        ctx.error(n, path, "an arrival needs `rate:` (like 200/s) or `stages:`");
        return;
    }
    if (n["distribution"])
        load_distribution(ctx, n["distribution"], join_path(path, "distribution"), out);
    load_pool(ctx, n, path, out);
}

}  // namespace swarm::scenario::detail
