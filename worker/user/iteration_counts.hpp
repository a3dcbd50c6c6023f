#pragma once
// What users count besides requests: task iterations per class (ended,
// dropped, paced ones that overran), and the run's iteration quota
// (--iterations) that every iteration claims one of before it starts.
//
// Ownership and threads: the engine owns one iteration_budget (shared by
// all its io threads: relaxed atomics, one fetch_add per iteration) and one
// thread_counts per io thread (plain numbers, touched only on that thread;
// the engine adds them into the thread's stats delta at collect, by class
// name, rather than looking a name up per iteration).

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/stats/class_counters.hpp"

namespace swarm::worker::user {

// The iterations this worker may start in this run, all classes together.
struct iteration_budget {
    std::atomic<std::int64_t> quota{-1};  // -1: no bound
    std::atomic<std::int64_t> started{0};

    // One iteration more may start (and is counted as started), or none is
    // left. Without a quota nothing is counted: no shared write per
    // iteration (the master sends the run's quota before its first users).
    bool claim() noexcept {
        auto q = quota.load(std::memory_order_relaxed);
        if (q < 0) return true;
        const auto n = started.fetch_add(1, std::memory_order_relaxed);
        q = quota.load(std::memory_order_relaxed);
        if (q < 0 || n < q) return true;
        started.fetch_sub(1, std::memory_order_relaxed);  // a larger quota may come
        return false;
    }
    // Whether claim() would fail now (an open class then starts no arrival).
    bool used_up() const noexcept {
        const auto q = quota.load(std::memory_order_relaxed);
        return q >= 0 && started.load(std::memory_order_relaxed) >= q;
    }
};

// One io thread's counters, indexed by the class's index in the plan.
struct thread_counts {
    std::vector<stats::class_counts> by_class;
    iteration_budget* budget = nullptr;  // the engine's; nullptr: no quota

    stats::class_counts& of(std::size_t class_index) {
        if (class_index >= by_class.size()) by_class.resize(class_index + 1);
        return by_class[class_index];
    }
    bool claim() noexcept { return budget == nullptr || budget->claim(); }
};

}  // namespace swarm::worker::user
