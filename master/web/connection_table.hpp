#pragma once
// The web server's table of open connections, and who gives way when a new
// one comes: over the per-address cap or the server's, the connection that
// waits for a request head (or a TLS handshake) and matters least -
// never authenticated before authenticated, then the longest waiting - is
// evicted (its pending read cancelled); when none waits, a few spare places
// take the newcomer for one probe. See server.hpp.
//
// Private to master/web/server.cpp (the only translation unit that includes
// Beast). Threading: the server's thread only.

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <optional>

namespace swarm::master::web {

// One open connection, as the accept loop admitted it.
struct connection {
    boost::asio::ip::address address;
    // Its TCP layer, to cancel an eviction's pending read; null before the
    // coroutine starts and once a WebSocket owns the stream.
    boost::beast::tcp_stream* stream = nullptr;
    std::uint64_t waiting_since = 0;  // the table's wait counter when it began waiting
    bool waiting = true;              // for a request head (or a TLS handshake): may be evicted
    bool trusted = false;  // made an authenticated request (not a probe): the long deadlines
    bool spare = false;    // admitted past the caps: probes only, one request
    bool evicted = false;  // its place went to a newer connection; it is closing
};

class connection_table {
  public:
    using ref = std::list<connection>::iterator;
    static constexpr std::size_t spare_places = 16;  // past the caps, for a probe each

    connection_table(std::size_t max_connections, std::size_t per_address)
        : max_(max_connections), per_address_cap_(per_address) {}

    // A place for a new connection from `address` (evicting a waiting one
    // when its address or the server is at its cap), else a spare one;
    // nullopt: refuse it.
    std::optional<ref> admit(const boost::asio::ip::address& address) {
        bool place = true;
        if (const auto it = per_address_.find(address);
            per_address_cap_ > 0 && it != per_address_.end() && it->second >= per_address_cap_)
            place = evict_one(&address);
        if (place && used_ >= max_) place = evict_one(nullptr);
        connection conn;
        conn.address = address;
        conn.waiting_since = ++waits_;
        if (place) {
            ++used_;
            ++per_address_[address];
        } else if (spares_used_ < spare_places) {
            conn.spare = true;
            ++spares_used_;
        } else {
            return std::nullopt;
        }
        connections_.push_back(conn);
        return std::prev(connections_.end());
    }

    // `conn` waits for its next request from now (the order of eviction).
    void begin_wait(connection& conn) {
        conn.waiting = true;
        conn.waiting_since = ++waits_;
    }

    // Forgets a connection whose coroutine ended.
    void remove(ref it) {
        if (it->spare) {
            --spares_used_;
        } else if (!it->evicted) {
            release(*it);
        }
        connections_.erase(it);
    }

  private:
    void release(const connection& conn) {
        --used_;
        if (const auto it = per_address_.find(conn.address);
            it != per_address_.end() && --it->second == 0)
            per_address_.erase(it);
    }

    // Evicts the waiting connection that matters least (from `from` when
    // given); false when every one is mid-request or a WebSocket.
    bool evict_one(const boost::asio::ip::address* from) {
        connection* best = nullptr;
        for (auto& conn : connections_) {
            if (conn.spare || conn.evicted || !conn.waiting) continue;
            if (from != nullptr && conn.address != *from) continue;
            if (best == nullptr || (best->trusted && !conn.trusted) ||
                (best->trusted == conn.trusted && conn.waiting_since < best->waiting_since))
                best = &conn;
        }
        if (best == nullptr) return false;
        release(*best);
        best->evicted = true;
        if (best->stream != nullptr)
            best->stream->cancel();  // else it has not started: it sees `evicted`
        return true;
    }

    std::size_t max_;
    std::size_t per_address_cap_;  // 0: none
    std::list<connection> connections_;
    std::map<boost::asio::ip::address, std::size_t> per_address_;  // holding a place
    std::size_t used_ = 0;  // places held (not spare, not evicted), all addresses
    std::size_t spares_used_ = 0;
    std::uint64_t waits_ = 0;  // waits begun, to order them
};

}  // namespace swarm::master::web
