// decode() on malformed and hostile bytes: always an error value with a
// clear message, never an exception or a crash (this binary runs under
// ASan+UBSan).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <variant>

#include <msgpack.hpp>

#include "proto/codec.hpp"
#include "tests/proto/sample_messages.hpp"

namespace swarm::proto {
namespace {

using ::testing::HasSubstr;
using testing::sample_messages;

struct string_buffer {
    std::string bytes;
    void write(const char* data, std::size_t size) { bytes.append(data, size); }
};
using packer = msgpack::packer<string_buffer>;

// Bytes written by `fn` through a msgpack packer.
std::string pack(const std::function<void(packer&)>& fn) {
    string_buffer out;
    packer pk(out);
    fn(pk);
    return std::move(out.bytes);
}

void str(packer& pk, std::string_view s) {
    pk.pack_str(static_cast<std::uint32_t>(s.size()));
    pk.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

// Decodes `bytes`, expecting an error; returns it.
std::string error_of(std::string_view bytes, const decode_limits& limits = {}) {
    const result<message> r = decode(bytes, limits);
    EXPECT_FALSE(r) << "decoded as " << type_name(*r);
    EXPECT_FALSE(r.error().message.empty());
    return r.error().message;
}

// A stats_report whose request rows are written by `rows`, in order.
std::string report_with_rows(const std::vector<std::function<void(packer&)>>& rows) {
    return pack([&](packer& pk) {
        pk.pack_array(7);
        str(pk, "stats_report");
        pk.pack_uint64(1);
        pk.pack_uint64(1);
        pk.pack_int64(1);
        pk.pack_array(static_cast<std::uint32_t>(rows.size()));
        for (const auto& row : rows) row(pk);
        pk.pack_array(0);
        pk.pack_uint64(0);
    });
}

std::string report_with_row(const std::function<void(packer&)>& row) {
    return report_with_rows({row});
}

// A request row [method, name, failures, sum, bytes, min, max, buckets].
std::function<void(packer&)> row(std::uint64_t failures, std::uint64_t sum, std::uint64_t min,
                                 std::uint64_t max, const std::vector<std::uint64_t>& buckets,
                                 const std::string& name = "/") {
    return [=](packer& pk) {
        pk.pack_array(8);
        str(pk, "GET");
        str(pk, name);
        pk.pack_uint64(failures);
        pk.pack_uint64(sum);
        pk.pack_uint64(0);
        pk.pack_uint64(min);
        pk.pack_uint64(max);
        pk.pack_array(static_cast<std::uint32_t>(buckets.size()));
        for (const std::uint64_t v : buckets) pk.pack_uint64(v);
    };
}

TEST(codec_hostile, a_valid_hand_made_row_decodes) {
    // The baseline the cases below break one thing at a time.
    const result<message> r = decode(report_with_row(row(1, 30, 10, 20, {10, 1, 20, 1})));
    ASSERT_TRUE(r) << r.error().message;
    const auto& report = std::get<stats_report>(*r);
    EXPECT_EQ(report.delta.requests.total().requests(), 2u);
}

TEST(codec_hostile, histogram_bucket_index_out_of_range) {
    EXPECT_THAT(error_of(report_with_row(row(0, 5, 5, 5, {9999, 1}))),
                HasSubstr("histogram bucket index 9999 out of range"));
    EXPECT_THAT(error_of(report_with_row(row(0, 5, 5, 5, {1ULL << 40, 1}))),
                HasSubstr("out of range"));
}

TEST(codec_hostile, impossible_histograms_and_entries) {
    EXPECT_THAT(error_of(report_with_row(row(0, 30, 10, 20, {20, 1, 10, 1}))),
                HasSubstr("ascending"));
    EXPECT_THAT(error_of(report_with_row(row(0, 30, 10, 20, {10, 1, 20, 0}))),
                HasSubstr("empty bucket"));
    const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max();
    EXPECT_THAT(error_of(report_with_row(row(0, 30, 10, 20, {10, huge, 20, huge}))),
                HasSubstr("overflows"));
    EXPECT_THAT(error_of(report_with_row(row(0, 30, 11, 20, {10, 1, 20, 1}))),
                HasSubstr("first bucket"));
    EXPECT_THAT(error_of(report_with_row(row(0, 30, 10, 19, {10, 1, 20, 1}))),
                HasSubstr("last bucket"));
    EXPECT_THAT(error_of(report_with_row(row(3, 30, 10, 20, {10, 1, 20, 1}))),
                HasSubstr("3 failures > 2 requests"));
    EXPECT_THAT(error_of(report_with_row(row(0, 41, 10, 20, {10, 1, 20, 1}))),
                HasSubstr("impossible"));
    EXPECT_THAT(error_of(report_with_row(row(0, 7, 0, 0, {}))), HasSubstr("impossible"));
    EXPECT_THAT(error_of(report_with_row(row(0, 30, 10, 20, {10, 1, 20}))),
                HasSubstr("odd number"));
}

TEST(codec_hostile, errors_name_the_field) {
    EXPECT_THAT(error_of(report_with_row(row(0, 5, 5, 5, {9999, 1}))),
                HasSubstr("stats_report.requests[0].buckets[0]"));
}

// A stats_report with no request rows and the given class rows.
std::string report_with_classes(const std::vector<std::string>& names) {
    return pack([&](packer& pk) {
        pk.pack_array(8);
        str(pk, "stats_report");
        pk.pack_uint64(1);
        pk.pack_uint64(1);
        pk.pack_int64(1);
        pk.pack_array(0);
        pk.pack_array(0);
        pk.pack_uint64(0);
        pk.pack_array(static_cast<std::uint32_t>(names.size()));
        for (const auto& name : names) {
            pk.pack_array(4);
            str(pk, name);
            pk.pack_uint64(5);
            pk.pack_uint64(1);
            pk.pack_uint64(0);
        }
    });
}

TEST(codec_hostile, class_rows_are_bounded_and_unique) {
    const auto ok = decode(report_with_classes({"Web", "Api"}));
    ASSERT_TRUE(ok) << ok.error().message;
    const auto* web = std::get<stats_report>(*ok).delta.classes.find("Web");
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(web->iterations, 5u);
    EXPECT_EQ(web->dropped_iterations, 1u);
    EXPECT_THAT(error_of(report_with_classes({"Web", "Api", "Web"})),
                HasSubstr("stats_report.classes[2].user_class: duplicate row for Web"));
    EXPECT_THAT(error_of(report_with_classes({std::string(max_user_class_bytes + 1, 'c')})),
                HasSubstr("stats_report.classes[0].user_class"));
    std::vector<std::string> many;
    for (std::size_t i = 0; i <= stats::class_table::max_classes; ++i)
        many.push_back("C" + std::to_string(i));
    EXPECT_THAT(error_of(report_with_classes(many)), HasSubstr("more than 1024 user classes"));
}

TEST(codec_hostile, duplicate_rows_are_refused) {
    const std::string bytes = report_with_rows({row(0, 5, 5, 5, {5, 1}), row(0, 5, 5, 5, {5, 1})});
    EXPECT_THAT(error_of(bytes), HasSubstr("duplicate"));
}

// Rows are appended without a lookup each and checked for duplicates as a
// list: a repeat anywhere in the list is found, and named by its position.
TEST(codec_hostile, duplicate_rows_far_apart_are_refused_and_named) {
    const std::string bytes =
        report_with_rows({row(0, 5, 5, 5, {5, 1}, "/a"), row(0, 5, 5, 5, {5, 1}, "/b"),
                          row(0, 5, 5, 5, {5, 1}, "/c"), row(0, 5, 5, 5, {5, 1}, "/b")});
    const std::string error = error_of(bytes);
    EXPECT_THAT(error, HasSubstr("stats_report.requests[3].name"));
    EXPECT_THAT(error, HasSubstr("duplicate row for GET /b"));
}

// More rows than a table keeps (a worker never sends that many): the rest
// fold into "(other)" and a repeat beyond the cap is still refused.
TEST(codec_hostile, rows_beyond_the_cap_fold_and_repeats_there_are_refused) {
    const auto report = [](std::size_t rows, bool repeat_last) {
        std::vector<std::function<void(packer&)>> all;
        for (std::size_t i = 0; i < rows; ++i)
            all.push_back(row(0, 5, 5, 5, {5, 1}, "/" + std::to_string(i)));
        if (repeat_last) all.push_back(row(0, 5, 5, 5, {5, 1}, "/" + std::to_string(rows - 1)));
        return report_with_rows(all);
    };
    const std::size_t cap = stats::table::default_max_names;
    const result<message> r = decode(report(cap + 5, false));
    ASSERT_TRUE(r) << r.error().message;
    const auto& requests = std::get<stats_report>(*r).delta.requests;
    EXPECT_EQ(requests.total().requests(), cap + 5);
    EXPECT_EQ(requests.folded_requests(), 5u);
    // The cap's last named row repeated beyond it.
    EXPECT_THAT(error_of(report(cap, true)), HasSubstr("duplicate row"));
}

// A stats_report with one error row [GET, /, message, occurrences, first, last].
std::string report_with_error(std::uint64_t occurrences, std::int64_t first, std::int64_t last,
                              int copies = 1) {
    return pack([=](packer& pk) {
        pk.pack_array(7);
        str(pk, "stats_report");
        pk.pack_uint64(1);
        pk.pack_uint64(1);
        pk.pack_int64(1);
        pk.pack_array(0);
        pk.pack_array(static_cast<std::uint32_t>(copies));
        for (int i = 0; i < copies; ++i) {
            pk.pack_array(6);
            str(pk, "GET");
            str(pk, "/");
            str(pk, "boom");
            pk.pack_uint64(occurrences);
            pk.pack_int64(first);
            pk.pack_int64(last);
        }
        pk.pack_uint64(0);
    });
}

TEST(codec_hostile, impossible_error_rows) {
    EXPECT_TRUE(decode(report_with_error(2, 1, 2)));
    EXPECT_THAT(error_of(report_with_error(0, 1, 2)), HasSubstr("no occurrences"));
    EXPECT_THAT(error_of(report_with_error(1, 5, 2)), HasSubstr("after last seen"));
    EXPECT_THAT(error_of(report_with_error(1, 1, 2, 2)), HasSubstr("duplicate"));
}

TEST(codec_hostile, truncated_at_every_length) {
    for (const message& m : sample_messages()) {
        const std::string bytes = encode(m);
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            SCOPED_TRACE(std::string(type_name(m)) + " cut to " + std::to_string(n));
            error_of(std::string_view(bytes).substr(0, n));
        }
    }
}

TEST(codec_hostile, trailing_bytes_are_refused) {
    EXPECT_THAT(error_of(encode(stop{5}) + "x"), HasSubstr("1 trailing bytes"));
    EXPECT_THAT(error_of(encode(stop{5}) + encode(stop{5})), HasSubstr("trailing"));
}

// How many items (containers and leaves) the msgpack tree `o` has.
std::size_t count_nodes(const msgpack::object& o) {
    std::size_t n = 1;
    if (o.type == msgpack::type::ARRAY) {
        for (std::uint32_t i = 0; i < o.via.array.size; ++i) n += count_nodes(o.via.array.ptr[i]);
    }
    return n;
}

// Packs `o` again, with node number `target` (pre-order) written by `replace` instead.
void repack(const msgpack::object& o, packer& pk, std::size_t& counter, std::size_t target,
            const std::function<void(packer&)>& replace) {
    if (counter++ == target) {
        replace(pk);
        return;
    }
    if (o.type != msgpack::type::ARRAY) {
        pk.pack(o);
        return;
    }
    pk.pack_array(o.via.array.size);
    for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
        repack(o.via.array.ptr[i], pk, counter, target, replace);
    }
}

// Calls check(bytes, where) for `m` with each item in turn replaced by `replace`.
void for_each_replacement(const message& m, const std::function<void(packer&)>& replace,
                          const std::function<void(const std::string&)>& check) {
    const std::string bytes = encode(m);
    const msgpack::object_handle tree = msgpack::unpack(bytes.data(), bytes.size());
    const std::size_t nodes = count_nodes(tree.get());
    for (std::size_t target = 0; target < nodes; ++target) {
        SCOPED_TRACE(std::string(type_name(m)) + " item " + std::to_string(target));
        std::size_t counter = 0;
        check(pack([&](packer& pk) { repack(tree.get(), pk, counter, target, replace); }));
    }
}

TEST(codec_hostile, nil_or_map_in_any_position_is_an_error) {
    // Every item of every message is read, and no field takes nil or a map.
    for (const message& m : sample_messages()) {
        for_each_replacement(
            m, [](packer& pk) { pk.pack_nil(); },
            [](const std::string& bytes) { error_of(bytes); });
        for_each_replacement(
            m, [](packer& pk) { pk.pack_map(0); },
            [](const std::string& bytes) { error_of(bytes); });
    }
}

TEST(codec_hostile, any_type_in_any_position_never_crashes) {
    // Some of these are accepted (bin for str, an integer for a float); the
    // point is that every answer is a value or a clear error.
    const std::vector<std::function<void(packer&)>> replacements = {
        [](packer& pk) { pk.pack_true(); },
        [](packer& pk) { pk.pack_int64(-1); },
        [](packer& pk) { pk.pack_uint64(std::numeric_limits<std::uint64_t>::max()); },
        [](packer& pk) { pk.pack_double(std::nan("")); },
        [](packer& pk) { pk.pack_double(-2.5); },
        [](packer& pk) { str(pk, "text"); },
        [](packer& pk) {
            pk.pack_bin(2);
            pk.pack_bin_body("\0\1", 2);
        },
        [](packer& pk) { pk.pack_array(0); },
        [](packer& pk) {
            pk.pack_array(2);
            str(pk, "a");
            pk.pack_uint64(1);
        },
        [](packer& pk) {
            pk.pack_ext(1, 7);
            pk.pack_ext_body("x", 1);
        },
    };
    for (const message& m : sample_messages()) {
        for (const auto& replace : replacements) {
            for_each_replacement(m, replace, [](const std::string& bytes) {
                const result<message> r = decode(bytes);
                if (!r) {
                    EXPECT_FALSE(r.error().message.empty());
                }
            });
        }
    }
}

TEST(codec_hostile, wrong_types_are_named) {
    const std::string bytes = pack([](packer& pk) {
        pk.pack_array(6);
        str(pk, "hello");
        pk.pack_uint64(1);
        str(pk, "host");
        pk.pack_uint64(7);  // name: a number
        pk.pack_uint64(1);
        pk.pack_int64(1);
    });
    EXPECT_EQ(error_of(bytes), "hello.name: expected string, got unsigned integer");
}

TEST(codec_hostile, missing_fields_are_named) {
    const std::string bytes = pack([](packer& pk) {
        pk.pack_array(3);
        str(pk, "hello");
        pk.pack_uint64(1);
        str(pk, "host");
    });
    EXPECT_THAT(error_of(bytes), HasSubstr("hello: missing name"));
}

TEST(codec_hostile, extra_trailing_fields_are_ignored) {
    // Later versions may append fields; older readers skip them.
    const std::string bytes = pack([](packer& pk) {
        pk.pack_array(4);
        str(pk, "stop");
        pk.pack_int64(250);
        str(pk, "a field from the future");
        pk.pack_map(0);
    });
    const result<message> r = decode(bytes);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(std::get<stop>(*r).timeout_ms, 250);
}

// The reader walks the bytes in place: fields a later version appends inside
// nested arrays (rows) must be skipped whole, or the next row is misread.
TEST(codec_hostile, nested_fields_from_the_future_are_skipped) {
    const auto future_row = [](const std::string& name, std::uint64_t latency) {
        return [=](packer& pk) {
            pk.pack_array(10);
            str(pk, "GET");
            str(pk, name);
            pk.pack_uint64(0);
            pk.pack_uint64(latency);
            pk.pack_uint64(7);
            pk.pack_uint64(latency);
            pk.pack_uint64(latency);
            pk.pack_array(2);
            pk.pack_uint64(stats::histogram::bucket_index(latency));
            pk.pack_uint64(1);
            // Two fields from the future: nested containers and a string.
            pk.pack_array(3);
            pk.pack_uint64(1);
            pk.pack_array(2);
            pk.pack_uint64(2);
            pk.pack_map(1);
            str(pk, "k");
            pk.pack_array(0);
            pk.pack_map(0);
            str(pk, "later");
        };
    };
    const std::string bytes = pack([&](packer& pk) {
        pk.pack_array(10);
        str(pk, "stats_report");
        pk.pack_uint64(1);
        pk.pack_uint64(1);
        pk.pack_int64(1);
        pk.pack_array(2);
        future_row("/a", 100)(pk);
        future_row("/b", 5000)(pk);
        pk.pack_array(0);
        pk.pack_uint64(3);
        pk.pack_array(0);  // classes
        pk.pack_array(0);  // exhausted_data (protocol 4)
        pk.pack_array(1);  // a field appended to the message itself
        pk.pack_array(0);
    });
    const result<message> r = decode(bytes);
    ASSERT_TRUE(r) << r.error().message;
    const auto& report = std::get<stats_report>(*r);
    const stats::entry* b = report.delta.requests.find("GET", "/b");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->max_latency_us(), 5000u);
    EXPECT_EQ(b->response_bytes(), 7u);
    EXPECT_EQ(report.delta.requests.total().requests(), 2u);
    EXPECT_EQ(report.delta.errors.overflow(), 3u);
}

