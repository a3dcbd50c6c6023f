#pragma once
// One response as it came off the wire, HTTP/1.1 (response_reader.hpp) or
// HTTP/2 (h2_session.hpp) alike: what the client's shared code (cookies,
// redirects, decoding) reads. A plain value; the thread that reads it.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/ascii.hpp"
#include "worker/http/session.hpp"

namespace swarm::worker::http {

// One response as it came off the wire.
struct received_response {
    int status = 0;
    header_list headers;           // as received: names as the server spelled them, in order
    std::string body;              // as received (gzip not undone); empty when discarded
    bool discard_body = false;     // count the body's bytes, keep none (set before reading)
    std::uint64_t body_bytes = 0;  // body bytes received, kept or not

    // The value of the first field called `name` (case-insensitive), or "".
    std::string_view field(std::string_view name) const {
        for (const auto& [key, value] : headers) {
            if (swarm::iequals(key, name)) return value;
        }
        return {};
    }
};

}  // namespace swarm::worker::http
