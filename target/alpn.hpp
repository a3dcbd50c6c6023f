#pragma once
// ALPN for `swarm target` over TLS: the server offers "h2" and "http/1.1" and
// picks h2 whenever the client offers it (a client offering neither, or no
// ALPN at all, gets HTTP/1.1 as before). Plain OpenSSL, no Asio.

#include <openssl/ssl.h>

#include <span>
#include <string_view>

namespace swarm::target {

// The protocol to answer a client's ALPN list (wire format: length-prefixed
// names): "h2" if offered, else "http/1.1" if offered, else empty (no ALPN).
// The view points into `offered`, as OpenSSL's selection callback needs.
std::string_view choose_alpn(std::span<const unsigned char> offered);

// Installs the selection above on `ctx` (the server's context, before any handshake).
void offer_alpn(SSL_CTX* ctx);

// Whether the handshake of `ssl` negotiated "h2".
bool negotiated_h2(const SSL* ssl);

}  // namespace swarm::target
