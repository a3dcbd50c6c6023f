#pragma once
// Request counters of `swarm target`: every answered request per method+path and
// per status, so tests can compare what swarm reports with what the site saw.
//
// Each io thread records into its own `thread_counters` (only that thread
// writes it; its mutex is uncontended except while /__stats or /__reset reads
// it). `counters` owns one per thread and merges them on read.
//
// Arrivals (arrivals.hpp) are counted when a request has been read, before
// its answer (a /slow or /stall answer comes later); requests are counted per
// route when answered. Both skip /__stats and /__reset.

#include "target/arrivals.hpp"
#include "target/multipart.hpp"
#include "target/ws_counters.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace swarm::target {

// The HTTP version a request came in on (/__stats "protocols").
enum class http_protocol : std::uint8_t { h1, h2 };

// HTTP/2 connection-level events (/__stats "h2"), merged over threads.
struct h2_snapshot {
    std::uint64_t connections = 0;      // HTTP/2 connections opened (h2c and h2 over TLS)
    std::uint64_t protocol_errors = 0;  // connections ended by a protocol error or flood
};

// A merged, point-in-time view of all counters.
struct stats_snapshot {
    std::uint64_t total = 0;      // requests answered (sum over routes)
    std::uint64_t malformed = 0;  // requests that could not be parsed (not in total)
    // "GET /about" → status → count; path without the query string.
    std::map<std::string, std::map<int, std::uint64_t>> routes;
    std::uint64_t h1 = 0;  // of total: answered over HTTP/1.x
    std::uint64_t h2 = 0;  // of total: answered over HTTP/2
    h2_snapshot h2_connections{};
    arrivals_snapshot arrivals{};
    // The /stall route's phase: the unix time (ms) its periods count from.
    std::int64_t stall_phase_unix_ms = 0;
    upload_snapshot uploads{};  // what POST /upload parsed (kept by the site)
    ws_snapshot ws{};           // what /ws/echo and /ws/chat saw (kept by the site)
};

// Counters of one io thread. record() from that thread; the rest from any thread.
class thread_counters {
  public:
    explicit thread_counters(gap_clock& gaps) : gap_clock_(gaps) {}

    // Counts one answered request. `status` is 100..599.
    void record(std::string_view method, std::string_view path, int status, http_protocol protocol);
    // Counts one request that never parsed (answered 400/431 and closed, or a
    // malformed HTTP/2 request whose stream was reset).
    void record_malformed();
    // Counts one HTTP/2 connection, and one that ended in a protocol error.
    void record_h2_connection();
    void record_h2_protocol_error();
    // Counts one request that arrived at `at` (its second and its gap).
    void record_arrival(const arrival_time& at);

  private:
    friend class counters;

    // Distinct method+path keys kept per thread; beyond it, new keys are
    // counted under `overflow_key` so a client sending random paths cannot
    // grow memory without bound.
    static constexpr std::size_t max_routes = 4096;

    struct route_counts {
        std::vector<std::pair<int, std::uint64_t>> by_status;  // few entries: linear search
    };
    struct key_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    void merge_into(stats_snapshot& out) const;  // caller holds mutex_
    void clear();                                // caller holds mutex_

    gap_clock& gap_clock_;  // shared by all threads, owned by `counters`
    std::mutex mutex_;
    per_second_ring arrivals_;
    std::uint64_t arrival_total_ = 0;
    stats::histogram gaps_;  // µs
    std::string key_;        // scratch for "METHOD path", reused to avoid allocating
    std::uint64_t malformed_ = 0;
    std::array<std::uint64_t, 2> by_protocol_{};  // indexed by http_protocol
    h2_snapshot h2_{};
    std::unordered_map<std::string, route_counts, key_hash, std::equal_to<>> routes_;
};

// All threads' counters. Constructed before the io threads start; thread-safe after.
class counters {
  public:
    static constexpr std::string_view overflow_key = "* (other paths)";

    explicit counters(unsigned threads);

    thread_counters& for_thread(unsigned index) { return *threads_.at(index); }

    // Locks every thread's counters (in index order) and merges them.
    stats_snapshot snapshot();
    // Zeroes every counter (arrivals and gaps too).
    void reset();

  private:
    gap_clock gap_clock_;
    std::vector<std::unique_ptr<thread_counters>> threads_;
};

// The JSON served at /__stats (shape documented in target.hpp).
std::string to_json(const stats_snapshot& snapshot);

}  // namespace swarm::target
