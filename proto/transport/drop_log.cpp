#include "proto/transport/drop_log.hpp"

#include <string>

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
            log_.info(std::to_string(dropped_so_far) +
                      " undecodable messages so far; further ones are counted, not logged");
            full_noted_ = true;
        }
        return;
    }
    if (!seen_.emplace(kind(error)).second) return;
    log_.error("dropped an undecodable message from " + std::string(sender) + ": " +
               std::string(error) + " (more of this kind are counted, not logged)");
}

}  // namespace swarm::proto::detail
