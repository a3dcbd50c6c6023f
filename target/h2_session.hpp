#pragma once
// The HTTP/2 side of `swarm target`, without any I/O: one nghttp2 server
// session per connection, bytes in (receive) and bytes out (take_output).
// Each request is answered by the same `site::handle` as over HTTP/1.1; this
// file only translates between HTTP/2 streams and `request`/`response`.
//
// The driver (h2_server.cpp) owns the socket and the clock: it feeds what it
// read, writes what take_output() hands it, and calls answer_due() when
// next_due() has passed, for the answers that wait (/slow, /stall).
//
// Bounds: at most `max_streams` concurrent streams (more are refused by
// nghttp2), a request's header list at most site::header_limit (431), its
// body at most site::body_limit (413), nghttp2's own flood limits on
// SETTINGS/PING/RST_STREAM, and output taken in chunks of the caller's size.
//
// One io thread owns a session: it is not thread-safe.

#include "target/counters.hpp"
#include "target/routes.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct nghttp2_session;

namespace swarm::target {

class h2_session {
  public:
    using clock = std::chrono::steady_clock;

    static constexpr std::uint32_t max_streams = 100;  // SETTINGS_MAX_CONCURRENT_STREAMS

    // Queues the server's SETTINGS. Throws std::runtime_error when nghttp2
    // cannot allocate its session.
    h2_session(site& s, thread_counters& counters);
    // Counts the requests still waiting for their delayed answer: each request
    // read is counted exactly once, answered or not (as over HTTP/1.1).
    ~h2_session();
    h2_session(const h2_session&) = delete;
    h2_session& operator=(const h2_session&) = delete;

    // Feeds bytes read from the client (the connection preface included).
    // False on an error that ends the connection at once (bad preface, flood):
    // the caller sends what take_output() still gives, then closes.
    bool receive(std::string_view bytes);
    // Appends frames to send to `out`, stopping once it holds `limit` bytes or
    // nothing is left to send now. False on a fatal error (then close).
    bool take_output(std::string& out, std::size_t limit);

    // Whether the connection should go on: the session wants to read or write.
    bool alive() const;
    // Frames are waiting to be sent (take_output would give bytes).
    bool wants_write() const;
    // When the next delayed answer is due; nullopt when none waits.
    std::optional<clock::time_point> next_due() const;
    // The latest due time of the delayed answers (nullopt when none waits):
    // the driver's read deadline must not end the connection before it.
    std::optional<clock::time_point> last_due() const;
    // Answers every delayed request due at or before `now`.
    void answer_due(clock::time_point now);

  private:
    struct stream;
    friend struct h2_callbacks;

    stream* find(std::int32_t id);
    void dispatch(stream& st);            // the request is complete: answer it
    void finish(stream& st);              // count and submit st's response
    void reject(stream& st, int status);  // answer a request that broke a limit
    void submit(stream& st);              // hand st's response to nghttp2
    void count(const stream& st);         // the request's one count in /__stats
    void close_stream(std::int32_t id);   // nghttp2 closed it
    void protocol_error();                // count the connection's error, once

    site& site_;
    thread_counters& counters_;
    nghttp2_session* session_ = nullptr;
    std::unordered_map<std::int32_t, std::unique_ptr<stream>> streams_;
    std::multimap<clock::time_point, std::int32_t> delayed_;  // due → stream id
    request scratch_;  // the request being dispatched (views into its stream)
    bool error_counted_ = false;
};

}  // namespace swarm::target
