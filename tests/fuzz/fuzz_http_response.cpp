// libFuzzer target over worker/http's response_parser, differential against
// Beast 1.81's basic_parser (which the client used before): the same bytes,
// read in the same pieces, must give the same verdict, and on success the
// same status, fields, body, keep-alive and bytes left over. A crash, hang,
// leak or UB is a bug too. Where both fail, the error codes may differ (our
// parser checks the whole header block at once, Beast field by field).
//
// Input: byte 0 picks the read size (0: all at once) and HEAD, byte 1 whether
// the server closes after the bytes; the rest is the response. Seed corpus:
// tests/fuzz/corpus/http_response.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "tests/worker_http/response_parse_compare.hpp"

namespace {

using namespace swarm::worker::http::testing;

[[noreturn]] void mismatch(const char* what, const parse_outcome& ours,
                           const parse_outcome& beast) {
    std::fprintf(stderr,
                 "mismatch: %s\n ours: %s status %d body %zu fields %zu\n beast: %s status %d body "
                 "%zu fields %zu\n",
                 what, ours.ec.message().c_str(), ours.message.status, ours.message.body.size(),
                 ours.message.headers.size(), beast.ec.message().c_str(), beast.message.status,
                 beast.message.body.size(), beast.message.headers.size());
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    parse_setup setup;
    setup.piece = data[0] & 0x3f;
    setup.head = (data[0] & 0x40) != 0;
    setup.eof = (data[1] & 1) != 0;
    setup.header_limit = 8 * 1024;
    setup.body_limit = 64 * 1024;
    const std::string_view bytes(reinterpret_cast<const char*>(data + 2), size - 2);
    const parse_outcome ours = parse_ours(bytes, setup);
    const parse_outcome beast = parse_beast(bytes, setup);
    if (!ours.ec != !beast.ec) mismatch("verdict", ours, beast);
    if (ours.ec) return 0;
    if (ours.message.status != beast.message.status) mismatch("status", ours, beast);
    if (ours.message.headers != beast.message.headers) mismatch("fields", ours, beast);
    if (ours.message.body != beast.message.body) mismatch("body", ours, beast);
    if (ours.keep_alive != beast.keep_alive) mismatch("keep-alive", ours, beast);
    if (ours.leftover != beast.leftover) mismatch("leftover", ours, beast);
    return 0;
}