// Other encoders may write a small non-negative number in a signed format
// (int8 .. int64); it reads as unsigned, as msgpack's own unpacker has it.
TEST(codec_hostile, signed_formats_holding_non_negative_numbers_read_as_unsigned) {
    using namespace std::string_literals;
    // ["welcome", int32 5] and ["stop", int16 250]
    const result<message> welcome_msg = decode("\x92\xa7welcome\xd2\x00\x00\x00\x05"s);
    ASSERT_TRUE(welcome_msg) << welcome_msg.error().message;
    EXPECT_EQ(std::get<welcome>(*welcome_msg).index, 5u);
    const result<message> stop_msg = decode("\x92\xa4stop\xd1\x00\xfa"s);
    ASSERT_TRUE(stop_msg) << stop_msg.error().message;
    EXPECT_EQ(std::get<stop>(*stop_msg).timeout_ms, 250);
    // A negative one is still no unsigned integer.
    EXPECT_THAT(error_of("\x92\xa7welcome\xd0\xfb"s),
                HasSubstr("welcome.index: expected unsigned integer, got negative integer"));
    // int64 -3 where an integer is expected.
    const result<message> negative = decode("\x92\xa4stop\xd3\xff\xff\xff\xff\xff\xff\xff\xfd"s);
    ASSERT_TRUE(negative) << negative.error().message;
    EXPECT_EQ(std::get<stop>(*negative).timeout_ms, -3);
}

