#pragma once
// The demo site's pages as plain functions over a small request/response pair.
//
// Nothing here includes Beast: server.cpp (the only Beast/Asio translation
// unit) parses the wire into a `request`, calls `site::handle`, and writes the
// `response` back (see wire.hpp), so the Beast templates compile once and the
// pages can be read — and tested — as ordinary functions.
//
// `site` is created before the io threads start and shared by all of them:
// handle() may be called concurrently from any io thread.

#include "target/counters.hpp"
#include "target/multipart.hpp"
#include "target/sessions.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace swarm::target {

struct header_field {
    std::string_view name;
    std::string_view value;
};

// One parsed request. The views point into the server's parser and are valid
// only during handle(); the server reuses the object (and its vector's
// capacity) for the next request of the connection.
struct request {
    std::string_view method;            // as sent, e.g. "GET"
    std::string_view target;            // as sent, e.g. "/search?search=ab"
    std::string_view path;              // target before '?'
    std::string_view query;             // after '?' (without it); empty if none
    std::string_view body;              // decoded of chunking, at most 1 MiB
    std::vector<header_field> headers;  // in the order received

    // The first header named `name` (case-insensitive); empty if absent.
    std::string_view header(std::string_view name) const;
};

// The answer to one request. Owned and reused by the connection: reset()
// keeps the strings' capacity so a keep-alive connection stops allocating.
struct response {
    int status = 200;                          // 100..599
    std::string_view content_type;             // static string; empty = no Content-Type
    std::string headers;                       // extra header lines, each "Name: value\r\n"
    std::string body;                          // owned body, used when shared_body is null
    const std::string* shared_body = nullptr;  // pre-rendered body owned by the site
    std::uint64_t filler_bytes = 0;      // /bytes/N: N bytes of a static pattern instead of a body
    std::chrono::microseconds delay{0};  // /slow, /stall: wait this long (async) before answering
    bool counted = true;  // false for /__stats and /__reset, which do not count themselves
    bool close = false;   // close the connection after this response

    void reset();
    void add_header(std::string_view name, std::string_view value);
    // The body bytes this response carries (ignoring HEAD).
    std::string_view body_view() const { return shared_body ? *shared_body : body; }
    std::uint64_t body_size() const { return filler_bytes ? filler_bytes : body_view().size(); }
};

struct pages;  // pre-rendered HTML, see pages.hpp

// The site: pre-rendered pages, signed-in users, CSRF secret and counters.
class site {
  public:
    explicit site(unsigned threads);
    ~site();
    site(const site&) = delete;
    site& operator=(const site&) = delete;

    // Fills `res` (already reset) for `req`. Thread-safe.
    void handle(const request& req, response& res);

    class counters& counters() {
        return counters_;
    }
    // /ws/echo and /ws/chat (ws_session.hpp counts into it).
    ws_counters& websockets() { return websockets_; }

    // Limits the server enforces; here so pages and tests agree on them.
    static constexpr std::size_t header_limit = 16 * 1024;        // bytes → 431
    static constexpr std::uint64_t body_limit = 1024 * 1024;      // bytes → 413
    static constexpr std::uint64_t max_filler_bytes = 64u << 20;  // /bytes/N cap
    static constexpr std::int64_t max_delay_ms = 60'000;          // /slow?ms=N, /stall caps

    // The /stall route's phase: its periods count from the site's creation.
    std::int64_t stall_phase_unix_ms() const { return started_unix_ms_; }

  private:
    friend struct route_table;

    class counters counters_;
    std::chrono::steady_clock::time_point started_;  // /stall's phase, monotonic
    std::int64_t started_unix_ms_ = 0;               // the same instant on the wall clock
    session_store sessions_;
    upload_counters uploads_;  // POST /upload
    ws_counters websockets_;   // /ws/echo, /ws/chat
    csrf_signer csrf_;
    std::unique_ptr<const pages> pages_;
};

}  // namespace swarm::target
