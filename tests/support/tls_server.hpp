#pragma once
// OpenSSL's server side for TLS tests, run by a hostile_server behaviour on
// its accepted socket (blocking, one thread per connection): a self-signed
// Ed25519 certificate for 127.0.0.1 made in memory, optionally padded to an
// exact DER size (Ed25519 signatures have a fixed length, so the size is
// exact), and counters of full and resumed handshakes so a test can compare
// what the client did with what the server saw.
//
// A tls_server_context is made by the test thread and then only read (the
// SSL_CTX is thread-safe for making SSLs); counters are atomic.

#include <atomic>
#include <cstddef>
#include <string>

#include "tests/support/hostile_server.hpp"

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace swarm::test {

struct tls_server_options {
    std::size_t certificate_bytes = 0;  // exact DER size of the certificate; 0: as small as it is
    int max_version = 0;                // TLS1_2_VERSION to force TLS 1.2; 0: up to 1.3
};

struct tls_handshake_counts {
    std::atomic<int> full{0};
    std::atomic<int> resumed{0};
    std::atomic<int> failed{0};
};

class tls_server_context {
  public:
    // Throws std::runtime_error when OpenSSL cannot make the key or certificate.
    explicit tls_server_context(const tls_server_options& opts = {});
    ~tls_server_context();
    tls_server_context(const tls_server_context&) = delete;
    tls_server_context& operator=(const tls_server_context&) = delete;

    SSL_CTX* get() const { return ctx_; }
    std::size_t certificate_bytes() const { return certificate_bytes_; }  // DER

  private:
    SSL_CTX* ctx_ = nullptr;
    std::size_t certificate_bytes_ = 0;
};

// One server-side TLS connection over a hostile_connection's socket.
class tls_server_connection {
  public:
    tls_server_connection(hostile_connection& c, const tls_server_context& ctx);
    ~tls_server_connection();  // frees the SSL (the behaviour's return closes the socket)
    tls_server_connection(const tls_server_connection&) = delete;
    tls_server_connection& operator=(const tls_server_connection&) = delete;

    // SSL_accept; counts the handshake as full, resumed or failed.
    bool handshake(tls_handshake_counts& counts);
    // Reads one request head (no bodies); false when the peer closed or failed.
    bool read_request();
    bool send(const std::string& bytes);
    // Sends close_notify (the TCP connection stays open until the behaviour returns).
    void close_notify();
    SSL* ssl() { return ssl_; }

  private:
    SSL* ssl_ = nullptr;
};

// A server that stalls mid-handshake: reads the ClientHello, sends half of
// its first flight and returns (the caller then holds the connection as long
// as it likes). False when the client went away first.
bool stall_mid_handshake(hostile_connection& c, const tls_server_context& ctx);

// "https://127.0.0.1:PORT/..." of a hostile_server whose behaviour speaks TLS.
std::string https_url(const hostile_server& server, const std::string& path = "/");

// A short HTTP/1.1 response with `body`; `close`: with Connection: close.
std::string http_response(const std::string& body, bool close = false);

}  // namespace swarm::test
