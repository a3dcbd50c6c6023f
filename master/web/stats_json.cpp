#include "master/web/stats_json.hpp"

#include <algorithm>
#include <charconv>

#include "common/scenario/ratio.hpp"
#include "common/scenario/stages_text.hpp"
#include "master/report/json_result.hpp"
#include "master/report/rows.hpp"
#include "master/web/json_text.hpp"

namespace swarm::master::web {
namespace {

namespace json = boost::json;

double ms(double us) {
    return us / 1000.0;
}

// Whole ms, rounded half up (Locust's proper_round), for the keys Locust
// types as int.
std::int64_t whole_ms(std::uint64_t us) {
    return static_cast<std::int64_t>((us + 500) / 1000);
}

json::object entry_json(const report::row& r) {
    json::object o;
    o["method"] = r.method;
    o["name"] = r.name;
    o["safe_name"] = html_escape(r.name);
    o["num_requests"] = r.requests;
    o["num_failures"] = r.failures;
    // Locust's int-typed keys in whole ms (median, ninetieth, ninety_ninth);
    // its float-typed ones (avg, min, max) with µs precision. The median's
    // precision is ours beside it: what the UI shows (a local target answers
    // in 0.3 ms).
    o["median_response_time"] = whole_ms(r.median_us());
    o["median_response_time_precise"] = ms(static_cast<double>(r.median_us()));
    o["avg_response_time"] = ms(r.avg_us);
    o["min_response_time"] = r.empty() ? 0.0 : ms(static_cast<double>(r.min_us));
    o["max_response_time"] = ms(static_cast<double>(r.max_us));
    o["current_rps"] = r.current_rps();
    o["current_fail_per_sec"] = r.current_fail_per_sec();
    o["total_rps"] = r.total_rps;
    o["total_fail_per_sec"] = r.total_fail_per_sec;
    o["avg_content_length"] = r.avg_bytes;
    o["ninetieth_response_time"] = whole_ms(r.percentile(90));
    o["ninety_ninth_response_time"] = whole_ms(r.percentile(99));
    for (std::size_t i = 0; i < stats::standard_percentiles.size(); ++i) {
        o[percentile_key(stats::standard_percentiles[i])] =
            ms(static_cast<double>(r.percentiles_us[i]));
    }
    return o;
}

// The aggregate's percentile over the newest closed second, in whole ms as
// Locust's current_response_time_percentile_*; null before any second closed
// (Locust: None until its response-time cache holds a window).
json::value current_percentile(const run_stats& run, double p) {
    if (run.history().empty()) return nullptr;
    return whole_ms(run.history().back().percentile_us(p));
}

json::array ratio_json(const std::vector<scenario::task_ratio>& tasks) {
    json::array out;
    for (const auto& t : tasks) {
        json::object o{{"name", t.name},
                       {"ratio", t.within_parent},
                       {"class_ratio", t.of_class},
                       {"total_ratio", t.of_total}};
        if (!t.children.empty()) o["tasks"] = ratio_json(t.children);
        out.push_back(std::move(o));
    }
    return out;
}

// Locust's get_ratio tasks: {name: {"ratio": r, "tasks"?: {...}}}, r within
// the parent (per_class) or of all users (total).
json::object locust_tasks(const std::vector<scenario::task_ratio>& tasks, bool of_total) {
    json::object out;
    for (const auto& t : tasks) {
        json::object o{{"ratio", of_total ? t.of_total : t.within_parent}};
        if (!t.children.empty()) o["tasks"] = locust_tasks(t.children, of_total);
        out[t.name] = std::move(o);
    }
    return out;
}

json::object point_json(const history_point& p) {
    return {{"t", p.unix_s},
            {"rps", p.rps()},
            {"fps", p.fail_per_sec()},
            {"p50", ms(p.percentile_us(50))},
            {"p95", ms(p.percentile_us(95))},
            {"p99", ms(p.percentile_us(99))},
            {"users", p.user_count},
            {"planned", p.planned_users ? json::value(*p.planned_users) : json::value(nullptr)},
            {"dropped", p.dropped_iterations}};
}

template <class T>
json::value or_null(const std::optional<T>& v) {
    return v ? json::value(*v) : json::value(nullptr);
}

// requests_json's "profile": where a profile test is, or null.
json::value profile_json(const controller& c, control_clock::time_point now) {
    const test_request& t = c.test();
    const bool manual = c.core().manual();
    if (t.stages.empty() && !manual) return nullptr;
    json::object o{{"stages", scenario::format_stages(t.stages)},
                   {"stage_count", t.stages.size()},
                   {"manual", manual}};
    const bool active = c.state() == run_state::spawning || c.state() == run_state::running;
    o["stage"] =
        active && !t.stages.empty()
            ? json::value(stage_at(t.stages, std::chrono::duration_cast<std::chrono::microseconds>(
                                                 now - c.started_at())))
            : json::value(nullptr);
    return o;
}

}  // namespace

std::size_t stage_at(const std::vector<scenario::load_stage>& stages,
                     std::chrono::microseconds elapsed) {
    std::chrono::microseconds end{0};
    for (std::size_t i = 0; i < stages.size(); ++i) {
        end += stages[i].length;
        const bool holds = i + 1 == stages.size() && stages[i].length.count() == 0;
        if (elapsed < end || holds) return i + 1;
    }
    return stages.size() + 1;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out += ch;
        }
    }
    return out;
}

