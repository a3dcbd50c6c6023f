#pragma once
// One HTTP/1.1 request/response exchange over any Beast stream: write the
// request, read the final response (skipping 1xx interim ones) under header
// and body limits. A template over the stream so the same code runs over
// plain TCP, TLS, and Beast's in-memory test stream (whose fail_count reaches
// every error path).
//
// Deadlines are the caller's: when one passes it closes the socket, and
// the pending operation fails (client.cpp's deadline_watch). Expected
// failures come back as values in exchange_outcome; nothing here throws
// for I/O errors.
//
// Included only by client.cpp and the tests, to keep Beast's templates in few
// translation units. Runs on the stream's executor, like the stream itself.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "worker/http/read_buffer.hpp"
#include "worker/http/response_reader.hpp"

namespace swarm::worker::http {

struct exchange_limits {
    std::uint32_t header_bytes = 64 * 1024;       // status line + headers
    std::uint64_t body_bytes = 16 * 1024 * 1024;  // body as received (before decoding)
    bool discard_body = false;                    // count the body, keep none
};

// The read buffer starts at exchange_read_bytes: a typical small page in one
// read (Beast's default start of 512 bytes took three reads for a 1 KB
// page), yet cheap when thousands of requests are in flight at once - a
// worker spawning users faster than the target answers. A response that
// needs more reads doubles it up to exchange_max_read_bytes, so a large
// body still takes few reads.
inline constexpr std::size_t exchange_read_bytes = read_buffer_allocator<char>::block_bytes;
inline constexpr std::size_t exchange_max_read_bytes = 64 * 1024;  // Beast's own cap per read
// Fields a typical response has (room reserved up front; more still fit).
inline constexpr std::size_t expected_fields = 8;

struct exchange_outcome {
    boost::system::error_code ec;  // the first failure; empty on success
    bool received_any = false;     // a byte of the response arrived (then no transparent retry)
    bool keep_alive = false;       // the connection may carry the next request
    received_response message;     // on success: the final (non-1xx) response
};

// `request` is the whole request as bytes (request line, fields, body) and
// must stay alive until the exchange completes; `head` says it is a HEAD
// request (its response has no body whatever its fields say).
template <class Stream>
boost::asio::awaitable<exchange_outcome> exchange(Stream& stream, std::string_view request,
                                                  bool head, exchange_limits limits) {
    constexpr auto as_value = boost::asio::as_tuple(boost::asio::use_awaitable);
    exchange_outcome out;
    const auto [write_ec, written] =
        co_await boost::asio::async_write(stream, boost::asio::buffer(request), as_value);
    if (write_ec) {
        out.ec = write_ec;
        co_return out;
    }
    if constexpr (requires { stream.async_wait(Stream::wait_read, as_value); }) {
        // A plain socket: wait for the response to begin before taking a
        // read buffer. When thousands of users start at once, their first
        // requests wait long for answers; buffers held through those waits
        // were most of the burst's memory, and they left the heap too
        // fragmented to give back once the users went idle.
        const auto [wait_ec] = co_await stream.async_wait(Stream::wait_read, as_value);
        if (wait_ec) {
            out.ec = wait_ec;
            co_return out;
        }
    }
    // Lives only for this exchange, so an idle connection holds no read
    // buffer; its first block comes from the thread's few (read_buffer.hpp).
    read_buffer buffer;
    buffer.reserve(exchange_read_bytes);
    for (;;) {
        out.message = received_response{};
        out.message.discard_body = limits.discard_body;
        out.message.headers.reserve(expected_fields);  // one allocation, not one per doubling
        response_reader parser(out.message);
        parser.header_limit(limits.header_bytes);
        parser.body_limit(limits.body_bytes);
        if (head) parser.skip(true);
        parser.eager(true);  // the body too, in the same put()
        boost::system::error_code read_ec;
        // Beast's parser fed from plain reads, not http::async_read_some:
        // that composed operation cost ~4.4k of ~25k instructions per request
        // (callgrind, seed scenario); the parser itself is the same.
        for (int reads = 0;; ++reads) {
            // What is buffered first: a 1xx may have brought the next response along.
            if (buffer.size() > 0) {
                buffer.consume(parser.put(buffer.data(), read_ec));
                if (parser.is_done()) break;
                if (read_ec && read_ec != boost::beast::http::error::need_more) break;
                read_ec = {};
            }
            if (reads > 0 && buffer.capacity() < exchange_max_read_bytes) {
                buffer.reserve(std::min(buffer.capacity() * 2, exchange_max_read_bytes));
            }
            const auto space = std::max<std::size_t>(buffer.capacity() - buffer.size(), 512);
            const auto [ec, n] = co_await stream.async_read_some(buffer.prepare(space), as_value);
            buffer.commit(n);
            if (ec == boost::asio::error::eof) {
                // As http::read does: the end of a body read until close, else truncation.
                if (parser.got_some()) {
                    parser.put_eof(read_ec);
                } else {
                    read_ec = boost::beast::http::error::end_of_stream;
                }
                break;
            }
            if (ec) {
                read_ec = ec;
                break;
            }
        }
        out.received_any = out.received_any || parser.got_some() || buffer.size() > 0;
        if (read_ec) {
            out.ec = read_ec;
            co_return out;
        }
        const int status = out.message.status;
        if (status >= 100 && status < 200 && status != 101) continue;  // interim: read on
        // Bytes after the response mean the server is out of step: do not reuse.
        out.keep_alive = parser.keep_alive() && buffer.size() == 0;
        co_return out;
    }
}

}  // namespace swarm::worker::http
