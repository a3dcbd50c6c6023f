// The exit code of a run from its outcome (master/exit_code.hpp): the
// precedence 5 > 4 > 3 > 1 > 0, --exit-code-on-error, thresholds as the gate,
// and the console's last line that says it in words.
#include "master/exit_code.hpp"

#include <gtest/gtest.h>

namespace swarm::master {
namespace {

run_outcome ended(stop_reason why) {
    run_outcome o;
    o.reason = why;
    return o;
}

TEST(exit_code_test, a_run_to_its_planned_end_or_stopped_from_the_ui_passes) {
    for (const auto why : {stop_reason::run_time, stop_reason::profile_end, stop_reason::iterations,
                           stop_reason::stopped}) {
        EXPECT_EQ(exit_code_for(ended(why)), 0) << to_string(why);
    }
}

TEST(exit_code_test, failed_requests_give_exit_code_on_error_unless_thresholds_gate) {
    auto o = ended(stop_reason::run_time);
    o.requests_failed = true;
    EXPECT_EQ(exit_code_for(o), 1);
    o.exit_code_on_error = 7;
    EXPECT_EQ(exit_code_for(o), 7);
    EXPECT_EQ(end_line(o), "Test ended: run time reached (exit 7: requests failed)");
    o.has_thresholds = true;  // passing thresholds: the failures alone pass
    EXPECT_EQ(exit_code_for(o), 0);
    EXPECT_EQ(end_line(o), "Test ended: run time reached (exit 0: passed)");
}

TEST(exit_code_test, infrastructure_beats_interrupted_beats_threshold_beats_requests) {
    auto o = ended(stop_reason::interrupted);
    o.requests_failed = true;
    o.thresholds_failed = true;
    EXPECT_EQ(exit_code_for(o), 4);
    EXPECT_EQ(end_line(o), "Test ended: interrupted (SIGINT/SIGTERM) (exit 4: interrupted)");
    o.reports_failed = true;
    EXPECT_EQ(exit_code_for(o), 5);
    EXPECT_EQ(end_line(o),
              "Test ended: interrupted (SIGINT/SIGTERM) (exit 5: infrastructure: a report could "
              "not be written)");
    o.reports_failed = false;
    o.reason = stop_reason::run_time;
    EXPECT_EQ(exit_code_for(o), 3);
    EXPECT_EQ(exit_code_for(ended(stop_reason::threshold_abort)), 3);
}

TEST(exit_code_test, all_workers_lost_is_infrastructure) {
    const auto o = ended(stop_reason::workers_lost);
    EXPECT_EQ(exit_code_for(o), 5);
    EXPECT_EQ(end_line(o),
              "Test ended: all workers were lost (exit 5: infrastructure: all workers were lost)");
}

}  // namespace
}  // namespace swarm::master
