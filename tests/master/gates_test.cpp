// Thresholds on the master: the judge (master/gates/judge.hpp) over merged
// run_stats fed hand-made deltas, and the controller core judging them live
// once a second, honouring delay, aborting, and judging once more at the end
// - all on simulated time.
#include <gmock/gmock.h>

#include <map>
#include <string>
#include <vector>

#include "common/scenario/loader.hpp"
#include "master/controller_core.hpp"
#include "master/gates/judge.hpp"
#include "tests/master/stats_fixture.hpp"
#include "tests/support/log_capture.hpp"

namespace swarm::master {
namespace {

using namespace std::chrono_literals;
using gates::verdict_status;
using ::testing::HasSubstr;

constexpr const char* scenario_text = R"y(
host: http://127.0.0.1:1
users:
  Browser:
    tasks:
      read:
        tags: [reads]
        get: /a
      write: {post: /b}
)y";

std::shared_ptr<const scenario::plan> test_plan() {
    auto compiled = scenario::compile({"gates.yaml", scenario_text, {}});
    EXPECT_TRUE(compiled.result);
    return compiled.result;
}

gates::threshold_verdict judge_text(const std::string& text, const run_stats& run,
                                    bool final = true, std::chrono::milliseconds elapsed = 2s,
                                    std::chrono::microseconds delay = 0us) {
    scenario::threshold_spec spec{text, false, delay, {}};
    const auto t = gates::prepare(spec, *test_plan());
    EXPECT_EQ(t.error, "") << text;
    return gates::judge(t, run, elapsed, final);
}

// known_run: GET /a 10, 20, 30 ms (one failed), POST /b 6 ms, over 2 s.
TEST(judge_test, latencies_of_one_row_in_ms) {
    const auto run = testing::known_run(true);
    const auto avg = judge_text("avg(GET /a) < 21ms", run);
    EXPECT_EQ(avg.status, verdict_status::passing);
    EXPECT_TRUE(avg.final);
    ASSERT_TRUE(avg.value);
    EXPECT_DOUBLE_EQ(*avg.value, 20);  // the sum is exact
    EXPECT_EQ(avg.unit, "ms");
    EXPECT_EQ(avg.value_text, "20 ms");
    EXPECT_EQ(avg.detail, "");

    const auto p95 = judge_text("p95(GET /a) < 25ms", run);
    EXPECT_EQ(p95.status, verdict_status::failing);
    EXPECT_NEAR(*p95.value, 30, 0.3);  // nearest rank 3 of 3, within the histogram's error
    EXPECT_EQ(p95.detail, "not < 25ms");

    EXPECT_DOUBLE_EQ(*judge_text("max(/a) < 1s", run).value, 30);
    EXPECT_DOUBLE_EQ(*judge_text("min < 1s", run).value, 6);
    EXPECT_NEAR(*judge_text("med(/a) < 1s", run).value, 20, 0.2);
}

TEST(judge_test, several_rows_merge_exactly) {
    const auto run = testing::known_run(true);
    // ~^/ selects both rows: p50 of {6, 10, 20, 30} is rank 2 = 10 ms, as the aggregate's.
    const auto merged = judge_text("p50(~^/) < 1s", run);
    const auto total = judge_text("p50 < 1s", run);
    ASSERT_TRUE(merged.value && total.value);
    EXPECT_DOUBLE_EQ(*merged.value, *total.value);
    EXPECT_NEAR(*merged.value, 10, 0.1);
    EXPECT_DOUBLE_EQ(*judge_text("avg(~^/) < 1s", run).value, 16.5);  // 66 / 4
    EXPECT_DOUBLE_EQ(*judge_text("requests(~b$) > 0", run).value, 1);
    // tag:reads = the task "read"'s requests: GET /a only.
    EXPECT_DOUBLE_EQ(*judge_text("requests(tag:reads) > 0", run).value, 3);
    EXPECT_DOUBLE_EQ(*judge_text("max(tag:reads) > 0", run).value, 30);
}

TEST(judge_test, ratios_in_percent_and_rates_over_the_run) {
    const auto run = testing::known_run(true);
    const auto ratio = judge_text("fail_ratio < 1%", run);
    EXPECT_EQ(ratio.status, verdict_status::failing);
    EXPECT_DOUBLE_EQ(*ratio.value, 25);
    EXPECT_EQ(ratio.unit, "%");
    EXPECT_EQ(ratio.value_text, "25 %");
    EXPECT_EQ(ratio.detail, "not < 1%");
    const auto checks = judge_text("checks >= 75%", run);
    EXPECT_EQ(checks.status, verdict_status::passing);
    EXPECT_DOUBLE_EQ(*checks.value, 75);
    EXPECT_NEAR(*judge_text("fail_ratio(/a) < 0.5", run).value, 100.0 / 3, 1e-9);
    EXPECT_EQ(judge_text("fail_ratio(/a) < 0.5", run).value_text, "33.33 %");

    const auto rps = judge_text("rps > 1.5", run);  // 4 requests over 2 s
    EXPECT_EQ(rps.status, verdict_status::passing);
    EXPECT_DOUBLE_EQ(*rps.value, 2);
    EXPECT_EQ(rps.value_text, "2/s");
    EXPECT_EQ(judge_text("fail_rps < 0.5", run).value_text, "0.5/s");
    EXPECT_EQ(judge_text("fail_rps < 0.5", run).status, verdict_status::failing);
}

TEST(judge_test, counts_of_rows_and_classes) {
    const auto run = testing::known_open_run(true);
    // ITER rows are not requests: 4, not 6.
    EXPECT_EQ(judge_text("requests == 4", run).status, verdict_status::passing);
    EXPECT_EQ(judge_text("requests == 4", run).value_text, "4");
    EXPECT_DOUBLE_EQ(*judge_text("max < 1s", run).value, 30);
    EXPECT_DOUBLE_EQ(*judge_text("max(ITER checkout) < 1s", run).value, 400);
    EXPECT_EQ(judge_text("failures(GET /a) == 1", run).status, verdict_status::passing);
    EXPECT_EQ(judge_text("failures(POST /b) == 0", run).status, verdict_status::passing);
    EXPECT_DOUBLE_EQ(*judge_text("iterations > 0", run).value, 9);
    EXPECT_DOUBLE_EQ(*judge_text("iterations(class:Shopper) > 0", run).value, 2);
    const auto dropped = judge_text("dropped_iterations(class:Shopper) == 0", run);
    EXPECT_EQ(dropped.status, verdict_status::failing);
    EXPECT_DOUBLE_EQ(*dropped.value, 3);
    EXPECT_DOUBLE_EQ(*judge_text("pacing_overruns == 1", run).value, 1);
    EXPECT_DOUBLE_EQ(*judge_text("pacing_overruns(class:Nobody) == 0", run).value, 0);
}

TEST(judge_test, no_data_is_pending_live_and_fails_a_latency_at_the_end) {
    const auto run = testing::known_run(false);
    const auto live = judge_text("p95(GET /nope) < 1s", run, false);
    EXPECT_EQ(live.status, verdict_status::pending);
    EXPECT_FALSE(live.value);
    EXPECT_EQ(live.detail, "no requests matched yet");
    const auto end = judge_text("p95(GET /nope) < 1s", run, true);
    EXPECT_EQ(end.status, verdict_status::failing);
    EXPECT_EQ(end.detail, "no requests matched");
    EXPECT_EQ(judge_text("fail_ratio(/nope) < 1%", run, true).status, verdict_status::failing);
    // Counts judge 0; a rate waits live and is 0/s at the end.
    EXPECT_EQ(judge_text("failures(/nope) == 0", run, false).status, verdict_status::passing);
    EXPECT_EQ(judge_text("rps(/nope) < 5", run, false).status, verdict_status::pending);
    const auto rate = judge_text("rps(/nope) < 5", run, true);
    EXPECT_EQ(rate.status, verdict_status::passing);
    EXPECT_EQ(rate.value_text, "0/s");
}

TEST(judge_test, delay_holds_the_live_judgement_only) {
    const auto run = testing::known_run(false);
    const auto early = judge_text("fail_ratio < 1%", run, false, 29s, 30s);
    EXPECT_EQ(early.status, verdict_status::pending);
    EXPECT_EQ(early.value_text, "25 %");  // shown meanwhile
    EXPECT_EQ(early.detail, "judged after 30s");
    EXPECT_EQ(early.delay, 30s);
    EXPECT_EQ(judge_text("fail_ratio < 1%", run, false, 30s, 30s).status, verdict_status::failing);
    EXPECT_EQ(judge_text("fail_ratio < 1%", run, true, 1s, 30s).status, verdict_status::failing);
}

TEST(judge_test, an_expression_that_does_not_parse_fails) {
    const auto t = gates::prepare({"p95 <", false, {}, {}}, *test_plan());
    EXPECT_THAT(t.error, HasSubstr("does not parse"));
    const auto v = gates::judge(t, testing::known_run(true), 1s, false);
    EXPECT_EQ(v.status, verdict_status::failing);
    EXPECT_EQ(v.detail, t.error);
}

// The controller core with two thresholds' worth of workers: one worker
// "a", ticks every 100 ms (as the driver's), reports when the test says.
class gates_core_test : public ::testing::Test {
  protected:
    void make(std::vector<scenario::threshold_spec> thresholds) {
        core_options opts;
        opts.thresholds = std::move(thresholds);
        opts.log = log_.logger("swarm master");
        core_ = std::make_unique<controller_core>(
            bundle_, plan_,
            [this](const std::string& w, const proto::message& m) { sent_[w].push_back(m); },
            std::move(opts), now_, wall());
        core_->on_event = [this](const std::string& text) { events_.push_back(text); };
        core_->on_message("a", proto::hello{proto::protocol_version, "host-a", "a", 1, 1}, now_);
        core_->on_message("a", proto::ready{bundle_.hash()}, now_);
    }
    std::int64_t wall() const {
        return 1'700'000'000'000 +
               std::chrono::duration_cast<std::chrono::milliseconds>(now_ - t0_).count();
    }
    std::uint64_t run_id() const {
        std::uint64_t id = 0;  // the latest spawn's
        for (const auto& m : sent_.at("a")) {
            if (const auto* s = std::get_if<proto::spawn>(&m)) id = s->run_id;
        }
        return id;
    }
    void start(std::optional<std::chrono::milliseconds> run_time = {}) {
        core_->start({{2, 100, "", 0}, run_time}, now_, wall());
        core_->on_message("a", proto::spawn_complete{run_id(), 2}, now_);
    }
    // `n` requests to GET /a of 1 ms, the first `failed` failed.
    void report(int n, int failed = 0) {
        stats::delta d;
        for (int i = 0; i < n; ++i) d.requests.record("GET", "/a", 1000, 10, i < failed);
        core_->on_message("a", proto::stats_report{++sequence_, run_id(), 2, d}, now_);
    }
    // Ticks every 100 ms until `until` after t0, with a heartbeat each 500 ms.
    void advance_to(std::chrono::milliseconds until) {
        while (now_ - t0_ < until) {
            now_ += 100ms;
            if ((now_ - t0_) % 500ms == 0ms)
                core_->on_message("a", proto::heartbeat{1, 1 << 20, 2, 0.1}, now_);
            core_->caught_up(now_);
            core_->tick(now_, wall());
        }
    }
    void stop_and_finish() {
        core_->on_message("a", proto::stopped{run_id()}, now_);
        advance_to(std::chrono::duration_cast<std::chrono::milliseconds>(now_ - t0_) + 100ms);
        ASSERT_EQ(core_->state(), run_state::stopped);
    }
    int count_stops() const {
        int n = 0;
        for (const auto& m : sent_.at("a")) n += std::holds_alternative<proto::stop>(m) ? 1 : 0;
        return n;
    }
    const gates::threshold_verdict& verdict(std::size_t i) const {
        return core_->thresholds().at(i);
    }

