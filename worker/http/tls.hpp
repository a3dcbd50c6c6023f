#pragma once
// TLS details of the client kept out of the Beast translation unit: making a
// client context from a class's settings (scenario::tls_spec), what happens
// around a handshake (SNI, the name the certificate must hold, the session
// offered for resumption) and the readable reason of a failed one.
//
// Sessions: by default each user resumes only its own session (a reconnect
// to the same origin), kept in its connection's session_slot; with
// `tls: {resume: true}` the context keeps one session per origin that every
// user of its thread resumes. A context and its sessions belong to one
// worker thread; no locking.

#include <boost/system/error_code.hpp>

#include <memory>
#include <string>

#include "common/scenario/tls_spec.hpp"

using SSL = struct ssl_st;
using SSL_SESSION = struct ssl_session_st;

namespace boost::asio::ssl {
class context;
}

namespace swarm::worker::http {

struct tls_options {
    bool verify = true;   // peer and host name verification (off: a class's `insecure`)
    std::string ca_file;  // extra CAs from a PEM file on this machine; empty: none
    scenario::tls_spec spec;
};

// A client TLS context: TLS 1.2+ (or the spec's versions), the system's CA
// store (plus `ca_file`), the spec's ciphers, and renegotiation refused (a
// server's HelloRequest is answered with a no_renegotiation alert: a load
// test should not pay for handshakes it did not ask for). Releases record
// buffers of idle connections. Throws on an unreadable `ca_file` (a
// boost::system::system_error) or cipher lists OpenSSL refuses (std::runtime_error).
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_options& opts);
std::shared_ptr<boost::asio::ssl::context> make_tls_context(bool verify = true,
                                                            const std::string& ca_file = "");

}  // namespace swarm::worker::http

namespace swarm::worker::http::tls {

// A user's own TLS session for one origin: a reference to an SSL_SESSION
// (8 bytes; while the connection lives it holds the same session, so
// keeping it costs nothing more).
class session_slot {
  public:
    session_slot() = default;
    ~session_slot();
    session_slot(const session_slot&) = delete;
    session_slot& operator=(const session_slot&) = delete;
    void reset(SSL_SESSION* s = nullptr);  // takes the reference
    SSL_SESSION* get() const { return session_; }

  private:
    SSL_SESSION* session_ = nullptr;
};

// Before the client handshake on `ssl`: sends SNI (the URL's `host`, the
// context's `sni:` name, or none), makes verification require the expected
// name, and offers the session to resume (the thread's for `origin` with
// `resume: true`, else the user's own in `own`).
void prepare_handshake(SSL* ssl, const std::string& host, const std::string& origin,
                       session_slot& own);
// After a response: remembers the connection's session (TLS 1.3 tickets
// arrive after the handshake) in `own` or the thread's cache.
void remember_session(SSL* ssl, const std::string& origin, session_slot& own);
// Before a connection's SSL is freed without a close_notify sent: OpenSSL
// would then mark its session not resumable (an SSLv3-era rule that TLS 1.1+
// dropped, RFC 4346 §7.2.1), and a user's reconnect after the server closed
// an idle keep-alive connection would pay a full handshake.
void release(SSL* ssl);
// "certificate verify failed (self-signed certificate)" and the like; a name
// mismatch names `host` (the one asked for) and the names the certificate holds.
// A refused certificate chain over OpenSSL's size limit says so.
std::string handshake_error(SSL* ssl, const boost::system::error_code& ec, const std::string& host);
// Why TLS ended an exchange after the handshake ("TLS: <OpenSSL's reason>",
// naming a renegotiation the server asked for); "" when `ec` is not
// OpenSSL's. Read it before the SSL is freed.
std::string exchange_error(SSL* ssl, const boost::system::error_code& ec);

}  // namespace swarm::worker::http::tls
