#pragma once
// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key (RFC 6455 §4.2.2):
// what a hand-written test server (and the WebSocket fuzzer's) answers the
// upgrade with. Header-only, so the fuzz targets need no test library.

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstddef>
#include <string>

namespace swarm::test {

inline std::string websocket_accept(const std::string& key) {
    const std::string text = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    unsigned char out[64] = {};
    const int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
    return {reinterpret_cast<const char*>(out), static_cast<std::size_t>(n)};
}

}  // namespace swarm::test
