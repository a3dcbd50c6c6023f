#pragma once
// Arrival rates as a scenario writes them (`arrival: {rate: 200/s}`):
// "200/s", "12000/m", "30/h", or a bare number (per second). One place
// for the loader, `swarm check` and anything else that shows a rate.
//
// Pure functions; any thread.

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace swarm::scenario {

// The largest arrival rate a class may ask for, cluster-wide.
inline constexpr double max_arrival_rate = 1e8;  // iterations/s
// The smallest rate above 0: one an hour. Below it the gap between arrivals
// outgrows any test (and, as a time, what a clock can hold).
inline constexpr double min_arrival_rate = 1.0 / 3600;

// Iterations per second: finite, ≥ 0 and ≤ max_arrival_rate, or an error
// saying what is wrong with `text` (the caller refuses 0 where it must).
result<double> parse_rate(std::string_view text);

// The shortest text parse_rate reads back as the same rate: "200/s", "0.5/s".
std::string format_rate(double per_second);

}  // namespace swarm::scenario
