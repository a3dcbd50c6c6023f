// libFuzzer target over the HTTP/2 response path: bytes from a (possibly
// hostile) server into the client's h2_session, which holds nghttp2's
// session and the streams' responses. A crash, hang, leak, UB or a broken
// invariant (std::abort) is a bug.
//
// The first byte shapes the client: bit 0 a POST with a body (else a GET),
// bit 1 a discarded body, bit 2 a second stream, bit 3 the first stream is
// forgotten half-way (a timeout), bits 4-7 the read size (1 to 16 * 512
// bytes); the rest is what the server sends.
// Seed corpus: tests/fuzz/corpus/h2_response.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "worker/http/h2_session.hpp"

namespace {

namespace http = swarm::worker::http;

void require(bool invariant) {
    if (!invariant) std::abort();
}

constexpr std::uint32_t max_header_bytes = 4096;
constexpr std::uint64_t max_body_bytes = 8192;

void check(const http::h2_stream* s) {
    if (!s) return;
    require(s->message.body_bytes <= max_body_bytes || s->failed);
    // A body over the limit fails its stream before the excess is kept.
    if (!s->message.discard_body && !s->failed) {
        require(s->message.body.size() == s->message.body_bytes);
    }
    require(s->message.body.size() <= max_body_bytes);
    if (s->message.discard_body) require(s->message.body.empty());
    require(!(s->done && s->failed));
    if (s->done) require(s->message.status >= 200 && s->message.status <= 999);
    require(s->header_bytes <= max_header_bytes + 32 + 2 * 65536 || s->failed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t shape = data[0];
    const std::size_t read_size = (static_cast<std::size_t>(shape >> 4) + 1) * 512;
    ++data;
    --size;
    http::h2_session session(max_header_bytes);
    const std::string body(shape & 1 ? 100000 : 0, 'b');
    const http::header_list fields = {{"user-agent", "swarm"}, {"accept-encoding", "gzip"}};
    http::h2_request req;
    req.method = shape & 1 ? "POST" : "GET";
    req.scheme = "http";
    req.authority = "127.0.0.1:8080";
    req.path = "/";
    req.fields = &fields;
    req.body = body;
    req.max_body_bytes = max_body_bytes;
    req.discard_body = (shape & 2) != 0;
    const std::int32_t first = session.submit(req);
    require(first == 1);
    std::int32_t second = 0;
    if (shape & 4) {
        req.method = "GET";
        req.body = {};
        second = session.submit(req);
        require(second == 3);
    }
    std::string out;
    session.take_output(out);
    require(out.size() <= http::h2_session::max_output_bytes + 20000);
    bool forgot = false;
    for (std::size_t at = 0; at < size && !session.over(); at += read_size) {
        const std::size_t n = std::min(read_size, size - at);
        session.receive(data + at, n);
        check(session.stream(first));
        check(session.stream(second));
        if ((shape & 8) && !forgot && at >= size / 2) {
            session.forget(first);
            require(session.stream(first) == nullptr);
            forgot = true;
        }
        out.clear();
        session.take_output(out);  // acks and window updates, bounded per call
        require(out.size() <= http::h2_session::max_output_bytes + 20000);
    }
    if (session.error_reason()) require(!session.usable());
    session.fail(http::error{http::errc::closed});
    check(session.stream(first));
    check(session.stream(second));
    if (const auto* s = session.stream(first)) require(s->finished());
    session.forget(first);
    session.forget(second);
    return 0;
}
