// The coordinator's part in the workload model (issue 13): the spawn each
// worker gets (closed targets, open classes' arrival shares, the iteration
// quota), and the --iterations bookkeeping (quotas, iterations reported,
// unfinished quota of lost workers). See coordinator.hpp.
#include <algorithm>
#include <limits>

#include "master/coordinator.hpp"
#include "master/dispatch/arrival_split.hpp"

namespace swarm::master {

void coordinator::rebalance_quotas(const std::vector<std::string>& ids,
                                   const std::vector<std::uint32_t>& threads) {
    // A worker gone (left, missing) keeps what it did; the rest of its
    // quota goes to the others, so the cluster still reaches N.
    for (auto& [id, quota] : quota_) {
        if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
        const auto done = done_[id];
        if (quota > done) {
            unassigned_ += quota - done;
            quota = done;
        }
    }
    if (unassigned_ <= 0 || ids.empty()) return;
    const auto parts = split_by_threads(unassigned_, threads);
    for (std::size_t i = 0; i < ids.size(); ++i) quota_[ids[i]] += parts[i];
    unassigned_ = 0;
}

void coordinator::retire_quota(const std::string& id) {
    const auto done = done_[id];
    auto& quota = quota_[id];
    if (quota > done) unassigned_ += quota - done;
    retired_done_ += done;
    quota = 0;
    done_[id] = 0;
}

std::int64_t coordinator::iterations_done() const {
    std::int64_t n = retired_done_;
    for (const auto& [id, done] : done_) n += done;
    return n;
}

std::optional<std::string> coordinator::data_used_up() const {
    return feeders_.used_up([this](const std::string& id) {
        const auto it = workers_.find(id);
        if (it == workers_.end()) return false;
        const auto& t = it->second.targets;
        // Open classes' arrivals may start users on any worker.
        return !open_.empty() ||
               std::any_of(t.begin(), t.end(), [](std::int64_t n) { return n > 0; });
    });
}

void coordinator::set_planned_users(std::optional<std::int64_t> users) {
    if (!users) {
        stats_.set_planned_users(std::nullopt);
        return;
    }
    stats_.set_planned_users(static_cast<std::uint32_t>(
        std::clamp<std::int64_t>(*users, 0, std::numeric_limits<std::uint32_t>::max())));
}

void coordinator::send_spawns(const std::vector<worker_assignment>& assignments,
                              const std::vector<std::uint32_t>& slot_threads,
                              control_clock::time_point now) {
    // The open classes' shares: rate by threads, the pool by largest remainder.
    const auto fractions = thread_fractions(slot_threads);
    const auto t = std::chrono::duration_cast<profile::ms>(now - test_started_at_);
    std::vector<std::vector<std::int64_t>> pools, pre;
    for (const auto& c : open_) {
        pools.push_back(split_by_threads(c.max_users, slot_threads));
        pre.push_back(split_by_threads(c.pre_allocate, slot_threads));
        if (!assignments.empty() && c.max_users < static_cast<std::int64_t>(assignments.size()) &&
            pool_warned_.insert(c.name).second) {
            notices_.push_back("warning: " + c.name + ": max_users " + std::to_string(c.max_users) +
                               " is less than the " + std::to_string(assignments.size()) +
                               " workers: some workers get no pool and start none of its "
                               "arrivals");
        }
    }
    for (std::size_t i = 0; i < assignments.size(); ++i) {
        const auto& a = assignments[i];
        auto& w = workers_[a.id];
        if (std::find(participants_.begin(), participants_.end(), w.name) == participants_.end()) {
            participants_.push_back(w.name);
        }
        w.targets = a.targets;
        w.state = worker_state::spawning;
        proto::spawn s;
        s.run_id = run_id_;
        for (std::size_t c = 0; c < classes_.size(); ++c)
            s.targets.emplace_back(classes_[c].name, a.targets[c]);
        s.spawn_rate = a.spawn_rate;
        s.host_override = spec_.host_override;
        for (std::size_t c = 0; c < open_.size(); ++c) {
            const auto v = open_[c].schedule.share(t, fractions[i]);
            // Staggered: worker i of n arrives (i + 1) / n of its gap in,
            // so that together the workers' arrivals are evenly spaced.
            const double phase =
                static_cast<double>(i + 1) / static_cast<double>(assignments.size());
            s.arrivals.push_back(
                {open_[c].name, v.rate, v.rate_end, v.ramp_ms, pools[c][i], pre[c][i], phase});
        }
        if (iteration_target_) s.iteration_quota = quota_[a.id];
        const auto share = feeders_.share(a.id);
        s.feeder_slot = share.slot;
        s.feeder_slots = share.slots;
        send_(a.id, s);
    }
}

}  // namespace swarm::master
