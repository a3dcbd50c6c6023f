#pragma once
// Parses one response's bytes with worker/http's own response_parser and with
// Beast 1.81's basic_parser (response_reader), the way the exchange feeds
// them: bytes arrive in pieces, the unconsumed rest stays buffered, and the
// connection may close at the end. Shared by response_parser_test and the
// fuzz target tests/fuzz/fuzz_http_response.cpp, which compare the two.

#include <boost/asio/buffer.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/http/response_parser.hpp"
#include "worker/http/response_reader.hpp"

namespace swarm::worker::http::testing {

struct parse_outcome {
    boost::system::error_code ec;  // empty: a complete message
    received_response message;
    bool keep_alive = false;
    std::size_t leftover = 0;  // bytes after the message
};

struct parse_setup {
    std::size_t piece = 0;  // bytes per read; 0: all at once
    bool eof = true;        // the server closes after the bytes
    bool head = false;
    std::uint32_t header_limit = 8 * 1024;
    std::uint64_t body_limit = 1024 * 1024;
};

template <class Parser, class Put, class PutEof>
parse_outcome run_parse(std::string_view bytes, const parse_setup& s, Put put, PutEof put_eof) {
    parse_outcome out;
    Parser parser(out.message);
    parser.header_limit(s.header_limit);
    parser.body_limit(s.body_limit);
    if (s.head) parser.skip(true);
    std::string buffer;
    std::size_t offset = 0;
    const std::size_t piece = s.piece == 0 ? std::max<std::size_t>(bytes.size(), 1) : s.piece;
    for (;;) {
        // Parse what is buffered until the parser wants more.
        while (!parser.is_done()) {
            boost::system::error_code ec;
            const std::size_t used = put(parser, std::string_view(buffer), ec);
            buffer.erase(0, used);
            if (ec == boost::beast::http::error::need_more) break;
            if (ec) {
                out.ec = ec;
                return out;
            }
            if (used == 0 && !parser.is_done()) break;
        }
        if (parser.is_done()) break;
        if (offset >= bytes.size()) {
            if (!s.eof) {
                out.ec = boost::beast::http::error::need_more;
                return out;
            }
            boost::system::error_code ec;
            if (parser.got_some()) {
                put_eof(parser, ec);
            } else {
                ec = boost::beast::http::error::end_of_stream;
            }
            out.ec = ec;
            if (ec) return out;
            break;
        }
        const std::size_t n = std::min(piece, bytes.size() - offset);
        buffer.append(bytes.substr(offset, n));
        offset += n;
    }
    out.keep_alive = parser.keep_alive();
    out.leftover = buffer.size() + (bytes.size() - offset);
    return out;
}

inline parse_outcome parse_ours(std::string_view bytes, const parse_setup& s) {
    return run_parse<response_parser>(
        bytes, s,
        [](response_parser& p, std::string_view data, boost::system::error_code& ec) {
            return p.put(data, ec);
        },
        [](response_parser& p, boost::system::error_code& ec) { p.put_eof(ec); });
}

inline parse_outcome parse_beast(std::string_view bytes, const parse_setup& s) {
    return run_parse<response_reader>(
        bytes, s,
        [](response_reader& p, std::string_view data, boost::system::error_code& ec) {
            if (data.empty()) {  // Beast asserts on an empty buffer after the start
                ec = boost::beast::http::error::need_more;
                return std::size_t{0};
            }
            return p.put(boost::asio::buffer(data.data(), data.size()), ec);
        },
        [](response_reader& p, boost::system::error_code& ec) { p.put_eof(ec); });
}

}  // namespace swarm::worker::http::testing
