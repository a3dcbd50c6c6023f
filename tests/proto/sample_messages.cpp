#include "tests/proto/sample_messages.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

namespace swarm::proto::testing {
namespace {

using namespace std::string_literals;

// Bytes no text field would hold, to show strings travel as bytes.
const std::string binaryish = "nul\0byte \xff\xfe\x80 tail"s;
const std::string unicode = "Grüße, 世界 🐝";

stats::delta sample_delta() {
    stats::delta d;
    d.requests = stats::table(3);  // small cap, so the "(other)" row appears
    d.requests.record("GET", "/", 0, 512, false);
    d.requests.record("GET", "/", 127, 512, false);
    d.requests.record("GET", "/", 128, 1024, true);
    d.requests.record("GET", "/", 5'000, 0, false);
    d.requests.record("POST", "/api/ürl/" + unicode, 12'345'678, 77, true);
    d.requests.record("POST", "/api/ürl/" + unicode, 12'345'679, 77, true);
    d.requests.record("PUT", binaryish, 1, 1, false);
    // Beyond max_tracked_us: the top bucket, exact max.
    d.requests.record("PUT", binaryish, stats::histogram::max_tracked_us + 99'999, 0, true);
    d.requests.record("DELETE", "/folded/1", 42, 0, false);
    d.requests.record("DELETE", "/folded/2", 43, 0, true);
    d.requests.at("PATCH", "/no-requests");  // folded too, with no requests

    d.errors = stats::error_table(3);
    d.errors.record("GET", "/", "HTTP 503: Service Unavailable", 1'700'000'000'000);
    d.errors.record("GET", "/", "HTTP 503: Service Unavailable", 1'700'000'000'900);
    d.errors.record("POST", "/api/ürl/" + unicode, "check failed: " + unicode, -5);
    d.errors.record("PUT", binaryish, "connection refused " + binaryish, 0);
    d.errors.record("GET", "/4", "over the cap", 1);  // overflow
    d.errors.add_overflow(1'000'000);
    d.classes.at("Web") = {1'000'000'000'000ULL, 0, 17};
    d.classes.at(unicode) = {3, 2, 0};
    d.classes.at("Idle");  // a row of zeros travels too
    return d;
}

}  // namespace

stats_report sample_stats_report() {
    return {41, 0xfedc'ba98'7654'3210ULL, 1234, sample_delta(), {"accounts", unicode}};
}

std::vector<message> sample_messages() {
    scenario::bundle b;
    b.name = "scenarios/" + unicode + ".yaml";
    b.source = "users:\n  - name: Web\n    tasks: [\"" + unicode + "\"]\n";
    b.files = {{"data/users.csv", "id,name\n1," + unicode + "\n"},
               {"data/blob.bin", binaryish},
               {"data/empty.txt", ""}};
    return {
        hello{protocol_version, "host-" + unicode, "worker:4242", 16, 4242},
        welcome{0xffff'fffe},
        reject{"protocol version 7, master speaks " + std::to_string(protocol_version)},
        scenario_bundle{b, b.hash(),
                        run_options{true,
                                    90'000,
                                    "-----BEGIN CERTIFICATE-----\n" + binaryish,
                                    65'536,
                                    {"checkout", unicode},
                                    {"slow"}}},
        ready{"0123456789abcdef"},
        compile_failed{"abc", {"w.yaml:3:5: users.Web: unknown key 'wiat'", unicode, ""}},
        spawn{9'000'000'000ULL,
              {{"Web", 700}, {unicode, 0}, {"Api", 1'000'000}},
              12.625,
              "https://staging.example",
              {{"Shop", 12.5, 400.25, 60'000, 2'000, 100, 0.25}, {unicode, 0, 0, 0, 1, 0, 1}},
              9'000'000'000LL,
              2,
              3},
        spawning{7, 350},
        spawn_complete{7, 700},
        sample_stats_report(),
        heartbeat{87.5, 3ULL << 33, 700, 1.25},
        stop{-1},
        stopped{0xffff'ffff'ffff'ffffULL},
        quit{"master shutting down: " + binaryish},
    };
}

namespace {

// Per-type field comparisons; `a` expected, `b` actual.
struct comparer {
    const message& actual;

    template <class T>
    const T& other() const {
        return std::get<T>(actual);
    }

    void operator()(const hello& a) const {
        const auto& b = other<hello>();
        EXPECT_EQ(a.version, b.version);
        EXPECT_EQ(a.host, b.host);
        EXPECT_EQ(a.name, b.name);
        EXPECT_EQ(a.threads, b.threads);
        EXPECT_EQ(a.pid, b.pid);
    }
    void operator()(const welcome& a) const { EXPECT_EQ(a.index, other<welcome>().index); }
    void operator()(const reject& a) const { EXPECT_EQ(a.reason, other<reject>().reason); }
    void operator()(const scenario_bundle& a) const {
        const auto& b = other<scenario_bundle>();
        EXPECT_EQ(a.hash, b.hash);
        EXPECT_EQ(a.bundle.name, b.bundle.name);
        EXPECT_EQ(a.bundle.source, b.bundle.source);
        EXPECT_EQ(a.bundle.files, b.bundle.files);
        EXPECT_EQ(a.bundle.hash(), b.bundle.hash());
        EXPECT_EQ(a.options.insecure, b.options.insecure);
        EXPECT_EQ(a.options.request_timeout_ms, b.options.request_timeout_ms);
        EXPECT_EQ(a.options.ca_pem, b.options.ca_pem);
        EXPECT_EQ(a.options.max_body_bytes, b.options.max_body_bytes);
        EXPECT_EQ(a.options.include_tags, b.options.include_tags);
        EXPECT_EQ(a.options.exclude_tags, b.options.exclude_tags);
    }
    void operator()(const ready& a) const { EXPECT_EQ(a.hash, other<ready>().hash); }
    void operator()(const compile_failed& a) const {
        EXPECT_EQ(a.hash, other<compile_failed>().hash);
        EXPECT_EQ(a.errors, other<compile_failed>().errors);
    }
    void operator()(const spawn& a) const {
        const auto& b = other<spawn>();
        EXPECT_EQ(a.run_id, b.run_id);
        EXPECT_EQ(a.targets, b.targets);
        EXPECT_EQ(a.spawn_rate, b.spawn_rate);
        EXPECT_EQ(a.host_override, b.host_override);
        ASSERT_EQ(a.arrivals.size(), b.arrivals.size());
        for (std::size_t i = 0; i < a.arrivals.size(); ++i) {
            EXPECT_EQ(a.arrivals[i].user_class, b.arrivals[i].user_class);
            EXPECT_EQ(a.arrivals[i].rate, b.arrivals[i].rate);
            EXPECT_EQ(a.arrivals[i].rate_end, b.arrivals[i].rate_end);
            EXPECT_EQ(a.arrivals[i].ramp_ms, b.arrivals[i].ramp_ms);
            EXPECT_EQ(a.arrivals[i].max_users, b.arrivals[i].max_users);
            EXPECT_EQ(a.arrivals[i].pre_allocate, b.arrivals[i].pre_allocate);
            EXPECT_EQ(a.arrivals[i].phase, b.arrivals[i].phase);
        }
        EXPECT_EQ(a.iteration_quota, b.iteration_quota);
        EXPECT_EQ(a.feeder_slot, b.feeder_slot);
        EXPECT_EQ(a.feeder_slots, b.feeder_slots);
    }
    void operator()(const spawning& a) const {
        EXPECT_EQ(a.run_id, other<spawning>().run_id);
        EXPECT_EQ(a.users, other<spawning>().users);
    }
    void operator()(const spawn_complete& a) const {
        EXPECT_EQ(a.run_id, other<spawn_complete>().run_id);
        EXPECT_EQ(a.users, other<spawn_complete>().users);
    }
    void operator()(const stats_report& a) const {
        const auto& b = other<stats_report>();
        EXPECT_EQ(a.sequence, b.sequence);
        EXPECT_EQ(a.run_id, b.run_id);
        EXPECT_EQ(a.users, b.users);
        expect_same(a.delta, b.delta);
        EXPECT_EQ(a.exhausted_data, b.exhausted_data);
    }
    void operator()(const heartbeat& a) const {
        const auto& b = other<heartbeat>();
        EXPECT_EQ(a.cpu_percent, b.cpu_percent);
        EXPECT_EQ(a.rss_bytes, b.rss_bytes);
        EXPECT_EQ(a.users, b.users);
        EXPECT_EQ(a.loop_lag_ms, b.loop_lag_ms);
    }
    void operator()(const stop& a) const { EXPECT_EQ(a.timeout_ms, other<stop>().timeout_ms); }
    void operator()(const stopped& a) const { EXPECT_EQ(a.run_id, other<stopped>().run_id); }
    void operator()(const quit& a) const { EXPECT_EQ(a.reason, other<quit>().reason); }
};

using bucket_list = std::vector<std::pair<std::uint32_t, std::uint64_t>>;

bucket_list buckets_of(const stats::histogram& h) {
    bucket_list out;
    h.for_each_bucket([&out](std::uint32_t i, std::uint64_t n) { out.emplace_back(i, n); });
    return out;
}

// A request row as comparable parts: key, counts, sums, min/max, buckets.
using request_row =
    std::tuple<std::string, std::string, std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t,
               std::uint64_t, std::uint64_t, bucket_list>;
using error_row =
    std::tuple<std::string, std::string, std::string, std::uint64_t, std::int64_t, std::int64_t>;

std::vector<request_row> rows_of(const stats::table& t) {
    std::vector<request_row> out;
    t.for_each([&out](std::string_view method, std::string_view name, const stats::entry& e) {
        out.emplace_back(std::string(method), std::string(name), e.requests(), e.failures(),
                         e.latency_sum_us(), e.response_bytes(), e.min_latency_us(),
                         e.max_latency_us(), buckets_of(e.latency()));
    });
    return out;
}

std::vector<error_row> rows_of(const stats::error_table& t) {
    std::vector<error_row> out;
    t.for_each([&out](std::string_view method, std::string_view name, std::string_view text,
                      const stats::error_stats& s) {
        out.emplace_back(std::string(method), std::string(name), std::string(text), s.occurrences,
                         s.first_seen_ms, s.last_seen_ms);
    });
    return out;
}

}  // namespace

void expect_same(const stats::delta& expected, const stats::delta& actual) {
    EXPECT_EQ(rows_of(expected.requests), rows_of(actual.requests));
    EXPECT_EQ(rows_of(expected.errors), rows_of(actual.errors));
    EXPECT_EQ(expected.errors.overflow(), actual.errors.overflow());
    EXPECT_EQ(expected.errors.total_occurrences(), actual.errors.total_occurrences());
    std::vector<std::pair<std::string, stats::class_counts>> classes_expected, classes_actual;
    expected.classes.for_each([&](std::string_view n, const stats::class_counts& c) {
        classes_expected.emplace_back(n, c);
    });
    actual.classes.for_each([&](std::string_view n, const stats::class_counts& c) {
        classes_actual.emplace_back(n, c);
    });
    EXPECT_EQ(classes_expected, classes_actual);
    // The histograms' own equality too: same buckets, count, min and max.
    expected.requests.for_each(
        [&](std::string_view method, std::string_view name, const stats::entry& e) {
            const stats::entry* other = actual.requests.find(method, name);
            ASSERT_NE(other, nullptr) << method << " " << name;
            EXPECT_TRUE(e == *other) << method << " " << name;
        });
}

void expect_same(const message& expected, const message& actual) {
    ASSERT_EQ(type_name(expected), std::string(type_name(actual)));
    std::visit(comparer{actual}, expected);
}

hello hello_from(const std::string& name) {
    hello h;
    h.host = "test-host";
    h.name = name;
    h.threads = 2;
    h.pid = 100;
    return h;
}

}  // namespace swarm::proto::testing
