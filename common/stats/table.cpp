#include "common/stats/table.hpp"

#include <utility>

namespace swarm::stats {

entry& table::at(std::string_view method, std::string_view name) {
    if (entry* e = rows_.find({method, name})) return *e;
    const std::string_view fold = fold_method(method);
    const bool is_other = method == fold && name == other_name;
    if (is_other || named_rows() < max_names_) return rows_.insert({method, name});
    if (entry* other = rows_.find({fold, other_name})) return *other;
    return rows_.insert({fold, other_name});
}

void table::append_new(std::string method, std::string name, entry&& stats) {
    // Below the cap every row is kept under its own name, "(other)" included,
    // so appending is what at() would do. At the cap, folding needs lookups.
    if (rows_.size() < max_names_) {
        rows_.append({std::move(method), std::move(name)}, std::move(stats));
    } else {
        merge(method, name, std::move(stats));
    }
}

void table::merge(const table& other) {
    if (&other == this) {
        merge(table(other));  // a copy: merging into the rows being read
        return;
    }
    other.for_each([this](std::string_view method, std::string_view name, const entry& stats) {
        at(method, name).merge(stats);
    });
}

entry table::total() const {
    entry sum;
    for_each([&sum](std::string_view, std::string_view, const entry& stats) { sum.merge(stats); });
    return sum;
}

std::uint64_t table::folded_requests() const noexcept {
    const entry* other = find(other_method, other_name);
    return other == nullptr ? 0 : other->requests();
}

std::size_t table::named_rows() const noexcept {
    return rows_.size() - (find(other_method, other_name) != nullptr ? 1 : 0) -
           (find(iter_method, other_name) != nullptr ? 1 : 0) -
           (find(group_method, other_name) != nullptr ? 1 : 0);
}

void table::swap(table& other) noexcept {
    std::swap(max_names_, other.max_names_);
    rows_.swap(other.rows_);
}

table table::take() {
    table out(max_names_);
    swap(out);
    return out;
}

}  // namespace swarm::stats
