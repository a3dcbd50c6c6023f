// `tls:` of a user class (tls_spec.hpp). Cipher names are checked by asking
// OpenSSL (the same library the worker will hand them to), one entry at a
// time, so the error names the entry it does not know rather than saying the
// whole list "selects no cipher" or, worse, silently dropping the unknown one.

#include <openssl/ssl.h>

#include <arpa/inet.h>

#include <memory>
#include <vector>

#include "common/scenario/load_context.hpp"
#include "common/scenario/tls_spec.hpp"

namespace swarm::scenario {
namespace {

using detail::load_context;
using ctx_ptr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

ctx_ptr probe_context() {
    return {SSL_CTX_new(TLS_client_method()), &SSL_CTX_free};
}

// OpenSSL's separators: ':' normally, ',' and ' ' too (ciphers(1)).
std::vector<std::string> split_list(const std::string& list, std::string_view separators) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        auto end = list.find_first_of(separators, start);
        if (end == std::string::npos) end = list.size();
        if (end > start) out.push_back(list.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// "" when OpenSSL takes `list` (TLS <= 1.2 syntax), else what is wrong.
std::string check_ciphers(const std::string& list) {
    const auto probe = probe_context();
    if (!probe) return "OpenSSL cannot make a context to check it";
    for (auto entry : split_list(list, ": ,")) {
        if (entry.front() == '@') continue;  // @STRENGTH, @SECLEVEL=n: directives
        if (entry.front() == '!' || entry.front() == '-' || entry.front() == '+') {
            entry.erase(0, 1);
        }
        if (entry.empty() || SSL_CTX_set_cipher_list(probe.get(), entry.c_str()) != 1) {
            return "OpenSSL knows no cipher '" + entry +
                   "' (see `openssl ciphers -v` for names; TLS 1.3 suites go in `ciphersuites:`)";
        }
    }
    if (SSL_CTX_set_cipher_list(probe.get(), list.c_str()) != 1) return "selects no cipher";
    return "";
}

// How many TLS 1.3 suites `ctx` would offer.
int tls13_suites(SSL_CTX* ctx) {
    int n = 0;
    STACK_OF(SSL_CIPHER)* all = SSL_CTX_get_ciphers(ctx);
    for (int i = 0; all && i < sk_SSL_CIPHER_num(all); ++i) {
        if (std::string_view(SSL_CIPHER_get_version(sk_SSL_CIPHER_value(all, i))) == "TLSv1.3") ++n;
    }
    return n;
}

// "" when every entry of `list` is a TLS 1.3 suite OpenSSL has, else what is wrong.
// (OpenSSL itself skips unknown names without a word.)
std::string check_ciphersuites(const std::string& list) {
    const auto probe = probe_context();
    if (!probe) return "OpenSSL cannot make a context to check it";
    const auto entries = split_list(list, ":");
    if (entries.empty()) return "expected TLS 1.3 suite names, such as TLS_AES_128_GCM_SHA256";
    for (const auto& entry : entries) {
        if (SSL_CTX_set_ciphersuites(probe.get(), entry.c_str()) != 1 ||
            tls13_suites(probe.get()) == 0) {
            return "OpenSSL knows no TLS 1.3 suite '" + entry +
                   "' (such as TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, "
                   "TLS_CHACHA20_POLY1305_SHA256)";
        }
    }
    return "";
}

std::optional<int> tls_version(load_context& ctx, const YAML::Node& n, const std::string& path) {
    const auto text = ctx.string(n, path);
    if (!text) return std::nullopt;
    if (*text == "1.2") return tls_spec::tls_1_2;
    if (*text == "1.3") return tls_spec::tls_1_3;
    if (*text == "1" || *text == "1.0" || *text == "1.1") {
        ctx.error(
            n, path,
            "TLS " + *text + " is not offered (deprecated, RFC 8996); use \"1.2\" or \"1.3\"");
    } else {
        ctx.error(n, path, "expected \"1.2\" or \"1.3\", got '" + *text + "'");
    }
    return std::nullopt;
}

bool is_ip_literal(const std::string& s) {
    unsigned char buf[16];
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool is_host_name(const std::string& s) {
    if (s.empty() || s.size() > 253 || s.front() == '.' || s.front() == '-') return false;
    for (const char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
        if (!ok) return false;
    }
    return true;
}

std::optional<std::string> server_name(load_context& ctx, const YAML::Node& n,
                                       const std::string& path) {
    bool flag = true;
    if (n.IsScalar() && YAML::convert<bool>::decode(n, flag)) {
        if (!flag) return std::string();  // `sni: false`: none sent
        ctx.error(n, path, "expected a host name to send, or false to send none");
        return std::nullopt;
    }
    auto name = ctx.string(n, path);
    if (!name) return std::nullopt;
    if (is_ip_literal(*name)) {
        ctx.error(n, path,
                  "'" + *name + "' is an IP address; SNI carries host names only (RFC 6066)");
    } else if (!is_host_name(*name)) {
        ctx.error(n, path, "'" + *name + "' is not a host name (letters, digits, '-' and '.')");
    } else {
        return name;
    }
    return std::nullopt;
}

}  // namespace

std::string tls_version_name(int version) {
    if (version == tls_spec::tls_1_2) return "1.2";
    if (version == tls_spec::tls_1_3) return "1.3";
    return "";
}

std::string describe_tls(const tls_spec& s) {
    std::string out;
    auto add = [&out](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
    if (s.resume) add("resume across users");
    if (s.min_version || s.max_version) {
        const auto low = tls_version_name(s.min_version ? s.min_version : tls_spec::tls_1_2);
        const auto high = tls_version_name(s.max_version ? s.max_version : tls_spec::tls_1_3);
        add("TLS " + (low == high ? low + " only" : low + "-" + high));
    }
    if (!s.ciphers.empty()) add("ciphers '" + s.ciphers + "'");
    if (!s.ciphersuites.empty()) add("ciphersuites '" + s.ciphersuites + "'");
    if (s.sni) add(s.sni->empty() ? std::string("no SNI") : "SNI '" + *s.sni + "'");
    return out;
}

namespace detail {

void load_tls(load_context& ctx, const YAML::Node& n, const std::string& path, tls_spec& out) {
    if (!ctx.expect_map(n, path, "a map of TLS settings (resume, min_version, ...)")) return;
    ctx.check_keys(n, path,
                   {"resume", "min_version", "max_version", "ciphers", "ciphersuites", "sni"});
    if (n["resume"])
        out.resume = ctx.boolean(n["resume"], join_path(path, "resume")).value_or(false);
    if (n["min_version"])
        out.min_version =
            tls_version(ctx, n["min_version"], join_path(path, "min_version")).value_or(0);
    if (n["max_version"])
        out.max_version =
            tls_version(ctx, n["max_version"], join_path(path, "max_version")).value_or(0);
    if (out.min_version && out.max_version && out.min_version > out.max_version) {
        ctx.error(n["max_version"], join_path(path, "max_version"),
                  "is below min_version " + tls_version_name(out.min_version));
    }
    for (const auto* key : {"ciphers", "ciphersuites"}) {
        if (!n[key]) continue;
        const auto key_path = join_path(path, key);
        auto list = ctx.string(n[key], key_path);
        if (!list) continue;
        if (list->empty()) {
            ctx.error(n[key], key_path, "expected a list of names (or leave the key out)");
            continue;
        }
        const bool suites = std::string_view(key) == "ciphersuites";
        const auto problem = suites ? check_ciphersuites(*list) : check_ciphers(*list);
        if (!problem.empty()) {
            ctx.error(n[key], key_path, problem);
            continue;
        }
        (suites ? out.ciphersuites : out.ciphers) = std::move(*list);
    }
    if (!out.ciphers.empty() && out.min_version == tls_spec::tls_1_3) {
        ctx.warning(n["ciphers"], join_path(path, "ciphers"),
                    "applies to TLS 1.2 and below only, and min_version is 1.3: it has no effect");
    }
    if (!out.ciphersuites.empty() && out.max_version == tls_spec::tls_1_2) {
        ctx.warning(n["ciphersuites"], join_path(path, "ciphersuites"),
                    "applies to TLS 1.3 only, and max_version is 1.2: it has no effect");
    }
    if (n["sni"]) out.sni = server_name(ctx, n["sni"], join_path(path, "sni"));
}

}  // namespace detail
}  // namespace swarm::scenario