std::string percentile_key(double p) {
    if (p >= 100) return "response_time_percentile_1.0";
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, p);
    std::string digits;
    for (const char* c = buf; c != r.ptr; ++c) {
        if (*c != '.') digits += *c;
    }
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    return "response_time_percentile_0." + digits;
}

json::array workers_json(const controller& c) {
    json::array out;
    const auto now = control_clock::now();
    const auto& contributions = c.stats().workers();
    for (const auto& [id, w] : c.workers().workers()) {
        json::object o;
        o["id"] = w.name.empty() ? id : w.name;
        o["index"] = w.index;
        o["host"] = w.host;
        o["state"] = to_string(w.state);
        o["missing"] = w.state == worker_state::missing;
        o["user_count"] = w.users;
        o["threads"] = w.threads;
        o["cpu_usage"] = w.cpu_percent;
        o["memory_usage"] = w.rss_bytes;
        o["loop_lag_ms"] = w.loop_lag_ms;
        o["last_heard_ms_ago"] =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - w.last_heard).count();
        if (auto it = contributions.find(id); it != contributions.end()) {
            o["num_requests"] = it->second.requests;
            o["num_failures"] = it->second.failures;
        } else {
            o["num_requests"] = 0;
            o["num_failures"] = 0;
        }
        if (!w.error.empty()) o["error"] = w.error;
        out.push_back(std::move(o));
    }
    return out;
}

json::object requests_json(const controller& c) {
    const auto& run = c.stats();
    json::array rows;
    for (const auto& r : report::request_rows(run)) rows.push_back(entry_json(r));
    const auto& total = run.total();
    rows.push_back(entry_json(report::aggregated_row(run)));
    json::array errors;
    for (const auto& e : report::detail::sorted_errors(run.errors())) {
        errors.push_back({{"method", e.method},
                          {"name", e.name},
                          {"error", e.message},
                          {"occurrences", e.stats->occurrences}});
    }
    json::object o;
    o["stats"] = std::move(rows);
    o["errors"] = std::move(errors);
    o["total_rps"] = run.current_rps();
    o["total_fail_per_sec"] = run.current_fail_per_sec();
    // Ours, not Locust's: over the whole test, what a stopped test's header shows.
    o["average_rps"] = run.per_second(total.requests());
    o["average_fail_per_sec"] = run.per_second(total.failures());
    o["fail_ratio"] =
        total.requests() == 0 ? 0.0 : static_cast<double>(total.failures()) / total.requests();
    o["current_response_time_percentile_0.5"] =
        run.history().empty() ? 0.0 : ms(run.history().back().percentile_us(50));
    o["current_response_time_percentile_0.95"] =
        run.history().empty() ? 0.0 : ms(run.history().back().percentile_us(95));
    // Locust 2.12's names, and newer Locust's object (PERCENTILES_TO_CHART).
    o["current_response_time_percentile_50"] = current_percentile(run, 50);
    o["current_response_time_percentile_95"] = current_percentile(run, 95);
    o["current_response_time_percentiles"] =
        json::object{{percentile_key(50), current_percentile(run, 50)},
                     {percentile_key(95), current_percentile(run, 95)}};
    o["user_count"] = c.workers().users();
    o["target_user_count"] = c.workers().target_users();
    o["spawn_rate"] = c.test().spec.spawn_rate;  // the current test's (the UI's edit form)
    o["state"] = to_string(c.state());
    o["workers"] = workers_json(c);
    o["worker_count"] = c.workers().ready_workers();
    o["tests_started"] = c.tests_started();
    // What the figures may miss, as in the JSON result (README: faults).
    json::array lost;
    for (const auto& name : c.workers().workers_lost()) lost.emplace_back(name);
    o["workers_lost"] = std::move(lost);
    o["lost_reports"] = c.workers().lost_reports();
    const auto now = control_clock::now();
    const stats::class_counts classes = run.classes().total();
    o["classes"] = report::classes_json(run.classes());
    o["dropped_iterations"] = classes.dropped_iterations;
    // The coordinator's count (what ends the test), which --reset-stats keeps.
    o["iterations"] = c.workers().iterations_done();
    o["iteration_limit"] = or_null(c.test().iterations);
    o["planned_users"] = or_null(c.core().planned_users(now));
    o["profile"] = profile_json(c, now);
    o["thresholds"] = report::thresholds_json(c.core().thresholds());
    return o;
}

std::optional<bool> thresholds_passed(const std::vector<gates::threshold_verdict>& verdicts) {
    // As controller_core::thresholds_failed() and the exit code decide.
    const bool failed = std::any_of(verdicts.begin(), verdicts.end(), [](const auto& v) {
        return v.aborted || (v.final && v.status == gates::verdict_status::failing);
    });
    if (failed) return false;
    const bool judged = !verdicts.empty() && std::all_of(verdicts.begin(), verdicts.end(),
                                                         [](const auto& v) { return v.final; });
    return judged ? std::optional<bool>(true) : std::nullopt;
}

