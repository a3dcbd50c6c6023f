#include "worker/http/decode.hpp"

#include <zlib.h>

#include <algorithm>

namespace swarm::worker::http {
namespace {

// One inflate pass with the given window bits (31: gzip, 15: zlib, -15: raw).
decode_result inflate_with(std::string_view in, int window_bits, std::size_t limit,
                           std::string& out) {
    z_stream z{};
    if (inflateInit2(&z, window_bits) != Z_OK) return decode_result::corrupt;
    out.clear();
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    decode_result result = decode_result::corrupt;
    char chunk[16 * 1024];
    for (;;) {
        z.next_out = reinterpret_cast<Bytef*>(chunk);
        z.avail_out = sizeof chunk;
        const int rc = inflate(&z, Z_NO_FLUSH);
        const std::size_t produced = sizeof chunk - z.avail_out;
        if (out.size() + produced > limit) {
            result = decode_result::too_large;
            break;
        }
        out.append(chunk, produced);
        if (rc == Z_STREAM_END) {
            result = decode_result::ok;
            break;
        }
        // Z_BUF_ERROR with no input left: the data ended early (truncated).
        if (rc != Z_OK || (z.avail_in == 0 && produced == 0)) break;
    }
    inflateEnd(&z);
    if (result != decode_result::ok) out.clear();
    return result;
}

}  // namespace

decode_result inflate_body(std::string_view encoded, bool gzip, std::size_t limit,
                           std::string& out) {
    // zlib counts input in uInt; bodies are bounded far below 4 GiB anyway.
    if (encoded.size() > 0xffffffffu) return decode_result::too_large;
    if (gzip) return inflate_with(encoded, 15 + 16, limit, out);
    const decode_result wrapped = inflate_with(encoded, 15, limit, out);
    if (wrapped != decode_result::corrupt) return wrapped;
    return inflate_with(encoded, -15, limit, out);
}

}  // namespace swarm::worker::http
