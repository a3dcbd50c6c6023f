#pragma once
// What a user runs next and how long it waits first: pure functions of their
// inputs (the random draw is an argument), so tests need no clock and no
// generator.

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/scenario/plan.hpp"

namespace swarm::worker::user {

// The wait after a task that took `task_time`, per Locust's wait_time kinds:
//   none        0
//   between     uniform in [min, max], from `random`
//   constant    min
//   pacing      min - task_time, at least 0 (constant_pacing)
//   throughput  1/per_second s - task_time, at least 0 (constant_throughput)
scenario::duration wait_after(const scenario::wait_spec& spec, scenario::duration task_time,
                              std::uint64_t random);
// Whether a paced task (pacing, throughput) took longer than its interval:
// the class could not keep its pace (a pacing overrun). false for other kinds.
bool overran(const scenario::wait_spec& spec, scenario::duration task_time);
// Whether wait_after reads `task_time` for this kind (pacing, throughput);
// for the others the caller need not read the clock around a task.
bool wait_uses_task_time(const scenario::wait_spec& spec);

// The index of the task chosen by weight: `cumulative` holds running sums of
// the weights (task_set::cumulative_weights); `random` is a uniform 64-bit draw.
std::size_t pick_weighted(std::span<const double> cumulative, std::uint64_t random);

}  // namespace swarm::worker::user
