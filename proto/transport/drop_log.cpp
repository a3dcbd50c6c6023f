#include "proto/transport/drop_log.hpp"

#include <iostream>

namespace swarm::proto::detail {

std::string_view drop_log::kind(std::string_view error) noexcept {
    // Up to the first separator, so "stats_report.requests[3]: ..." and
    // "stats_report.requests[9]: ..." are one kind.
    const std::size_t end = error.find_first_of(":.[(' ");
    return error.substr(0, end);
}

void drop_log::dropped(std::string_view sender, std::string_view error,
                       std::uint64_t dropped_so_far) {
    if (seen_.size() >= max_remembered) {
        if (!full_noted_) {
            std::cerr << "swarm " << side_ << ": " << dropped_so_far
                      << " undecodable messages so far; further ones are counted, not logged\n";
            full_noted_ = true;
        }
        return;
    }
    if (!seen_.emplace(std::string(sender), std::string(kind(error))).second) return;
    std::cerr << "swarm " << side_ << ": dropped an undecodable message from " << sender << ": "
              << error << " (more of this kind from this sender are counted, not logged)\n";
}

}  // namespace swarm::proto::detail
