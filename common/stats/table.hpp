#pragma once
// Request statistics by (method, name): what one worker thread records during
// a reporting interval, what a worker sends, and what the master accumulates.
//
// Rows keep first-seen order (the order names were first recorded or merged
// in); reports sort as they like. The number of distinct names is capped
// (default 1000) so that a runaway name - a URL with an id in it - cannot eat
// memory: once the cap is reached, requests under new names are recorded into
// one extra row (other_method, other_name) = ("", "(other)"). Totals stay
// exact; which names keep their own row depends on arrival order. Rows of
// open classes' iterations (method iter_method, "ITER") fold into a row of
// their own, ("ITER", "(other)"): an iteration is not a request, and must
// not turn into one in the totals by being folded. Rows of `group:` steps
// (method group_method, "GROUP") fold into ("GROUP", "(other)") alike.
//
// A plain value, not thread-safe: a worker thread records into its own table
// and the reporter take()s it between intervals (a move, no copying).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/stats/entry.hpp"
#include "common/stats/keyed_rows.hpp"

namespace swarm::stats {

class table {
  public:
    static constexpr std::size_t default_max_names = 1000;
    // The row that collects requests of names beyond the cap.
    static constexpr std::string_view other_method = "";
    static constexpr std::string_view other_name = "(other)";
    // The method of open classes' iteration rows; folded ones go to (iter_method, other_name).
    static constexpr std::string_view iter_method = "ITER";
    // The method of `group:` rows (a group's duration); folded ones go to
    // (group_method, other_name). Like ITER rows, not requests.
    static constexpr std::string_view group_method = "GROUP";
    // The "(other)" row a row of `method` folds into.
    static constexpr std::string_view fold_method(std::string_view method) noexcept {
        return method == iter_method || method == group_method ? method : other_method;
    }

    // `max_names`: distinct (method, name) rows kept, not counting the "(other)" rows.
    explicit table(std::size_t max_names = default_max_names) : max_names_(max_names) {}

    // The row for (method, name), created if there is room, else "(other)".
    // No allocation when the row exists.
    entry& at(std::string_view method, std::string_view name);

    // Counts one request (see entry::record).
    void record(std::string_view method, std::string_view name, std::uint64_t latency_us,
                std::uint64_t bytes, bool failed) {
        at(method, name).record(latency_us, bytes, failed);
    }

    // Adds `stats` to the row for (method, name), under the same cap, e.g. a
    // row decoded from a worker's message.
    void merge(std::string_view method, std::string_view name, const entry& stats) {
        at(method, name).merge(stats);
    }
    // The same, taking `stats` over when its row is still empty, which saves
    // allocating and adding up a histogram (a decoded delta's rows are all new).
    void merge(std::string_view method, std::string_view name, entry&& stats) {
        entry& row = at(method, name);
        if (row.empty()) {
            row = std::move(stats);
        } else {
            row.merge(stats);
        }
    }
    // Adds a decoded row whose (method, name) the caller knows is not in the
    // table yet, without hashing it now (see keyed_rows): the decoder's path.
    // Under the cap like merge(); past it the row goes through merge().
    void append_new(std::string method, std::string name, entry&& stats);

    // Adds every row of `other`, in other's order, under this table's cap.
    void merge(const table& other);

    // The row for (method, name), or nullptr.
    const entry* find(std::string_view method, std::string_view name) const noexcept {
        return rows_.find({method, name});
    }

    // Calls fn(std::string_view method, std::string_view name, const entry&)
    // for every row, "(other)" included, in first-seen order.
    template <class Fn>
    void for_each(Fn&& fn) const {
        for (const auto& r : rows_.rows()) fn(r.key[0], r.key[1], r.value);
    }

    // All rows merged into one ("Aggregated" in reports).
    entry total() const;

    // Rows, "(other)" included.
    std::size_t size() const noexcept { return rows_.size(); }
    bool empty() const noexcept { return rows_.empty(); }
    std::size_t max_names() const noexcept { return max_names_; }
    // Requests recorded under names beyond the cap (the "(other)" row's count);
    // non-zero means some names were folded.
    std::uint64_t folded_requests() const noexcept;

    void swap(table& other) noexcept;
    // Hands the contents over and leaves this table empty, same cap. The rows'
    // histograms are allocated again as the next interval records.
    table take();
    void clear() noexcept { rows_.clear(); }

  private:
    std::size_t named_rows() const noexcept;

    std::size_t max_names_;              // cap on rows other than "(other)"
    detail::keyed_rows<2, entry> rows_;  // key: {method, name}
};

}  // namespace swarm::stats
