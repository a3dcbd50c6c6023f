#include "master/profile/schedule.hpp"

#include <algorithm>
#include <cmath>

namespace swarm::master::profile {
namespace {

ms to_ms(scenario::duration d) {
    return std::chrono::duration_cast<ms>(d);
}
double seconds(ms d) {
    return std::chrono::duration<double>(d).count();
}

}  // namespace

closed_schedule::closed_schedule(std::vector<scenario::load_stage> stages)
    : stages_(std::move(stages)) {
    ms at{0};
    double users = 0;
    for (const auto& s : stages_) {
        starts_.push_back(at);
        start_users_.push_back(users);
        const ms length = std::max(ms{0}, to_ms(s.length));
        at += length;
        ends_.push_back(at);
        // Where the planned line stands when this stage is over.
        const double reach = std::max(s.rate, 0.0) * seconds(length);
        const auto target = static_cast<double>(s.users);
        users = users < target ? std::min(target, users + reach) : std::max(target, users - reach);
    }
    end_users_ = users;
}

stage_point closed_schedule::at(ms t) const {
    stage_point p;
    if (stages_.empty()) return p;
    std::size_t i = 0;
    while (i < stages_.size() && t >= ends_[i]) ++i;
    if (i == stages_.size()) {
        p.index = i;
        p.users = stages_.back().users;
        p.rate = stages_.back().rate;
        p.planned = std::llround(end_users_);
        return p;
    }
    const auto& s = stages_[i];
    p.index = i;
    p.users = s.users;
    p.rate = s.rate;
    p.next = ends_[i];
    const double from = start_users_[i];
    const double moved = std::max(s.rate, 0.0) * seconds(std::max(ms{0}, t - starts_[i]));
    const auto target = static_cast<double>(s.users);
    const double planned =
        from < target ? std::min(target, from + moved) : std::max(target, from - moved);
    // Whole users, rounded down on the way up and up on the way down: the
    // line never promises a user the ramp has not reached.
    p.planned = from < target ? static_cast<std::int64_t>(std::floor(planned + 1e-9))
                              : static_cast<std::int64_t>(std::ceil(planned - 1e-9));
    return p;
}

arrival_schedule::arrival_schedule(const scenario::arrival_spec& spec) {
    ms at{0};
    double from = spec.start_rate;
    for (std::size_t i = 0; i < spec.stages.size(); ++i) {
        const auto& s = spec.stages[i];
        const ms length = std::max(ms{0}, to_ms(s.length));
        if (i + 1 == spec.stages.size() && length == ms{0}) {
            holds_ = true;
            segments_.push_back({at, at, s.per_second, s.per_second});
            return;
        }
        segments_.push_back({at, at + length, from, s.per_second});
        at += length;
        from = s.per_second;
    }
}

double arrival_schedule::rate(ms t) const {
    if (segments_.empty()) return 0;
    for (std::size_t i = 0; i < segments_.size(); ++i) {
        const auto& s = segments_[i];
        if (holds_ && i + 1 == segments_.size()) return s.to;
        if (t < s.end) {
            if (t < s.start) return s.from;
            const double f = seconds(t - s.start) / seconds(s.end - s.start);
            return s.from + (s.to - s.from) * f;
        }
    }
    return 0;  // after a bounded last stage: no more arrivals
}

std::optional<ms> arrival_schedule::next(ms t) const {
    for (std::size_t i = 0; i < segments_.size(); ++i) {
        const auto& s = segments_[i];
        if (holds_ && i + 1 == segments_.size()) return std::nullopt;
        if (t < s.end) return s.end;
    }
    return std::nullopt;
}

std::optional<ms> arrival_schedule::end() const {
    if (holds_ || segments_.empty()) return std::nullopt;
    return segments_.back().end;
}

share_values arrival_schedule::share(ms t, double fraction) const {
    share_values v;
    v.rate = rate(t) * fraction;
    const auto boundary = next(t);
    if (!boundary) {
        v.rate_end = v.rate;  // holding (or over: 0)
        return v;
    }
    // The stage's end value (the rate just before the boundary).
    for (const auto& s : segments_) {
        if (s.end == *boundary) {
            v.rate_end = s.to * fraction;
            break;
        }
    }
    v.ramp_ms = (*boundary - t).count();
    return v;
}

std::optional<ms> profile_end(const closed_schedule& closed,
                              const std::vector<arrival_schedule>& arrivals) {
    std::optional<ms> end;
    if (!closed.empty()) end = closed.end();
    for (const auto& a : arrivals) {
        if (const auto e = a.end()) end = std::max(end.value_or(ms{0}), *e);
    }
    return end;
}

}  // namespace swarm::master::profile
