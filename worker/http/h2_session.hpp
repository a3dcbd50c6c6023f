#pragma once
// The HTTP/2 side of one client connection: nghttp2's session (framing,
// HPACK, flow control, stream states) and what each of the client's streams
// has received. No I/O and no Asio: bytes from the server go in through
// receive(), bytes for the server come out of take_output(). The driver in
// h2_io.hpp moves them over a plain socket or a TLS stream; the fuzz target
// (tests/fuzz/fuzz_h2_response.cpp) feeds receive() directly.
//
// Limits a hostile server cannot lift: a response's header list (HPACK
// decoded) is bounded by max_header_bytes (the same bound as HTTP/1.1's
// status line + headers, and advertised as SETTINGS_MAX_HEADER_LIST_SIZE);
// a body by the request's body limit; queued SETTINGS/PING acks, SETTINGS
// entries and CONTINUATION frames by nghttp2's options (a flood ends the
// connection, errc::h2_protocol). Server push is refused.
//
// Owned by the client's connection, touched only on the user's thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "worker/http/errors.hpp"
#include "worker/http/received_response.hpp"
#include "worker/http/session.hpp"

struct nghttp2_session;

namespace swarm::worker::http {

// One request as HTTP/2 sends it. Everything is copied by submit().
struct h2_request {
    std::string_view method;              // "GET"
    std::string_view scheme;              // "http" or "https"
    std::string_view authority;           // host[:port]
    std::string_view path;                // origin-form target
    const header_list* fields = nullptr;  // regular fields, names in lower case
    std::string_view body;                // sent as DATA; must stay alive while the stream is open
    std::uint64_t max_body_bytes = 16 * 1024 * 1024;  // received body bytes accepted
    bool discard_body = false;                        // count the body, keep none
};

// What one stream got, until the client forgets it.
struct h2_stream {
    std::int32_t id = 0;
    received_response message;  // status, fields (lower-case names), body
    std::string_view body;      // the request body still being sent (h2_request::body)
    std::size_t body_sent = 0;
    std::uint64_t max_body_bytes = 0;
    std::uint32_t header_bytes = 0;  // of the response's header blocks, RFC 9113 §6.5.2 sizes
    bool done = false;               // the whole final response arrived
    bool failed = false;             // `failure` says why
    // Not processed by the server (a GOAWAY's last stream id below it, or
    // REFUSED_STREAM): safe to send again on a new connection.
    bool unprocessed = false;
    bool got_frames = false;   // a frame of the response arrived
    bool in_trailers = false;  // the header block being read follows the final status
    bool forgotten = false;    // the client is done with it; freed when nghttp2 closes it
    bool closed = false;       // nghttp2 closed it
    bool interrupted = false;  // the client's deadline or stop ended its wait (h2_io.hpp)
    error failure;

    bool finished() const { return done || failed; }
};

class h2_session {
  public:
    // `max_header_bytes` bounds every response's header list.
    explicit h2_session(std::uint32_t max_header_bytes);
    ~h2_session();
    h2_session(const h2_session&) = delete;
    h2_session& operator=(const h2_session&) = delete;

    // Queues the request; its stream id, or 0 when the connection takes no
    // new streams (closing, failed, or out of stream ids).
    std::int32_t submit(const h2_request& req);
    // Bytes from the server. False when the connection is broken (error()).
    bool receive(const std::uint8_t* data, std::size_t size);
    // Appends frames to send to `out` (up to about max_output_bytes); false
    // when the connection is broken.
    bool take_output(std::string& out);
    // The socket failed or closed: every unfinished stream fails with `why`
    // (unprocessed when `why` came before any frame of it).
    void fail(const error& why);

    // The stream the client submitted and has not forgotten, else nullptr.
    h2_stream* stream(std::int32_t id);
    // The client is done with the stream: an unfinished one is reset (CANCEL).
    void forget(std::int32_t id);

    // Nothing more will be read or written: the connection is over.
    bool over() const;
    // Takes new streams: not over, no GOAWAY received.
    bool usable() const { return !over() && !goaway_; }
    bool wants_write() const;
    // Why the connection ended, when it failed (empty while it works).
    const std::optional<error>& error_reason() const { return error_; }
    std::size_t open_streams() const { return streams_.size(); }

    static constexpr std::size_t max_output_bytes = 64 * 1024;

  private:
    struct callbacks;  // nghttp2's callbacks (h2_session.cpp)
    friend struct callbacks;

    h2_stream* find(std::int32_t id);
    void erase(std::int32_t id);
    void fail_open_streams(const error& why);
    void end_with(error why);  // the connection failed: every unfinished stream too

    nghttp2_session* session_ = nullptr;
    // The client's streams (few: the user's concurrent requests on this origin).
    std::vector<std::unique_ptr<h2_stream>> streams_;
    std::uint32_t max_header_bytes_;
    std::optional<error> error_;
    std::string last_error_;  // nghttp2's reason for a connection error it found
    std::int32_t goaway_last_stream_ = 0;
    std::uint32_t goaway_code_ = 0;
    bool goaway_ = false;  // received: no new streams
};

// "REFUSED_STREAM" and the like for an HTTP/2 error code.
std::string h2_error_name(std::uint32_t code);

}  // namespace swarm::worker::http
