// GET /metrics (master/web/metrics.hpp): the exposition of a controller core
// on simulated time fed with known worker deltas, read back sample by sample
// and held against the exact numbers; the bucket rule against its stated
// bound; promtool over a real sample; and the route on a real `swarm run`
// under the UI's Basic auth.
#include <gmock/gmock.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>

#include "master/web/metrics.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/target_process.hpp"
#include "tests/web/web_support.hpp"

namespace swarm::master::web {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* scenario_text = R"y(
host: http://127.0.0.1:1
users:
  Browser:
    tasks:
      index: {get: /}
)y";

// Samples by their full series text ("name{labels}"), and the order they came in.
struct parsed_metrics {
    std::map<std::string, double> value;
    std::vector<std::string> series;
    bool has(const std::string& s) const { return value.count(s) != 0; }
    double at(const std::string& s) const {
        const auto it = value.find(s);
        if (it == value.end()) ADD_FAILURE() << "no sample " << s;
        return it == value.end() ? NAN : it->second;
    }
};

parsed_metrics parse(const std::string& text) {
    parsed_metrics out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        const auto key = line.substr(0, space);
        const auto v = line.substr(space + 1);
        EXPECT_EQ(out.value.count(key), 0u) << "duplicate series " << key;
        out.value[key] = v == "+Inf" ? INFINITY : std::stod(v);
        out.series.push_back(key);
    }
    return out;
}

class metrics_test : public ::testing::Test {
  protected:
    metrics_test() : bundle_{"one.yaml", scenario_text, {}} {
        auto compiled = scenario::compile(bundle_);
        EXPECT_TRUE(compiled.result);
        plan_ = compiled.result;
    }
    void make(core_options opts = {}) {
        opts.log = log_.logger("swarm master");
        core_ = std::make_unique<controller_core>(
            bundle_, plan_,
            [this](const std::string&, const proto::message& m) {
                if (const auto* s = std::get_if<proto::spawn>(&m)) run_id_ = s->run_id;
            },
            std::move(opts), now_, wall());
    }
    std::int64_t wall() const {
        return 1'700'000'000'000 +
               std::chrono::duration_cast<std::chrono::milliseconds>(now_ - t0_).count();
    }
    // Worker "a" joins, 4 users are started and spawned.
    void running(std::int64_t users = 4) {
        core_->on_message("a", proto::hello{proto::protocol_version, "host-a", "a", 1, 1}, now_);
        core_->on_message("a", proto::ready{bundle_.hash()}, now_);
        core_->start({{users, 100, "", 0}, {}}, now_, wall());
        core_->on_message("a", proto::spawn_complete{run_id_, users}, now_);
        users_ = users;
        advance(500ms);
        ASSERT_EQ(core_->state(), run_state::running);
    }
    void report(stats::delta d) {
        core_->on_message("a", proto::stats_report{++sequence_, run_id_, users_, std::move(d)},
                          now_);
    }
    void advance(control_clock::duration d) {
        for (control_clock::duration t{}; t < d; t += 500ms) {
            now_ += 500ms;
            core_->on_message("a", proto::heartbeat{37.5, 5u << 20, users_, 0.25}, now_);
            core_->caught_up(now_);
            core_->tick(now_, wall());
        }
    }
    parsed_metrics metrics() const {
        return parse(prometheus_metrics(*core_, now_, build_version()));
    }

    scenario::bundle bundle_;
    std::shared_ptr<const scenario::plan> plan_;
    const control_clock::time_point t0_{std::chrono::seconds(1000)};
    control_clock::time_point now_ = t0_;
    test::log_capture log_;
    std::uint64_t run_id_ = 0;
    std::uint64_t sequence_ = 0;
    std::int64_t users_ = 0;
    std::unique_ptr<controller_core> core_;
};

