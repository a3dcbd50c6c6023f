#pragma once
// Latency histogram in microseconds with bounded relative error, mergeable
// exactly. Workers record into one per (method, name) per thread; the reporter
// ships its non-empty buckets; the master merges them and computes percentiles
// only where they are shown (ARCHITECTURE.md: "stats are mergeable values").
//
// Bucket layout (log-linear, HDR-style), with B = sub_bucket_bits = 6:
//   values 0 .. 127 µs              one bucket per microsecond (exact);
//   each range [2^m, 2^(m+1)) µs    for m = 7 .. 31, 64 linear sub-buckets of
//                                   width 2^(m-6) µs.
// A percentile is reported as its bucket's midpoint, so the relative error is
// at most half a width over the range's lower end: 2^(m-7) / 2^m = 1/128
// (0.78 %) over the whole tracked range 0 .. 2^32-1 µs (71.6 min > 1 h).
// Larger values are counted in the top bucket; min and max stay exact. The
// lowest and highest rank (p0, p100) report the exact min and max, and every
// other percentile is clamped into [min, max].
//
// Memory: sizeof(histogram) (72 bytes on 64-bit) plus, once anything has
// been recorded or merged in, a dense array of bucket_count (1728) 64-bit
// counts = 13,824 bytes. An empty histogram allocates nothing; after the
// first record, recording never allocates.
//
// Sparse form. A histogram rebuilt from the wire (from_buckets) keeps just
// its non-empty buckets, 16 bytes each (a worker's row has a few dozen), and
// merging it into a dense histogram adds those pairs, nothing else: the
// master takes in thousands of rows a second and must not allocate, zero and
// walk 13.8 KB for each (bench/README.md, "Master fan-in"). Every reading
// call works on either form; the first record() or merge() *into* a sparse
// histogram turns it dense. Both forms of the same samples compare equal.
//
// A plain value: not thread-safe; each thread owns its own.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace swarm::stats {

// One non-empty bucket as the wire codec carries it.
struct bucket {
    std::uint32_t index = 0;  // bucket index, 0 .. histogram::bucket_count - 1
    std::uint64_t count = 0;  // samples in the bucket, > 0
};

// Nearest-rank convention: the 1-based rank of the p-th percentile (p in
// 0..100) of `count` samples is ceil(p/100 * count), at least 1 - i.e. the
// smallest sample such that at least p % of all samples are <= it. p <= 0
// (or NaN) gives rank 1, p >= 100 gives `count`; 0 when count is 0.
// (Locust's report takes rank floor(p/100 * count) + 1, which is the same
// except when p/100 * count is a whole number: then it is one rank higher.)
// Tolerates the rounding of decimal p such as 99.9 (99.9 % of 1000 is rank 999).
std::uint64_t nearest_rank(double percentile, std::uint64_t count) noexcept;

class histogram {
  public:
    // Each power-of-two range is split into 2^sub_bucket_bits linear buckets.
    static constexpr unsigned sub_bucket_bits = 6;
    static constexpr std::uint64_t sub_bucket_count = std::uint64_t{1} << sub_bucket_bits;
    // Values are tracked in [0, 2^tracked_bits) µs; larger ones share the top bucket.
    static constexpr unsigned tracked_bits = 32;
    static constexpr std::uint64_t max_tracked_us = (std::uint64_t{1} << tracked_bits) - 1;
    static constexpr std::size_t bucket_count =
        (tracked_bits - sub_bucket_bits + 1) * sub_bucket_count;
    // Bytes of the dense count array once allocated.
    static constexpr std::size_t dense_bytes = bucket_count * sizeof(std::uint64_t);

    // The bucket a value falls in. A few bit operations, no branches on the
    // magnitude: shift = how many low bits this magnitude's buckets ignore.
    static constexpr std::size_t bucket_index(std::uint64_t us) noexcept {
        const std::uint64_t v = us < max_tracked_us ? us : max_tracked_us;
        const int width = static_cast<int>(std::bit_width(v));
        const int excess = width - static_cast<int>(sub_bucket_bits) - 1;
        const int shift = excess > 0 ? excess : 0;
        return (static_cast<std::size_t>(shift) << sub_bucket_bits) +
               static_cast<std::size_t>(v >> shift);
    }
    // Smallest value in bucket `index` (µs). An index >= bucket_count is
    // taken as the top bucket, so no input is undefined behaviour.
    static constexpr std::uint64_t bucket_lower_us(std::size_t index) noexcept {
        const std::size_t i = clamp_index(index);
        const int shift = bucket_shift(i);
        return (i - (static_cast<std::size_t>(shift) << sub_bucket_bits)) << shift;
    }
    // Number of distinct microsecond values bucket `index` covers (clamped as above).
    static constexpr std::uint64_t bucket_width_us(std::size_t index) noexcept {
        return std::uint64_t{1} << bucket_shift(clamp_index(index));
    }
    // The value reported for samples in bucket `index` (its midpoint, µs).
    static constexpr std::uint64_t bucket_midpoint_us(std::size_t index) noexcept {
        return bucket_lower_us(index) + bucket_width_us(index) / 2;
    }

