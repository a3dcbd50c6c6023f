// The bounds on what a worker may send (proto/codec.hpp): the largest real
// worker message, computed from the codec, fits the master's limit with
// little to spare, and fields beyond their bounds are refused by name.
#include <gmock/gmock.h>

#include <string>

#include "proto/codec.hpp"

namespace swarm::proto {
namespace {

using ::testing::HasSubstr;

// A histogram with every bucket filled, as a worker's busiest row could be
// within one interval (counts fit 32 bits: no worker does 4 G requests/s).
stats::entry full_row() {
    std::vector<stats::bucket> buckets;
    std::uint64_t sum = 0;
    for (std::uint32_t i = 0; i < stats::histogram::bucket_count; ++i) {
        buckets.push_back({i, 70'000});
        sum += 70'000 * stats::histogram::bucket_lower_us(i);
    }
    const auto max_us = stats::histogram::bucket_lower_us(stats::histogram::bucket_count - 1);
    auto h = stats::histogram::from_buckets(std::move(buckets), 0, max_us);
    return stats::entry::restore(1'000'000, sum, std::uint64_t{1} << 50, std::move(h));
}

// Every row a worker's tables keep, each at the field bounds: the largest
// stats_report a worker can send.
stats_report largest_report() {
    stats_report r;
    r.sequence = r.run_id = std::uint64_t{1} << 40;
    r.users = std::int64_t{1} << 40;
    const stats::entry row = full_row();
    for (std::size_t i = 0; i < stats::table::default_max_names; ++i) {
        std::string name = std::to_string(i);
        name.resize(max_stats_name_bytes, 'n');
        r.delta.requests.append_new("OPTIONS", name, stats::entry(row));
    }
    r.delta.requests.append_new(std::string(stats::table::other_method),
                                std::string(stats::table::other_name), stats::entry(row));
    stats::error_stats e;
    e.occurrences = std::uint64_t{1} << 40;
    e.first_seen_ms = 1'700'000'000'000;
    e.last_seen_ms = 1'800'000'000'000;
    for (std::size_t i = 0; i < stats::error_table::default_max_errors; ++i) {
        std::string name = std::to_string(i);
        name.resize(max_stats_name_bytes, 'n');
        std::string text(max_error_message_bytes, 'e');
        r.delta.errors.append_new("OPTIONS", name, text, e);
    }
    r.delta.errors.add_overflow(std::uint64_t{1} << 40);
    return r;
}

TEST(codec_limits_test, the_largest_worker_message_fits_the_master_limit_with_little_to_spare) {
    const std::string bytes = encode(largest_report());
    std::cout << "largest stats_report: " << bytes.size() << " bytes; master limit "
              << max_worker_message_bytes << "\n";
    EXPECT_LE(bytes.size(), max_worker_message_bytes);
    EXPECT_GE(bytes.size(), max_worker_message_bytes * 9 / 10) << "the limit is far too generous";
    decode_limits master;
    master.max_message_bytes = max_worker_message_bytes;
    const auto decoded = decode(bytes, master);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(std::get<stats_report>(*decoded).delta.requests.size(), 1001u);
}

TEST(codec_limits_test, a_field_beyond_its_bound_is_refused_by_name) {
    const auto refused = [](const message& m) {
        const auto r = decode(encode(m));
        return r ? std::string("accepted") : r.error().message;
    };
    hello h{protocol_version, "host", std::string(30u << 20, 'n'), 1, 1};
    EXPECT_EQ(refused(h), "hello.name: 31457280 bytes, more than the 255 allowed");
    h.name = std::string(max_peer_name_bytes, 'n');
    EXPECT_EQ(refused(h), "accepted");
    h.host = std::string(max_peer_name_bytes + 1, 'h');
    EXPECT_EQ(refused(h), "hello.host: 256 bytes, more than the 255 allowed");
    EXPECT_EQ(refused(quit{std::string(max_reason_bytes + 1, 'r')}),
              "quit.reason: 4097 bytes, more than the 4096 allowed");
    EXPECT_EQ(refused(ready{std::string(65, 'f')}),
              "ready.hash: 65 bytes, more than the 64 allowed");

    stats_report r;
    r.delta.requests.record("GET", std::string(max_stats_name_bytes + 1, 'n'), 10, 0, false);
    EXPECT_EQ(refused(r), "stats_report.requests[0].name: 1025 bytes, more than the 1024 allowed");

    // compile_failed keeps its first errors and skips the rest.
    compile_failed f{"h", std::vector<std::string>(500, "file:1:1: problem")};
    const auto kept = decode(encode(f));
    ASSERT_TRUE(kept) << kept.error().message;
    EXPECT_EQ(std::get<compile_failed>(*kept).errors.size(), max_compile_errors);
    f.errors = {std::string(max_compile_error_bytes + 1, 'x')};
    EXPECT_THAT(refused(f), HasSubstr("compile_failed.errors[0]: 4097 bytes"));
}

}  // namespace
}  // namespace swarm::proto