json::object thresholds_status_json(const controller& c) {
    const auto& verdicts = c.core().thresholds();
    return {{"thresholds", report::thresholds_json(verdicts)},
            {"passed", or_null(thresholds_passed(verdicts))}};
}

json::object tasks_json(const controller& c) {
    json::object per_class;
    json::object total;
    for (const auto& k : scenario::task_ratios(c.plan())) {
        per_class[k.name] =
            json::object{{"ratio", k.share}, {"tasks", locust_tasks(k.tasks, false)}};
        total[k.name] = json::object{{"ratio", k.share}, {"tasks", locust_tasks(k.tasks, true)}};
    }
    return {{"per_class", std::move(per_class)}, {"total", std::move(total)}};
}

std::string snapshot_json(const controller& c) {
    auto o = requests_json(c);
    o["type"] = "snapshot";
    // Not only the newest point: two seconds can close between two pushes
    // (they close on the stats clock, pushes run on their own timer), and a
    // slow client may have been skipped a few pushes; the UI drops the
    // points it already has.
    const auto& h = c.stats().history();
    json::array points;
    for (std::size_t i = h.size() > snapshot_points ? h.size() - snapshot_points : 0; i < h.size();
         ++i) {
        points.push_back(point_json(h[i]));
    }
    o["points"] = std::move(points);
    return json_text(o);
}

std::optional<std::string> entry_history_json(const controller& c, std::string_view method,
                                              std::string_view name, std::int64_t since,
                                              std::size_t max_points) {
    const auto& names = c.stats().names();
    std::uint32_t index = 0;
    while (index < names.size() && (names[index].first != method || names[index].second != name))
        ++index;
    if (index == names.size()) return std::nullopt;
    const auto& h = c.stats().history();
    // Newest first from the back, so an incremental `since` reads a few points.
    std::size_t first = h.size();
    while (first > 0 && h.size() - first < max_points && h[first - 1].unix_s > since) --first;
    json::array points;
    for (std::size_t i = first; i < h.size(); ++i) {
        const auto& p = h[i];
        const double seconds = std::max<std::uint32_t>(p.duration_ms, 1) / 1000.0;
        json::object o{{"t", p.unix_s}, {"requests", 0}, {"rps", 0.0}, {"fps", 0.0}};
        o["p50"] = nullptr;
        o["p95"] = nullptr;
        o["p99"] = nullptr;
        for (const auto& e : p.entries) {
            if (e.name != index) continue;
            o["requests"] = e.requests;
            o["rps"] = e.requests / seconds;
            o["fps"] = e.failures / seconds;
            o["p50"] = ms(e.p50_us);
            o["p95"] = ms(e.p95_us);
            o["p99"] = ms(e.p99_us);
            break;
        }
        points.push_back(std::move(o));
    }
    return json_text(
        json::object{{"method", method}, {"name", name}, {"points", std::move(points)}});
}

std::string hello_json(const controller& c, const ui_defaults& defaults, std::size_t max_points,
                       bool with_earlier_runs) {
    json::object o;
    o["type"] = "hello";
    o["version"] = SWARM_VERSION;  // the header's, as `swarm --version` says it
    o["scenario"] = c.plan().name.empty() ? c.bundle().name : c.plan().name;
    o["host"] = c.plan().host;
    o["users"] = defaults.users;
    o["spawn_rate"] = defaults.spawn_rate;
    o["run_time"] = defaults.run_time;
    // The Profile and Iterations fields' prefill, as the command line resolved
    // them (the scenario's load unless -u, --stages or --iterations replaced
    // it): not the scenario's again, or `-u 50` would be prefilled with stages.
    o["stages"] = defaults.stages;
    o["iterations"] = or_null(defaults.iterations);
    json::array classes;
    for (const auto& k : scenario::task_ratios(c.plan())) {
        json::object u{{"name", k.name}, {"share", k.share}, {"tasks", ratio_json(k.tasks)}};
        if (k.fixed_count) u["fixed_count"] = *k.fixed_count;
        classes.push_back(std::move(u));
    }
    o["ratio"] = std::move(classes);
    o["tests_started"] = c.tests_started();  // whose history follows (a new test starts afresh)
    json::array points;
    const auto& h = c.stats().history();
    const std::size_t skip = h.size() > max_points ? h.size() - max_points : 0;
    for (std::size_t i = skip; i < h.size(); ++i) points.push_back(point_json(h[i]));
    o["history"] = std::move(points);
    if (with_earlier_runs) {
        // The charts' "Run #N" of the tests before this one (bounded by the core).
        json::array runs;
        for (const auto& run : c.core().earlier_runs()) {
            json::array earlier;
            for (const auto& p : run.points) earlier.push_back(point_json(p));
            runs.push_back(json::object{{"test", run.test}, {"history", std::move(earlier)}});
        }
        o["earlier_runs"] = std::move(runs);
    }
    return json_text(o);
}

}  // namespace swarm::master::web
