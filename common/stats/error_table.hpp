#pragma once
// Failures by (method, name, message): how often each distinct error
// happened and when it was first and last seen. Recorded next to the request
// table by each worker thread, merged like it.
//
// Rows keep first-seen order. Distinct keys are capped (default 1000);
// occurrences of keys beyond the cap are only counted (overflow()), so that
// messages carrying ids or timestamps cannot eat memory. Messages longer
// than max_message_bytes are cut (at a UTF-8 character boundary), so one
// row is bounded too.
//
// A plain value, not thread-safe: owned by one thread at a time.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/stats/keyed_rows.hpp"

namespace swarm::stats {

// What is known about one distinct error.
struct error_stats {
    std::uint64_t occurrences = 0;   // times it happened
    std::int64_t first_seen_ms = 0;  // unix ms of the earliest occurrence
    std::int64_t last_seen_ms = 0;   // unix ms of the latest occurrence

    // Sums occurrences, keeps the earliest first and the latest last seen.
    void merge(const error_stats& other) noexcept;
    friend bool operator==(const error_stats&, const error_stats&) = default;
};

class error_table {
  public:
    static constexpr std::size_t default_max_errors = 1000;
    // Longest message kept, in bytes; longer ones are cut.
    static constexpr std::size_t max_message_bytes = 1024;

    // `max_errors`: distinct (method, name, message) rows kept.
    explicit error_table(std::size_t max_errors = default_max_errors) : max_errors_(max_errors) {}

    // Counts one occurrence at `now_ms` (unix ms). No allocation when the row exists.
    void record(std::string_view method, std::string_view name, std::string_view message,
                std::int64_t now_ms);

    // Adds `stats` under (method, name, message), under the same caps, e.g. a
    // row decoded from a worker's message. Throws std::invalid_argument
    // unless occurrences > 0 and first_seen_ms <= last_seen_ms.
    void merge(std::string_view method, std::string_view name, std::string_view message,
               const error_stats& stats);
    // The same for a decoded row whose key the caller knows is not in the
    // table yet: appended without hashing it now (see keyed_rows), the
    // decoder's path. Past the cap it goes through merge(). Same checks.
    void append_new(std::string method, std::string name, std::string message,
                    const error_stats& stats);
    // Adds every row and the overflow of `other`, under this table's cap.
    void merge(const error_table& other);
    // Adds occurrences that were counted as overflow elsewhere (codec).
    void add_overflow(std::uint64_t occurrences) noexcept { overflow_ += occurrences; }

    // The row for (method, name, message) (message cut as by record), or nullptr.
    const error_stats* find(std::string_view method, std::string_view name,
                            std::string_view message) const noexcept;

    // Calls fn(std::string_view method, std::string_view name,
    // std::string_view message, const error_stats&) per row, first-seen order.
    template <class Fn>
    void for_each(Fn&& fn) const {
        for (const auto& r : rows_.rows()) fn(r.key[0], r.key[1], r.key[2], r.value);
    }

    // Distinct rows kept.
    std::size_t size() const noexcept { return rows_.size(); }
    // No rows and no overflow.
    bool empty() const noexcept { return rows_.empty() && overflow_ == 0; }
    std::size_t max_errors() const noexcept { return max_errors_; }
    // Occurrences of errors that found no room (beyond the cap).
    std::uint64_t overflow() const noexcept { return overflow_; }
    // Occurrences of all errors, overflow included.
    std::uint64_t total_occurrences() const noexcept;

    void swap(error_table& other) noexcept;
    // Hands the contents over and leaves this table empty, same cap.
    error_table take();
    void clear() noexcept;

    // `message` cut to at most max_message_bytes without splitting a UTF-8 character.
    static std::string_view cut_message(std::string_view message) noexcept;

  private:
    // The row for the key, created if there is room; nullptr when full.
    error_stats* slot(std::string_view method, std::string_view name, std::string_view message);

    std::size_t max_errors_;                   // cap on distinct rows
    std::uint64_t overflow_ = 0;               // occurrences that found no row
    detail::keyed_rows<3, error_stats> rows_;  // key: {method, name, message}
};

}  // namespace swarm::stats