// GET /a: 3 × 0.8 ms, 2 × 3 ms, 1 failed × 70 ms, 100 bytes each; 2 iterations of 4 ms.
stats::delta known_delta() {
    stats::delta d;
    for (int i = 0; i < 3; ++i) d.requests.record("GET", "/a", 800, 100, false);
    for (int i = 0; i < 2; ++i) d.requests.record("GET", "/a", 3000, 100, false);
    d.requests.record("GET", "/a", 70'000, 100, true);
    d.requests.record("ITER", "checkout", 4000, 0, false);
    d.requests.record("ITER", "checkout", 4000, 0, false);
    auto& c = d.classes.at("Browser");
    c.iterations = 5;
    c.dropped_iterations = 2;
    c.pacing_overruns = 1;
    return d;
}

const std::string get_a = R"(method="GET",name="/a")";

TEST_F(metrics_test, counts_each_request_row_exactly_and_sums_deltas) {
    make();
    running();
    report(known_delta());
    advance(1s);
    report(known_delta());
    advance(1s);
    const auto m = metrics();
    EXPECT_EQ(m.at("swarm_requests_total{" + get_a + "}"), 12);
    EXPECT_EQ(m.at("swarm_request_failures_total{" + get_a + "}"), 2);
    EXPECT_EQ(m.at("swarm_response_bytes_total{" + get_a + "}"), 1200);
    const auto h = "swarm_request_duration_seconds";
    EXPECT_EQ(m.at(std::string(h) + "_count{" + get_a + "}"), 12);
    EXPECT_DOUBLE_EQ(m.at(std::string(h) + "_sum{" + get_a + "}"),
                     2 * (3 * 0.0008 + 2 * 0.003 + 0.07));
    const auto bucket = [&](const char* le) {
        return m.at(std::string(h) + "_bucket{" + get_a + ",le=\"" + le + "\"}");
    };
    EXPECT_EQ(bucket("0.001"), 6);
    EXPECT_EQ(bucket("0.0025"), 6);
    EXPECT_EQ(bucket("0.005"), 10);
    EXPECT_EQ(bucket("0.05"), 10);
    EXPECT_EQ(bucket("0.1"), 12);
    EXPECT_EQ(bucket("60"), 12);
    EXPECT_EQ(bucket("+Inf"), 12);
    // Iterations are not requests: their own histogram, no request series, no aggregate.
    EXPECT_EQ(m.at(R"(swarm_iteration_duration_seconds_count{name="checkout"})"), 4);
    EXPECT_EQ(m.at(R"(swarm_iteration_duration_seconds_bucket{name="checkout",le="0.005"})"), 4);
    EXPECT_EQ(m.at(R"(swarm_iteration_duration_seconds_bucket{name="checkout",le="0.0025"})"), 0);
    for (const auto& s : m.series) {
        EXPECT_THAT(s, Not(HasSubstr("ITER")));
        EXPECT_THAT(s, Not(HasSubstr("Aggregated")));
    }
    EXPECT_EQ(m.at(R"(swarm_iterations_total{class="Browser"})"), 10);
    EXPECT_EQ(m.at(R"(swarm_dropped_iterations_total{class="Browser"})"), 4);
    EXPECT_EQ(m.at(R"(swarm_pacing_overruns_total{class="Browser"})"), 2);
}

TEST_F(metrics_test, buckets_are_cumulative_and_inf_equals_count_for_every_series) {
    make();
    running();
    stats::delta d;
    std::uint64_t v = 1;
    for (int i = 0; i < 400; ++i, v = v * 7 % 90'000'001) {
        d.requests.record(i % 2 ? "GET" : "POST", i % 3 ? "x" : "y", v, 1, i % 5 == 0);
    }
    report(std::move(d));
    advance(1s);
    const auto m = metrics();
    int series = 0;
    for (const char* method : {"GET", "POST"}) {
        for (const char* name : {"x", "y"}) {
            const std::string labels =
                std::string("method=\"") + method + "\",name=\"" + name + "\"";
            double previous = 0;
            for (const auto le : latency_bounds_text) {
                const double b = m.at("swarm_request_duration_seconds_bucket{" + labels + ",le=\"" +
                                      std::string(le) + "\"}");
                EXPECT_GE(b, previous) << labels << " le=" << le;
                previous = b;
            }
            const double count = m.at("swarm_request_duration_seconds_count{" + labels + "}");
            EXPECT_LE(previous, count);
            EXPECT_EQ(m.at("swarm_request_duration_seconds_bucket{" + labels + ",le=\"+Inf\"}"),
                      count);
            EXPECT_EQ(m.at("swarm_requests_total{" + labels + "}"), count);
            ++series;
        }
    }
    EXPECT_EQ(series, 4);
}

TEST(metrics_buckets, misplace_a_sample_only_within_1_128_of_a_bound) {
    // Every value near every bound, and a geometric sweep of the whole range.
    std::vector<std::uint64_t> values;
    for (const auto b : latency_bounds_us) {
        const auto sb = static_cast<std::int64_t>(b);
        for (std::int64_t k = -2000; k <= 2000; ++k)
            values.push_back(static_cast<std::uint64_t>(sb + k * sb / 20000));
    }
    for (double x = 1; x < 1e8; x *= 1.0007) values.push_back(static_cast<std::uint64_t>(x));
    int misplaced = 0;
    for (const auto v : values) {
        stats::histogram h;
        h.record(v);
        const auto counts = cumulative_buckets(h);
        for (std::size_t i = 0; i < counts.size(); ++i) {
            const double bound = static_cast<double>(latency_bounds_us[i]);
            const bool counted = counts[i] == 1;
            if (counted != (static_cast<double>(v) <= bound)) {
                ++misplaced;
                ASSERT_LE(std::abs(static_cast<double>(v) - bound), bound / 128)
                    << v << " us under le " << bound;
            }
        }
    }
    EXPECT_GT(misplaced, 0);  // the sweep does reach the straddling buckets
}

TEST(metrics_labels, escape_backslash_quote_controls_and_invalid_utf8) {
    // Controls (a newline too) become \xNN first (printable()), then the
    // format's escapes apply: the value stays one valid UTF-8 line.
    EXPECT_EQ(escape_label_value(R"(a\b"c)"
                                 "\n"
                                 "d"),
              R"(a\\b\"c\\x0ad)");
    EXPECT_EQ(escape_label_value("plain /path?x=1 \u00e9"), "plain /path?x=1 \u00e9");
    // A name built from a response's bytes: invalid UTF-8 would fail the whole scrape.
    EXPECT_EQ(escape_label_value("/item/\xff\xfe"), R"(/item/\\xff\\xfe)");
}

