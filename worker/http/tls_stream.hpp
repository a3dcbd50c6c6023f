#pragma once
// A TLS stream straight on a TCP socket: OpenSSL reads and writes the
// socket's descriptor itself (a small BIO doing non-blocking recv/send), and
// an operation that would block waits for the socket with async_wait.
//
// Why not Asio's ssl::stream: it keeps its engine's input and output buffers
// (~17 KiB each) and a BIO pair (two more) for the connection's whole life,
// so an idle HTTPS user cost ~66 KiB. Here an idle connection is its socket
// and its SSL object: OpenSSL's record buffers exist only while a record is
// being read or written (SSL_MODE_RELEASE_BUFFERS), and there is no copy
// between OpenSSL and the socket.
//
// It is an Asio AsyncReadStream and AsyncWriteStream (any completion token),
// with async_handshake and async_shutdown, next_layer() (the socket: closing
// it ends whatever operation is pending, which is how deadlines work), and
// Beast's websocket teardown customization, so beast::websocket::stream
// runs over it. ALPN: set_alpn() before the handshake, alpn_selected() after.
//
// Like Asio's streams: one thread (the socket's executor) touches it, at most
// one read and one write pending at a time, and it must outlive them. Errors
// read as with ssl::stream: a clean close_notify is net::error::eof, a TCP
// close without one is net::ssl::error::stream_truncated, OpenSSL's failures
// are in net::error::get_ssl_category(), socket errors are system errors.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace swarm::worker::http {

class tls_stream;

namespace tls_detail {

// What an OpenSSL call needs next: nothing (it finished, ec says how), or
// the socket readable or writable before calling it again.
enum class tls_want { nothing, read, write };

struct tls_step {
    tls_want want = tls_want::nothing;
    boost::system::error_code ec;
    std::size_t bytes = 0;
};

// One attempt of each operation (tls_stream.cpp): never blocks.
tls_step try_handshake(tls_stream& s);
tls_step try_read(tls_stream& s, boost::asio::mutable_buffer b);
tls_step try_write(tls_stream& s, boost::asio::const_buffer b);
tls_step try_shutdown(tls_stream& s);

template <class Buffers>
boost::asio::mutable_buffer first_mutable(const Buffers& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
        boost::asio::mutable_buffer b(*it);
        if (b.size() > 0) return b;
    }
    return {};
}

template <class Buffers>
boost::asio::const_buffer first_const(const Buffers& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
        boost::asio::const_buffer b(*it);
        if (b.size() > 0) return b;
    }
    return {};
}

// The composed operation of every asynchronous call: try, wait for the
// socket as OpenSSL asks, try again. `Attempt` is `tls_step(tls_stream&)`;
// `Bytes`: the handler takes (error_code, bytes), else (error_code).
template <class Attempt, bool Bytes>
class io_op;

}  // namespace tls_detail

class tls_stream {
  public:
    using executor_type = boost::asio::ip::tcp::socket::executor_type;
    using next_layer_type = boost::asio::ip::tcp::socket;
    using lowest_layer_type = boost::asio::ip::tcp::socket::lowest_layer_type;
    using handshake_type = boost::asio::ssl::stream_base::handshake_type;

    // A stream whose socket is not open yet (open and connect next_layer(),
    // then handshake). Throws std::bad_alloc when OpenSSL cannot make the SSL.
    tls_stream(const executor_type& ex, boost::asio::ssl::context& ctx);
    // Over a socket already connected (a server's accepted one, a test's).
    tls_stream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& ctx);
    ~tls_stream();
    tls_stream(tls_stream&& other) noexcept;
    tls_stream& operator=(tls_stream&& other) noexcept;
    tls_stream(const tls_stream&) = delete;
    tls_stream& operator=(const tls_stream&) = delete;

    executor_type get_executor() noexcept { return socket_.get_executor(); }
    SSL* native_handle() noexcept { return ssl_.get(); }
    next_layer_type& next_layer() noexcept { return socket_; }
    const next_layer_type& next_layer() const noexcept { return socket_; }
    lowest_layer_type& lowest_layer() noexcept { return socket_.lowest_layer(); }

    // The protocols offered in the handshake, most preferred first ("h2",
    // "http/1.1"); empty offers none. False when one is empty or longer than
    // 255 bytes, or OpenSSL refuses them.
    bool set_alpn(const std::vector<std::string_view>& protocols);
    // The protocol the server selected, or "" (none offered, or none chosen).
    std::string_view alpn_selected() const;

    // Token signature: void(error_code).
    template <class Token>
    auto async_handshake(handshake_type type, Token&& token) {
        prepare(type);
        return start<false>([](tls_stream& s) { return tls_detail::try_handshake(s); },
                            std::forward<Token>(token));
    }
    // Token signature: void(error_code, std::size_t).
    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        const auto b = tls_detail::first_mutable(buffers);
        return start<true>([b](tls_stream& s) { return tls_detail::try_read(s, b); },
                           std::forward<Token>(token));
    }
    // Token signature: void(error_code, std::size_t). Writes (part of) the
    // first non-empty buffer, as ssl::stream does.
    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        const auto b = tls_detail::first_const(buffers);
        return start<true>([b](tls_stream& s) { return tls_detail::try_write(s, b); },
                           std::forward<Token>(token));
    }
    // Sends close_notify and waits for the peer's. A peer that closes the
    // TCP connection instead is no error: the stream is over either way.
    // Token signature: void(error_code).
    template <class Token>
    auto async_shutdown(Token&& token) {
        return start<false>([](tls_stream& s) { return tls_detail::try_shutdown(s); },
                            std::forward<Token>(token));
    }
    // The same, blocking (Beast's synchronous websocket close).
    void shutdown(boost::system::error_code& ec);
    // Sends close_notify if the socket takes it now, waiting for nothing:
    // before closing an idle connection, so the server sees a clean end.
    void send_close_notify() noexcept;

  private:
    struct ssl_free {
        void operator()(SSL* ssl) const noexcept;
    };

    // Gives the SSL a BIO on the socket and sets its role.
    void prepare(handshake_type type);
    // Points the BIO (if any) at socket_, where this object keeps it.
    void bind_socket() noexcept;

    template <bool Bytes, class Attempt, class Token>
    auto start(Attempt attempt, Token&& token) {
        using signature = std::conditional_t<Bytes, void(boost::system::error_code, std::size_t),
                                             void(boost::system::error_code)>;
        return boost::asio::async_compose<Token, signature>(
            tls_detail::io_op<Attempt, Bytes>(*this, std::move(attempt)), token, socket_);
    }

    boost::asio::ip::tcp::socket socket_;
    std::unique_ptr<SSL, ssl_free> ssl_;
};

