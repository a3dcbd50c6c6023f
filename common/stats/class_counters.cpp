#include "common/stats/class_counters.hpp"

namespace swarm::stats {

class_counts& class_table::at(std::string_view user_class) {
    for (auto& [name, counts] : rows_)
        if (name == user_class) return counts;
    if (rows_.size() + 1 >= max_classes) {
        // The last row takes every class past the cap.
        if (rows_.size() + 1 == max_classes) rows_.emplace_back("(other)", class_counts{});
        return rows_.back().second;
    }
    return rows_.emplace_back(std::string(user_class), class_counts{}).second;
}

const class_counts* class_table::find(std::string_view user_class) const noexcept {
    for (const auto& [name, counts] : rows_)
        if (name == user_class) return &counts;
    return nullptr;
}

void class_table::merge(const class_table& other) {
    for (const auto& [name, counts] : other.rows_) at(name).add(counts);
}

class_counts class_table::total() const noexcept {
    class_counts sum;
    for (const auto& [name, counts] : rows_) sum.add(counts);
    return sum;
}

}  // namespace swarm::stats
