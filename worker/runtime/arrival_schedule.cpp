#include "worker/runtime/arrival_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace swarm::worker {

namespace {

// Arrivals further than this from the segment's origin (about 31 years)
// never come: a tiny share (1/day split over 1000 workers) puts its next
// one there, and the seconds must not overflow the clock's nanoseconds.
constexpr double horizon_s = 1e9;

}  // namespace

arrival_schedule::arrival_schedule(spacing how, std::uint64_t seed, double first_level)
    : how_(how), rng_(seed) {
    level_ = how_ == spacing::poisson ? draw_gap() : std::clamp(first_level, 1e-9, 1.0);
}

double arrival_schedule::draw_gap() {
    // Exp(1) by inversion; 1 - u is in (0, 1], so the log is finite.
    const double u = std::generate_canonical<double, 53>(rng_);
    return -std::log(1.0 - u);
}

void arrival_schedule::set(double rate, double rate_end, clock::duration ramp,
                           clock::time_point now) {
    if (set_) {
        // What the old segment still lacked for its next arrival (an arrival
        // already due but not yet taken: none, it comes at once).
        const double t = std::chrono::duration<double>(now - origin_).count();
        level_ = std::max(0.0, level_ - integral(std::max(0.0, t)));
    }
    set_ = true;
    origin_ = now;
    rate_ = std::max(0.0, rate);
    rate_end_ = std::max(0.0, rate_end);
    ramp_s_ = std::max(0.0, std::chrono::duration<double>(ramp).count());
    if (ramp_s_ == 0) rate_ = rate_end_;
    next_ = time_of(solve(level_));
}

std::optional<arrival_schedule::clock::time_point> arrival_schedule::next() const {
    return next_;
}

void arrival_schedule::advance() {
    if (!next_) return;
    level_ += how_ == spacing::poisson ? draw_gap() : 1.0;
    next_ = time_of(solve(level_));
}

std::optional<arrival_schedule::clock::time_point> arrival_schedule::time_of(double at) const {
    // Also what the time_point can hold past the origin (half of it: the
    // rounding of a double must not reach the edge); NaN fails both tests.
    const double room = std::chrono::duration<double>(clock::time_point::max() - origin_).count();
    if (!(at >= 0) || !(at <= std::min(horizon_s, room / 2))) return std::nullopt;
    return origin_ + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(at));
}

double arrival_schedule::rate_at(clock::time_point t) const {
    if (!set_) return 0;
    const double s = std::max(0.0, std::chrono::duration<double>(t - origin_).count());
    if (s >= ramp_s_) return rate_end_;
    return rate_ + (rate_end_ - rate_) * s / ramp_s_;
}

double arrival_schedule::integral(double t) const {
    if (t <= ramp_s_) {
        // Linear rate: r0 t + (r1 - r0) t² / (2 T).
        return ramp_s_ > 0 ? rate_ * t + (rate_end_ - rate_) * t * t / (2 * ramp_s_) : 0.0;
    }
    return integral(ramp_s_) + rate_end_ * (t - ramp_s_);
}

double arrival_schedule::solve(double level) const {
    if (level <= 0) return 0;
    const double in_ramp = integral(ramp_s_);
    if (level <= in_ramp) {
        // a t² + b t = level with a = (r1 - r0) / 2T, b = r0; this form of
        // the root is stable for a of either sign and for a = 0.
        const double a = (rate_end_ - rate_) / (2 * ramp_s_);
        const double b = rate_;
        const double disc = std::max(0.0, b * b + 4 * a * level);
        const double den = b + std::sqrt(disc);
        return den > 0 ? 2 * level / den : -1;
    }
    if (rate_end_ <= 0) return -1;
    return ramp_s_ + (level - in_ramp) / rate_end_;
}

}  // namespace swarm::worker
