#pragma once
// POST /swarm's body, as Locust's form sends it (user_count, spawn_rate,
// host, run_time; form-encoded) or as JSON with the same names, turned into
// a test_request. Ours besides: `stages` (a profile in stages_text.hpp's
// one-line form, "30s:100@10,1m:500@50,30s:0"; empty or absent: none, the
// users/rate fields) and `iterations` (end after N task iterations; empty or
// absent: none) - absent means none rather than a default, so a Locust
// script posting user_count gets what it asked for. Values missing from the body come from
// `defaults` (the command line and the scenario's load:); bad values give a message naming the
// field.
//
// A plain function of strings: no controller, no thread.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "master/controller_core.hpp"

namespace swarm::master::web {

struct start_defaults {
    std::int64_t users = 1;
    double spawn_rate = 1;
    std::string host;  // "" : the scenario's
    std::optional<std::chrono::milliseconds> run_time;
    std::int64_t stop_timeout_ms = 0;
};

// The request, or an error naming the field: "user_count: expected a whole
// number from 0 to 100000000, got 'x'".
result<test_request> parse_start_form(const std::string& content_type, const std::string& body,
                                      const start_defaults& defaults);

// What a POST /swarm says about the view it was made from, beside the test
// it asks for: `tests_started`, the test number the client saw (the UI sends
// the one of its snapshot; none: a Locust script, which edits or starts as
// before), and whether it named a `host` or a `run_time` at all (an edit
// without one keeps the running test's).
struct start_guard {
    std::optional<std::uint64_t> seen_test;  // the "tests_started" field; none: not sent
    bool host_given = false;                 // a non-empty "host" field
    bool run_time_given = false;             // a "run_time" field, even empty (no limit)
};

// The guard fields of a start body; fails on a tests_started that is not a
// whole number: "tests_started: expected a whole number, got 'x'".
result<start_guard> parse_start_guard(const std::string& content_type, const std::string& body);

// What an edit of a running test changes, for its reply and the event log:
// "users 20 → 3, spawn rate 10/s → 1/s, run time 5m → 30s"; "nothing" when
// the numbers are the same.
std::string describe_edit(const test_request& before, const test_request& after);

// The percent-decoded value of `key` in a query string or form body ("a=1&b=x%20y").
std::optional<std::string> form_value(const std::string& encoded, const std::string& key);

}  // namespace swarm::master::web
