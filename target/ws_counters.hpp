#pragma once
// What the target's WebSocket endpoints saw (/ws/echo and /ws/chat), so a
// test can hold swarm's WS rows against them: upgrades, messages and bytes
// each way, close frames from clients, chat messages dropped by a full queue.
//
// Shared by every io thread (a mutex: one uncontended lock per message);
// reset by /__reset, read by /__stats (shape in target.hpp).

#include <cstdint>
#include <mutex>
#include <string>

#include <boost/json/object.hpp>

namespace swarm::target {

struct ws_endpoint_counts {
    std::uint64_t upgrades = 0;          // handshakes accepted (101)
    std::uint64_t open = 0;              // connections open now
    std::uint64_t messages_in = 0;       // data messages read from clients
    std::uint64_t bytes_in = 0;          // their payload bytes
    std::uint64_t messages_out = 0;      // data messages written to clients
    std::uint64_t bytes_out = 0;         // their payload bytes
    std::uint64_t closed_by_client = 0;  // close frames received
    std::uint64_t dropped = 0;           // chat: messages a member's full queue refused
};

struct ws_snapshot {
    ws_endpoint_counts echo;
    ws_endpoint_counts chat;
};

class ws_counters {
  public:
    enum class endpoint { echo, chat };

    void upgraded(endpoint e);
    void ended(endpoint e, bool close_frame);
    void received(endpoint e, std::uint64_t bytes);
    void sent(endpoint e, std::uint64_t bytes);
    void dropped(endpoint e);
    ws_snapshot snapshot();
    // Zeroes every count but `open` (connections still open stay counted).
    void reset();

  private:
    ws_endpoint_counts& of(endpoint e) { return e == endpoint::echo ? counts_.echo : counts_.chat; }

    std::mutex mutex_;
    ws_snapshot counts_;
};

// {"echo": {...}, "chat": {...}} for /__stats.
boost::json::object to_json(const ws_snapshot& s);

}  // namespace swarm::target
