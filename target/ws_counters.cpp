#include "target/ws_counters.hpp"

namespace swarm::target {

void ws_counters::upgraded(endpoint e) {
    const std::lock_guard lock(mutex_);
    ++of(e).upgrades;
    ++of(e).open;
}

void ws_counters::ended(endpoint e, bool close_frame) {
    const std::lock_guard lock(mutex_);
    if (of(e).open > 0) --of(e).open;
    if (close_frame) ++of(e).closed_by_client;
}

void ws_counters::received(endpoint e, std::uint64_t bytes) {
    const std::lock_guard lock(mutex_);
    ++of(e).messages_in;
    of(e).bytes_in += bytes;
}

void ws_counters::sent(endpoint e, std::uint64_t bytes) {
    const std::lock_guard lock(mutex_);
    ++of(e).messages_out;
    of(e).bytes_out += bytes;
}

void ws_counters::dropped(endpoint e) {
    const std::lock_guard lock(mutex_);
    ++of(e).dropped;
}

ws_snapshot ws_counters::snapshot() {
    const std::lock_guard lock(mutex_);
    return counts_;
}

void ws_counters::reset() {
    const std::lock_guard lock(mutex_);
    const auto echo_open = counts_.echo.open;
    const auto chat_open = counts_.chat.open;
    counts_ = ws_snapshot{};
    counts_.echo.open = echo_open;
    counts_.chat.open = chat_open;
}

namespace {

boost::json::object endpoint_json(const ws_endpoint_counts& c) {
    return {{"upgrades", c.upgrades},
            {"open", c.open},
            {"messages_in", c.messages_in},
            {"bytes_in", c.bytes_in},
            {"messages_out", c.messages_out},
            {"bytes_out", c.bytes_out},
            {"closed_by_client", c.closed_by_client},
            {"dropped", c.dropped}};
}

}  // namespace

boost::json::object to_json(const ws_snapshot& s) {
    return {{"echo", endpoint_json(s.echo)}, {"chat", endpoint_json(s.chat)}};
}

}  // namespace swarm::target
