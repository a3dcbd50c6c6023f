#pragma once
// The values scenario loading speaks in: a diagnostic (where and what), the
// bundle (source + data files, as shipped to workers), the limits and the
// compile options. Apart from loader.hpp's functions so that the loader's
// own parts (load_context and the files it drives) use them without
// including the entry points they implement.
//
// Plain values; any thread.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace swarm::scenario {

// One problem found in a scenario, with where and what.
struct diagnostic {
    std::string file;     // as given by the user (or the bundle's name)
    int line = 0;         // 1-based; 0 when unknown
    int column = 0;       // 1-based
    std::string path;     // key path: "users.WebsiteUser.tasks.about.check"
    std::string message;  // "unknown key 'wiat', did you mean 'wait'?"

    // "file:line:col: path: message"
    std::string to_string() const;
};

// The scenario source and every data file it names, as text. Travels from
// master to workers unchanged.
struct bundle {
    std::string name;    // the scenario file's path as given (display only)
    std::string source;  // the YAML text
    std::vector<std::pair<std::string, std::string>>
        files;  // data file path (as written) → content

    // A content hash (hex) of the source and files: equal bundles, equal hash.
    std::string hash() const;
};

// Limits that keep a hostile or mistaken scenario from eating the process.
inline constexpr std::size_t max_source_bytes = 4u << 20;       // 4 MiB of YAML
inline constexpr std::size_t max_data_file_bytes = 256u << 20;  // per data file
inline constexpr int max_nesting = 32;                          // nested task sets / steps

struct compile_options {
    std::string host_override;  // -H/--host: replaces the scenario's host
    // A path without any host is an error. Workers turn this off: their host
    // can arrive later, with the test (the master has checked it).
    bool require_host = true;
};

}  // namespace swarm::scenario
