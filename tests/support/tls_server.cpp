#include "tests/support/tls_server.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <csignal>
#include <memory>
#include <stdexcept>

namespace swarm::test {
namespace {

using key_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using cert_ptr = std::unique_ptr<X509, decltype(&X509_free)>;

void add_extension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
    if (!ext) throw std::runtime_error("test certificate: cannot make extension " + value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// Self-signed for 127.0.0.1, with `padding` bytes of comment (0: none).
cert_ptr make_certificate(EVP_PKEY* key, std::size_t padding) {
    cert_ptr cert(X509_new(), &X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key);
    add_extension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1");
    if (padding > 0) add_extension(cert.get(), NID_netscape_comment, std::string(padding, 'p'));
    if (X509_sign(cert.get(), key, nullptr) <= 0)
        throw std::runtime_error("test certificate: cannot sign");
    return cert;
}

std::size_t der_bytes(X509* cert) {
    return static_cast<std::size_t>(i2d_X509(cert, nullptr));
}

}  // namespace

tls_server_context::tls_server_context(const tls_server_options& opts) {
    // OpenSSL writes to the socket with write(): a client that already
    // closed would kill the test with SIGPIPE instead of failing the write.
    std::signal(SIGPIPE, SIG_IGN);
    key_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), &EVP_PKEY_free);
    if (!key) throw std::runtime_error("test certificate: cannot make an Ed25519 key");
    cert_ptr cert = make_certificate(key.get(), 0);
    if (opts.certificate_bytes > 0) {
        // Each padding byte adds one DER byte once the lengths' own sizes
        // settle: a few rounds reach the exact size.
        std::size_t padding = 1;
        for (int round = 0; round < 8; ++round) {
            cert = make_certificate(key.get(), padding);
            const auto have = der_bytes(cert.get());
            if (have == opts.certificate_bytes) break;
            if (have > opts.certificate_bytes && padding <= have - opts.certificate_bytes)
                throw std::runtime_error("test certificate: cannot be that small");
            padding = padding + opts.certificate_bytes - have;
        }
        if (der_bytes(cert.get()) != opts.certificate_bytes)
            throw std::runtime_error("test certificate: cannot reach the exact size");
    }
    certificate_bytes_ = der_bytes(cert.get());
    ctx_ = SSL_CTX_new(TLS_server_method());
    if (!ctx_ || SSL_CTX_use_certificate(ctx_, cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx_, key.get()) != 1) {
        throw std::runtime_error("test TLS server: OpenSSL refused the certificate");
    }
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    if (opts.max_version) SSL_CTX_set_max_proto_version(ctx_, opts.max_version);
    // Sessions resumable both ways: a TLS 1.2 session ID cache, and tickets.
    SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_SERVER);
    static const unsigned char id[] = "swarm-test";
    SSL_CTX_set_session_id_context(ctx_, id, sizeof id - 1);
}

tls_server_context::~tls_server_context() {
    SSL_CTX_free(ctx_);
}

tls_server_connection::tls_server_connection(hostile_connection& c, const tls_server_context& ctx)
    : ssl_(SSL_new(ctx.get())) {
    SSL_set_fd(ssl_, static_cast<int>(c.socket().native_handle()));
}

tls_server_connection::~tls_server_connection() {
    SSL_free(ssl_);
}

bool tls_server_connection::handshake(tls_handshake_counts& counts) {
    if (SSL_accept(ssl_) != 1) {
        ++counts.failed;
        return false;
    }
    ++(SSL_session_reused(ssl_) ? counts.resumed : counts.full);
    return true;
}

bool tls_server_connection::read_request() {
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
        const int n = SSL_read(ssl_, buf, sizeof buf);
        if (n <= 0 || head.size() > (1u << 20)) return false;
        head.append(buf, static_cast<std::size_t>(n));
    }
    return true;
}

bool tls_server_connection::send(const std::string& bytes) {
    return bytes.empty() || SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) > 0;
}

void tls_server_connection::close_notify() {
    SSL_shutdown(ssl_);
}

bool stall_mid_handshake(hostile_connection& c, const tls_server_context& ctx) {
    SSL* ssl = SSL_new(ctx.get());
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl, in, out);
    char buf[16 * 1024];
    boost::system::error_code ec;
    while (BIO_ctrl_pending(out) == 0 && !ec) {
        const auto n = c.socket().read_some(boost::asio::buffer(buf), ec);
        BIO_write(in, buf, static_cast<int>(n));
        SSL_accept(ssl);
    }
    const int n = BIO_read(out, buf, static_cast<int>(sizeof buf));
    const bool sent = n > 1 && c.send(std::string(buf, static_cast<std::size_t>(n / 2)));
    SSL_free(ssl);
    return sent;
}

std::string https_url(const hostile_server& server, const std::string& path) {
    return "https://127.0.0.1:" + std::to_string(server.port_number()) + path;
}

std::string http_response(const std::string& body, bool close) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
           (close ? "Connection: close\r\n" : "") + "\r\n" + body;
}

}  // namespace swarm::test
