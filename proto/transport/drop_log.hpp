#pragma once
// Internal to proto/transport: which undecodable messages earn a line in
// the endpoint's log. Peers sending garbage in a loop, from as many
// identities as they like, must not flood the log, but the first problem of
// each kind is worth seeing. Owned by one
// endpoint, touched by its thread only.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "common/log/log.hpp"

namespace swarm::proto::detail {

class drop_log {
  public:
    // Kinds remembered; beyond that, drops are only counted.
    static constexpr std::size_t max_remembered = 1024;

    // Lines go to `to` (its source names the process: "swarm master").
    explicit drop_log(log::logger to) : log_(std::move(to)) {}

    // Notes one dropped message from `sender` (printable) for `error`, logging
    // a line the first time this kind comes from any sender.
    void dropped(std::string_view sender, std::string_view error, std::uint64_t dropped_so_far);

    // The part of an error that says what kind it is: "msgpack", "stats_report", ...
    static std::string_view kind(std::string_view error) noexcept;

  private:
    log::logger log_;
    std::set<std::string, std::less<>> seen_;  // kinds already logged
    bool full_noted_ = false;                  // said that logging stopped
};

}  // namespace swarm::proto::detail
