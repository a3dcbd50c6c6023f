#pragma once
// Content-Encoding decoding for response bodies (gzip and deflate, via zlib),
// bounded so a small compressed body cannot expand into unbounded memory.
//
// Plain functions over strings; callable from any thread.

#include <cstddef>
#include <string>
#include <string_view>

namespace swarm::worker::http {

enum class decode_result {
    ok,
    too_large,  // the decoded body would exceed the limit ("zip bomb")
    corrupt,    // not valid gzip/deflate data
};

// Decodes `encoded` (gzip, or deflate with or without the zlib wrapper, as
// servers disagree on it) into `out`, which is replaced. At most `limit` bytes
// are produced; beyond that the result is too_large and `out` is cleared.
decode_result inflate_body(std::string_view encoded, bool gzip, std::size_t limit,
                           std::string& out);

}  // namespace swarm::worker::http
