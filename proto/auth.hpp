#pragma once
// Securing the master↔worker port with ZeroMQ CURVE: key files, their loader
// and writer, and the warning for an unauthenticated public bind.
//
//   load_auth_key_file(path, auth_side::master | auth_side::worker, log)
//       -> result<auth_keys> for `--auth-key-file`; the error says
//       "FILE:LINE: what".
//   master_endpoint / worker_endpoint (proto/transport.hpp) take the keys.
//   plaintext_bind_warning(endpoint) -> the warning `swarm master` logs
//       when it binds a non-loopback address without a key file.
//
// The key file format (text; blank lines and lines starting with '#' ignored;
// keys are Z85, 40 characters, as ZeroMQ prints them):
//
//   kind = shared | master | worker
//   public = <this side's public key>
//   secret = <this side's secret key>
//   master = <the master's public key>           (worker files only)
//   allow = <a worker's public key> [label]      (master files; one per worker)
//
// shared: one file copied to the master and every worker; each side uses the
// same pair, and the master accepts exactly that public key.
// master/worker: the master has its own pair and an allow-list of worker
// public keys; each worker has its own pair and the master's public key.
// A file holds a secret key: the loader warns (through the caller's logger)
// when group or others may read it. Plain data; any thread.

#include <optional>
#include <string>
#include <vector>

#include "common/log/log.hpp"
#include "common/result.hpp"

namespace swarm::proto {

enum class key_file_kind { shared, master, worker };
// Which process loads a key file: it decides which kinds are acceptable.
// `any`: the file is only checked in itself (`swarm keygen` reading a master
// file that has no workers allowed yet).
enum class auth_side { master, worker, any };

const char* kind_name(key_file_kind k) noexcept;  // "shared", "master", "worker"

// A CURVE key pair, both halves Z85-encoded (40 characters each).
struct curve_key_pair {
    std::string public_key;
    std::string secret_key;
};

// A worker key the master accepts, with the label written after it (may be empty).
struct allowed_key {
    std::string public_key;  // Z85
    std::string label;       // e.g. the worker file's name; only shown in logs
};

// A loaded key file, ready for one side of the transport.
struct auth_keys {
    std::string path;  // where it came from, for messages
    key_file_kind kind = key_file_kind::shared;
    curve_key_pair own;                // this process's pair
    std::string master_public;         // the server key a worker connects to (Z85)
    std::vector<allowed_key> allowed;  // the client keys a master accepts
};

// Reads `path` for `side`. Checks every line (unknown names, bad Z85, wrong
// length, repeated keys), that the public key belongs to the secret key, and
// that the kind fits the side (a worker file on the master is an error, and so
// is a master file without any `allow`). For a shared file, fills
// master_public and allowed with its own public key, so the endpoints need not
// know the kind. A file that cannot be used is an error naming the file and
// the line: "FILE:LINE: what" or "FILE: what". Logs a warning to `log` when
// the file is readable by group or others.
result<auth_keys> load_auth_key_file(const std::string& path, auth_side side,
                                     const log::logger& log);

// A fresh random key pair (libsodium/tweetnacl through libzmq).
curve_key_pair generate_curve_key_pair();
// True when `z85` is 40 valid Z85 characters (a 32-byte key).
bool valid_curve_key(const std::string& z85);
// The public key of a Z85 secret key, or "" when it is not a valid key.
std::string curve_public_of(const std::string& secret_z85);

// The text of a key file holding `keys` (own pair; master_public for a
// worker file; allowed for a master file), with comments saying what it is
// and how to use it. load_auth_key_file reads it back.
std::string format_key_file(const auth_keys& keys);
// One `allow = KEY LABEL` line (with '\n') for a master file.
std::string format_allow_line(const allowed_key& key);

// When `endpoint` ("tcp://0.0.0.0:5557", or "0.0.0.0:5557") is a tcp address
// that is not loopback (127.0.0.0/8, ::1, localhost), the warning `swarm
// master` logs when it binds it without a key file (the text, without
// "warning:"); nullopt otherwise.
std::optional<std::string> plaintext_bind_warning(const std::string& endpoint);
// True for 127.0.0.0/8, ::1, "localhost" (host part only, no port).
bool is_loopback_host(const std::string& host);

}  // namespace swarm::proto
