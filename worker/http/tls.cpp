#include "worker/http/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>

#include <map>
#include <memory>

#include "common/printable.hpp"

namespace swarm::worker::http {
namespace {

// Sessions by origin, owned by the SSL_CTX (freed with it through ex_data).
struct session_cache {
    static constexpr std::size_t max_origins = 256;
    std::map<std::string, SSL_SESSION*, std::less<>> by_origin;

    ~session_cache() {
        for (auto& [origin, s] : by_origin) SSL_SESSION_free(s);
    }
};

void free_cache(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<session_cache*>(ptr);
}

int cache_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_cache);
    return index;
}

session_cache* cache_of(SSL* ssl) {
    return static_cast<session_cache*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cache_index()));
}

// "DNS:example.com, IP:127.0.0.1" from the subjectAltName of `cert` (the
// subject's CN when it has none), at most a few, each made printable.
std::string certificate_names(X509* cert) {
    constexpr int max_names = 4;
    std::string out;
    int shown = 0, total = 0;
    auto add = [&](const std::string& name) {
        if (shown++ < max_names) out += (out.empty() ? "" : ", ") + name;
        ++total;
    };
    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
        if (n->type == GEN_DNS) {
            const ASN1_STRING* s = n->d.dNSName;
            add("DNS:" + printable({reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                    static_cast<std::size_t>(ASN1_STRING_length(s))}));
        } else if (n->type == GEN_IPADD) {
            const ASN1_OCTET_STRING* ip = n->d.iPAddress;
            char text[64] = {};
            const auto* b = ASN1_STRING_get0_data(ip);
            if (ASN1_STRING_length(ip) == 4) {
                std::snprintf(text, sizeof text, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
            } else {
                std::snprintf(text, sizeof text, "(IPv6)");
            }
            add(std::string("IP:") + text);
        }
    }
    GENERAL_NAMES_free(names);
    if (total == 0) {
        char cn[256] = {};
        const int n =
            X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
        if (n > 0) add("CN=" + printable({cn, static_cast<std::size_t>(n)}));
    }
    if (total > shown) out += " and " + std::to_string(total - shown) + " more";
    return out.empty() ? "none" : out;
}

}  // namespace

std::shared_ptr<boost::asio::ssl::context> make_tls_context(bool verify,
                                                            const std::string& ca_file) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (verify) {
        ctx->set_default_verify_paths();
        if (!ca_file.empty()) ctx->load_verify_file(ca_file);
        ctx->set_verify_mode(ssl::verify_peer);
    } else {
        ctx->set_verify_mode(ssl::verify_none);
    }
    SSL_CTX* native = ctx->native_handle();
    // Idle connections give their 2 × ~17 KiB record buffers back.
    SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_set_ex_data(native, cache_index(), new session_cache);
    return ctx;
}

namespace tls {

void offer_session(SSL* ssl, const std::string& origin) {
    session_cache* cache = cache_of(ssl);
    if (!cache) return;
    const auto it = cache->by_origin.find(origin);
    if (it != cache->by_origin.end()) SSL_set_session(ssl, it->second);
}

void remember_session(SSL* ssl, const std::string& origin) {
    session_cache* cache = cache_of(ssl);
    if (!cache) return;
    SSL_SESSION* session = SSL_get1_session(ssl);
    if (!session) return;
    if (!SSL_SESSION_is_resumable(session)) {
        SSL_SESSION_free(session);
        return;
    }
    auto it = cache->by_origin.find(origin);
    if (it != cache->by_origin.end()) {
        SSL_SESSION_free(it->second);
        it->second = session;
        return;
    }
    // Bounded: a scenario hitting many hosts must not grow it forever.
    if (cache->by_origin.size() >= session_cache::max_origins) {
        SSL_SESSION_free(cache->by_origin.begin()->second);
        cache->by_origin.erase(cache->by_origin.begin());
    }
    cache->by_origin.emplace(origin, session);
}

bool verifies_peer(SSL* ssl) {
    return (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0;
}

void expect_peer_name(SSL* ssl, const std::string& host) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    // An IP literal is matched against IP entries only (RFC 6125), a name against DNS ones.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) SSL_set1_host(ssl, host.c_str());
}

std::string handshake_error(SSL* ssl, const boost::system::error_code& ec,
                            const std::string& host) {
    std::string reason = printable(ec.message());
    // OpenSSL appends its library name ("(SSL routines)"): noise in a report.
    if (const auto paren = reason.find(" ("); paren != std::string::npos) reason.resize(paren);
    const long verify = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        // The chain is kept even when verification failed; its first is the server's.
        STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
        X509* cert = chain && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : nullptr;
        return std::string("certificate verify failed (") +
               (verify == X509_V_ERR_HOSTNAME_MISMATCH ? "hostname" : "IP address") +
               " mismatch: '" + printable(host) + "' is not among the certificate's names: " +
               (cert ? certificate_names(cert) : "unknown") + ")";
    }
    if (verify != X509_V_OK) {
        reason = "certificate verify failed (" +
                 std::string(X509_verify_cert_error_string(verify)) + ")";
    }
    return reason;
}

}  // namespace tls
}  // namespace swarm::worker::http
