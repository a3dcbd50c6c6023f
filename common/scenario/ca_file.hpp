#pragma once
// `ca_file:` — extra CA certificates (PEM) a user class trusts for https.
// The master reads the file next to the scenario into the bundle (like data
// files), so a worker on another machine gets the bytes, not a path; the
// worker hands them to OpenSSL in memory.
//
// common/ does not link OpenSSL: the check here is structural (PEM armour,
// base64, a DER SEQUENCE inside), enough to turn a wrong file (a key, a
// YAML file, a truncated copy) into a scenario error with file:line:col.
// Stateless; any thread.

#include <cstddef>
#include <string_view>

#include "common/result.hpp"

namespace swarm::scenario {

// A CA file is a few certificates; a system bundle is ~200 KiB.
inline constexpr std::size_t max_ca_file_bytes = 4u << 20;

// Success when `pem` holds at least one well-formed PEM certificate block
// (BEGIN CERTIFICATE / TRUSTED CERTIFICATE / X509 CERTIFICATE); otherwise
// what is wrong: "no PEM certificate (-----BEGIN CERTIFICATE-----) in it",
// "certificate 2: not valid base64", ...
result<void> check_pem_certificates(std::string_view pem);

}  // namespace swarm::scenario
