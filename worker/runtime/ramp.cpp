#include "worker/runtime/ramp.hpp"

#include <cmath>
#include <numeric>

namespace swarm::worker {

void ramp::retarget(std::vector<std::int64_t> targets, double rate, clock::time_point now) {
    targets_ = std::move(targets);
    rate_ = rate > 0 ? rate : 1;
    start_ = now;
    done_ = 0;
}

std::int64_t ramp::total_target() const {
    return std::accumulate(targets_.begin(), targets_.end(), std::int64_t{0});
}

bool ramp::complete(const std::vector<std::int64_t>& running) const {
    for (std::size_t c = 0; c < targets_.size(); ++c) {
        if ((c < running.size() ? running[c] : 0) != targets_[c]) return false;
    }
    return true;
}

std::vector<ramp::action> ramp::due(clock::time_point now,
                                    const std::vector<std::int64_t>& running_now) {
    std::vector<action> out;
    if (now < start_) return out;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    // The first user starts at once; then one every 1/rate seconds.
    const auto allowed = static_cast<std::int64_t>(std::floor(elapsed * rate_)) + 1;
    auto running = running_now;
    running.resize(targets_.size(), 0);
    while (done_ < allowed) {
        // Furthest below target (relative), else furthest above.
        std::size_t best = targets_.size();
        double best_gap = 0;
        bool start = false;
        for (std::size_t c = 0; c < targets_.size(); ++c) {
            const auto gap = targets_[c] - running[c];
            if (gap > 0) {
                const double relative = static_cast<double>(gap) / static_cast<double>(targets_[c]);
                if (!start || relative > best_gap) {
                    best = c;
                    best_gap = relative;
                    start = true;
                }
            }
        }
        if (!start) {
            for (std::size_t c = 0; c < targets_.size(); ++c) {
                const auto surplus = running[c] - targets_[c];
                if (surplus > 0 && static_cast<double>(surplus) > best_gap) {
                    best = c;
                    best_gap = static_cast<double>(surplus);
                }
            }
        }
        if (best == targets_.size()) break;  // at target
        out.push_back({start ? action::kind::start : action::kind::stop, best});
        running[best] += start ? 1 : -1;
        ++done_;
    }
    return out;
}

}  // namespace swarm::worker
