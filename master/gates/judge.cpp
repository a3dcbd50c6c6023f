#include "master/gates/judge.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common/duration.hpp"

namespace swarm::master::gates {

namespace {

using scenario::metric_kind;
using scenario::threshold_metric;
using kind = scenario::threshold_selector::kind;

// `value` with at most `decimals` decimals, trailing zeros dropped: 0.8, 183.2, 3.
std::string format_number(double value, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    std::string s(buf);
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    return s;
}

bool selected(const threshold& t, std::string_view method, std::string_view name) {
    const auto& sel = t.expr.selector;
    switch (sel.what) {
        case kind::aggregate:
            return !is_iter_row(method);
        case kind::row:
            return method == sel.method && name == sel.text;
        case kind::name:
            return !is_iter_row(method) && name == sel.text;
        case kind::regex:
            return !is_iter_row(method) && sel.regex && RE2::PartialMatch(name, *sel.regex);
        case kind::tag:
            return std::any_of(t.tag_rows.begin(), t.tag_rows.end(),
                               [&](const scenario::request_row& r) {
                                   return r.method == method && r.name == name;
                               });
        case kind::user_class:
            return false;
    }
    return false;
}

// The selected request rows, merged exactly.
stats::entry merged_rows(const threshold& t, const run_stats& stats) {
    if (t.expr.selector.what == kind::aggregate) return stats.total();
    stats::entry out;
    stats.requests().for_each(
        [&](std::string_view method, std::string_view name, const stats::entry& e) {
            if (selected(t, method, name)) out.merge(e);
        });
    return out;
}

stats::class_counts class_rows(const threshold& t, const run_stats& stats) {
    if (t.expr.selector.what != kind::user_class) return stats.classes().total();
    const auto* row = stats.classes().find(t.expr.selector.text);
    return row != nullptr ? *row : stats::class_counts{};
}

struct measurement {
    // In the limit's base unit (µs, fraction, per second, count); nullopt
    // for a latency or ratio over rows without a request.
    std::optional<double> value;
    bool matched = true;  // the rows had a request (class counts: always)
};

double class_metric(threshold_metric m, const stats::class_counts& c) {
    switch (m) {
        case threshold_metric::iterations:
            return static_cast<double>(c.iterations);
        case threshold_metric::dropped_iterations:
            return static_cast<double>(c.dropped_iterations);
        default:
            return static_cast<double>(c.pacing_overruns);
    }
}

// A latency or ratio of rows that have requests.
double latency_or_ratio(const scenario::threshold_expr& e, const stats::entry& rows) {
    const auto requests = static_cast<double>(rows.requests());
    const auto failures = static_cast<double>(rows.failures());
    switch (e.metric) {
        case threshold_metric::percentile:
            return static_cast<double>(rows.latency().value_at_percentile(e.percentile));
        case threshold_metric::avg:
            return rows.avg_latency_us();
        case threshold_metric::min:
            return static_cast<double>(rows.min_latency_us());
        case threshold_metric::max:
            return static_cast<double>(rows.max_latency_us());
        case threshold_metric::fail_ratio:
            return failures / requests;
        default:  // checks: the share that passed
            return 1 - failures / requests;
    }
}

measurement measure(const threshold& t, const run_stats& stats) {
    const auto& e = t.expr;
    if (scenario::kind_of(e.metric) == metric_kind::class_count)
        return {class_metric(e.metric, class_rows(t, stats))};
    const auto rows = merged_rows(t, stats);
    const bool matched = !rows.empty();
    switch (e.metric) {
        case threshold_metric::requests:
            return {static_cast<double>(rows.requests()), matched};
        case threshold_metric::failures:
            return {static_cast<double>(rows.failures()), matched};
        case threshold_metric::rps:
            return {stats.per_second(rows.requests()), matched};
        case threshold_metric::fail_rps:
            return {stats.per_second(rows.failures()), matched};
        default:
            break;
    }
    if (!matched) return {std::nullopt, false};
    return {latency_or_ratio(e, rows), true};
}

// Sets value, unit and value_text from a measured base-unit value.
void show(threshold_verdict& v, metric_kind k, double base) {
    switch (k) {
        case metric_kind::time:
            v.value = base / 1000;
            v.unit = "ms";
            v.value_text = format_number(*v.value, 1) + " ms";
            return;
        case metric_kind::ratio:
            v.value = base * 100;
            v.unit = "%";
            v.value_text = format_number(*v.value, 2) + " %";
            return;
        case metric_kind::rate:
            v.value = base;
            v.unit = "/s";
            v.value_text = format_number(base, 1) + "/s";
            return;
        case metric_kind::request_count:
        case metric_kind::class_count:
            v.value = base;
            v.unit = "";
            v.value_text = format_number(base, 0);
            return;
    }
}

}  // namespace

threshold prepare(const scenario::threshold_spec& spec, const scenario::plan& plan) {
    threshold t{spec};
    auto parsed = scenario::parse_threshold(spec.expression);
    if (!parsed) {
        t.error = "does not parse: " + parsed.error().message;
        return t;
    }
    t.expr = std::move(*parsed);
    if (t.expr.selector.what == kind::tag)
        t.tag_rows = scenario::plan_request_rows(plan, t.expr.selector.text);
    return t;
}

threshold_verdict judge(const threshold& t, const run_stats& stats,
                        std::chrono::milliseconds elapsed, bool final) {
    threshold_verdict v;
    v.expression = t.spec.expression;
    v.abort_on_fail = t.spec.abort_on_fail;
    v.delay = std::chrono::duration_cast<std::chrono::milliseconds>(t.spec.delay);
    v.final = final;
    if (!t.error.empty()) {
        v.status = verdict_status::failing;
        v.detail = t.error;
        return v;
    }
    const auto k = scenario::kind_of(t.expr.metric);
    const auto m = measure(t, stats);
    if (m.value) show(v, k, *m.value);
    if (!final && elapsed < v.delay) {
        v.detail = "judged after " + format_duration(t.spec.delay);
        return v;
    }
    // Live, a rate or a latency over nothing yet waits; at the end a rate
    // is 0/s, a latency or ratio over nothing fails (see the header).
    const bool no_data = !m.matched && (k == metric_kind::time || k == metric_kind::ratio ||
                                        (k == metric_kind::rate && !final));
    if (no_data) {
        v.status = final ? verdict_status::failing : verdict_status::pending;
        v.detail = final ? "no requests matched" : "no requests matched yet";
        return v;
    }
    const bool pass = scenario::compare(*m.value, t.expr.op, t.expr.limit);
    v.status = pass ? verdict_status::passing : verdict_status::failing;
    if (!pass)
        v.detail = "not " + std::string(scenario::to_string(t.expr.op)) + " " + t.expr.limit_text;
    return v;
}

}  // namespace swarm::master::gates
