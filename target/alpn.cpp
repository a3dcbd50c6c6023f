#include "target/alpn.hpp"

namespace swarm::target {
namespace {

int select_alpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen,
                const unsigned char* in, unsigned int inlen, void* /*arg*/) {
    const std::string_view chosen = choose_alpn({in, inlen});
    if (chosen.empty()) return SSL_TLSEXT_ERR_NOACK;
    *out = reinterpret_cast<const unsigned char*>(chosen.data());
    *outlen = static_cast<unsigned char>(chosen.size());
    return SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::string_view choose_alpn(std::span<const unsigned char> offered) {
    std::string_view http11;
    for (std::size_t i = 0; i < offered.size();) {
        const std::size_t len = offered[i];
        if (len == 0 || i + 1 + len > offered.size()) return {};  // malformed list
        const std::string_view name(reinterpret_cast<const char*>(&offered[i + 1]), len);
        if (name == "h2") return "h2";
        if (name == "http/1.1") http11 = name;
        i += 1 + len;
    }
    return http11;
}

void offer_alpn(SSL_CTX* ctx) {
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
}

bool negotiated_h2(const SSL* ssl) {
    const unsigned char* name = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl, &name, &len);
    return std::string_view(reinterpret_cast<const char*>(name), name ? len : 0) == "h2";
}

}  // namespace swarm::target
