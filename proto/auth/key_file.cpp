// Reading and writing auth key files (format in proto/auth.hpp). Every
// problem names the file and, where there is one, the line.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "proto/auth.hpp"

namespace swarm::proto {
namespace {

// A key file that cannot be used: thrown by the reader below and caught in
// load_auth_key_file, the only caller, which turns it into its error value.
class key_file_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

constexpr std::string_view z85_alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

// A value of one line: its key and what follows it after blanks (allow's label).
struct key_value {
    std::string key;
    std::string rest;
    int line = 0;
};

// Collects the lines of one file; finish() checks them as a whole.
class key_file_reader {
  public:
    explicit key_file_reader(std::string path) : path_(std::move(path)) {}

    void add_line(std::string_view text, int line) {
        const std::string_view t = trim(text);
        if (t.empty() || t.front() == '#') return;
        const auto eq = t.find('=');
        if (eq == std::string_view::npos) {
            fail(line, "expected 'name = value', got '" + std::string(t) + "'");
        }
        const std::string name(trim(t.substr(0, eq)));
        const std::string_view value = trim(t.substr(eq + 1));
        if (name == "kind") return set_kind(value, line);
        if (name == "allow") return allow_.push_back(read_key(name, value, line, true));
        if (name == "public" || name == "secret" || name == "master") {
            auto [it, fresh] = single_.try_emplace(name, read_key(name, value, line, false));
            if (!fresh) {
                fail(line, "second '" + name + "' line (the first is line " +
                               std::to_string(it->second.line) + ")");
            }
            return;
        }
        fail(line, "unknown name '" + name + "' (expected kind, public, secret, master or allow)");
    }

    auth_keys finish(auth_side side) const {
        if (!kind_) fail(0, "no 'kind = shared | master | worker' line");
        const auto secret = single_.find("secret");
        if (secret == single_.end()) {
            fail(0,
                 "no 'secret = KEY' line: a key file holds its side's secret key "
                 "(`swarm keygen` writes complete files)");
        }
        auth_keys k;
        k.path = path_;
        k.kind = *kind_;
        k.own.secret_key = secret->second.key;
        k.own.public_key = curve_public_of(k.own.secret_key);
        if (const auto pub = single_.find("public"); pub != single_.end()) {
            if (pub->second.key != k.own.public_key) {
                fail(pub->second.line,
                     "this public key does not belong to the secret key on line " +
                         std::to_string(secret->second.line));
            }
        }
        check_kind(side);
        fill_peers(k);
        return k;
    }

  private:
    [[noreturn]] void fail(int line, const std::string& what) const {
        const std::string where = line > 0 ? path_ + ":" + std::to_string(line) : path_;
        throw key_file_error(where + ": " + what);
    }

    void set_kind(std::string_view value, int line) {
        if (kind_)
            fail(line, "second 'kind' line (the first is line " + std::to_string(kind_line_) + ")");
        if (value == "shared") {
            kind_ = key_file_kind::shared;
        } else if (value == "master") {
            kind_ = key_file_kind::master;
        } else if (value == "worker") {
            kind_ = key_file_kind::worker;
        } else {
            fail(line, "kind must be shared, master or worker, got '" + std::string(value) + "'");
        }
        kind_line_ = line;
    }

    key_value read_key(const std::string& name, std::string_view value, int line,
                       bool label_allowed) const {
        const auto blank = value.find_first_of(" \t");
        key_value kv;
        kv.key = std::string(value.substr(0, blank));
        kv.line = line;
        if (blank != std::string_view::npos) kv.rest = std::string(trim(value.substr(blank)));
        if (!kv.rest.empty() && !label_allowed) {
            fail(line, "unexpected text after the " + name + " key: '" + kv.rest + "'");
        }
        check_key(name, kv.key, line);
        return kv;
    }

    void check_key(const std::string& name, const std::string& key, int line) const {
        if (key.empty()) fail(line, name + " key is empty");
        if (const auto bad = key.find_first_not_of(z85_alphabet); bad != std::string::npos) {
            fail(line, name + " key has '" + std::string(1, key[bad]) + "' at character " +
                           std::to_string(bad + 1) + ", which is not Z85");
        }
        if (key.size() != 40) {
            fail(line, name + " key must be 40 Z85 characters, got " + std::to_string(key.size()));
        }
        if (!valid_curve_key(key)) fail(line, name + " key is not valid Z85 (a group overflows)");
    }

