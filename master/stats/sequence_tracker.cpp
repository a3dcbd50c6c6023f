#include "master/stats/sequence_tracker.hpp"

namespace swarm::master {

sequence_result sequence_tracker::observe(std::string_view worker_id, std::uint64_t sequence) {
    if (sequence == 0) {
        ++duplicates_;
        return {sequence_verdict::duplicate, 0, false};
    }
    const auto it = last_.find(worker_id);
    if (it == last_.end()) {
        last_.emplace(std::string(worker_id), sequence);
        return {sequence_verdict::fresh, 0, false};
    }
    std::uint64_t& last = it->second;
    if (sequence == last + 1) {
        last = sequence;
        return {sequence_verdict::fresh, 0, false};
    }
    if (sequence > last) {
        const std::uint64_t missing = sequence - last - 1;
        lost_ += missing;
        last = sequence;
        return {sequence_verdict::gap, missing, false};
    }
    if (sequence == 1 && last > 1) {
        last = 1;
        return {sequence_verdict::fresh, 0, true};
    }
    ++duplicates_;
    return {sequence_verdict::duplicate, 0, false};
}

void sequence_tracker::forget(std::string_view worker_id) {
    const auto it = last_.find(worker_id);
    if (it != last_.end()) last_.erase(it);
}

}  // namespace swarm::master
