#pragma once
// Simulated time and hand-made deltas for the master's stats tests.

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "common/stats/delta.hpp"
#include "master/stats/run_stats.hpp"

namespace swarm::master::testing {

using namespace std::chrono_literals;

// An arbitrary steady-clock origin and the unix ms it corresponds to.
inline const stats_time t0 = stats_time{} + 5000s;
inline constexpr std::int64_t wall0_ms = 1'700'000'000'000;

inline stats_time at_ms(std::int64_t ms) {
    return t0 + std::chrono::milliseconds(ms);
}

// A delta with `latencies_us` recorded under (method, name), the first
// `failed` of them failed, each with `bytes` of body.
inline stats::delta delta_of(std::string_view method, std::string_view name,
                             std::initializer_list<std::uint64_t> latencies_us,
                             std::uint64_t failed = 0, std::uint64_t bytes = 100) {
    stats::delta d;
    std::uint64_t i = 0;
    for (std::uint64_t us : latencies_us) d.requests.record(method, name, us, bytes, i++ < failed);
    return d;
}

// `n` requests of 1 ms each.
inline stats::delta delta_n(std::string_view method, std::string_view name, std::uint64_t n,
                            std::uint64_t failed = 0) {
    stats::delta d;
    for (std::uint64_t i = 0; i < n; ++i) d.requests.record(method, name, 1000, 10, i < failed);
    return d;
}

// The run the report tests read: GET /a 10, 20, 30 ms (one failed), POST /b
// 6 ms, 100 bytes each, one "HTTP 500" error, all in second 0, which is
// closed (so current rates are exact per second). `stopped`: the run then
// ends at 2 s, as a finished run's reports see it.
inline run_stats known_run(bool stopped) {
    run_stats run(t0, wall0_ms);
    stats::delta d = delta_of("GET", "/a", {10'000, 20'000, 30'000}, 1);
    d.requests.record("POST", "/b", 6'000, 100, false);
    d.errors.record("GET", "/a", "HTTP 500", wall0_ms + 100);
    run.apply("w1", d, at_ms(100));
    run.tick(at_ms(1500), wall0_ms + 1500, 10);  // second 0's grace is over
    if (stopped) run.stop(at_ms(2000), wall0_ms + 2000);
    return run;
}

// known_run(false) plus an open class's work in second 0: ITER "checkout"
// 250 ms and 400 ms (iterations, not requests), and class counters
// "Shopper" 2 iterations, 3 dropped; "Browser" 7 iterations, 1 pacing overrun.
inline run_stats known_open_run(bool stopped) {
    run_stats run(t0, wall0_ms);
    stats::delta d = delta_of("GET", "/a", {10'000, 20'000, 30'000}, 1);
    d.requests.record("POST", "/b", 6'000, 100, false);
    d.requests.record("ITER", "checkout", 250'000, 0, false);
    d.requests.record("ITER", "checkout", 400'000, 0, false);
    d.errors.record("GET", "/a", "HTTP 500", wall0_ms + 100);
    d.classes.at("Shopper") = {2, 3, 0};
    d.classes.at("Browser") = {7, 0, 1};
    run.set_planned_users(12);
    run.apply("w1", d, at_ms(100));
    run.tick(at_ms(1500), wall0_ms + 1500, 10);
    if (stopped) run.stop(at_ms(2000), wall0_ms + 2000);
    return run;
}

}  // namespace swarm::master::testing
