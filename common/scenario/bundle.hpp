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
    // Bytes of the source, the file paths and their contents.
    std::size_t bytes() const;
};

// Limits that keep a hostile or mistaken scenario from eating the process.
inline constexpr std::size_t max_source_bytes = 4u << 20;  // 4 MiB of YAML
// A bundle travels to every worker as one message, under the transport's
// limits (proto/codec.hpp checks these against its own): a data file is at
// most one msgpack string, and the whole bundle (source, paths and files)
// leaves room in the 64 MiB message for the envelope and --ca-file.
inline constexpr std::size_t max_data_file_bytes = 32u << 20;  // per data file
inline constexpr std::size_t max_bundle_bytes = 56u << 20;     // bundle::bytes()
inline constexpr int max_nesting = 32;                         // nested task sets / steps
// A request's stats name (its name:, else its URL) and a user class name
// travel in every stats report; the master refuses longer ones (proto/codec.hpp).
inline constexpr std::size_t max_stats_name_bytes = 1024;
// A task's `tags:` (--tags names them; the protocol carries ≤ 255-byte tags).
inline constexpr std::size_t max_tag_bytes = 255;
inline constexpr std::size_t max_task_tags = 256;
// Requests of one `parallel:` block: each is a send in flight at once (its
// coroutine, its buffers), so a block is bounded as a browser's page is.
inline constexpr std::size_t max_parallel_requests = 64;

struct compile_options {
    std::string host_override;  // -H/--host: replaces the scenario's host
    // A path without any host is an error. Workers turn this off: their host
    // can arrive later, with the test (the master has checked it).
    bool require_host = true;
    // --tags / --exclude-tags (Locust's semantics): a task is kept when it has
    // one of include_tags (or include_tags is empty) and none of exclude_tags;
    // a nested set's tags apply to its tasks, and a set left empty goes too.
    std::vector<std::string> include_tags{};
    std::vector<std::string> exclude_tags{};
};

}  // namespace swarm::scenario
