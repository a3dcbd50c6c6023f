#pragma once
// Moves an h2_session's bytes over a stream: any type with Asio's
// async_read_some / async_write_some (a plain socket, a TLS stream, a test
// stream), so the TLS stream type can change without touching this code.
//
// Several sends of one user may use a connection at once (each in its own
// coroutine on the user's thread, each with its own stream id). No
// coroutine of its own and no thread: whichever send needs bytes reads
// (one at a time), and the others wait on `wake` until a read has brought
// something; whichever has frames to send writes them (one at a time). So
// an idle connection costs its socket and nghttp2's state, no buffer, no
// pending operation.
//
// Deadlines are the caller's (client.cpp): interrupt() ends one stream's
// wait without disturbing the others. Included only by client.cpp and the
// tests, like exchange.hpp.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "worker/http/h2_session.hpp"

namespace swarm::worker::http {

// How a socket or TLS failure ends the connection's streams.
inline error io_failure(const boost::system::error_code& ec) {
    namespace e = boost::asio::error;
    if (ec == e::eof || ec == boost::asio::ssl::error::stream_truncated) return error{errc::closed};
    if (ec == e::connection_reset || ec == e::broken_pipe || ec == e::connection_aborted) {
        return error{errc::reset};
    }
    if (ec == e::operation_aborted) return error{errc::cancelled};
    return error{errc::io, ec.message()};
}

// A read takes at most this much; allocated only while a send reads.
inline constexpr std::size_t h2_read_bytes = 16 * 1024;

// The HTTP/2 side of one connection; owned by the client's connection.
struct h2_channel {
    h2_channel(const boost::asio::any_io_executor& ex, std::uint32_t max_header_bytes)
        : session(max_header_bytes), wake(ex, boost::asio::steady_timer::time_point::max()) {}

    // Wakes every send waiting for its turn or for a read's news.
    void notify() { wake.cancel(); }
    // Ends the wait of stream `id` (a deadline, a stop): true when that send
    // is the one reading or writing, so the caller must cancel the socket's
    // operations (a write cut short ends the connection; a read does not).
    bool interrupt(std::int32_t id) {
        if (auto* s = session.stream(id)) s->interrupted = true;
        notify();
        return reader == id || writer == id;
    }

    h2_session session;
    // Never expires: sends wait on it, notify() cancels their waits.
    boost::asio::steady_timer wake;
    std::int32_t reader = 0;  // the stream whose send reads now; 0: none
    std::int32_t writer = 0;  // the stream whose send writes frames now; 0: none
    std::uint32_t users = 0;  // sends on this connection now
};

// Writes what the session has to send; one writer at a time (another send's
// frames go out with this one's, or in its next loop).
template <class Stream>
boost::asio::awaitable<void> h2_flush(Stream& stream, h2_channel& ch, std::int32_t id) {
    if (ch.writer != 0) co_return;
    constexpr auto as_value = boost::asio::as_tuple(boost::asio::use_awaitable);
    ch.writer = id;
    std::string out;
    while (ch.session.take_output(out) && !out.empty()) {
        const auto [ec, n] =
            co_await boost::asio::async_write(stream, boost::asio::buffer(out), as_value);
        out.clear();
        if (ec) {
            ch.session.fail(io_failure(ec));
            ch.notify();
            break;
        }
    }
    ch.writer = 0;
}

// Runs the connection until stream `id` is finished or interrupted (or the
// connection is over): its request goes out, its response comes in.
template <class Stream>
boost::asio::awaitable<void> h2_run(Stream& stream, h2_channel& ch, std::int32_t id) {
    constexpr auto as_value = boost::asio::as_tuple(boost::asio::use_awaitable);
    for (;;) {
        co_await h2_flush(stream, ch, id);
        const h2_stream* s = ch.session.stream(id);
        if (!s || s->finished() || s->interrupted || ch.session.over()) co_return;
        if (ch.reader != 0) {
            co_await ch.wake.async_wait(as_value);  // a read's news, or an interrupt
            continue;
        }
        ch.reader = id;
        const auto buffer = std::make_unique<std::uint8_t[]>(h2_read_bytes);
        const auto [ec, n] = co_await stream.async_read_some(
            boost::asio::buffer(buffer.get(), h2_read_bytes), as_value);
        ch.reader = 0;
        if (n > 0) ch.session.receive(buffer.get(), n);
        const h2_stream* mine = ch.session.stream(id);
        // An interrupt cancels the read; the connection stays good for the others.
        if (ec && !(ec == boost::asio::error::operation_aborted && mine && mine->interrupted)) {
            ch.session.fail(io_failure(ec));
        }
        ch.notify();
    }
}

}  // namespace swarm::worker::http
