#include "master/web/metrics.hpp"

#include "common/printable.hpp"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <set>
#include <vector>

#include "master/stats/run_stats.hpp"

#ifndef SWARM_VERSION
#define SWARM_VERSION "unknown"
#endif

namespace swarm::master::web {
namespace {

struct label {
    std::string_view name;
    std::string_view value;
};

// Appends families to one string: a family's HELP and TYPE, then its samples,
// which the format wants together.
class exposition {
  public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    void sample(std::string_view name, std::initializer_list<label> labels, std::uint64_t v) {
        head(name, labels);
        append_number(v);
        out_ += '\n';
    }
    void sample(std::string_view name, std::initializer_list<label> labels, double v) {
        head(name, labels);
        if (std::isnan(v)) {
            out_ += "NaN";
        } else if (std::isinf(v)) {
            out_ += v > 0 ? "+Inf" : "-Inf";
        } else {
            append_number(v);
        }
        out_ += '\n';
    }
    // A histogram's _bucket, _sum and _count samples from `h` and its exact
    // sum (µs); `labels` are the series' own, before "le".
    void histogram(std::string_view name, label a, label b, const stats::histogram& h,
                   std::uint64_t sum_us) {
        const auto counts = cumulative_buckets(h);
        const std::string bucket = std::string(name) + "_bucket";
        for (std::size_t i = 0; i < counts.size(); ++i)
            sample(bucket, {a, b, {"le", latency_bounds_text[i]}}, counts[i]);
        sample(bucket, {a, b, {"le", "+Inf"}}, h.count());
        sample(std::string(name) + "_sum", {a, b}, static_cast<double>(sum_us) / 1e6);
        sample(std::string(name) + "_count", {a, b}, h.count());
    }
    std::string take() { return std::move(out_); }

  private:
    void head(std::string_view name, std::initializer_list<label> labels) {
        out_ += name;
        if (labels.size() != 0) {
            out_ += '{';
            bool first = true;
            for (const auto& l : labels) {
                if (l.name.empty()) continue;  // an unused slot (see histogram())
                if (!first) out_ += ',';
                first = false;
                out_ += l.name;
                out_ += "=\"";
                out_ += escape_label_value(l.value);
                out_ += '"';
            }
            out_ += '}';
        }
        out_ += ' ';
    }
    template <class T>
    void append_number(T v) {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        out_.append(buf, r.ptr);
    }

