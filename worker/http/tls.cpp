#include "worker/http/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>

#include <arpa/inet.h>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>

#include "common/printable.hpp"

namespace swarm::worker::http {
namespace {

// What a context adds to OpenSSL's: the class's SNI choice and, with
// `resume: true`, the thread's sessions by origin. Owned by the SSL_CTX
// (freed with it through ex_data).
struct context_state {
    static constexpr std::size_t max_origins = 256;
    std::optional<std::string> sni;                              // tls_spec::sni
    bool share_sessions = false;                                 // tls_spec::resume
    std::map<std::string, SSL_SESSION*, std::less<>> by_origin;  // when sharing

    context_state() = default;
    context_state(const context_state&) = delete;
    context_state& operator=(const context_state&) = delete;
    ~context_state() {
        for (auto& [origin, s] : by_origin) SSL_SESSION_free(s);
    }
};

void free_state(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<context_state*>(ptr);
}

int state_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_state);
    return index;
}

context_state* state_of(SSL* ssl) {
    return static_cast<context_state*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), state_index()));
}

// Marks (in the SSL's ex_data) a connection whose server sent a TLS 1.2
// HelloRequest: the failure that follows our refusal can then say why.
int hello_request_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

void on_message(int write_p, int, int content_type, const void* buf, std::size_t len, SSL* ssl,
                void*) {
    if (write_p || content_type != SSL3_RT_HANDSHAKE || len == 0) return;
    if (static_cast<const unsigned char*>(buf)[0] == SSL3_MT_HELLO_REQUEST) {
        static char marker = 1;
        SSL_set_ex_data(ssl, hello_request_index(), &marker);
    }
}

// A session worth offering again: complete, and (TLS 1.3) with a ticket.
SSL_SESSION* resumable_session(SSL* ssl) {
    SSL_SESSION* session = SSL_get1_session(ssl);
    if (session && !SSL_SESSION_is_resumable(session)) {
        SSL_SESSION_free(session);
        return nullptr;
    }
    return session;
}

void share_session(context_state& state, const std::string& origin, SSL_SESSION* session) {
    auto it = state.by_origin.find(origin);
    if (it != state.by_origin.end()) {
        SSL_SESSION_free(it->second);
        it->second = session;
        return;
    }
    // Bounded: a scenario hitting many hosts must not grow it forever.
    if (state.by_origin.size() >= context_state::max_origins) {
        SSL_SESSION_free(state.by_origin.begin()->second);
        state.by_origin.erase(state.by_origin.begin());
    }
    state.by_origin.emplace(origin, session);
}

bool is_ip_literal(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

void throw_openssl(const std::string& what) {
    throw std::runtime_error("TLS " + what + ": OpenSSL refused it");
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

std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_options& opts) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                     ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (opts.verify) {
        ctx->set_default_verify_paths();
        if (!opts.ca_file.empty()) ctx->load_verify_file(opts.ca_file);
        ctx->set_verify_mode(ssl::verify_peer);
    } else {
        ctx->set_verify_mode(ssl::verify_none);
    }
    SSL_CTX* native = ctx->native_handle();
    const auto& spec = opts.spec;
    if (spec.min_version && SSL_CTX_set_min_proto_version(native, spec.min_version) != 1)
        throw_openssl("min_version");
    if (spec.max_version && SSL_CTX_set_max_proto_version(native, spec.max_version) != 1)
        throw_openssl("max_version");
    if (!spec.ciphers.empty() && SSL_CTX_set_cipher_list(native, spec.ciphers.c_str()) != 1)
        throw_openssl("ciphers '" + spec.ciphers + "'");
    if (!spec.ciphersuites.empty() &&
        SSL_CTX_set_ciphersuites(native, spec.ciphersuites.c_str()) != 1)
        throw_openssl("ciphersuites '" + spec.ciphersuites + "'");
    // A server's HelloRequest gets a no_renegotiation alert, never a new handshake.
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
    // A server that closes an idle keep-alive connection without close_notify
    // (many do) is a close, not a fatal error: OpenSSL would otherwise mark
    // the session unresumable and the user's reconnect would need a full
    // handshake. A body cut short is still caught by HTTP's own framing
    // (Content-Length, chunked): the response is incomplete, errc::closed.
    SSL_CTX_set_options(native, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_msg_callback(native, on_message);
    // Idle connections give their 2 × ~17 KiB record buffers back.
    SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    auto state = std::make_unique<context_state>();
    state->sni = spec.sni;
    state->share_sessions = spec.resume;
    SSL_CTX_set_ex_data(native, state_index(), state.release());
    return ctx;
}

std::shared_ptr<boost::asio::ssl::context> make_tls_context(bool verify,
                                                            const std::string& ca_file) {
    return make_tls_context(tls_options{verify, ca_file, {}});
}

namespace tls {

session_slot::~session_slot() {
    SSL_SESSION_free(session_);
}

void session_slot::reset(SSL_SESSION* s) {
    SSL_SESSION_free(session_);
    session_ = s;
}

void prepare_handshake(SSL* ssl, const std::string& host, const std::string& origin,
                       session_slot& own) {
    const context_state* state = state_of(ssl);
    // The name the server is asked for is the one its certificate must hold.
    std::string name = host;
    if (state && state->sni && !state->sni->empty()) name = *state->sni;
    const bool send_sni = !(state && state->sni && state->sni->empty());
    // SNI is for names only (RFC 6066 forbids IP literals).
    if (send_sni && !is_ip_literal(name)) SSL_set_tlsext_host_name(ssl, name.c_str());
    if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        // An IP literal is matched against IP entries only (RFC 6125), a name against DNS ones.
        if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1)
            SSL_set1_host(ssl, name.c_str());
    }
    if (state && state->share_sessions) {
        const auto it = state->by_origin.find(origin);
        if (it == state->by_origin.end()) return;
        // A copy: OpenSSL may update the session a connection resumes, and
        // a shared one may be in use by several connections at once.
        SSL_SESSION* copy = SSL_SESSION_dup(it->second);
        if (copy) SSL_set_session(ssl, copy);
        SSL_SESSION_free(copy);
        return;
    }
    if (own.get()) SSL_set_session(ssl, own.get());
}

