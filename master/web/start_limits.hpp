#pragma once
// What a test may ask for: the users, spawn rate, run time and host of a
// start, checked the same way whether they come from the command line (-u,
// -r, -t, -H: cli/test_options.cpp) or from POST /swarm (start_form.cpp,
// api.cpp). Each check fails with a message a user reads after the name of
// the field or option ("user_count: ...", "swarm run: --users: ..."); a
// message never holds a raw control byte of the input (see printable()).
//
// Plain functions of values: no controller, no thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace swarm::master::web {

// Users of one test, cluster-wide (Locust's UI has no bound; ours is documented).
inline constexpr std::int64_t max_users = 100'000'000;
// Users one worker may be given. Each user holds its own connection, and
// Linux allows a process 1048576 open files unless fs.nr_open is raised;
// past that the users would only fail, and every user costs memory too
// (bench/README.md: about 4-10 KB idle).
inline constexpr std::int64_t max_users_per_worker = 1'000'000;
// Users started per second, cluster-wide: a higher rate means "all at once"
// and only risks overflowing the ramp's arithmetic.
inline constexpr double max_spawn_rate = 100'000'000;

// "5", "5.0", "5e0" → 5 (Locust's scripts send floats); a fraction, a sign,
// NaN, infinity or more than max_users fails: "expected a whole number from 0
// to 100000000, got '5.5'".
result<std::int64_t> parse_user_count(std::string_view text);

// Task iterations of one test (--iterations, the form's Iterations): a
// bound that keeps the count exact in the workers' 64-bit quotas.
inline constexpr std::int64_t max_iterations = 1'000'000'000'000;

// "1000" (or "1000.0", as for users) → 1000; fails on 0, a fraction or more
// than max_iterations: "expected a whole number from 1 to 1000000000000, got 'x'".
result<std::int64_t> parse_iterations(std::string_view text);

// A number > 0 and at most max_spawn_rate; NaN and infinities fail.
result<double> parse_spawn_rate(std::string_view text);
result<double> check_spawn_rate(double rate);

// A duration of at least 1 ms ("30s", "5m", "1h30m"; a bare number is seconds).
result<std::chrono::milliseconds> parse_run_time(std::string_view text);

// Fails when `users` cannot be spread over `workers` with at most
// max_users_per_worker each: "2000001 users need 3 workers (at most 1000000
// users per worker: ...)". The caller adds how many it has.
result<void> check_users_fit(std::int64_t users, std::size_t workers);

// The base URL of a target ("http://host:port", a path allowed), trimmed of
// nothing: fails when no request could reach it - another scheme, no host
// name, a control byte, space or non-ASCII byte (raw or percent-encoded in
// the name), a port outside 1-65535.
result<std::string> check_target_host(std::string_view text);

}  // namespace swarm::master::web