    void check_kind(auth_side side) const {
        const auto master = single_.find("master");
        const bool has_master = master != single_.end();
        if (*kind_ == key_file_kind::worker) {
            if (!allow_.empty())
                fail(allow_.front().line,
                     "'allow' belongs in the master's key file, not a worker's");
            if (!has_master)
                fail(0, "no 'master = KEY' line: a worker file names the master's public key");
            if (side == auth_side::master) {
                fail(0,
                     "this is a worker key file (kind = worker); the master needs its master "
                     "file or the shared file");
            }
        } else {
            if (has_master) fail(master->second.line, "'master' belongs only in a worker key file");
            if (*kind_ == key_file_kind::shared && !allow_.empty()) {
                fail(allow_.front().line,
                     "a shared key file has no 'allow' lines (use kind = master)");
            }
        }
        if (*kind_ == key_file_kind::master && side == auth_side::worker) {
            fail(0,
                 "this is the master's key file (kind = master); a worker needs its own worker "
                 "file (`swarm keygen --worker`) or the shared file");
        }
        if (*kind_ == key_file_kind::master && allow_.empty() && side == auth_side::master) {
            fail(0,
                 "no 'allow = KEY' lines: the master would refuse every worker (add workers "
                 "with `swarm keygen --worker FILE --master-key " +
                     path_ + "`)");
        }
        check_unique_allows();
    }

    void check_unique_allows() const {
        std::map<std::string, int> seen;
        for (const auto& a : allow_) {
            auto [it, fresh] = seen.emplace(a.key, a.line);
            if (!fresh)
                fail(a.line, "this key is already allowed on line " + std::to_string(it->second));
        }
    }

    void fill_peers(auth_keys& k) const {
        if (k.kind == key_file_kind::shared) {
            k.master_public = k.own.public_key;
            k.allowed.push_back({k.own.public_key, "shared key"});
            return;
        }
        if (k.kind == key_file_kind::worker) k.master_public = single_.at("master").key;
        for (const auto& a : allow_) k.allowed.push_back({a.key, a.rest});
    }

    std::string path_;
    std::optional<key_file_kind> kind_;
    int kind_line_ = 0;
    std::map<std::string, key_value> single_;  // public, secret, master
    std::vector<key_value> allow_;
};

std::string read_whole_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw key_file_error(path + ": cannot read: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A secret key that others (neither the owner nor the group) can read is worth
// a warning, not a refusal (a file just copied into place often has the
// umask's mode). Group access is not: Kubernetes mounts a Secret with
// `defaultMode: 0400` as 0440 once the pod has an fsGroup, and that group is
// exactly who should read it.
void warn_if_open(const std::string& path, const log::logger& log) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;  // the read has reported that
    if ((st.st_mode & S_IRWXO) == 0) return;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    log.warning(path + " holds a secret key but others can read it (mode " + mode +
                "): chmod 600 " + path);
}

}  // namespace

const char* kind_name(key_file_kind k) noexcept {
    switch (k) {
        case key_file_kind::shared:
            return "shared";
        case key_file_kind::master:
            return "master";
        case key_file_kind::worker:
            return "worker";
    }
    return "?";
}

result<auth_keys> load_auth_key_file(const std::string& path, auth_side side,
                                     const log::logger& log) {
    try {
        const std::string text = read_whole_file(path);
        if (text.find('\0') != std::string::npos) return fail(path + ": not a text file");
        key_file_reader reader(path);
        std::istringstream lines(text);
        std::string line;
        for (int n = 1; std::getline(lines, line); ++n) reader.add_line(line, n);
        auth_keys keys = reader.finish(side);
        warn_if_open(path, log);
        return keys;
    } catch (const key_file_error& e) {
        return fail(e.what());
    }
}

std::string format_allow_line(const allowed_key& key) {
    std::string line = "allow = " + key.public_key;
    if (!key.label.empty()) line += " " + key.label;
    return line + "\n";
}

std::string format_key_file(const auth_keys& keys) {
    std::string out = "# swarm auth key file (" + std::string(kind_name(keys.kind)) +
                      "), written by `swarm keygen`.\n"
                      "# It holds a secret key: keep it private (mode 0600).\n";
    switch (keys.kind) {
        case key_file_kind::shared:
            out += "# Give this same file to the master and to every worker (--auth-key-file).\n";
            break;
        case key_file_kind::master:
            out +=
                "# For `swarm master --auth-key-file`. Only workers whose public key has an\n"
                "# `allow = KEY [label]` line below may connect; `swarm keygen --worker FILE\n"
                "# --master-key THIS_FILE` adds one.\n";
            break;
        case key_file_kind::worker:
            out +=
                "# For `swarm worker --auth-key-file`. Its public key must be allowed in the\n"
                "# master's key file; `master` is the master's public key.\n";
            break;
    }
    out += "kind = " + std::string(kind_name(keys.kind)) + "\n";
    out += "public = " + keys.own.public_key + "\n";
    out += "secret = " + keys.own.secret_key + "\n";
    if (keys.kind == key_file_kind::worker) out += "master = " + keys.master_public + "\n";
    if (keys.kind == key_file_kind::master) {
        for (const auto& a : keys.allowed) out += format_allow_line(a);
    }
    return out;
}

}  // namespace swarm::proto