namespace tls_detail {

template <class Attempt, bool Bytes>
class io_op {
  public:
    io_op(tls_stream& s, Attempt attempt) : s_(s), attempt_(std::move(attempt)) {}

    // First call, and after each wait (ec: the wait's) or the post of an
    // immediate result.
    template <class Self>
    void operator()(Self& self, boost::system::error_code wait_ec = {}) {
        if (posted_) return finish(self);
        if (wait_ec) {
            // The socket was closed (a deadline, close()) or the wait cancelled.
            result_.ec = wait_ec;
            return finish(self);
        }
        auto& socket = s_.next_layer();
        if (!socket.is_open()) {
            // Closed while a successful wait was queued: its descriptor may
            // already belong to another socket, OpenSSL must not touch it.
            result_.ec = boost::asio::error::operation_aborted;
            return finish(self);
        }
        result_ = attempt_(s_);
        using wait = boost::asio::ip::tcp::socket::wait_type;
        switch (result_.want) {
            case tls_want::read:
                waited_ = true;
                return socket.async_wait(wait::wait_read, std::move(self));
            case tls_want::write:
                waited_ = true;
                return socket.async_wait(wait::wait_write, std::move(self));
            case tls_want::nothing:
                break;
        }
        if (waited_) return finish(self);
        // Done at once: the handler still must not run inside the initiating call.
        posted_ = true;
        boost::asio::post(std::move(self));
    }

  private:
    template <class Self>
    void finish(Self& self) {
        if constexpr (Bytes) {
            self.complete(result_.ec, result_.bytes);
        } else {
            self.complete(result_.ec);
        }
    }

    tls_stream& s_;
    Attempt attempt_;
    tls_step result_;
    bool waited_ = false;  // an async_wait ran: completing now is not inside the initiation
    bool posted_ = false;  // the result is ready and was posted to complete
};

// Beast's websocket teardown, as beast/websocket/ssl.hpp has for ssl::stream:
// the TLS shutdown, then the TCP one.
class teardown_op {
  public:
    teardown_op(tls_stream& s, boost::beast::role_type role) : s_(s), role_(role) {}

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}) {
        switch (state_++) {
            case 0:
                self.reset_cancellation_state(boost::asio::enable_total_cancellation());
                return s_.async_shutdown(std::move(self));
            case 1: {
                shutdown_ec_ = ec;
                using boost::beast::websocket::async_teardown;
                return async_teardown(role_, s_.next_layer(), std::move(self));
            }
            default:
                self.complete(shutdown_ec_ ? shutdown_ec_ : ec);
        }
    }

  private:
    tls_stream& s_;
    boost::beast::role_type role_;
    boost::system::error_code shutdown_ec_;
    int state_ = 0;
};

}  // namespace tls_detail

// Found by argument-dependent lookup from beast::websocket::stream<tls_stream>.
void teardown(boost::beast::role_type role, tls_stream& stream, boost::system::error_code& ec);

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, tls_stream& stream, TeardownHandler&& handler) {
    boost::asio::async_compose<TeardownHandler, void(boost::system::error_code)>(
        tls_detail::teardown_op(stream, role), handler, stream);
}

}  // namespace swarm::worker::http
