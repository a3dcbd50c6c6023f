#pragma once
// Scenario loading: YAML source (+ its data files) → validated, immutable plan.
//
// The master reads a scenario *bundle* from disk (read_bundle) and ships it to
// workers as is; master and workers both compile() the same bundle with the
// same code, so they cannot disagree about what a scenario means.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/scenario/plan.hpp"
#include "common/with_errors.hpp"

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

using read_result = with_errors<std::optional<bundle>, diagnostic>;

// Reads `path` and the data files it references (relative to its folder).
read_result read_bundle(const std::string& path);

struct compile_options {
    std::string host_override;  // -H/--host: replaces the scenario's host
    // A path without any host is an error. Workers turn this off: their host
    // can arrive later, with the test (the master has checked it).
    bool require_host = true;
};

// The plan (shared read-only by every user) when `errors` is empty.
using compile_result = with_errors<std::shared_ptr<const plan>, diagnostic>;

compile_result compile(const bundle& b, const compile_options& opts = {});

// read_bundle + compile.
compile_result load_file(const std::string& path, const compile_options& opts = {});

}  // namespace swarm::scenario
