#include "common/scenario/feeder.hpp"

#include <limits>

namespace swarm::scenario {

const char* to_string(data_end e) {
    switch (e) {
        case data_end::recycle:
            return "recycle";
        case data_end::stop_user:
            return "stop_user";
        case data_end::stop_test:
            return "stop_test";
    }
    return "recycle";
}

std::optional<data_end> parse_data_end(std::string_view text) {
    if (text == "recycle") return data_end::recycle;
    if (text == "stop_user") return data_end::stop_user;
    if (text == "stop_test") return data_end::stop_test;
    return std::nullopt;
}

feeder_pick pick_record(feeder_share s, std::uint64_t local, std::size_t records, data_end on_end) {
    if (records == 0) return {0, true};
    if (s.slots == 0) {
        // No share (a late worker): recycle still gives a record, from the
        // worker's own cycle over the whole set — records it hands out may
        // also be handed out by the others in the same cycle.
        if (on_end != data_end::recycle) return {0, true};
        return {static_cast<std::size_t>(local % records), false};
    }
    if (s.slot >= s.slots) return {0, true};
    // Global draw slot + local·slots; past 2^64 (never in a real run) the
    // share counts as exhausted rather than wrapping onto other shares.
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    if (local > (max - s.slot) / s.slots) return {0, true};
    const std::uint64_t draw = s.slot + local * s.slots;
    const auto n = static_cast<std::uint64_t>(records);
    if (draw >= n && on_end != data_end::recycle) return {0, true};
    return {static_cast<std::size_t>(draw % n), false};
}

std::uint64_t share_size(feeder_share s, std::size_t records) {
    if (s.slots == 0 || s.slot >= s.slots || s.slot >= records) return 0;
    return (static_cast<std::uint64_t>(records) - s.slot + s.slots - 1) / s.slots;
}

}  // namespace swarm::scenario