TEST(codec_hostile, out_of_range_numbers) {
    const auto hello_with = [](std::uint64_t version, std::uint64_t pid) {
        return pack([=](packer& pk) {
            pk.pack_array(6);
            str(pk, "hello");
            pk.pack_uint64(version);
            str(pk, "h");
            str(pk, "n");
            pk.pack_uint64(1);
            pk.pack_uint64(pid);
        });
    };
    EXPECT_THAT(error_of(hello_with(1ULL << 32, 1)), HasSubstr("hello.version"));
    EXPECT_THAT(error_of(hello_with(1, 1ULL << 63)), HasSubstr("hello.pid"));
    EXPECT_TRUE(decode(hello_with(1, (1ULL << 63) - 1)));
}

std::string spawn_with(double rate, std::int64_t users,
                       const std::function<void(packer&)>& arrival = {}, std::int64_t quota = -1) {
    return pack([=](packer& pk) {
        pk.pack_array(7);
        str(pk, "spawn");
        pk.pack_uint64(1);
        pk.pack_array(1);
        pk.pack_array(2);
        str(pk, "Web");
        pk.pack_int64(users);
        pk.pack_double(rate);
        str(pk, "");
        pk.pack_array(arrival ? 1 : 0);
        if (arrival) arrival(pk);
        pk.pack_int64(quota);
    });
}

