#pragma once
// Test support for proto/: one message of every type with non-trivial field
// values, and field-by-field comparison that names what differs.

#include <string>
#include <vector>

#include "proto/messages.hpp"

namespace swarm::proto::testing {

// One sample per alternative of `message`, in variant order.
std::vector<message> sample_messages();

// A stats_report with several rows, an "(other)" row, histograms from the
// first to the top bucket, failures, error rows and overflow.
stats_report sample_stats_report();

// The hello a test worker named `name` sends (host "test-host", 2 threads, pid 100).
hello hello_from(const std::string& name);

// gtest failures for every field where `actual` differs from `expected`.
void expect_same(const message& expected, const message& actual);
void expect_same(const stats::delta& expected, const stats::delta& actual);

}  // namespace swarm::proto::testing
