#include "master/report/progress.hpp"

#include <cstdio>

#include "common/stats/entry.hpp"
#include "master/controller.hpp"
#include "master/report/console.hpp"

namespace swarm::master::report {
namespace {

std::string clock_text(std::chrono::milliseconds elapsed) {
    const auto s = std::max<std::int64_t>(0, elapsed.count() / 1000);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    return buf;
}

std::string fixed1(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

constexpr std::size_t p95_index = 5;  // standard_percentiles[5] == 95
static_assert(stats::standard_percentiles[p95_index] == 95);

}  // namespace

std::string progress_line(const progress_figures& f) {
    std::string out = "progress: " + clock_text(f.elapsed) + " " + f.state + ", ";
    out += std::to_string(f.users) + "/" + std::to_string(f.target_users) + " users, ";
    const double failed =
        f.requests == 0 ? 0.0
                        : 100.0 * static_cast<double>(f.failures) / static_cast<double>(f.requests);
    out += std::to_string(f.requests) + " requests (" + fixed1(failed) + " % failed), ";
    out += fixed1(f.rps) + " req/s, p95 ";
    out += f.p95_us ? format_ms(*f.p95_us) + " ms" : std::string("-");
    if (f.thresholds > 0) {
        out += ", thresholds " + std::to_string(f.thresholds_passing) + "/" +
               std::to_string(f.thresholds) + " passing";
    }
    if (f.stage) {
        out += ", stage " + std::to_string(*f.stage) + " of " + std::to_string(f.stage_count);
    }
    if (f.iterations_target) {
        out += ", iterations " + std::to_string(f.iterations_done) + " of " +
               std::to_string(*f.iterations_target);
    }
    return out;
}

progress_figures progress_of(const controller& c) {
    const auto& core = c.core();
    progress_figures f;
    f.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(control_clock::now() -
                                                                      core.started_at());
    f.state = to_string(core.state());
    f.users = c.workers().users();
    f.target_users = c.workers().target_users();
    const auto& total = c.stats().total();
    f.requests = total.requests();
    f.failures = total.failures();
    f.rps = c.stats().current_rps();
    if (!total.empty()) f.p95_us = static_cast<double>(total.percentiles()[p95_index]);
    f.thresholds = core.thresholds().size();
    for (const auto& v : core.thresholds()) {
        if (v.status == gates::verdict_status::passing) ++f.thresholds_passing;
    }
    if (const auto stage = core.current_stage();
        stage && *stage < core.stage_count() && !core.manual()) {
        f.stage = *stage + 1;
        f.stage_count = core.stage_count();
    }
    f.iterations_target = core.test().iterations;
    if (f.iterations_target) f.iterations_done = c.workers().iterations_done();
    return f;
}

void log_event(const log::logger& log, const std::string& text) {
    constexpr std::string_view warning = "warning: ";
    if (text.rfind(warning, 0) == 0) {
        log.warning(std::string_view(text).substr(warning.size()));
    } else {
        log.info(text);
    }
}

}  // namespace swarm::master::report
