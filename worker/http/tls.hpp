#pragma once
// TLS details of the client kept out of the Beast translation unit: the
// per-context cache of TLS sessions (so a user's reconnect, or another user
// of the same thread, resumes instead of doing a full handshake) and the
// readable reason of a failed handshake.
//
// A context and its cache belong to one worker thread; no locking.

#include <boost/system/error_code.hpp>

#include <memory>
#include <string>

using SSL = struct ssl_st;

namespace boost::asio::ssl {
class context;
}

namespace swarm::worker::http {

// A client TLS context: TLS 1.2+, the system's CA store (plus `ca_file` when
// not empty), and peer + host name verification unless `verify` is false
// (a user class's `insecure`). Clients add SNI per connection. Keeps a small
// per-context cache of TLS sessions by origin so reconnects resume them.
// Throws on an unreadable `ca_file`.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(bool verify = true,
                                                            const std::string& ca_file = "");

}  // namespace swarm::worker::http

namespace swarm::worker::http::tls {

// Offers the cached session for `origin` (if any) on a connection about to handshake.
void offer_session(SSL* ssl, const std::string& origin);
// Remembers the connection's session for `origin` (call after a response:
// TLS 1.3 tickets arrive after the handshake).
void remember_session(SSL* ssl, const std::string& origin);
// Whether the connection's context verifies peers (clients then check the host name too).
bool verifies_peer(SSL* ssl);
// Makes OpenSSL's verification require that the certificate names `host` (a
// DNS name, or an IP literal without brackets): a mismatch then fails with
// its own reason rather than an unspecified one.
void expect_peer_name(SSL* ssl, const std::string& host);
// "certificate verify failed (self-signed certificate)" and the like; a name
// mismatch names `host` (the one asked for) and the names the certificate holds.
std::string handshake_error(SSL* ssl, const boost::system::error_code& ec, const std::string& host);

}  // namespace swarm::worker::http::tls