// One arrival_share: [user_class, rate, rate_end, ramp_ms, max_users, pre_allocate].
std::function<void(packer&)> arrival_of(double rate, double rate_end, std::int64_t ramp_ms,
                                        std::int64_t max_users, std::int64_t pre_allocate,
                                        std::optional<double> phase = {}) {
    return [=](packer& pk) {
        pk.pack_array(phase ? 7 : 6);
        str(pk, "Shop");
        pk.pack_double(rate);
        pk.pack_double(rate_end);
        pk.pack_int64(ramp_ms);
        pk.pack_int64(max_users);
        pk.pack_int64(pre_allocate);
        if (phase) pk.pack_double(*phase);
    };
}

// A scenario_bundle with no files, ending after `files` or with `options` written by `options`.
std::string bundle_with(const std::function<void(packer&)>& options) {
    return pack([&](packer& pk) {
        pk.pack_array(options ? 6 : 5);
        str(pk, "scenario_bundle");
        str(pk, "hash");
        str(pk, "s.yaml");
        str(pk, "users: {}");
        pk.pack_array(0);
        if (options) options(pk);
    });
}

std::string bundle_with_options(std::uint64_t insecure, std::int64_t timeout_ms,
                                std::string_view pem) {
    return bundle_with([=](packer& pk) {
        pk.pack_array(3);
        pk.pack_uint64(insecure);
        pk.pack_int64(timeout_ms);
        pk.pack_bin(static_cast<std::uint32_t>(pem.size()));
        pk.pack_bin_body(pem.data(), static_cast<std::uint32_t>(pem.size()));
    });
}

