#pragma once
// `tls:` — a user class's TLS settings (README "TLS settings"): whether its
// users share TLS sessions, the protocol versions, cipher lists and the SNI
// name. Compiled and checked by load_tls (OpenSSL is asked about cipher names
// at load, so a typo is a scenario error with file:line:col); applied by the
// worker's TLS contexts (worker/runtime/tls_profiles), one context per thread
// for each distinct setting. A plain value; any thread.

#include <optional>
#include <string>

namespace swarm::scenario {

struct tls_spec {
    // Versions as on the wire (TLS1_2_VERSION, TLS1_3_VERSION); 0: OpenSSL's bound.
    static constexpr int tls_1_2 = 0x0303;
    static constexpr int tls_1_3 = 0x0304;

    // true: a thread's users resume each other's sessions (one full handshake
    // per origin and thread); false: each user makes its own full handshake,
    // then resumes only its own session, as distinct browsers would.
    bool resume = false;
    int min_version = 0;       // 0: TLS 1.2 (older versions are never offered)
    int max_version = 0;       // 0: the highest OpenSSL supports (1.3)
    std::string ciphers;       // TLS <= 1.2 cipher list, OpenSSL syntax; empty: OpenSSL's
    std::string ciphersuites;  // TLS 1.3 suites, ':'-separated; empty: OpenSSL's
    // nullopt: SNI is the URL's host (none for an IP literal); "": no SNI at
    // all; else this name is sent, and the certificate must hold it.
    std::optional<std::string> sni;

    bool operator==(const tls_spec&) const = default;
};

// "1.2" / "1.3" for a version above; "" for 0.
std::string tls_version_name(int version);

// One line for `swarm check`: "resume, 1.2-1.3, ciphers 'X', sni 'name'";
// "" when every setting is the default.
std::string describe_tls(const tls_spec& s);

}  // namespace swarm::scenario