    std::string out_;
};

void request_families(exposition& x, const run_stats& run) {
    struct row {
        std::string_view method, name;
        const stats::entry* e;
    };
    std::vector<row> requests, iterations, groups;
    run.requests().for_each([&](std::string_view m, std::string_view n, const stats::entry& e) {
        if (m == stats::table::group_method) groups.push_back({m, n, &e});
        else (is_iter_row(m) ? iterations : requests).push_back({m, n, &e});
    });
    x.family("swarm_requests_total", "counter",
             "Requests sent, failed or not, by method and name (since start or stats reset).");
    for (const auto& r : requests)
        x.sample("swarm_requests_total", {{"method", r.method}, {"name", r.name}}, r.e->requests());
    x.family("swarm_request_failures_total", "counter",
             "Requests that failed, any cause, by method and name.");
    for (const auto& r : requests)
        x.sample("swarm_request_failures_total", {{"method", r.method}, {"name", r.name}},
                 r.e->failures());
    x.family("swarm_response_bytes_total", "counter", "Response body bytes received.");
    for (const auto& r : requests)
        x.sample("swarm_response_bytes_total", {{"method", r.method}, {"name", r.name}},
                 r.e->response_bytes());
    x.family("swarm_request_duration_seconds", "histogram",
             "Request latency (buckets within 0.78 % of their bound; sum and count exact).");
    for (const auto& r : requests)
        x.histogram("swarm_request_duration_seconds", {"method", r.method}, {"name", r.name},
                    r.e->latency(), r.e->latency_sum_us());
    x.family("swarm_iteration_duration_seconds", "histogram",
             "Open classes' task iterations, from their scheduled start, by task name.");
    for (const auto& r : iterations)
        x.histogram("swarm_iteration_duration_seconds", {"name", r.name}, {}, r.e->latency(),
                    r.e->latency_sum_us());
    if (groups.empty()) return;  // only scenarios with `group:` steps have the family
    x.family("swarm_group_duration_seconds", "histogram",
             "`group:` steps' executions, first step's start to last step's end, by group name.");
    for (const auto& r : groups)
        x.histogram("swarm_group_duration_seconds", {"name", r.name}, {}, r.e->latency(),
                    r.e->latency_sum_us());
    x.family("swarm_group_failures_total", "counter",
             "`group:` executions in which a request failed, by group name.");
    for (const auto& r : groups)
        x.sample("swarm_group_failures_total", {{"name", r.name}}, r.e->failures());
}

void class_families(exposition& x, const stats::class_table& classes) {
    using counter = std::uint64_t stats::class_counts::*;
    const struct {
        std::string_view name;
        counter field;
        std::string_view help;
    } families[] = {
        {"swarm_iterations_total", &stats::class_counts::iterations,
         "Task iterations ended, by user class."},
        {"swarm_dropped_iterations_total", &stats::class_counts::dropped_iterations,
         "Arrivals of open classes that found no free user, by class."},
        {"swarm_pacing_overruns_total", &stats::class_counts::pacing_overruns,
         "Paced iterations that took longer than their interval, by class."},
    };
    for (const auto& f : families) {
        x.family(f.name, "counter", f.help);
        classes.for_each([&](std::string_view name, const stats::class_counts& c) {
            x.sample(f.name, {{"class", name}}, c.*f.field);
        });
    }
}

void worker_families(exposition& x, const coordinator& workers) {
    x.family("swarm_workers", "gauge", "Workers known to the master, by state.");
    for (auto s : {worker_state::joined, worker_state::ready, worker_state::spawning,
                   worker_state::running, worker_state::stopping, worker_state::stopped,
                   worker_state::missing, worker_state::failed}) {
        std::uint64_t n = 0;
        for (const auto& [id, w] : workers.workers()) n += w.state == s ? 1 : 0;
        x.sample("swarm_workers", {{"state", to_string(s)}}, n);
    }
    const auto name = [](const worker_info& w) -> std::string_view {
        return w.name.empty() ? w.id : w.name;
    };
    x.family("swarm_worker_users", "gauge", "Users running on a worker, as it last reported.");
    for (const auto& [id, w] : workers.workers())
        x.sample("swarm_worker_users", {{"worker", name(w)}}, static_cast<double>(w.users));
    x.family("swarm_worker_cpu_percent", "gauge",
             "A worker's CPU use, percent of one core (may exceed 100 with threads).");
    for (const auto& [id, w] : workers.workers())
        x.sample("swarm_worker_cpu_percent", {{"worker", name(w)}}, w.cpu_percent);
    x.family("swarm_worker_loop_lag_seconds", "gauge",
             "How late a worker's event loops ran their timers, as it last reported.");
    for (const auto& [id, w] : workers.workers())
        x.sample("swarm_worker_loop_lag_seconds", {{"worker", name(w)}}, w.loop_lag_ms / 1000.0);
    x.family("swarm_worker_memory_bytes", "gauge", "A worker's resident memory.");
    for (const auto& [id, w] : workers.workers())
        x.sample("swarm_worker_memory_bytes", {{"worker", name(w)}}, w.rss_bytes);
}

void test_families(exposition& x, const controller_core& core, control_clock::time_point now) {
    x.family("swarm_users", "gauge", "Users running, summed over workers.");
    x.sample("swarm_users", {}, static_cast<double>(core.workers().users()));
    x.family("swarm_users_target", "gauge",
             "Users the load profile plans now, else the users asked for (-u, the form).");
    const auto planned = core.planned_users(now);
    x.sample("swarm_users_target", {},
             static_cast<double>(planned ? *planned : core.workers().target_users()));
    x.family("swarm_test_state", "gauge", "1 for the test's current state, 0 for the others.");
    for (auto s : {run_state::ready, run_state::spawning, run_state::running, run_state::stopping,
                   run_state::stopped}) {
        x.sample("swarm_test_state", {{"state", to_string(s)}},
                 std::uint64_t{core.state() == s ? 1u : 0u});
    }
    x.family("swarm_tests_started_total", "counter", "Tests started by this master.");
    x.sample("swarm_tests_started_total", {}, core.tests_started());
    x.family("swarm_lost_reports_total", "counter",
             "Worker stats reports the master never received (gaps in their sequence).");
    x.sample("swarm_lost_reports_total", {}, core.workers().lost_reports());
    x.family("swarm_threshold_passing", "gauge",
             "1 while a threshold passes, 0 once it fails; absent while pending.");
    std::set<std::string_view> seen;  // a repeated expression: its first verdict only
    for (const auto& v : core.thresholds()) {
        if (v.status == gates::verdict_status::pending || !seen.insert(v.expression).second)
            continue;
        x.sample("swarm_threshold_passing", {{"expression", v.expression}},
                 std::uint64_t{v.status == gates::verdict_status::passing ? 1u : 0u});
    }
}

}  // namespace

std::array<std::uint64_t, latency_bounds_us.size()> cumulative_buckets(const stats::histogram& h) {
    std::array<std::uint64_t, latency_bounds_us.size()> out{};
    std::size_t bound = 0;
    std::uint64_t below = 0;  // samples of the buckets whose midpoint is <= the current bound
    h.for_each_bucket([&](std::uint32_t index, std::uint64_t count) {
        const auto mid = stats::histogram::bucket_midpoint_us(index);
        while (bound < out.size() && latency_bounds_us[bound] < mid) out[bound++] = below;
        below += count;
    });
    while (bound < out.size()) out[bound++] = below;
    return out;
}

std::string escape_label_value(std::string_view raw) {
    // A request name can come from a response (a templated name): bytes that
    // are not valid UTF-8, or controls, would make Prometheus reject the whole
    // scrape. printable() writes them as \xNN (all of it: no truncation).
    const std::string v = printable(raw, raw.size());
    std::string out;
    out.reserve(v.size());
    for (const char c : v) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string prometheus_metrics(const controller_core& core, control_clock::time_point now,
                               std::string_view version) {
    exposition x;
    request_families(x, core.stats());
    class_families(x, core.stats().classes());
    test_families(x, core, now);
    worker_families(x, core.workers());
    x.family("swarm_build_info", "gauge", "1, labelled with swarm's version.");
    x.sample("swarm_build_info", {{"version", version}}, std::uint64_t{1});
    return x.take();
}

std::string_view build_version() {
    return SWARM_VERSION;
}

}  // namespace swarm::master::web
