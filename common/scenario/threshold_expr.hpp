#pragma once
// The threshold language: one expression over the master's merged
// statistics that passes or fails a test, e.g. "p95(GET /about) < 200ms".
// Parsed here (by the scenario loader for `thresholds:`, by the cli for
// --threshold); judged by the master (master/gates/judge.hpp). A plain
// value, read-only once parsed; any thread.
//
// Grammar (spaces between the parts are optional):
//
//   threshold := METRIC [ "(" SELECTOR ")" ] OP NUMBER [UNIT]
//
//   METRIC    latency (a time): pNN[.N] (any percentile 0 < p <= 100:
//             p50 p90 p95 p99 p99.9 ...), med (= p50), avg, min, max;
//             ratio: fail_ratio (failed / requests), checks (the share of
//             requests that passed their status and checks; a failed check
//             fails its request, so checks = 1 - fail_ratio);
//             rate (over the whole run): rps, fail_rps;
//             count: requests, failures, iterations, dropped_iterations,
//             pacing_overruns.
//   SELECTOR  none        the aggregate: every request row, no ITER rows
//             GET /about  one row: a method (GET POST PUT PATCH DELETE HEAD
//                         OPTIONS, ITER for an open class's iterations,
//                         or GROUP for a `group:` step's durations)
//                         then the name
//             /about      every method of that name (requests only)
//             ~REGEX      every request row whose name matches (RE2, partial)
//             tag:NAME    the requests of the tasks tagged NAME (their names
//                         as the scenario writes them)
//             class:NAME  one user class (iterations, dropped_iterations,
//                         pacing_overruns only; without a selector they sum
//                         every class); those three take no other selector.
//             Several rows are merged exactly (histograms too) before the
//             metric is taken. The selector ends at the last ")".
//   OP        <  <=  >  >=  ==  !=
//   UNIT      time: us, ms, s, m (a bare number is ms); ratio: % (a bare
//             number is a fraction: 0.01 = 1 %); rate: /s (optional);
//             count: none.
//
// Examples: "p95(GET /about) < 200ms", "p99 < 1s", "avg(/user/signin) < 300",
// "fail_ratio < 1%", "failures(~^/checkout) == 0", "rps > 500/s",
// "dropped_iterations(class:Shopper) == 0", "checks(tag:api) >= 99.5%".

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/scenario/plan.hpp"

namespace swarm::scenario {

enum class threshold_metric {
    percentile,  // threshold_expr::percentile
    avg,
    min,
    max,
    fail_ratio,
    checks,
    rps,
    fail_rps,
    requests,
    failures,
    iterations,
    dropped_iterations,
    pacing_overruns,
};

// What a metric measures, which decides its unit and its selectors.
enum class metric_kind { time, ratio, rate, request_count, class_count };
metric_kind kind_of(threshold_metric m) noexcept;

enum class threshold_op { lt, le, gt, ge, eq, ne };
const char* to_string(threshold_op op) noexcept;  // "<", "<=", ...
// `measured OP limit`.
bool compare(double measured, threshold_op op, double limit) noexcept;

struct threshold_selector {
    enum class kind { aggregate, row, name, regex, tag, user_class };
    kind what = kind::aggregate;
    std::string method;  // row: "GET", "ITER", ...
    std::string text;    // row/name: the name; regex: the pattern; tag/class: the name
    regex_ptr regex{};   // regex: compiled
};

struct threshold_expr {
    threshold_metric metric = threshold_metric::avg;
    double percentile = 0;    // metric == percentile: 0 < p <= 100
    std::string metric_text;  // as written: "p95", "med", "fail_ratio"
    threshold_selector selector{};
    threshold_op op = threshold_op::lt;
    // The limit in the metric's base unit: µs for times, a fraction for
    // ratios, per second for rates, a count for counts.
    double limit = 0;
    std::string limit_text;  // normalised: "200ms", "1%", "0.01", "500/s", "0"

    // "p95(GET /about) < 200ms": one space around the operator, the unit
    // written out (a bare time gets "ms").
    std::string normalised() const;
};

// Parses one expression. The error says where: "at column 22: expected a
// number after '<'" (columns 1-based in `text`), with a did-you-mean for
// metric names.
result<threshold_expr> parse_threshold(std::string_view text);

// --threshold's text: an expression, then optional "; abort_on_fail" and
// "; delay=10s" parts in any order:
//   --threshold 'p95 < 200ms; abort_on_fail; delay=10s'
// The error names the part: "'delay=x': expected a duration such as 10s".
result<threshold_spec> parse_threshold_option(std::string_view text);

// A (method, name) stats row a plan's request makes, its name as written
// (a templated name stays a template: it may match other names at run time).
struct request_row {
    std::string method;  // "GET", ...
    std::string name;
    friend bool operator==(const request_row&, const request_row&) = default;
};
// The rows of every request of the plan (tasks, nested sets, if/repeat
// bodies, on_start and on_stop), each once, in plan order. With `tag`: only
// those of the tasks tagged so (and their nested sets), what tag:NAME selects.
std::vector<request_row> plan_request_rows(const plan& p, std::string_view tag = {});

// What a threshold's selector names that the plan lacks, as messages that
// start with the normalised expression: errors for a class or a tag that
// does not exist (it would count 0 and pass), warnings for a request row no
// request of the plan names (a templated name may still match at run time).
// The one check of `thresholds:` (load_thresholds.cpp) and --threshold (cli).
struct threshold_problems {
    std::vector<std::string> errors;
    std::vector<std::string> warnings;
};
threshold_problems threshold_plan_problems(const threshold_expr& t, const plan& p);

}  // namespace swarm::scenario
