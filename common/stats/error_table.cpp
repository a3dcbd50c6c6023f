#include "common/stats/error_table.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace swarm::stats {

void error_stats::merge(const error_stats& other) noexcept {
    if (other.occurrences == 0) return;
    if (occurrences == 0) {  // a fresh row's zero times must not win min/max
        *this = other;
        return;
    }
    occurrences += other.occurrences;
    first_seen_ms = std::min(first_seen_ms, other.first_seen_ms);
    last_seen_ms = std::max(last_seen_ms, other.last_seen_ms);
}

std::string_view error_table::cut_message(std::string_view message) noexcept {
    if (message.size() <= max_message_bytes) return message;
    std::size_t end = max_message_bytes;
    // Back off continuation bytes (10xxxxxx) so the cut lands before a lead byte.
    while (end > 0 && (static_cast<unsigned char>(message[end]) & 0xC0) == 0x80) --end;
    return message.substr(0, end);
}

error_stats* error_table::slot(std::string_view method, std::string_view name,
                               std::string_view message) {
    const std::string_view cut = cut_message(message);
    if (error_stats* s = rows_.find({method, name, cut})) return s;
    if (rows_.size() >= max_errors_) return nullptr;
    return &rows_.insert({method, name, cut});
}

void error_table::record(std::string_view method, std::string_view name, std::string_view message,
                         std::int64_t now_ms) {
    error_stats* s = slot(method, name, message);
    if (s == nullptr) {
        ++overflow_;
        return;
    }
    s->merge(error_stats{1, now_ms, now_ms});
}

namespace {

void check_row(const error_stats& stats) {
    if (stats.occurrences == 0) throw std::invalid_argument("error table: row with no occurrences");
    if (stats.first_seen_ms > stats.last_seen_ms) {
        throw std::invalid_argument("error table: first seen " +
                                    std::to_string(stats.first_seen_ms) + " after last seen " +
                                    std::to_string(stats.last_seen_ms));
    }
}

}  // namespace

void error_table::append_new(std::string method, std::string name, std::string message,
                             const error_stats& stats) {
    check_row(stats);
    if (rows_.size() >= max_errors_) {
        merge(method, name, message, stats);
        return;
    }
    message.resize(cut_message(message).size());
    rows_.append({std::move(method), std::move(name), std::move(message)}, error_stats(stats));
}

void error_table::merge(std::string_view method, std::string_view name, std::string_view message,
                        const error_stats& stats) {
    check_row(stats);
    error_stats* s = slot(method, name, message);
    if (s == nullptr) {
        overflow_ += stats.occurrences;
        return;
    }
    s->merge(stats);
}

void error_table::merge(const error_table& other) {
    if (&other == this) {
        merge(error_table(other));  // a copy: merging into the rows being read
        return;
    }
    other.for_each([this](std::string_view method, std::string_view name, std::string_view message,
                          const error_stats& stats) {
        if (error_stats* s = slot(method, name, message)) {
            s->merge(stats);
        } else {
            overflow_ += stats.occurrences;
        }
    });
    overflow_ += other.overflow_;
}

const error_stats* error_table::find(std::string_view method, std::string_view name,
                                     std::string_view message) const noexcept {
    return rows_.find({method, name, cut_message(message)});
}

std::uint64_t error_table::total_occurrences() const noexcept {
    std::uint64_t sum = overflow_;
    for (const auto& r : rows_.rows()) sum += r.value.occurrences;
    return sum;
}

void error_table::swap(error_table& other) noexcept {
    std::swap(max_errors_, other.max_errors_);
    std::swap(overflow_, other.overflow_);
    rows_.swap(other.rows_);
}

error_table error_table::take() {
    error_table out(max_errors_);
    swap(out);
    return out;
}

void error_table::clear() noexcept {
    rows_.clear();
    overflow_ = 0;
}

}  // namespace swarm::stats
