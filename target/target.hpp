#pragma once
// `swarm target`: a small, fast, real HTTP site for demos, tests and benchmarks.
// It counts every request per method+path and per status and serves the
// counters at /__stats, so a test can compare swarm's report with what the
// target actually saw.
//
// Protocols, on one port: HTTP/1.1 (keep-alive unless the client says
// close), h2c with prior knowledge (a connection opening with the HTTP/2
// preface) and, with TLS, h2 by ALPN (preferred when the client offers it).
// Every route answers the same over each.
//
// Routes (HEAD works wherever GET does):
//   GET  /, /about             static HTML with Cache-Control and Expires
//   POST /user/signin          form email+password → Set-Cookie session=…; 400 if either is empty
//   GET  /contact_us           form with a csrf_token bound to the session (or a visitor cookie)
//   POST /contact_us           200 with the right csrf_token, else 403
//   GET  /account              {"email": …} with a valid session cookie, else 401
//   GET  /search?search=P      JSON array of built-in words starting with P
//   GET  /api/items/{id}       {"id":…, "name":…, "price":…}; non-numeric id → 404
//   GET  /slow?ms=N            answers after N ms (at most 60000), without blocking a thread
//   GET  /stall?every_ms=P&for_ms=W   a request arriving in the first W ms of each P ms
//                              period (counted from the target's start: stall.phase_unix_ms)
//                              is answered when that window ends, others at once;
//                              {"stalled_us": N}. P is 1..60000, W 0..P
//   GET  /status/N             answers status N (100..599, else 400); a 1xx closes the connection
//   GET  /bytes/N              N bytes of body (at most 64 MiB)
//   GET  /redirect/N           302 chain of N hops (1..1000) ending at /about
//   GET  /redirect?to=PATH     302 to PATH
//   GET  /gzip                 HTML, gzip-encoded when Accept-Encoding allows it
//   GET  /cookies/set?a=1&…    sets those cookies;  GET /cookies: the request's cookies as JSON
//   ANY  /echo                 {"method", "target", "headers": {name: value}, "body"}
//   POST /upload               a multipart/form-data body (at most 256 parts) →
//                              {"fields": {name: value}, "files": [{"name", "filename",
//                              "content_type", "size", "sha256"}]}; malformed → 400
//   GET  /ws/echo              WebSocket: every message back, text or binary as sent
//   GET  /ws/chat?room=NAME    WebSocket: every message to every member of the room
//                              (sender too); bounded queues (ws_session.hpp). The
//                              upgrade counts as "GET /ws/echo" 101; without one: 426
//   GET  /__stats              the counters (below);  GET|POST /__reset zeroes them
// Anything else is 404; a known path with the wrong method is 405.
//
// Limits: request header 16 KiB (431), body 1 MiB (413); malformed requests
// get 400 and the connection is closed (HTTP/2: the stream is reset; a
// protocol error gets GOAWAY and a close); at most 100 concurrent HTTP/2
// streams per connection. Deadlines: 30 s idle between
// keep-alive requests, 10 s from a request's first byte to its end, 30 s per
// response write.
//
// /__stats (neither it nor /__reset is counted):
//   {"total": 7,                                 answered requests
//    "requests": {"GET /about": 5, "POST /user/signin": 2},   per "METHOD path" (no query)
//    "statuses": {"200": 6, "400": 1},
//    "routes": {"GET /about": {"200": 5}, "POST /user/signin": {"200": 1, "400": 1}},
//    "malformed": 0,                             unparseable requests (not in total)
//    "protocols": {"h1": 5, "h2": 2},            of total, per HTTP version
//    "h2": {"connections": 1, "protocol_errors": 0},   HTTP/2 connections, and those
//                                                ended by a protocol error (GOAWAY)
//    "arrivals": {"total": 7, "now_unix_ms": 1700000003500,
//                 "per_second": [[1700000002, 3], [1700000003, 4]]},
//    "gaps_us": {"count": 6, "p50": 800, "p90": 1500, "p99": 1900, "max": 1910},
//    "stall": {"phase_unix_ms": 1699999990000},
//    "uploads": {"requests": 2, "malformed": 0, "fields": 2, "field_bytes": 10,
//                "files": 2, "file_bytes": 512, "files_by_sha256": {"40aff2e9…": 2}},
//    "ws": {"echo": {"upgrades": 1, "open": 0, "messages_in": 5, "bytes_in": 60,
//                    "messages_out": 5, "bytes_out": 60, "closed_by_client": 1, "dropped": 0},
//           "chat": {... the same keys}}}
// Arrivals are counted when a request has been read (before a delayed answer),
// per wall-clock second over the last 600 s (seconds with none are left out;
// the second of now_unix_ms is still filling). gaps_us: the time between
// consecutive arrivals on any connection (percentiles from a histogram within
// 1/128; max exact); count = arrivals − 1. /__reset clears these too.
// total == sum(requests) == sum(statuses). Keys are counted exactly, however
// many io threads; past 4096 distinct keys per thread new ones are counted
// under "* (other paths)".

#include <string>

#include "common/log/log.hpp"

namespace swarm::target {

struct options {
    std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
    unsigned threads = 1;                   // io threads
    std::string tls_cert;                   // PEM files; both set = serve HTTPS
    std::string tls_key;
    // Where failures go: a connection that failed, accept errors, why it
    // cannot listen. Any io thread writes to it.
    log::logger log = log::logger("swarm target");
};

// Serves until SIGINT/SIGTERM (then returns 0). Prints "swarm target listening
// on http://HOST:PORT" (https:// when serving TLS; the real port) on stdout,
// flushed, once accepting: that line is its output, not a log line. Returns 1
// after logging why when it cannot listen (bad address, port in use,
// unreadable certificate).
int run(const options& opts);

}  // namespace swarm::target
