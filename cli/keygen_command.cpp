// `swarm keygen`: writes the CURVE key files that secure the worker port
// (format and loader in proto/auth.hpp).
//
//   swarm keygen --shared swarm.key                        one file for all
//   swarm keygen --master master.key                       the master's pair
//   swarm keygen --worker w1.key --master-key master.key   a worker's pair, allowed in master.key
//   swarm keygen --worker w1.key --master-public KEY       ... when master.key is elsewhere
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>

#include "cli/commands.hpp"
#include "common/log/log.hpp"
#include "common/result.hpp"
#include "proto/auth.hpp"

namespace swarm::cli {
namespace {

struct keygen_options {
    std::string shared;  // --shared FILE
    std::string master;  // --master FILE
    std::string worker;  // --worker FILE
    std::string
        master_key;  // --master-key FILE: read the master's public key, allow the worker there
    std::string master_public;  // --master-public KEY: the master's public key, given by hand
    std::string name;           // --name: the label of the worker's allow line
    bool force = false;         // overwrite an existing FILE
};

// Writes `text` to `path` readable by its owner only. Refuses to replace a
// file unless `force`: a key file overwritten by mistake locks workers out.
result<void> write_private_file(const std::string& path, const std::string& text, bool force) {
    const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
    const int fd = ::open(path.c_str(), flags, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return fail(path + " exists (use --force to replace it)");
        return fail(path + ": cannot write: " + std::strerror(errno));
    }
    // An existing file replaced with --force keeps its mode unless told.
    bool ok = ::fchmod(fd, 0600) == 0;
    ok = ok && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const int saved = errno;
    ok = (::close(fd) == 0) && ok;
    if (!ok) return fail(path + ": cannot write: " + std::strerror(saved));
    return {};
}

// Adds `line` at the end of `path` (which load_auth_key_file just read).
result<void> append_line(const std::string& path, const std::string& line) {
    const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
    if (fd < 0) return fail(path + ": cannot write: " + std::strerror(errno));
    std::string text = line;
    char last = '\n';
    const off_t size = ::lseek(fd, 0, SEEK_END);
    if (size > 0 && ::pread(fd, &last, 1, size - 1) == 1 && last != '\n') text = "\n" + text;
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const int saved = errno;
    ::close(fd);
    if (!ok) return fail(path + ": cannot write: " + std::strerror(saved));
    return {};
}

proto::auth_keys new_keys(proto::key_file_kind kind) {
    proto::auth_keys k;
    k.kind = kind;
    k.own = proto::generate_curve_key_pair();
    return k;
}

result<void> write_shared(const keygen_options& o) {
    const proto::auth_keys k = new_keys(proto::key_file_kind::shared);
    if (auto written = write_private_file(o.shared, proto::format_key_file(k), o.force); !written) {
        return written;
    }
    std::cout << "wrote " << o.shared << " (shared key, mode 0600)\n"
              << "copy it to the master and every worker, then:\n"
              << "  swarm master SCENARIO --auth-key-file " << o.shared << "\n"
              << "  swarm worker --master HOST --auth-key-file " << o.shared << "\n";
    return {};
}

result<void> write_master(const keygen_options& o) {
    const proto::auth_keys k = new_keys(proto::key_file_kind::master);
    if (auto written = write_private_file(o.master, proto::format_key_file(k), o.force); !written) {
        return written;
    }
    std::cout << "wrote " << o.master << " (master key, mode 0600); public key " << k.own.public_key
              << "\nnow allow workers: swarm keygen --worker worker-1.key --master-key " << o.master
              << "\n";
    return {};
}

// The label of the worker's allow line: --name, or the file's stem.
std::string worker_label(const keygen_options& o) {
    std::string label = o.name.empty() ? std::filesystem::path(o.worker).stem().string() : o.name;
    for (char& c : label) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    return label;
}

// The master's public key, from --master-key's file or --master-public.
result<std::string> master_public_key(const keygen_options& o, const log::logger& log) {
    if (o.master_key.empty()) {
        if (proto::valid_curve_key(o.master_public)) {
            return o.master_public;
        }
        return fail("--master-public: '" + o.master_public +
                    "' is not a public key (40 Z85 characters)");
    }
    const auto m = proto::load_auth_key_file(o.master_key, proto::auth_side::any, log);
    if (!m) return m.error();
    if (m->kind != proto::key_file_kind::master) {
        return fail(o.master_key + " is a " + proto::kind_name(m->kind) +
                    " key file; --master-key needs the master's (swarm keygen --master)");
    }
    return m->own.public_key;
}

result<void> write_worker(const keygen_options& o, const log::logger& log) {
    proto::auth_keys k = new_keys(proto::key_file_kind::worker);
    auto master_public = master_public_key(o, log);
    if (!master_public) return master_public.error();
    k.master_public = std::move(*master_public);
    if (auto written = write_private_file(o.worker, proto::format_key_file(k), o.force); !written) {
        return written;
    }
    const std::string allow = proto::format_allow_line({k.own.public_key, worker_label(o)});
    std::cout << "wrote " << o.worker << " (worker key, mode 0600)\n";
    if (!o.master_key.empty()) {
        if (auto appended = append_line(o.master_key, allow); !appended) return appended;
        std::cout << "allowed it in " << o.master_key << " (restart the master to take it in)\n";
    } else {
        std::cout << "add this line to the master's key file:\n  " << allow;
    }
    std::cout << "then: swarm worker --master HOST --auth-key-file " << o.worker << "\n";
    return {};
}

int run_keygen(const keygen_options& o) {
    const log::logger log("swarm keygen");
    try {
        const result<void> done = !o.shared.empty()   ? write_shared(o)
                                  : !o.master.empty() ? write_master(o)
                                                      : write_worker(o, log);
        if (done) return 0;
        log.error(done.error().message);
    } catch (const std::exception& e) {  // a libzmq without CURVE makes no key pair
        log.error(e.what());
    }
    return 2;
}

}  // namespace

void add_keygen_command(CLI::App& app, command_runner& run) {
    auto o = std::make_shared<keygen_options>();
    auto* cmd = app.add_subcommand(
        "keygen", "Write CURVE key files that secure the master's worker port (--auth-key-file)");
    auto* shared = cmd->add_option("--shared", o->shared,
                                   "one key file for the master and every worker (simple set-up)")
                       ->type_name("FILE");
    auto* master = cmd->add_option("--master", o->master,
                                   "the master's key file; workers are then allowed one by one")
                       ->type_name("FILE");
    auto* worker =
        cmd->add_option("--worker", o->worker, "a worker's own key file")->type_name("FILE");
    auto* master_key =
        cmd->add_option("--master-key", o->master_key,
                        "with --worker: the master's key file, which gets an allow line")
            ->type_name("FILE")
            ->check(CLI::ExistingFile);
    auto* master_public =
        cmd->add_option("--master-public", o->master_public,
                        "with --worker: the master's public key, when its file is elsewhere")
            ->type_name("KEY");
    auto* name = cmd->add_option("--name", o->name,
                                 "with --worker: label of its allow line (default: file name)");
    cmd->add_flag("--force", o->force, "replace an existing file");
    shared->excludes(master, worker);
    master->excludes(worker);
    master_key->needs(worker)->excludes(master_public);
    master_public->needs(worker);
    name->needs(worker);
    cmd->callback([&run, o] {
        if (o->shared.empty() && o->master.empty() && o->worker.empty()) {
            throw CLI::ValidationError("swarm keygen",
                                       "give one of --shared, --master or --worker");
        }
        if (!o->worker.empty() && o->master_key.empty() && o->master_public.empty()) {
            throw CLI::ValidationError("--worker",
                                       "needs --master-key FILE or --master-public KEY");
        }
        run = [o] { return run_keygen(*o); };
    });
}

}  // namespace swarm::cli
