#pragma once
// A closed-model profile written on one line, for --stages and the UI's
// start form: comma-separated stages `DURATION:USERS[@RATE]`, e.g.
//     30s:100@10,1m:500@50,30s:0
// ramps to 100 users at 10/s and holds until 30 s, then to 500 at 50/s until
// 1 m 30 s, then down to 0. Without `@RATE` a stage moves at once (the
// users' change in one second: rate = |change| per second, at least 1).

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/scenario/plan.hpp"

namespace swarm::scenario {

// Limits shared with the scenario's `load: stages`.
inline constexpr std::size_t max_load_stages = 1000;
inline constexpr std::int64_t max_stage_users = 100'000'000;
// A stage (closed or arrival) lasts at most a year: the protocol bounds a
// ramp at 366 days (proto/codec), and a longer one is a typo.
inline constexpr duration max_stage_length = std::chrono::hours(24 * 365);
// `load: {iterations: N}` and --iterations: 1 to this.
inline constexpr std::int64_t max_load_iterations = 1'000'000'000'000;

// The stages, or an error naming the stage (1-based) and what is wrong.
result<std::vector<load_stage>> parse_stages(std::string_view text);
// The one-line form of `stages` (what parse_stages reads back).
std::string format_stages(const std::vector<load_stage>& stages);

}  // namespace swarm::scenario
