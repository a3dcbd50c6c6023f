#pragma once
// Judging a threshold: a pure function from (the threshold, the merged
// run_stats, the time since the test started) to its verdict. The
// controller (master/controller_core.hpp) calls it once a second while the
// test runs and once more at the end (final); nothing here reads a clock.
// Owned and called on the master's control thread.
//
// What the rows are: no selector = run_stats::total() (requests only, no
// ITER rows); a row, a name, a ~regex or a tag = the matching request rows
// merged exactly (counts, sums and histograms) before the metric is taken.
//
// No data. While the test runs, a latency or ratio threshold whose rows
// have no request yet is pending ("no requests matched yet"), and so is a
// rate; at the end such a latency or ratio threshold FAILS with "no
// requests matched" (a typo in a selector must not pass a gate), and a rate
// is judged as 0/s. Counts (requests, failures, iterations, ...) are judged
// as they are, 0 included. `delay` only holds back the live judgement: the
// value is shown, the status stays pending; the final judgement ignores it.
//
// Values: times in ms ("183.2 ms"), ratios in % ("0.8 %"), rates per second
// over the whole run ("512.3/s"), counts as integers ("3").

#include <chrono>
#include <string>
#include <vector>

#include "common/scenario/plan.hpp"
#include "common/scenario/threshold_expr.hpp"
#include "master/gates/verdict.hpp"
#include "master/stats/run_stats.hpp"

namespace swarm::master::gates {

// A threshold ready to judge.
struct threshold {
    scenario::threshold_spec spec;
    scenario::threshold_expr expr{};
    // tag:NAME: the (method, name) rows of the tasks tagged NAME, from the plan.
    std::vector<scenario::request_row> tag_rows{};
    // Not empty when the expression does not parse (the cli checks them
    // first, so only a bug gets here): judged failing with this detail.
    std::string error{};
};

// Parses the spec's expression and resolves a tag against the plan.
threshold prepare(const scenario::threshold_spec& spec, const scenario::plan& plan);

// The verdict at `elapsed` since the test started. `final`: the end-of-test
// judgement (see "No data" above). `aborted` is left false: the controller sets it.
threshold_verdict judge(const threshold& t, const run_stats& stats,
                        std::chrono::milliseconds elapsed, bool final);

}  // namespace swarm::master::gates
