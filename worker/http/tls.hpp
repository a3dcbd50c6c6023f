#pragma once
// TLS details of the client kept out of the Beast translation unit: the
// per-context cache of TLS sessions (so a user's reconnect, or another user
// of the same thread, resumes instead of doing a full handshake) and the
// readable reason of a failed handshake.
//
// A context and its cache belong to one worker thread; no locking.

#include <boost/system/error_code.hpp>

#include <string>

typedef struct ssl_st SSL;

namespace swarm::worker::http::tls {

// Offers the cached session for `origin` (if any) on a connection about to handshake.
void offer_session(SSL* ssl, const std::string& origin);
// Remembers the connection's session for `origin` (call after a response:
// TLS 1.3 tickets arrive after the handshake).
void remember_session(SSL* ssl, const std::string& origin);
// Whether the connection's context verifies peers (clients then check the host name too).
bool verifies_peer(SSL* ssl);
// "certificate verify failed (self-signed certificate)" and the like.
std::string handshake_error(SSL* ssl, const boost::system::error_code& ec);

}  // namespace swarm::worker::http::tls
