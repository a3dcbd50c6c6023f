#pragma once
// Which TLS context each user class needs, and making one. A class's context
// depends on whether it verifies certificates (`insecure` from the class,
// the worker's flags or the master's run options), on the extra CAs it
// trusts (the class's `ca_file:` PEM, plus the run's --ca-file) and on its
// `tls:` settings. Classes with the same needs share a profile, so a thread
// makes one context (and, with `tls: {resume: true}`, one TLS session cache)
// per profile, not per class.
//
// Built by the engine's control thread at load(); read-only afterwards.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/scenario/plan.hpp"

namespace boost::asio::ssl {
class context;
}

namespace swarm::worker {

struct tls_settings {
    std::string ca_file;    // the worker's own --ca-file (a path on this machine); empty: none
    std::string ca_pem;     // the run's extra CAs (PEM bytes, from the master); empty: none
    bool insecure = false;  // skip verification for every class
};

struct tls_profile {
    bool verify = true;
    std::string ca_file;     // the class's `ca_file:` as written, for messages
    std::string ca_pem;      // its content (PEM); empty: none
    scenario::tls_spec tls;  // the class's `tls:` (sessions, versions, ciphers, SNI)
};

struct tls_profiles {
    std::vector<tls_profile> profiles;  // distinct profiles
    std::vector<std::size_t> by_class;  // class index → profile index
};

tls_profiles tls_profiles_for(const scenario::plan& plan, const tls_settings& settings);

// A client context for `profile`: the system's CAs plus the settings' and the
// class's. Throws std::runtime_error naming the source ("--ca-file",
// "ca_file 'x.pem'") when a CA cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_profile& profile,
                                                            const tls_settings& settings);

}  // namespace swarm::worker