TEST(codec_hostile, a_bundle_without_run_options_gets_the_defaults) {
    // A sender that predates the options field.
    const result<message> r = decode(bundle_with(nullptr));
    ASSERT_TRUE(r) << r.error().message;
    const auto& b = std::get<scenario_bundle>(*r);
    EXPECT_FALSE(b.options.insecure);
    EXPECT_EQ(b.options.request_timeout_ms, 0);
    EXPECT_EQ(b.options.ca_pem, "");
    const result<message> full = decode(bundle_with_options(1, 86'400'000, "pem"));
    ASSERT_TRUE(full) << full.error().message;
    EXPECT_TRUE(std::get<scenario_bundle>(*full).options.insecure);
}

TEST(codec_hostile, impossible_run_options_are_refused) {
    EXPECT_EQ(error_of(bundle_with_options(2, 0, "")),
              "scenario_bundle.options.insecure: expected 0 or 1, got 2");
    EXPECT_EQ(error_of(bundle_with_options(0, -1, "")),
              "scenario_bundle.options.request_timeout_ms: expected 0 to 86400000 (24 h), got -1");
    EXPECT_THAT(error_of(bundle_with_options(0, 86'400'001, "")), HasSubstr("got 86400001"));
    EXPECT_THAT(error_of(bundle_with([](packer& pk) {
                    pk.pack_array(2);
                    pk.pack_uint64(0);
                    pk.pack_int64(5);
                })),
                HasSubstr("scenario_bundle.options: missing ca_pem"));
    EXPECT_THAT(error_of(bundle_with([](packer& pk) { pk.pack_true(); })),
                HasSubstr("scenario_bundle.options: expected array"));
    // The CA bytes are held to the caller's limits like any other bytes.
    decode_limits small;
    small.max_string_bytes = 64;
    EXPECT_THAT(error_of(bundle_with_options(0, 0, std::string(65, 'c')), small),
                HasSubstr("binary of 65 bytes exceeds the limit of 64"));
}

