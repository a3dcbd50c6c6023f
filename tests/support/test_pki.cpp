#include "tests/support/test_pki.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace swarm::test {

test_pki::test_pki() {
    std::string pattern = ::testing::TempDir() + "/swarm-pki-XXXXXX";
    if (!mkdtemp(pattern.data())) throw std::runtime_error("test_pki: cannot create " + pattern);
    dir = pattern;
    ca_pem = dir + "/ca.pem";
    server_pem = dir + "/server.pem";
    server_key = dir + "/server.key";
    // EC keys: fast to make, even under ASan.
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes ";
    const std::string script =
        "cd '" + dir + "' && openssl req -x509 " + ec +
        "-keyout ca.key -out ca.pem -days 2 -subj '/CN=swarm test CA' && "
        "openssl req " +
        ec +
        "-keyout server.key -out server.csr -subj '/CN=127.0.0.1' && "
        "printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n' > ext.cnf && "
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
        "-out server.pem -days 2 -extfile ext.cnf";
    if (std::system(("(" + script + ") >/dev/null 2>&1").c_str()) != 0) {
        throw std::runtime_error("test_pki: openssl failed: " + script);
    }
}

test_pki::~test_pki() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

}  // namespace swarm::test
