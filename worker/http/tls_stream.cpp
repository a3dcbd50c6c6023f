#include "worker/http/tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <sys/socket.h>

#include <cerrno>
#include <new>
#include <string>

namespace swarm::worker::http {
namespace {

namespace net = boost::asio;
using error_code = boost::system::error_code;
using tls_detail::tls_step;
using tls_detail::tls_want;

// A BIO on the socket's descriptor: recv and send, never blocking, never
// raising SIGPIPE (OpenSSL's own socket BIO uses write(), which does), and
// nothing buffered: whatever OpenSSL holds is in its record buffers, which
// SSL_MODE_RELEASE_BUFFERS frees between records.
// The BIO's data is the stream's socket (moving the stream re-points it):
// a closed socket reads as -1, so OpenSSL cannot reach a descriptor number
// reused by another connection.
int descriptor_of(BIO* bio) {
    auto* socket = static_cast<net::ip::tcp::socket*>(BIO_get_data(bio));
    return socket != nullptr && socket->is_open() ? socket->native_handle() : -1;
}

bool would_block(int error) {
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

int socket_bio_write(BIO* bio, const char* data, int n) {
    BIO_clear_retry_flags(bio);
    const auto sent = ::send(descriptor_of(bio), data, static_cast<std::size_t>(n), MSG_NOSIGNAL);
    if (sent < 0 && would_block(errno)) BIO_set_retry_write(bio);
    return static_cast<int>(sent);
}

int socket_bio_read(BIO* bio, char* data, int n) {
    BIO_clear_retry_flags(bio);
    const auto got = ::recv(descriptor_of(bio), data, static_cast<std::size_t>(n), 0);
    if (got < 0 && would_block(errno)) BIO_set_retry_read(bio);
    // OpenSSL asks BIO_eof() to tell a TCP close from an error.
    if (got == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
    return static_cast<int>(got);
}

long socket_bio_ctrl(BIO* bio, int cmd, long /*num*/, void* ptr) {
    switch (cmd) {
        case BIO_CTRL_FLUSH:
            return 1;
        case BIO_CTRL_EOF:
            return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
        case BIO_C_GET_FD:  // SSL_get_fd()
            if (ptr != nullptr) *static_cast<int*>(ptr) = descriptor_of(bio);
            return descriptor_of(bio);
        default:
            return 0;
    }
}

BIO_METHOD* socket_bio_method() {
    static BIO_METHOD* const method = [] {
        BIO_METHOD* m = BIO_meth_new(
            BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "swarm socket");
        if (m == nullptr) throw std::bad_alloc();
        BIO_meth_set_write(m, socket_bio_write);
        BIO_meth_set_read(m, socket_bio_read);
        BIO_meth_set_ctrl(m, socket_bio_ctrl);
        return m;
    }();
    return method;
}

// What an OpenSSL call's return value means for the operation, read as
// Asio's ssl::stream reads it (so callers see the same error codes).
// `saved_errno` is errno right after the call.
tls_step outcome(SSL* ssl, int ret, std::size_t bytes, int saved_errno) {
    if (ret > 0) return {tls_want::nothing, {}, bytes};
    switch (SSL_get_error(ssl, ret)) {
        case SSL_ERROR_WANT_READ:
            return {tls_want::read, {}, 0};
        case SSL_ERROR_WANT_WRITE:
            return {tls_want::write, {}, 0};
        case SSL_ERROR_ZERO_RETURN:  // the peer's close_notify
            return {tls_want::nothing, net::error::eof, 0};
        case SSL_ERROR_SYSCALL: {
            if (const auto e = ERR_get_error(); e != 0) {
                return {tls_want::nothing,
                        error_code(static_cast<int>(e), net::error::get_ssl_category()), 0};
            }
            if (saved_errno != 0)
                return {tls_want::nothing,
                        error_code(saved_errno, boost::system::system_category()), 0};
            return {tls_want::nothing, net::ssl::error::stream_truncated, 0};
        }
        default: {
            const auto e = ERR_get_error();
            if (e == 0) return {tls_want::nothing, net::ssl::error::unexpected_result, 0};
            if (ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
                return {tls_want::nothing, net::ssl::error::stream_truncated, 0};
            }
            return {tls_want::nothing,
                    error_code(static_cast<int>(e), net::error::get_ssl_category()), 0};
        }
    }
}

// SSL_get_error() needs this thread's error queue empty before the call.
// Only clear it when it is not: ERR_clear_error() walks all 16 slots of the
// queue (~840 instructions, callgrind), twice per HTTPS request, ~5 % of
// swarm's own work per request; ERR_peek_error() reads the same state that
// SSL_get_error() reads.
void clear_errors() {
    if (ERR_peek_error() != 0) ERR_clear_error();
}

template <class Call>
tls_step attempt(SSL* ssl, std::size_t* bytes, Call call) {
    clear_errors();
    errno = 0;
    const int ret = call();
    const int saved_errno = errno;
    return outcome(ssl, ret, bytes ? *bytes : 0, saved_errno);
}

}  // namespace

namespace tls_detail {

tls_step try_handshake(tls_stream& s) {
    SSL* ssl = s.native_handle();
    return attempt(ssl, nullptr, [ssl] { return SSL_do_handshake(ssl); });
}

tls_step try_read(tls_stream& s, net::mutable_buffer b) {
    if (b.size() == 0) return {};
    SSL* ssl = s.native_handle();
    std::size_t n = 0;
    return attempt(ssl, &n, [&] { return SSL_read_ex(ssl, b.data(), b.size(), &n); });
}

tls_step try_write(tls_stream& s, net::const_buffer b) {
    if (b.size() == 0) return {};
    SSL* ssl = s.native_handle();
    std::size_t n = 0;
    return attempt(ssl, &n, [&] { return SSL_write_ex(ssl, b.data(), b.size(), &n); });
}

tls_step try_shutdown(tls_stream& s) {
    SSL* ssl = s.native_handle();
    for (int round = 0; round < 2; ++round) {
        clear_errors();
        errno = 0;
        const int ret = SSL_shutdown(ssl);
        const int saved_errno = errno;
        if (ret == 1) return {};
        if (ret == 0) continue;  // ours is sent; the second call waits for the peer's
        tls_step step = outcome(ssl, ret, 0, saved_errno);
        // Ours went out and the peer closed the connection (or answered in
        // some other way): nothing more to wait for.
        if (step.want == tls_want::nothing && (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN) != 0) {
            return {};
        }
        return step;
    }
    return {tls_want::read, {}, 0};
}

}  // namespace tls_detail

void tls_stream::ssl_free::operator()(SSL* ssl) const noexcept {
    SSL_free(ssl);
}

tls_stream::tls_stream(const executor_type& ex, net::ssl::context& ctx)
    : tls_stream(net::ip::tcp::socket(ex), ctx) {}

tls_stream::tls_stream(net::ip::tcp::socket socket, net::ssl::context& ctx)
    : socket_(std::move(socket)), ssl_(SSL_new(ctx.native_handle())) {
    if (!ssl_) throw std::bad_alloc();
    // Partial writes as ssl::stream allows them (async_write_some may write
    // part of a buffer); record buffers only while a record is in transit;
    // read_ahead fills the read buffer with whatever the socket holds, one
    // recv per burst rather than two per record (header, then body).
    SSL_set_mode(ssl_.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                 SSL_MODE_RELEASE_BUFFERS);
    SSL_set_read_ahead(ssl_.get(), 1);
}

tls_stream::~tls_stream() = default;

tls_stream::tls_stream(tls_stream&& other) noexcept
    : socket_(std::move(other.socket_)), ssl_(std::move(other.ssl_)) {
    bind_socket();
}

tls_stream& tls_stream::operator=(tls_stream&& other) noexcept {
    socket_ = std::move(other.socket_);
    ssl_ = std::move(other.ssl_);
    bind_socket();
    return *this;
}

void tls_stream::bind_socket() noexcept {
    if (BIO* bio = ssl_ ? SSL_get_rbio(ssl_.get()) : nullptr) BIO_set_data(bio, &socket_);
}

void tls_stream::prepare(handshake_type type) {
    BIO* bio = BIO_new(socket_bio_method());
    if (bio == nullptr) throw std::bad_alloc();
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl_.get(), bio, bio);  // the SSL owns it (one BIO for both directions)
    bind_socket();
    error_code ignored;  // a socket that is not open fails the handshake's first step
    socket_.native_non_blocking(true, ignored);
    if (type == net::ssl::stream_base::client) {
        SSL_set_connect_state(ssl_.get());
    } else {
        SSL_set_accept_state(ssl_.get());
    }
}

bool tls_stream::set_alpn(const std::vector<std::string_view>& protocols) {
    std::string wire;
    for (const auto p : protocols) {
        if (p.empty() || p.size() > 255) return false;
        wire += static_cast<char>(p.size());
        wire += p;
    }
    // 0 is success here, unlike almost everywhere else in OpenSSL.
    return SSL_set_alpn_protos(ssl_.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                               static_cast<unsigned>(wire.size())) == 0;
}

std::string_view tls_stream::alpn_selected() const {
    const unsigned char* data = nullptr;
    unsigned length = 0;
    SSL_get0_alpn_selected(ssl_.get(), &data, &length);
    if (data == nullptr) return {};
    return {reinterpret_cast<const char*>(data), length};
}

void tls_stream::shutdown(error_code& ec) {
    ec = {};
    for (;;) {
        if (!socket_.is_open()) {
            ec = net::error::bad_descriptor;
            return;
        }
        const tls_step step = tls_detail::try_shutdown(*this);
        if (step.want == tls_want::nothing) {
            ec = step.ec;
            return;
        }
        socket_.wait(step.want == tls_want::read ? net::ip::tcp::socket::wait_read
                                                 : net::ip::tcp::socket::wait_write,
                     ec);
        if (ec) return;
    }
}

void tls_stream::send_close_notify() noexcept {
    if (!ssl_ || !socket_.is_open() || !SSL_is_init_finished(ssl_.get())) return;
    // The socket is non-blocking since prepare() and idle, so the alert goes
    // out unless the peer has stopped reading; the peer's is not awaited.
    clear_errors();
    (void)SSL_shutdown(ssl_.get());
    clear_errors();
}

void teardown(boost::beast::role_type role, tls_stream& stream, error_code& ec) {
    stream.shutdown(ec);
    using boost::beast::websocket::teardown;
    error_code tcp_ec;
    teardown(role, stream.next_layer(), ec ? tcp_ec : ec);
}

}  // namespace swarm::worker::http
