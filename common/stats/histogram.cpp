#include "common/stats/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace swarm::stats {

std::uint64_t nearest_rank(double percentile, std::uint64_t count) noexcept {
    if (count == 0) return 0;
    if (!(percentile > 0.0)) return 1;
    if (percentile >= 100.0) return count;
    // Multiplying before dividing keeps decimal inputs exact more often
    // (99.9 * 1000 / 100 == 999 exactly); the relative nudge absorbs what
    // rounding is left, so a whole-number rank is not pushed up by one.
    const double exact = percentile * static_cast<double>(count) / 100.0;
    const double rank = std::ceil(exact - exact * 1e-12);
    if (rank < 1.0) return 1;
    if (rank >= static_cast<double>(count)) return count;
    return static_cast<std::uint64_t>(rank);
}

void histogram::allocate() {
    counts_.assign(bucket_count, 0);
    for (const bucket& b : sparse_) counts_[b.index] = b.count;
    sparse_ = std::vector<bucket>();  // release the pairs: the dense array holds them now
}

void histogram::record(std::uint64_t us, std::uint64_t n) {
    if (n == 0) return;
    if (counts_.empty()) allocate();
    counts_[bucket_index(us)] += n;
    count_ += n;
    min_us_ = std::min(min_us_, us);
    max_us_ = std::max(max_us_, us);
}

void histogram::merge(const histogram& other) {
    if (other.count_ == 0) return;
    if (&other == this && is_sparse()) {
        merge(histogram(other));  // a copy: allocate() below consumes the pairs being read
        return;
    }
    if (counts_.empty()) allocate();
    if (other.is_sparse()) {
        // The master's path: a decoded row's few pairs, no walk over empty buckets.
        for (const bucket& b : other.sparse_) counts_[b.index] += b.count;
    } else {
        add_dense(other);
    }
    count_ += other.count_;
    min_us_ = std::min(min_us_, other.min_us_);
    max_us_ = std::max(max_us_, other.max_us_);
}

void histogram::add_dense(const histogram& other) noexcept {
    // Only the other's occupied range can hold samples; for a self-merge the
    // range is read before anything it depends on changes.
    const std::size_t first = bucket_index(other.min_us_);
    const std::size_t last = bucket_index(other.max_us_);
    for (std::size_t i = first; i <= last; ++i) counts_[i] += other.counts_[i];
}

std::uint64_t histogram::clamped_midpoint(std::size_t index) const noexcept {
    return std::clamp(bucket_midpoint_us(index), min_us_, max_us_);
}

std::uint64_t histogram::value_at_percentile(double p) const noexcept {
    std::uint64_t out = 0;
    values_at_percentiles(std::span<const double>(&p, 1), std::span<std::uint64_t>(&out, 1));
    return out;
}

void histogram::values_at_percentiles(std::span<const double> ps,
                                      std::span<std::uint64_t> out) const noexcept {
    if (count_ == 0) {
        std::fill_n(out.begin(), ps.size(), std::uint64_t{0});
        return;
    }
    if (is_sparse()) {
        values_at_percentiles_sparse(ps, out);
        return;
    }
    const std::size_t first = bucket_index(min_us_);
    const std::size_t last = bucket_index(max_us_);
    std::size_t at = first;                  // bucket under the cursor
    std::uint64_t through = counts_[first];  // samples in buckets first..at
    std::uint64_t previous_rank = 0;
    for (std::size_t i = 0; i < ps.size(); ++i) {
        const std::uint64_t rank = nearest_rank(ps[i], count_);
        if (rank < previous_rank) {  // out of order: start the walk again
            at = first;
            through = counts_[first];
        }
        while (through < rank && at < last) through += counts_[++at];
        // The extreme ranks are the exact min and max.
        out[i] = rank == count_ ? max_us_ : rank == 1 ? min_us_ : clamped_midpoint(at);
        previous_rank = rank;
    }
}

