#pragma once
// The open model's splits over workers, in proportion to their threads
// (hello.threads): a class's arrival rate, its pool bounds (max_users,
// pre_allocate) and the --iterations quota. Pure functions, re-run on every
// join, leave, return or stage boundary, like dispatch().

#include <cstdint>
#include <vector>

namespace swarm::master {

// Each worker's fraction of the cluster's arrivals: threads / all threads
// (a worker reporting 0 threads counts as 1). Sums to 1 up to floating
// point; empty for no workers.
std::vector<double> thread_fractions(const std::vector<std::uint32_t>& threads);

// `total` whole units over the workers in proportion to their threads, by
// largest remainder (ties: the earlier worker): the parts sum to `total`
// exactly (0 for a negative total). Empty for no workers.
std::vector<std::int64_t> split_by_threads(std::int64_t total,
                                           const std::vector<std::uint32_t>& threads);

}  // namespace swarm::master
