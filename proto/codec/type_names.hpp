#pragma once
// Internal to proto/: the wire name of every message type (the envelope's
// first item, PROTOCOL.md), and the table that maps a decoded name back to
// its alternative of proto::message. Immutable; any thread.

#include <array>
#include <cstddef>
#include <string_view>
#include <variant>

#include "proto/messages.hpp"

namespace swarm::proto::detail {

template <class T>
struct wire_name;  // left undefined: a new message type without a name does not compile

// clang-format off
template <> struct wire_name<hello> { static constexpr const char* value = "hello"; };
template <> struct wire_name<welcome> { static constexpr const char* value = "welcome"; };
template <> struct wire_name<reject> { static constexpr const char* value = "reject"; };
template <> struct wire_name<scenario_bundle> { static constexpr const char* value = "scenario_bundle"; };
template <> struct wire_name<ready> { static constexpr const char* value = "ready"; };
template <> struct wire_name<compile_failed> { static constexpr const char* value = "compile_failed"; };
template <> struct wire_name<spawn> { static constexpr const char* value = "spawn"; };
template <> struct wire_name<spawning> { static constexpr const char* value = "spawning"; };
template <> struct wire_name<spawn_complete> { static constexpr const char* value = "spawn_complete"; };
template <> struct wire_name<stats_report> { static constexpr const char* value = "stats_report"; };
template <> struct wire_name<heartbeat> { static constexpr const char* value = "heartbeat"; };
template <> struct wire_name<stop> { static constexpr const char* value = "stop"; };
template <> struct wire_name<stopped> { static constexpr const char* value = "stopped"; };
template <> struct wire_name<quit> { static constexpr const char* value = "quit"; };
// clang-format on

template <class Variant>
struct wire_names;
template <class... Ts>
struct wire_names<std::variant<Ts...>> {
    static constexpr std::array<const char*, sizeof...(Ts)> value{wire_name<Ts>::value...};
};

// Wire names indexed like message::index().
inline constexpr auto message_type_names = wire_names<message>::value;

// The alternative index named `name`, or message_type_names.size() when there is none.
constexpr std::size_t message_index(std::string_view name) noexcept {
    for (std::size_t i = 0; i < message_type_names.size(); ++i) {
        if (name == message_type_names[i]) return i;
    }
    return message_type_names.size();
}

}  // namespace swarm::proto::detail
