#pragma once
// Counts calls to the global operator new in this test binary, so tests can
// check that a hot path does not allocate.

#include <cstddef>

namespace swarm::stats::testing {

// Allocations made so far by any thread.
std::size_t allocations() noexcept;

}  // namespace swarm::stats::testing