    scenario::bundle bundle_{"gates.yaml", scenario_text, {}};
    std::shared_ptr<const scenario::plan> plan_ = test_plan();
    const control_clock::time_point t0_{std::chrono::seconds(1000)};
    control_clock::time_point now_ = t0_;
    test::log_capture log_;
    std::map<std::string, std::vector<proto::message>> sent_;
    std::uint64_t sequence_ = 0;
    std::vector<std::string> events_;
    std::unique_ptr<controller_core> core_;
};

TEST_F(gates_core_test, judges_once_a_second_not_on_every_tick) {
    make({{"requests < 100", false, {}, {}}});
    start();
    ASSERT_EQ(core_->thresholds().size(), 1u);
    EXPECT_EQ(verdict(0).status, verdict_status::pending);
    advance_to(300ms);
    report(10);
    advance_to(900ms);
    EXPECT_EQ(verdict(0).status, verdict_status::pending);  // not judged yet
    advance_to(1000ms);
    EXPECT_EQ(verdict(0).status, verdict_status::passing);
    EXPECT_EQ(verdict(0).value_text, "10");
    EXPECT_FALSE(verdict(0).final);
    report(5);
    advance_to(1900ms);
    EXPECT_EQ(verdict(0).value_text, "10");  // the 1 s judgement stands
    advance_to(2000ms);
    EXPECT_EQ(verdict(0).value_text, "15");
}

TEST_F(gates_core_test, a_failing_threshold_does_not_stop_the_test_and_fails_at_the_end) {
    make({{"failures == 0", false, {}, {}}, {"requests > 0", false, {}, {}}});
    start(5s);
    advance_to(500ms);
    report(4, 1);
    advance_to(1000ms);
    EXPECT_EQ(verdict(0).status, verdict_status::failing);
    EXPECT_EQ(verdict(0).detail, "not == 0");
    EXPECT_FALSE(core_->thresholds_failed());  // live failures decide nothing
    advance_to(5000ms);
    EXPECT_EQ(core_->state(), run_state::stopping);
    EXPECT_EQ(core_->stop_reason(), stop_reason::run_time);
    stop_and_finish();
    EXPECT_TRUE(verdict(0).final);
    EXPECT_EQ(verdict(0).status, verdict_status::failing);
    EXPECT_FALSE(verdict(0).aborted);
    EXPECT_EQ(verdict(1).status, verdict_status::passing);
    EXPECT_TRUE(core_->thresholds_failed());
}

TEST_F(gates_core_test, abort_on_fail_stops_the_test_after_its_delay) {
    make({{"failures == 0", true, 3s, {}}, {"requests > 0", false, {}, {}}});
    start(60s);
    advance_to(500ms);
    report(5, 2);
    advance_to(2900ms);
    EXPECT_EQ(core_->state(), run_state::running);
    EXPECT_EQ(verdict(0).status, verdict_status::pending);
    EXPECT_EQ(verdict(0).detail, "judged after 3s");
    advance_to(3000ms);
    EXPECT_EQ(core_->state(), run_state::stopping);
    EXPECT_EQ(core_->stop_reason(), stop_reason::threshold_abort);
    EXPECT_THAT(events_, ::testing::Contains("Threshold failed, aborting: failures == 0 (2)"));
    EXPECT_TRUE(verdict(0).aborted);
    ASSERT_EQ(count_stops(), 1);
    stop_and_finish();
    EXPECT_TRUE(verdict(0).final);
    EXPECT_TRUE(verdict(0).aborted);
    EXPECT_EQ(verdict(0).status, verdict_status::failing);
    EXPECT_FALSE(verdict(1).aborted);
    EXPECT_EQ(verdict(1).status, verdict_status::passing);
    EXPECT_TRUE(core_->thresholds_failed());
}

TEST_F(gates_core_test, the_final_judgement_covers_the_last_reports) {
    make({{"requests >= 30", true, {}, {}}, {"p95(GET /zzz) < 1s", false, {}, {}}});
    start();
    advance_to(500ms);
    report(30);
    advance_to(1000ms);
    EXPECT_EQ(verdict(0).status, verdict_status::passing);
    EXPECT_EQ(verdict(1).status, verdict_status::pending);
    EXPECT_EQ(verdict(1).detail, "no requests matched yet");
    core_->stop(now_);
    report(3);  // the worker's last delta, sent while stopping
    stop_and_finish();
    EXPECT_EQ(core_->stop_reason(), stop_reason::stopped);
    EXPECT_EQ(verdict(0).value_text, "33");
    EXPECT_TRUE(verdict(0).final);
    EXPECT_EQ(verdict(1).status, verdict_status::failing);
    EXPECT_EQ(verdict(1).detail, "no requests matched");
    EXPECT_TRUE(core_->thresholds_failed());
}

TEST_F(gates_core_test, a_new_test_starts_pending_again) {
    make({{"failures == 0", false, {}, {}}});
    start();
    advance_to(500ms);
    report(2, 2);
    core_->stop(now_);
    stop_and_finish();
    EXPECT_TRUE(core_->thresholds_failed());
    start();
    EXPECT_EQ(verdict(0).status, verdict_status::pending);
    EXPECT_FALSE(verdict(0).final);
    EXPECT_FALSE(core_->thresholds_failed());
}

}  // namespace
}  // namespace swarm::master