TEST_F(metrics_test, users_workers_and_test_state_follow_the_core_and_a_reset_lowers_counters) {
    make();
    auto m = metrics();
    EXPECT_EQ(m.at(R"(swarm_test_state{state="ready"})"), 1);
    EXPECT_EQ(m.at("swarm_tests_started_total"), 0);
    running(4);
    report(known_delta());
    advance(1s);
    m = metrics();
    EXPECT_EQ(m.at("swarm_users"), 4);
    EXPECT_EQ(m.at("swarm_users_target"), 4);
    EXPECT_EQ(m.at(R"(swarm_test_state{state="running"})"), 1);
    EXPECT_EQ(m.at(R"(swarm_test_state{state="ready"})"), 0);
    EXPECT_EQ(m.at(R"(swarm_workers{state="running"})"), 1);
    EXPECT_EQ(m.at(R"(swarm_workers{state="missing"})"), 0);
    EXPECT_EQ(m.at(R"(swarm_worker_cpu_percent{worker="a"})"), 37.5);
    EXPECT_EQ(m.at(R"(swarm_worker_loop_lag_seconds{worker="a"})"), 0.00025);
    EXPECT_EQ(m.at(R"(swarm_worker_memory_bytes{worker="a"})"), 5 << 20);
    EXPECT_EQ(m.at(R"(swarm_worker_users{worker="a"})"), 4);
    EXPECT_EQ(m.at("swarm_tests_started_total"), 1);
    EXPECT_EQ(m.at("swarm_lost_reports_total"), 0);
    EXPECT_EQ(m.at("swarm_build_info{version=\"" + std::string(build_version()) + "\"}"), 1);
    EXPECT_EQ(m.at("swarm_requests_total{" + get_a + "}"), 6);
    core_->reset_stats(now_);
    report([] {
        stats::delta d;
        d.requests.record("GET", "/a", 800, 1, false);
        return d;
    }());
    m = metrics();
    EXPECT_EQ(m.at("swarm_requests_total{" + get_a + "}"), 1);  // a counter reset to Prometheus
    // Silent for longer than missing_after: the worker is missing.
    for (int i = 0; i < 8; ++i) {
        now_ += 500ms;
        core_->caught_up(now_);
        core_->tick(now_, wall());
    }
    m = metrics();
    EXPECT_EQ(m.at(R"(swarm_workers{state="missing"})"), 1);
}