// The same walk over the pairs (only the non-empty buckets exist here).
void histogram::values_at_percentiles_sparse(std::span<const double> ps,
                                             std::span<std::uint64_t> out) const noexcept {
    std::size_t at = 0;                        // pair under the cursor
    std::uint64_t through = sparse_[0].count;  // samples in pairs 0..at
    std::uint64_t previous_rank = 0;
    for (std::size_t i = 0; i < ps.size(); ++i) {
        const std::uint64_t rank = nearest_rank(ps[i], count_);
        if (rank < previous_rank) {
            at = 0;
            through = sparse_[0].count;
        }
        while (through < rank && at + 1 < sparse_.size()) through += sparse_[++at].count;
        out[i] = rank == count_ ? max_us_
                 : rank == 1    ? min_us_
                                : clamped_midpoint(sparse_[at].index);
        previous_rank = rank;
    }
}

std::uint64_t histogram::bucket_count_at(std::size_t index) const noexcept {
    if (is_sparse()) {
        const auto it =
            std::lower_bound(sparse_.begin(), sparse_.end(), index,
                             [](const bucket& b, std::size_t i) { return b.index < i; });
        return it != sparse_.end() && it->index == index ? it->count : 0;
    }
    return index < counts_.size() ? counts_[index] : 0;
}

namespace {

[[noreturn]] void reject(const std::string& why) {
    throw std::invalid_argument("histogram: " + why);
}

}  // namespace

histogram histogram::from_buckets(std::vector<bucket> buckets, std::uint64_t min_us,
                                  std::uint64_t max_us) {
    histogram h;
    if (buckets.empty()) return h;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
        const bucket& b = buckets[i];
        if (b.index >= bucket_count) {
            reject("bucket index " + std::to_string(b.index) + " out of range (max " +
                   std::to_string(bucket_count - 1) + ")");
        }
        if (i > 0 && b.index <= buckets[i - 1].index) {
            reject("bucket indices not strictly ascending at " + std::to_string(b.index));
        }
        if (b.count == 0) reject("empty bucket " + std::to_string(b.index));
        if (total > std::numeric_limits<std::uint64_t>::max() - b.count) {
            reject("total count overflows");
        }
        total += b.count;
    }
    if (min_us > max_us)
        reject("min " + std::to_string(min_us) + " > max " + std::to_string(max_us));
    // The percentile walk and for_each_bucket rely on min/max bounding the
    // occupied buckets exactly.
    if (bucket_index(min_us) != buckets.front().index) {
        reject("min " + std::to_string(min_us) + " not in first bucket " +
               std::to_string(buckets.front().index));
    }
    if (bucket_index(max_us) != buckets.back().index) {
        reject("max " + std::to_string(max_us) + " not in last bucket " +
               std::to_string(buckets.back().index));
    }
    h.count_ = total;
    h.min_us_ = min_us;
    h.max_us_ = max_us;
    h.sparse_ = std::move(buckets);
    // A histogram spread over most buckets is smaller (and merges faster) dense.
    if (h.sparse_.size() * sizeof(bucket) >= dense_bytes) h.allocate();
    return h;
}

void histogram::clear() noexcept {
    sparse_.clear();
    std::fill(counts_.begin(), counts_.end(), std::uint64_t{0});
    count_ = 0;
    min_us_ = std::numeric_limits<std::uint64_t>::max();
    max_us_ = 0;
}

bool operator==(const histogram& a, const histogram& b) noexcept {
    if (a.count_ != b.count_ || a.min_us() != b.min_us() || a.max_us() != b.max_us()) {
        return false;
    }
    if (a.count_ == 0) return true;  // either may or may not have allocated
    if (!a.is_sparse() && !b.is_sparse()) return a.counts_ == b.counts_;
    // Any mix of forms: compare the non-empty buckets in order.
    std::vector<bucket> left, right;
    a.for_each_bucket([&](std::uint32_t i, std::uint64_t n) { left.push_back({i, n}); });
    b.for_each_bucket([&](std::uint32_t i, std::uint64_t n) { right.push_back({i, n}); });
    return std::equal(
        left.begin(), left.end(), right.begin(), right.end(),
        [](const bucket& x, const bucket& y) { return x.index == y.index && x.count == y.count; });
}

}  // namespace swarm::stats