void remember_session(SSL* ssl, const std::string& origin, session_slot& own) {
    context_state* state = state_of(ssl);
    SSL_SESSION* session = resumable_session(ssl);
    if (!session) return;
    if (state && state->share_sessions) {
        share_session(*state, origin, session);
    } else {
        own.reset(session);
    }
}

void release(SSL* ssl) {
    if (ssl && SSL_is_init_finished(ssl)) {
        SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_SENT_SHUTDOWN);
    }
}

std::string handshake_error(SSL* ssl, const boost::system::error_code& ec,
                            const std::string& host) {
    std::string reason = printable(ec.message());
    // OpenSSL appends its library name ("(SSL routines)"): noise in a report.
    if (const auto paren = reason.find(" ("); paren != std::string::npos) reason.resize(paren);
    const long verify = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        // With `sni: NAME` that name is the one the certificate had to hold.
        const context_state* state = state_of(ssl);
        const std::string& asked = state && state->sni && !state->sni->empty() ? *state->sni : host;
        // The chain is kept even when verification failed; its first is the server's.
        STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
        X509* cert = chain && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : nullptr;
        return std::string("certificate verify failed (") +
               (verify == X509_V_ERR_HOSTNAME_MISMATCH ? "hostname" : "IP address") +
               " mismatch: '" + printable(asked) + "' is not among the certificate's names: " +
               (cert ? certificate_names(cert) : "unknown") + ")";
    }
    if (verify != X509_V_OK) {
        reason = "certificate verify failed (" +
                 std::string(X509_verify_cert_error_string(verify)) + ")";
    }
    // The Certificate message is bounded by max_cert_list (100 KiB by default).
    if (ssl && ec.category() == boost::asio::error::get_ssl_category() &&
        ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_EXCESSIVE_MESSAGE_SIZE &&
        SSL_get_state(ssl) == TLS_ST_CR_CERT) {
        reason = "the server's certificate chain is over the client's limit of " +
                 std::to_string(SSL_get_max_cert_list(ssl) / 1024) + " KiB (" + reason + ")";
    }
    return reason;
}

std::string exchange_error(SSL* ssl, const boost::system::error_code& ec) {
    if (!ssl || ec.category() != boost::asio::error::get_ssl_category()) return "";
    std::string reason = printable(ec.message());
    if (const auto paren = reason.find(" ("); paren != std::string::npos) reason.resize(paren);
    if (SSL_get_ex_data(ssl, hello_request_index()) != nullptr) {
        return "TLS: the server asked to renegotiate, which swarm refuses (" + reason + ")";
    }
    return "TLS: " + reason;
}

}  // namespace tls
}  // namespace swarm::worker::http
