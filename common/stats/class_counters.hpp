#pragma once
// Per user class counters of the workload model, beside the request rows:
// task iterations run, iterations an open (arrival) class could not start
// because its pool had no free user (dropped), and iterations of a paced
// class that took longer than their interval (pacing overruns). Plain sums,
// merged exactly like the request table; kept in first-seen order.
//
// A handful of classes per scenario: rows are found by a linear scan. Hot
// paths (a user finishing a task) count into their own per-class array and
// add it here once per interval, not per iteration.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarm::stats {

struct class_counts {
    std::uint64_t iterations = 0;          // task iterations finished (ITER rows count these)
    std::uint64_t dropped_iterations = 0;  // arrivals with no free pool user
    std::uint64_t pacing_overruns = 0;     // paced iterations longer than their interval

    void add(const class_counts& o) noexcept {
        iterations += o.iterations;
        dropped_iterations += o.dropped_iterations;
        pacing_overruns += o.pacing_overruns;
    }
    bool empty() const noexcept {
        return iterations == 0 && dropped_iterations == 0 && pacing_overruns == 0;
    }
    friend bool operator==(const class_counts&, const class_counts&) = default;
};

class class_table {
  public:
    // More classes than this fold into the last row's name "(other)"; a
    // scenario has far fewer (the decoder refuses more, proto/codec.hpp).
    static constexpr std::size_t max_classes = 1024;

    // The row of `user_class`, created (zero) when new.
    class_counts& at(std::string_view user_class);
    const class_counts* find(std::string_view user_class) const noexcept;
    // Adds every row of `other`.
    void merge(const class_table& other);
    // Hands the rows over, leaving this table empty.
    class_table take() { return std::exchange(*this, class_table{}); }
    // All rows summed.
    class_counts total() const noexcept;

    std::size_t size() const noexcept { return rows_.size(); }
    bool empty() const noexcept { return rows_.empty(); }
    void clear() noexcept { rows_.clear(); }
    template <class Fn>  // fn(std::string_view user_class, const class_counts&)
    void for_each(Fn&& fn) const {
        for (const auto& [name, counts] : rows_) fn(std::string_view(name), counts);
    }

  private:
    std::vector<std::pair<std::string, class_counts>> rows_;
};

}  // namespace swarm::stats