TEST_F(metrics_test, a_pending_threshold_has_no_sample) {
    core_options opts;
    opts.thresholds.push_back({"p95(GET /a) < 200ms", false, {}, {}});
    make(std::move(opts));
    running();
    ASSERT_EQ(core_->thresholds().size(), 1u);
    ASSERT_EQ(core_->thresholds()[0].status, gates::verdict_status::pending);
    const auto text = prometheus_metrics(*core_, now_, "1.0");
    EXPECT_THAT(text, HasSubstr("# TYPE swarm_threshold_passing gauge\n"));
    EXPECT_THAT(text, Not(HasSubstr("swarm_threshold_passing{")));
}

TEST_F(metrics_test, label_values_are_escaped_in_the_exposition) {
    make();
    running();
    stats::delta d;
    d.requests.record("GET", "say \"hi\"\\now", 800, 1, false);
    report(std::move(d));
    const auto m = metrics();
    EXPECT_EQ(m.at(R"(swarm_requests_total{method="GET",name="say \"hi\"\\now"})"), 1);
}

// promtool (Debian's prometheus package, scripts/install-deps) lints a real
// sample (written to a temp dir of its own, removed after).
TEST_F(metrics_test, promtool_accepts_the_exposition) {
    if (std::system("command -v promtool >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "promtool is missing: run scripts/install-deps";
    make();
    running();
    report(known_delta());
    stats::delta d;
    d.requests.record("POST", "we\"ird\\name", 2'000'000, 1, true);
    d.requests.record("", "(other)", 120, 1, false);
    report(std::move(d));
    advance(1s);
    const auto dir = std::filesystem::path(::testing::TempDir()) /
                     ("metrics_test." + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto sample = dir / "metrics.txt";
    std::ofstream(sample) << prometheus_metrics(*core_, now_, build_version());
    const auto out = dir / "promtool.out";
    struct remove_dir {
        std::filesystem::path dir;
        ~remove_dir() {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    } cleanup{dir};
    const auto command =
        "promtool check metrics < '" + sample.string() + "' > '" + out.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(out);
    const std::string said((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(status, 0) << said;
    // A broken exposition must fail, or the check above proves nothing.
    std::ofstream(sample) << "# TYPE swarm_x counter\nswarm_x{a=\"b} 1\n";
    EXPECT_NE(std::system(command.c_str()), 0);
}

// The route on a real master: the UI's Basic auth applies (the probes stay
// open), the text format's Content-Type, and the figures of the live test.
TEST(metrics_route, ui_serves_metrics_under_its_basic_auth) {
    const auto target = test::start_target();
    auto ui = test::start_ui(test::simple_scenario(),
                             {"-H", target.url, "--web-auth", "user:s3cr3t", "-u", "2"});
    test::http_client client(ui.origin);
    const std::string base = ui.base;
    EXPECT_EQ(client.get(base + "/metrics").status, 401);
    EXPECT_EQ(client.get(base + "/healthz").status, 200);
    test::http_request req;
    req.target = base + "/metrics";
    req.headers = {{"Authorization", "Basic dXNlcjpzM2NyM3Q="}};  // user:s3cr3t
    const auto r = client.request(req);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type"), metrics_content_type);
    const auto m = parse(r.body);
    EXPECT_EQ(m.at(R"(swarm_test_state{state="ready"})"), 1);
    EXPECT_EQ(m.at(R"(swarm_workers{state="ready"})"), 1);
    req.method = "POST";
    EXPECT_EQ(client.request(req).status, 405);
}

}  // namespace
}  // namespace swarm::master::web