TEST(codec_hostile, non_finite_rates_and_negative_users) {
    EXPECT_TRUE(decode(spawn_with(1.5, 3)));
    EXPECT_THAT(error_of(spawn_with(std::nan(""), 3)), HasSubstr("spawn.spawn_rate: not a finite"));
    EXPECT_THAT(error_of(spawn_with(HUGE_VAL, 3)), HasSubstr("not a finite"));
    EXPECT_THAT(error_of(spawn_with(1.5, -1)), HasSubstr("spawn.targets[0].users: negative"));
}

TEST(codec_hostile, impossible_arrival_shares_and_quotas_are_refused) {
    const auto ok = decode(spawn_with(1.5, 3, arrival_of(10, 200, 60'000, 500, 20), 7));
    ASSERT_TRUE(ok) << ok.error().message;
    const auto& s = std::get<spawn>(*ok);
    ASSERT_EQ(s.arrivals.size(), 1u);
    EXPECT_EQ(s.arrivals[0].rate_end, 200);
    EXPECT_EQ(s.iteration_quota, 7);
    EXPECT_THAT(error_of(spawn_with(1, 1, arrival_of(-1, 0, 0, 1, 0))),
                HasSubstr("spawn.arrivals[0].rate: expected 0 to"));
    EXPECT_THAT(error_of(spawn_with(1, 1, arrival_of(0, std::nan(""), 0, 1, 0))),
                HasSubstr("spawn.arrivals[0].rate_end: not a finite"));
    EXPECT_THAT(error_of(spawn_with(1, 1, arrival_of(0, 1e9, 0, 1, 0))),
                HasSubstr("spawn.arrivals[0].rate_end: expected 0 to"));
    EXPECT_THAT(error_of(spawn_with(1, 1, arrival_of(1, 1, -5, 1, 0))),
                HasSubstr("spawn.arrivals[0].ramp_ms: expected 0 to"));
    EXPECT_THAT(error_of(spawn_with(1, 1, arrival_of(1, 1, 0, -1, 0))),
                HasSubstr("spawn.arrivals[0].max_users: expected 0 to"));
    EXPECT_THAT(error_of(spawn_with(1, 1, arrival_of(1, 1, 0, 10, 11))),
                HasSubstr("spawn.arrivals[0].pre_allocate: expected 0 to 10, got 11"));
    // The stagger: absent is 1 (a first layout), else in (0, 1].
    EXPECT_EQ(std::get<spawn>(*ok).arrivals[0].phase, 1.0);
    const auto staggered = decode(spawn_with(1, 1, arrival_of(1, 1, 0, 4, 0, 0.5)));
    ASSERT_TRUE(staggered) << staggered.error().message;
    EXPECT_EQ(std::get<spawn>(*staggered).arrivals[0].phase, 0.5);
    EXPECT_THAT(error_of(spawn_with(1, 1, arrival_of(1, 1, 0, 4, 0, 0.0))),
                HasSubstr("spawn.arrivals[0].phase: expected more than 0 and at most 1, got 0"));
    EXPECT_THAT(error_of(spawn_with(1, 1, arrival_of(1, 1, 0, 4, 0, 1.5))),
                HasSubstr("spawn.arrivals[0].phase"));
    EXPECT_THAT(error_of(spawn_with(1, 1, {}, -2)),
                HasSubstr("spawn.iteration_quota: expected -1 (no bound) or more, got -2"));
}

TEST(codec_hostile, feeder_shares_and_exhausted_data_sets_are_bounded) {
    spawn s;
    s.feeder_slot = 2;
    s.feeder_slots = 3;
    const auto ok = decode(encode(s));
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(std::get<spawn>(*ok).feeder_slot, 2u);
    EXPECT_EQ(std::get<spawn>(*ok).feeder_slots, 3u);
    s.feeder_slot = 3;
    EXPECT_THAT(error_of(encode(s)), HasSubstr("spawn.feeder_slot: slot 3 of only 3"));
    s.feeder_slots = 0;  // no share: the slot is not read
    EXPECT_TRUE(decode(encode(s)));

    stats_report r;
    r.exhausted_data.assign(max_exhausted_data, "accounts");
    EXPECT_TRUE(decode(encode(r)));
    r.exhausted_data.emplace_back("one too many");
    EXPECT_THAT(error_of(encode(r)), HasSubstr("stats_report.exhausted_data: more than 256"));
    r.exhausted_data = {std::string(max_data_set_name_bytes + 1, 'a')};
    EXPECT_THAT(error_of(encode(r)), HasSubstr("stats_report.exhausted_data[0]"));
}

TEST(codec_hostile, numbers_and_bytes_accepted_from_other_encoders) {
    // An integer where a float is expected, bin where a string is.
    const std::string bytes = pack([](packer& pk) {
        pk.pack_array(5);
        str(pk, "heartbeat");
        pk.pack_uint64(50);
        pk.pack_uint64(1);
        pk.pack_int64(-0);
        pk.pack_float(0.5f);
    });
    const result<message> r = decode(bytes);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(std::get<heartbeat>(*r).cpu_percent, 50.0);
    EXPECT_EQ(std::get<heartbeat>(*r).loop_lag_ms, 0.5);
    const std::string as_bin = pack([](packer& pk) {
        pk.pack_array(2);
        str(pk, "quit");
        pk.pack_bin(3);
        pk.pack_bin_body("bye", 3);
    });
    ASSERT_TRUE(decode(as_bin));
    EXPECT_EQ(std::get<quit>(*decode(as_bin)).reason, "bye");
}

TEST(codec_hostile, envelope_problems) {
    EXPECT_EQ(error_of(""), "empty message");
    EXPECT_THAT(error_of(pack([](packer& pk) { str(pk, "hello"); })),
                HasSubstr("envelope: expected array, got string"));
    EXPECT_THAT(error_of(pack([](packer& pk) { pk.pack_array(0); })),
                HasSubstr("envelope: missing type name"));
    EXPECT_THAT(error_of(pack([](packer& pk) {
                    pk.pack_array(1);
                    pk.pack_uint64(3);
                })),
                HasSubstr("envelope.type: expected string"));
    EXPECT_THAT(error_of(pack([](packer& pk) {
                    pk.pack_array(2);
                    str(pk, "launch");
                    pk.pack_nil();
                })),
                HasSubstr("unknown message type 'launch'"));
    EXPECT_THAT(error_of(pack([](packer& pk) {
                    pk.pack_array(1);
                    str(pk, std::string("he\0llo", 6));
                })),
                HasSubstr("unknown message type 'he\\x00llo'"));
    EXPECT_THAT(error_of(pack([](packer& pk) {
                    pk.pack_map(1);
                    str(pk, "t");
                    str(pk, "hello");
                })),
                HasSubstr("expected array, got map"));
}

TEST(codec_hostile, huge_claimed_sizes) {
    using namespace std::string_literals;
    // Headers claiming 4 G items or bytes, followed by almost nothing.
    EXPECT_THAT(error_of("\xdd\xff\xff\xff\xff\x01"s), HasSubstr("array of 4294967295 entries"));
    EXPECT_THAT(error_of("\xdf\xff\xff\xff\xff\x01"s), HasSubstr("map of 4294967295 entries"));
    // Strings are only looked at once all their bytes are there.
    EXPECT_THAT(error_of("\xdb\xff\xff\xff\xff"s), HasSubstr("truncated"));
    EXPECT_THAT(error_of("\xc6\xff\xff\xff\xff"s), HasSubstr("truncated"));
    EXPECT_THAT(error_of("\xc9\xff\xff\xff\xff\x01"s), HasSubstr("truncated"));
    EXPECT_THAT(error_of("\xd4\x01\x02"s), HasSubstr("ext values are not part of the protocol"));
    // Within max_array_items, but more items than the message has bytes.
    EXPECT_THAT(error_of("\xdd\x00\x0f\xff\xff\x01\x02"s), HasSubstr("cannot fit"));
    // A bundle whose source claims 1 GiB inside a valid envelope.
    const std::string bundle = pack([](packer& pk) {
        pk.pack_array(5);
        str(pk, "scenario_bundle");
        str(pk, "hash");
        str(pk, "name");
        pk.pack_str(1u << 30);
    });
    EXPECT_THAT(error_of(bundle), HasSubstr("truncated"));
}

TEST(codec_hostile, deep_nesting) {
    for (const std::size_t depth : {17u, 100u, 100'000u}) {
        std::string bytes(depth, '\x91');  // [[[[...
        bytes += '\x90';
        EXPECT_THAT(error_of(bytes), HasSubstr("nesting deeper than 16")) << depth;
    }
}

TEST(codec_hostile, limits_are_the_callers) {
    const std::string report = encode(testing::sample_stats_report());
    EXPECT_TRUE(decode(report));
    decode_limits small;
    small.max_message_bytes = report.size() - 1;
    EXPECT_THAT(error_of(report, small), HasSubstr("exceeds the limit of"));
    small = {};
    small.max_string_bytes = 10;
    EXPECT_THAT(error_of(report, small), HasSubstr("exceeds the limit of 10"));
    small = {};
    small.max_array_items = 3;
    EXPECT_THAT(error_of(report, small), HasSubstr("entries exceeds the limit of 3"));
    small = {};
    small.max_depth = 3;  // envelope, rows, row, buckets: 4
    EXPECT_THAT(error_of(report, small), HasSubstr("nesting deeper than 3"));
    small.max_depth = 4;
    EXPECT_TRUE(decode(report, small));
}

TEST(codec_hostile, random_bytes_and_mutations_never_crash) {
    std::vector<std::string> seeds;
    for (const message& m : sample_messages()) seeds.push_back(encode(m));
    std::mt19937_64 rng(20240601);
    std::uniform_int_distribution<int> byte(0, 255);
    int decoded = 0;
    for (int i = 0; i < 20'000; ++i) {
        std::string bytes;
        if (i % 2 == 0) {
            bytes.resize(std::uniform_int_distribution<std::size_t>(0, 64)(rng));
            for (char& c : bytes) c = static_cast<char>(byte(rng));
        } else {
            // A valid message with a few bytes changed: gets past the envelope.
            bytes = seeds[rng() % seeds.size()];
            const int changes = 1 + static_cast<int>(rng() % 4);
            for (int c = 0; c < changes; ++c)
                bytes[rng() % bytes.size()] = static_cast<char>(byte(rng));
            if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
        }
        const result<message> r = decode(bytes);
        if (!r) {
            ASSERT_FALSE(r.error().message.empty()) << i;
        }
        if (r) {
            ++decoded;
            // Whatever was accepted encodes and decodes again.
            ASSERT_TRUE(decode(encode(*r))) << i;
        }
    }
    RecordProperty("decoded", decoded);
}

}  // namespace
}  // namespace swarm::proto