    // Counts one sample of `us` microseconds. Allocates only the first time.
    void record(std::uint64_t us) {
        if (counts_.empty()) allocate();
        ++counts_[bucket_index(us)];
        ++count_;
        if (us < min_us_) min_us_ = us;
        if (us > max_us_) max_us_ = us;
    }
    // Counts `n` samples of the same value (n may be 0).
    void record(std::uint64_t us, std::uint64_t n);

    // Adds every sample of `other`. Exact, associative and commutative.
    void merge(const histogram& other);

    // Number of samples recorded.
    std::uint64_t count() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }
    // Smallest and largest sample (µs, exact, even above max_tracked_us); 0 when empty.
    std::uint64_t min_us() const noexcept { return count_ == 0 ? 0 : min_us_; }
    std::uint64_t max_us() const noexcept { return max_us_; }

    // The p-th percentile (p in 0..100) by nearest rank (see nearest_rank),
    // within 1/128 relative of the exact sample; 0 when empty.
    std::uint64_t value_at_percentile(double p) const noexcept;
    // Several percentiles in one pass over the buckets: out[i] for ps[i].
    // Fastest when ps is ascending. out.size() must be >= ps.size().
    void values_at_percentiles(std::span<const double> ps,
                               std::span<std::uint64_t> out) const noexcept;

    // Calls fn(std::uint32_t index, std::uint64_t count) for every non-empty
    // bucket, in ascending index order.
    template <class Fn>
    void for_each_bucket(Fn&& fn) const {
        if (count_ == 0) return;
        if (is_sparse()) {
            for (const bucket& b : sparse_) fn(b.index, b.count);
            return;
        }
        const std::size_t last = bucket_index(max_us_);
        for (std::size_t i = bucket_index(min_us_); i <= last; ++i) {
            if (counts_[i] != 0) fn(static_cast<std::uint32_t>(i), counts_[i]);
        }
    }
    // Count in one bucket (0 for an index out of range).
    std::uint64_t bucket_count_at(std::size_t index) const noexcept;

    // Rebuilds a histogram from what for_each_bucket produced plus the exact
    // min and max, e.g. after decoding a worker's message; the result is in
    // sparse form (see above) unless the pairs would take more memory than
    // the dense array. Throws std::invalid_argument, naming the
    // problem, unless indices are strictly ascending and < bucket_count,
    // counts are > 0 and sum without overflow, and min/max lie in the
    // first/last bucket with min <= max (both ignored when `buckets` is empty).
    static histogram from_buckets(std::vector<bucket> buckets, std::uint64_t min_us,
                                  std::uint64_t max_us);

    // True while the samples are held as sparse (index, count) pairs.
    bool is_sparse() const noexcept { return !sparse_.empty(); }

    // Forgets every sample but keeps the allocation.
    void clear() noexcept;

    // Bytes owned on the heap (0, dense_bytes, or the sparse pairs).
    std::size_t heap_bytes() const noexcept {
        return counts_.capacity() * sizeof(std::uint64_t) + sparse_.capacity() * sizeof(bucket);
    }

    // Same samples bucket by bucket, same count, min and max.
    friend bool operator==(const histogram& a, const histogram& b) noexcept;

  private:
    static constexpr std::size_t clamp_index(std::size_t index) noexcept {
        return index < bucket_count ? index : bucket_count - 1;
    }
    static constexpr int bucket_shift(std::size_t index) noexcept {
        const int magnitude = static_cast<int>(index >> sub_bucket_bits);
        return magnitude > 1 ? magnitude - 1 : 0;
    }
    // Makes the dense array ready for adding: allocates it, and moves the
    // sparse pairs into it if there are any.
    void allocate();
    // counts_ += other's dense counts over other's occupied range.
    void add_dense(const histogram& other) noexcept;
    void values_at_percentiles_sparse(std::span<const double> ps,
                                      std::span<std::uint64_t> out) const noexcept;
    // What a percentile falling in bucket `index` reports: the midpoint, but
    // never outside [min, max] (which contain the true value too).
    std::uint64_t clamped_midpoint(std::size_t index) const noexcept;

    std::vector<std::uint64_t>
        counts_;                  // samples per bucket; empty until first use or while sparse
    std::vector<bucket> sparse_;  // non-empty buckets, ascending; only in sparse form
    std::uint64_t count_ = 0;     // samples recorded (sum of counts_)
    std::uint64_t min_us_ = std::numeric_limits<std::uint64_t>::max();  // µs; max() while empty
    std::uint64_t max_us_ = 0;                                          // µs; 0 while empty
};

}  // namespace swarm::stats
