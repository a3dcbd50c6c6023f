#include "worker/user/schedule.hpp"

#include <algorithm>
#include <cmath>

namespace swarm::worker::user {

using scenario::duration;
using scenario::wait_spec;

namespace {

duration paced(duration period, duration task_time) {
    return std::max(duration{0}, period - task_time);
}

}  // namespace

bool wait_uses_task_time(const wait_spec& spec) {
    return spec.how == wait_spec::kind::pacing || spec.how == wait_spec::kind::throughput;
}

bool overran(const wait_spec& spec, duration task_time) {
    switch (spec.how) {
        case wait_spec::kind::pacing:
            return task_time > spec.min;
        case wait_spec::kind::throughput:
            return spec.per_second > 0 &&
                   task_time >
                       duration(static_cast<std::int64_t>(std::llround(1e6 / spec.per_second)));
        default:
            return false;
    }
}

duration wait_after(const wait_spec& spec, duration task_time, std::uint64_t random) {
    switch (spec.how) {
        case wait_spec::kind::none:
            return duration{0};
        case wait_spec::kind::constant:
            return spec.min;
        case wait_spec::kind::between: {
            if (spec.max <= spec.min) return spec.min;
            // Spans are far below 2^64 µs, so the modulo's bias is negligible.
            const auto span = static_cast<std::uint64_t>((spec.max - spec.min).count()) + 1;
            return spec.min + duration(static_cast<std::int64_t>(random % span));
        }
        case wait_spec::kind::pacing:
            return paced(spec.min, task_time);
        case wait_spec::kind::throughput: {
            if (!(spec.per_second > 0)) return duration{0};
            const auto period =
                duration(static_cast<std::int64_t>(std::llround(1e6 / spec.per_second)));
            return paced(period, task_time);
        }
    }
    return duration{0};
}

std::size_t pick_weighted(std::span<const double> cumulative, std::uint64_t random) {
    if (cumulative.empty()) return 0;
    // 53 random bits give a uniform double in [0, 1).
    const double unit = static_cast<double>(random >> 11) * 0x1.0p-53;
    const double target = unit * cumulative.back();
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
    const auto index = static_cast<std::size_t>(it - cumulative.begin());
    return std::min(index, cumulative.size() - 1);
}

}  // namespace swarm::worker::user
