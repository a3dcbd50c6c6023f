#include "target/arrivals.hpp"

#include <chrono>

namespace swarm::target {

arrival_time arrival_time::now() {
    using namespace std::chrono;
    return {duration_cast<microseconds>(system_clock::now().time_since_epoch()).count(),
            duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count()};
}

void per_second_ring::record(std::int64_t unix_s, std::uint64_t n) {
    if (unix_s < 0) return;
    slot& s = slots_[static_cast<std::size_t>(unix_s % seconds_kept)];
    if (s.second != unix_s) {
        // A second at least seconds_kept old (or unused): this one replaces it.
        s.second = unix_s;
        s.count = 0;
    }
    s.count += n;
}

void per_second_ring::merge_into(std::map<std::int64_t, std::uint64_t>& out,
                                 std::int64_t now_s) const {
    for (const slot& s : slots_) {
        if (s.second < 0 || s.count == 0) continue;
        if (s.second <= now_s - seconds_kept || s.second > now_s) continue;
        out[s.second] += s.count;
    }
}

void per_second_ring::clear() {
    slots_.fill(slot{});
}

std::optional<std::uint64_t> gap_clock::arrive(std::int64_t steady_ns) {
    std::int64_t last = last_ns_.load(std::memory_order_relaxed);
    // Keep the maximum: a thread that read the clock earlier but arrives here
    // later must not move the clock back (its gap is then 0).
    while (last == none || steady_ns > last) {
        if (last_ns_.compare_exchange_weak(last, steady_ns, std::memory_order_relaxed)) {
            if (last == none) return std::nullopt;
            return static_cast<std::uint64_t>((steady_ns - last) / 1000);
        }
    }
    return 0;
}

void gap_clock::reset() {
    last_ns_.store(none, std::memory_order_relaxed);
}

}  // namespace swarm::target
