#pragma once
// One HTTP/1.1 request/response exchange over any Beast stream: write the
// request, read the final response (skipping 1xx interim ones) under header
// and body limits. A template over the stream so the same code runs over
// plain TCP, TLS, and Beast's in-memory test stream (whose fail_count reaches
// every error path).
//
// Deadlines are the caller's: it sets them on the stream (tcp_stream's
// expires_at) before calling. Expected failures come back as values in
// exchange_outcome; nothing here throws for I/O errors.
//
// Included only by client.cpp and the tests, to keep Beast's templates in few
// translation units. Runs on the stream's executor, like the stream itself.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <cstdint>

namespace swarm::worker::http {

struct exchange_limits {
    std::uint32_t header_bytes = 64 * 1024;       // status line + headers
    std::uint64_t body_bytes = 16 * 1024 * 1024;  // body as received (before decoding)
};

struct exchange_outcome {
    boost::system::error_code ec;  // the first failure; empty on success
    bool received_any = false;     // a byte of the response arrived (then no transparent retry)
    bool keep_alive = false;       // the connection may carry the next request
    boost::beast::http::response<boost::beast::http::string_body> message;  // on success
};

template <class Stream>
boost::asio::awaitable<exchange_outcome> exchange(
    Stream& stream, const boost::beast::http::request<boost::beast::http::string_body>& req,
    exchange_limits limits) {
    namespace bhttp = boost::beast::http;
    constexpr auto as_value = boost::asio::as_tuple(boost::asio::use_awaitable);
    exchange_outcome out;
    const auto [write_ec, written] = co_await bhttp::async_write(stream, req, as_value);
    if (write_ec) {
        out.ec = write_ec;
        co_return out;
    }
    // Lives only for this exchange, so an idle connection holds no read buffer.
    boost::beast::flat_buffer buffer;
    for (;;) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.header_limit(limits.header_bytes);
        parser.body_limit(limits.body_bytes);
        if (req.method() == bhttp::verb::head) parser.skip(true);
        const auto [read_ec, read] = co_await bhttp::async_read(stream, buffer, parser, as_value);
        out.received_any = out.received_any || parser.got_some() || buffer.size() > 0;
        if (read_ec) {
            out.ec = read_ec;
            co_return out;
        }
        const int status = parser.get().result_int();
        if (status >= 100 && status < 200 && status != 101) continue;  // interim: read on
        // Bytes after the response mean the server is out of step: do not reuse.
        out.keep_alive = parser.keep_alive() && buffer.size() == 0;
        out.message = parser.release();
        co_return out;
    }
}

}  // namespace swarm::worker::http
