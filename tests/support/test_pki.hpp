#pragma once
// Certificates for TLS tests, made by the `openssl` CLI in a fresh temporary
// directory: a CA, and a server certificate it signed for 127.0.0.1 (IP SAN),
// so `swarm target --tls-cert/--tls-key` can serve https that verifies only
// with the CA. The directory is removed when the value is destroyed.

#include <string>

namespace swarm::test {

struct test_pki {
    // Throws std::runtime_error (with the command) when openssl fails.
    test_pki();
    ~test_pki();
    test_pki(const test_pki&) = delete;
    test_pki& operator=(const test_pki&) = delete;

    std::string dir;         // the temporary directory holding the files below
    std::string ca_pem;      // dir + "/ca.pem": the CA certificate
    std::string server_pem;  // dir + "/server.pem": CN and IP SAN 127.0.0.1, signed by the CA
    std::string server_key;  // dir + "/server.key"
};

}  // namespace swarm::test
