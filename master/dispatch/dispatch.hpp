#pragma once
// User dispatch: how many users of each class each worker runs, and how fast
// each worker ramps, so that the cluster as a whole runs U users at R users/s.
// A pure function of its inputs — no clock, no I/O — so it is tested on
// made-up clusters and re-run on every join, leave, return or change.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace swarm::master {

struct user_class_weight {
    std::string name;
    double weight = 1;                        // ignored when fixed_count is set
    std::optional<std::int64_t> fixed_count;  // exactly this many cluster-wide
};

struct worker_slot {
    std::string id;    // the worker's identity
    std::string host;  // workers on different hosts are filled alternately
    std::vector<std::int64_t>
        running;  // users per class now (same order as the classes), for rate shares
};

struct worker_assignment {
    std::string id;
    std::vector<std::int64_t> targets;  // absolute users per class (same order as the classes)
    double spawn_rate = 0;              // this worker's share of the cluster's rate, users/s
    std::int64_t total() const;
};

// Users per class for the whole cluster: fixed_count classes first (in
// scenario order, as far as `users` allows), the rest by weight with the
// largest-remainder method, so totals are exact and ratios as close as
// whole users allow.
std::vector<std::int64_t> class_totals(const std::vector<user_class_weight>& classes,
                                       std::int64_t users);

// Users per class of a worker that says it runs `total` users, when the
// split is unknown: `shape` (its last targets) when they add up to `total`,
// else `total` spread in `shape`'s proportions (largest remainder). Used for
// a worker back from missing, whose users may have stopped meanwhile.
std::vector<std::int64_t> running_estimate(const std::vector<std::int64_t>& shape,
                                           std::int64_t total);

// Splits class totals over workers: every worker's total within one user of
// every other's, each class spread within one user per worker, hosts
// alternated; spawn_rate shared in proportion to the users each worker still
// has to start or stop (so the cluster ramps at `rate`, not in bursts).
std::vector<worker_assignment> dispatch(const std::vector<user_class_weight>& classes,
                                        const std::vector<worker_slot>& workers, std::int64_t users,
                                        double rate);

}  // namespace swarm::master
