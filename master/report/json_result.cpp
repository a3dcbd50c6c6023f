#include "master/report/json_result.hpp"

#include <stdexcept>
#include <string_view>

#include <boost/json/array.hpp>

#include "master/report/rows.hpp"

namespace swarm::master::report {
namespace {

namespace json = boost::json;

json::object histogram_json(const stats::histogram& h) {
    json::array buckets;
    h.for_each_bucket([&](std::uint32_t index, std::uint64_t count) {
        buckets.push_back(json::array{index, count});
    });
    return {{"count", h.count()},
            {"min_us", h.min_us()},
            {"max_us", h.max_us()},
            {"buckets", std::move(buckets)}};
}

json::object entry_json(const row& r) {
    json::object percentiles;
    for (std::size_t i = 0; i < r.percentiles_us.size(); ++i) {
        std::string label = detail::percentile_label(stats::standard_percentiles[i]);
        label.pop_back();  // "99.9", not "99.9%": a key, not a column title
        percentiles[label] = r.percentiles_us[i];
    }
    return {{"method", r.method},
            {"name", r.name},
            {"requests", r.requests},
            {"failures", r.failures},
            {"min_us", r.min_us},
            {"max_us", r.max_us},
            {"avg_us", r.avg_us},
            {"median_us", r.median_us()},
            {"percentiles_us", std::move(percentiles)},
            {"rps", r.total_rps},
            {"failures_per_s", r.total_fail_per_sec},
            {"response_bytes", r.stats->response_bytes()},
            {"avg_response_bytes", r.avg_bytes},
            {"latency_sum_us", r.stats->latency_sum_us()},
            {"histogram", histogram_json(r.stats->latency())}};
}

json::object run_json(const run_stats& run, const run_metadata& meta) {
    json::array workers;
    for (const std::string& w : meta.workers) workers.emplace_back(w);
    json::array lost;
    for (const std::string& w : meta.workers_lost) lost.emplace_back(w);
    json::value end = nullptr;
    if (run.end_wall_ms()) end = *run.end_wall_ms();
    const double duration_s =
        static_cast<double>(run.last_wall_ms() - run.start_wall_ms()) / 1000.0;
    json::value planned = nullptr;
    if (meta.planned_run_time_ms) planned = static_cast<double>(*meta.planned_run_time_ms) / 1000.0;
    json::value iterations = nullptr;
    if (meta.iterations) iterations = *meta.iterations;
    return {{"scenario", meta.scenario_name},
            {"scenario_hash", meta.scenario_hash},
            {"start_unix_ms", run.start_wall_ms()},
            {"end_unix_ms", std::move(end)},
            {"duration_s", duration_s},
            {"stats_seconds", run.elapsed_seconds()},
            {"stop_reason", meta.stop_reason.empty() ? "none" : meta.stop_reason},
            {"planned_run_time_s", std::move(planned)},
            {"profile", meta.profile},
            {"iterations", std::move(iterations)},
            {"users", meta.users},
            {"spawn_rate", meta.spawn_rate},
            {"host", meta.host},
            {"workers", std::move(workers)},
            {"exit_status", meta.exit_status},
            {"workers_lost", std::move(lost)},
            {"lost_reports", meta.lost_reports}};
}

json::object scheme_json() {
    return {{"kind", "log-linear"},
            {"unit", "us"},
            {"sub_bucket_bits", stats::histogram::sub_bucket_bits},
            {"tracked_bits", stats::histogram::tracked_bits},
            {"bucket_count", stats::histogram::bucket_count},
            {"reported_value", "midpoint"}};
}

json::array errors_json(const stats::error_table& errors) {
    json::array out;
    for (const detail::error_ref& e : detail::sorted_errors(errors)) {
        out.push_back(json::object{{"method", e.method},
                                   {"name", e.name},
                                   {"message", e.message},
                                   {"occurrences", e.stats->occurrences},
                                   {"first_seen_unix_ms", e.stats->first_seen_ms},
                                   {"last_seen_unix_ms", e.stats->last_seen_ms}});
    }
    return out;
}

json::object point_json(const history_point& p) {
    json::array percentiles;
    for (std::uint32_t v : p.percentiles_us) percentiles.push_back(v);
    json::array entries;
    for (const second_entry_point& e : p.entries) {
        entries.push_back(
            json::array{e.name, e.requests, e.failures, e.p50_us, e.p95_us, e.p99_us});
    }
    const cumulative_point& t = p.total;
    json::value planned = nullptr;
    if (p.planned_users) planned = *p.planned_users;
    return {{"second", p.second},
            {"unix_s", p.unix_s},
            {"duration_ms", p.duration_ms},
            {"users", p.user_count},
            {"requests", p.requests},
            {"failures", p.failures},
            {"planned_users", planned},
            {"dropped_iterations", p.dropped_iterations},
            {"percentiles_us", std::move(percentiles)},
            {"total", json::object{{"requests", t.requests},
                                   {"failures", t.failures},
                                   {"median_us", t.median_us},
                                   {"avg_us", t.avg_us},
                                   {"min_us", t.min_us},
                                   {"max_us", t.max_us},
                                   {"avg_bytes", t.avg_bytes}}},
            {"entries", std::move(entries)}};
}

json::object history_json(const run_stats& run) {
    json::array names;
    for (const auto& [method, name] : run.names()) names.push_back(json::array{method, name});
    json::array points;
    for (const history_point& p : run.history()) points.push_back(point_json(p));
    return {{"names", std::move(names)}, {"points", std::move(points)}};
}

}  // namespace

json::array classes_json(const stats::class_table& classes) {
    json::array out;
    classes.for_each([&](std::string_view name, const stats::class_counts& c) {
        out.push_back(json::object{{"name", name},
                                   {"iterations", c.iterations},
                                   {"dropped_iterations", c.dropped_iterations},
                                   {"pacing_overruns", c.pacing_overruns}});
    });
    return out;
}

json::array thresholds_json(const std::vector<gates::threshold_verdict>& verdicts) {
    json::array out;
    for (const auto& v : verdicts) {
        out.push_back(json::object{{"expression", v.expression},
                                   {"status", gates::to_string(v.status)},
                                   {"final", v.final},
                                   {"aborted", v.aborted},
                                   {"abort_on_fail", v.abort_on_fail},
                                   {"delay_ms", v.delay.count()},
                                   {"value", v.value ? json::value(*v.value) : json::value()},
                                   {"unit", v.unit},
                                   {"value_text", v.value_text},
                                   {"detail", v.detail}});
    }
    return out;
}

json::object json_result(const run_stats& run, const run_metadata& meta) {
    json::array percentiles;
    for (double p : stats::standard_percentiles) percentiles.push_back(p);
    json::array entries;
    for (const row& r : request_rows(run)) entries.push_back(entry_json(r));
    return {{"format", "swarm-result"},
            {"version", 1},
            {"run", run_json(run, meta)},
            {"histogram_scheme", scheme_json()},
            {"percentiles", std::move(percentiles)},
            {"total", entry_json(aggregated_row(run))},
            {"entries", std::move(entries)},
            {"classes", classes_json(run.classes())},
            {"errors", errors_json(run.errors())},
            {"errors_overflow", run.errors().overflow()},
            {"thresholds", thresholds_json(meta.thresholds)},
            {"history", history_json(run)}};
}

stats::histogram histogram_from_json(const boost::json::value& histogram) {
    const json::object& h = histogram.as_object();
    std::vector<stats::bucket> buckets;
    for (const json::value& b : h.at("buckets").as_array()) {
        const json::array& pair = b.as_array();
        if (pair.size() != 2)
            throw std::invalid_argument("histogram: bucket is not [index, count]");
        const auto index = pair[0].to_number<std::uint64_t>();
        if (index >= stats::histogram::bucket_count) {
            throw std::invalid_argument("histogram: bucket index out of range");
        }
        buckets.push_back({static_cast<std::uint32_t>(index), pair[1].to_number<std::uint64_t>()});
    }
    stats::histogram out =
        stats::histogram::from_buckets(buckets, h.at("min_us").to_number<std::uint64_t>(),
                                       h.at("max_us").to_number<std::uint64_t>());
    if (out.count() != h.at("count").to_number<std::uint64_t>()) {
        throw std::invalid_argument("histogram: count does not match its buckets");
    }
    return out;
}

}  // namespace swarm::master::report
