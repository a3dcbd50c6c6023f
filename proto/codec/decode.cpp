// msgpack bytes → messages, for bytes from anyone. Two steps: a size and
// limit check that builds nothing (limit_check.hpp), then a walk over the
// same bytes that checks every item's type before converting it
// (object_reader.hpp; no msgpack object tree in between). Any failure
// becomes decode()'s error value; nothing escapes.
// The layout read here is the one encode.cpp writes and PROTOCOL.md documents.
#include <algorithm>
#include <exception>
#include <new>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "proto/codec.hpp"
#include "proto/codec/limit_check.hpp"
#include "proto/codec/object_reader.hpp"
#include "proto/codec/type_names.hpp"

namespace swarm::proto {
namespace {

using detail::array_reader;
using detail::decode_error;
using detail::item;

// Runs a stats rebuild (from_buckets, restore, merge), turning its
// std::invalid_argument into an error that names the field.
template <class Fn>
auto checked(const array_reader& where, std::string_view field, Fn&& fn) {
    try {
        return fn();
    } catch (const std::invalid_argument& e) {
        where.fail(field, e.what());
    }
}

// The row's histogram in sparse form (index, count pairs): the master adds
// those pairs into its tables, with no dense 13.8 KB temporary per row.
stats::histogram read_histogram(array_reader& row, std::uint64_t min_us, std::uint64_t max_us) {
    array_reader flat = row.array("buckets");
    if (flat.size() % 2 != 0) {
        row.fail("buckets", "odd number of items (" + std::to_string(flat.size()) +
                                "), expected index, count pairs");
    }
    std::vector<stats::bucket> buckets;
    buckets.reserve(flat.size() / 2);
    for (std::size_t i = 0; i < flat.size(); i += 2) {
        const std::uint64_t index = flat.next_u64();
        if (index >= stats::histogram::bucket_count) {
            flat.fail(item(i), "histogram bucket index " + std::to_string(index) +
                                   " out of range (max " +
                                   std::to_string(stats::histogram::bucket_count - 1) + ")");
        }
        buckets.push_back({static_cast<std::uint32_t>(index), flat.next_u64()});
    }
    return checked(row, "buckets", [&] {
        return stats::histogram::from_buckets(std::move(buckets), min_us, max_us);
    });
}

static_assert(max_error_message_bytes == stats::error_table::max_message_bytes);

void read_request_row(array_reader& row, stats::table& out) {
    std::string method = row.str("method", max_stats_method_bytes);
    std::string name = row.str("name", max_stats_name_bytes);
    const std::uint64_t failures = row.u64("failures");
    const std::uint64_t latency_sum_us = row.u64("latency_sum_us");
    const std::uint64_t response_bytes = row.u64("response_bytes");
    const std::uint64_t min_us = row.u64("min_latency_us");
    const std::uint64_t max_us = row.u64("max_latency_us");
    stats::histogram latency = read_histogram(row, min_us, max_us);
    stats::entry e = checked(row, "latency_sum_us", [&] {
        return stats::entry::restore(failures, latency_sum_us, response_bytes, std::move(latency));
    });
    if (out.size() < out.max_names()) {
        // Not looked up: duplicates are found for the whole list afterwards.
        out.append_new(std::move(method), std::move(name), std::move(e));
        return;
    }
    // Past the cap (more rows than a worker's table holds): rows fold into
    // "(other)" through lookups, as before.
    if (out.find(method, name) != nullptr) {
        row.fail("name",
                 "duplicate row for " + detail::printable(method) + " " + detail::printable(name));
    }
    out.merge(method, name, std::move(e));
}

// A repeated row would be merged silently, and its sums could wrap. One sort
// of the rows' names instead of a hash lookup per row.
void reject_duplicate_rows(const array_reader& requests, const stats::table& rows) {
    using key = std::pair<std::string_view, std::string_view>;
    std::vector<std::pair<key, std::size_t>> keys;
    keys.reserve(rows.size());
    rows.for_each([&](std::string_view method, std::string_view name, const stats::entry&) {
        keys.push_back({{method, name}, keys.size()});
    });
    std::sort(keys.begin(), keys.end());
    const auto same = [](const auto& a, const auto& b) { return a.first == b.first; };
    const auto dup = std::adjacent_find(keys.begin(), keys.end(), same);
    if (dup == keys.end()) return;
    // Name the later of the two rows, as a reader going front to back would.
    const auto later = std::max(dup->second, std::next(dup)->second);
    requests.fail(item(later) + ".name", "duplicate row for " +
                                             detail::printable(dup->first.first) + " " +
                                             detail::printable(dup->first.second));
}

void read_error_row(array_reader& row, stats::error_table& out) {
    std::string method = row.str("method", max_stats_method_bytes);
    std::string name = row.str("name", max_stats_name_bytes);
    std::string text = row.str("message", max_error_message_bytes);
    stats::error_stats s;
    s.occurrences = row.u64("occurrences");
    s.first_seen_ms = row.i64("first_seen_ms");
    s.last_seen_ms = row.i64("last_seen_ms");
    if (out.size() < out.max_errors()) {
        // Not looked up: duplicates are found for the whole list afterwards.
        checked(row, "occurrences",
                [&] { out.append_new(std::move(method), std::move(name), std::move(text), s); });
        return;
    }
    if (out.find(method, name, text) != nullptr) {
        row.fail("message", "duplicate error row " + detail::printable(text));
    }
    checked(row, "occurrences", [&] { out.merge(method, name, text, s); });
}

// The same for error rows, keyed by (method, name, message as kept).
void reject_duplicate_errors(const array_reader& errors, const stats::error_table& rows) {
    using key = std::tuple<std::string_view, std::string_view, std::string_view>;
    std::vector<std::pair<key, std::size_t>> keys;
    keys.reserve(rows.size());
    rows.for_each([&](std::string_view method, std::string_view name, std::string_view text,
                      const stats::error_stats&) {
        keys.push_back({{method, name, text}, keys.size()});
    });
    std::sort(keys.begin(), keys.end());
    const auto same = [](const auto& a, const auto& b) { return a.first == b.first; };
    const auto dup = std::adjacent_find(keys.begin(), keys.end(), same);
    if (dup == keys.end()) return;
    const auto later = std::max(dup->second, std::next(dup)->second);
    errors.fail(item(later) + ".message",
                "duplicate error row " + detail::printable(std::get<2>(dup->first)));
}

// A list with a row per user class (stats_report.classes, spawn.arrivals).
void refuse_more_classes_than_a_table_holds(const array_reader& list) {
    if (list.size() > stats::class_table::max_classes) {
        list.fail("", "more than " + std::to_string(stats::class_table::max_classes) +
                          " user classes (" + std::to_string(list.size()) + ")");
    }
}

stats::delta read_delta(array_reader& r) {
    stats::delta d;
    array_reader requests = r.array("requests");
    for (std::size_t i = 0; i < requests.size(); ++i) {
        array_reader row = requests.array(item(i));
        read_request_row(row, d.requests);
    }
    reject_duplicate_rows(requests, d.requests);
    array_reader errors = r.array("errors");
    for (std::size_t i = 0; i < errors.size(); ++i) {
        array_reader row = errors.array(item(i));
        read_error_row(row, d.errors);
    }
    reject_duplicate_errors(errors, d.errors);
    d.errors.add_overflow(r.u64("error_overflow"));
    if (!r.at_end()) {  // appended in protocol 3
        array_reader classes = r.array("classes");
        refuse_more_classes_than_a_table_holds(classes);
        for (std::size_t i = 0; i < classes.size(); ++i) {
            array_reader row = classes.array(item(i));
            std::string name = row.str("user_class", max_user_class_bytes);
            if (d.classes.find(name) != nullptr)
                row.fail("user_class", "duplicate row for " + detail::printable(name));
            auto& c = d.classes.at(name);
            c.iterations = row.u64("iterations");
            c.dropped_iterations = row.u64("dropped_iterations");
            c.pacing_overruns = row.u64("pacing_overruns");
        }
    }
    return d;
}

// One reader per message type; `r` is positioned after the type name.
message read_hello(array_reader& r) {
    hello m;
    m.version = r.u32("version");
    m.host = r.str("host", max_peer_name_bytes);
    m.name = r.str("name", max_peer_name_bytes);
    m.threads = r.u32("threads");
    m.pid = r.i64("pid");
    return m;
}

// A request timeout beyond a day is a mistake or hostile, not a setting.
constexpr std::int64_t max_request_timeout_ms = 24LL * 3600 * 1000;
// Likewise a body limit past 1 TiB (common/byte_size.hpp's max_byte_size).
constexpr std::uint64_t max_body_bytes = std::uint64_t{1} << 40;

// --tags / --exclude-tags: a bounded list of short names.
std::vector<std::string> read_tags(array_reader& options, std::string_view field) {
    array_reader list = options.array(field);
    if (list.size() > max_tags) {
        list.fail("", "more than " + std::to_string(max_tags) + " tags (" +
                          std::to_string(list.size()) + ")");
    }
    std::vector<std::string> tags;
    for (std::size_t i = 0; i < list.size(); ++i) tags.push_back(list.str(item(i), max_tag_bytes));
    return tags;
}

// An arrival rate past this (per worker) is a mistake or hostile; bench/
// measures 20 000/s per core.
constexpr double max_arrival_rate = 1e8;
// A ramp longer than a year, or pools past 100 million users, likewise.
constexpr std::int64_t max_ramp_ms = 366LL * 24 * 3600 * 1000;
constexpr std::int64_t max_pool_users = 100'000'000;

proto::arrival_share read_arrival(array_reader& a) {
    proto::arrival_share s;
    s.user_class = a.str("user_class", max_user_class_bytes);
    const auto rate = [&](std::string_view field) {
        const double v = a.f64(field);
        if (v < 0 || v > max_arrival_rate) {
            a.fail(field, "expected 0 to " + std::to_string(max_arrival_rate) +
                              " per second, got " + std::to_string(v));
        }
        return v;
    };
    const auto bounded = [&](std::string_view field, std::int64_t max) {
        const std::int64_t v = a.i64(field);
        if (v < 0 || v > max)
            a.fail(field, "expected 0 to " + std::to_string(max) + ", got " + std::to_string(v));
        return v;
    };
    s.rate = rate("rate");
    s.rate_end = rate("rate_end");
    s.ramp_ms = bounded("ramp_ms", max_ramp_ms);
    s.max_users = bounded("max_users", max_pool_users);
    s.pre_allocate = bounded("pre_allocate", s.max_users);
    if (!a.at_end()) {  // appended: absent means 1 (no stagger)
        s.phase = a.f64("phase");
        if (!(s.phase > 0 && s.phase <= 1))
            a.fail("phase", "expected more than 0 and at most 1, got " + std::to_string(s.phase));
    }
    return s;
}

message read_scenario_bundle(array_reader& r) {
    scenario_bundle m;
    m.hash = r.str("hash");
    m.bundle.name = r.str("name");
    m.bundle.source = r.str("source");
    array_reader files = r.array("files");
    for (std::size_t i = 0; i < files.size(); ++i) {
        array_reader file = files.array(item(i));
        std::string path = file.str("path");
        m.bundle.files.emplace_back(std::move(path), file.str("content"));
    }
    // Appended to the message after its first layout (PROTOCOL.md): absent means defaults.
    if (!r.at_end()) {
        array_reader options = r.array("options");
        const std::uint64_t insecure = options.u64("insecure");
        if (insecure > 1)
            options.fail("insecure", "expected 0 or 1, got " + std::to_string(insecure));
        m.options.insecure = insecure == 1;
        m.options.request_timeout_ms = options.i64("request_timeout_ms");
        if (m.options.request_timeout_ms < 0 ||
            m.options.request_timeout_ms > max_request_timeout_ms) {
            options.fail("request_timeout_ms",
                         "expected 0 to " + std::to_string(max_request_timeout_ms) +
                             " (24 h), got " + std::to_string(m.options.request_timeout_ms));
        }
        m.options.ca_pem = options.str("ca_pem");
        if (!options.at_end()) {  // appended later: absent means the worker's default
            m.options.max_body_bytes = options.u64("max_body_bytes");
            if (m.options.max_body_bytes > max_body_bytes) {
                options.fail("max_body_bytes", "expected 0 to " + std::to_string(max_body_bytes) +
                                                   " (1 TiB), got " +
                                                   std::to_string(m.options.max_body_bytes));
            }
        }
        if (!options.at_end()) {  // appended in protocol 3
            m.options.include_tags = read_tags(options, "include_tags");
            m.options.exclude_tags = read_tags(options, "exclude_tags");
        }
    }
    return m;
}

message read_compile_failed(array_reader& r) {
    compile_failed m;
    m.hash = r.str("hash", max_hash_bytes);
    array_reader errors = r.array("errors");
    // The first errors tell what is wrong; the rest are skipped, not refused.
    const std::size_t kept = std::min(errors.size(), max_compile_errors);
    for (std::size_t i = 0; i < kept; ++i)
        m.errors.push_back(errors.str(item(i), max_compile_error_bytes));
    return m;
}

message read_spawn(array_reader& r) {
    spawn m;
    m.run_id = r.u64("run_id");
    array_reader targets = r.array("targets");
    for (std::size_t i = 0; i < targets.size(); ++i) {
        array_reader target = targets.array(item(i));
        std::string user_class = target.str("user_class");
        const std::int64_t users = target.i64("users");
        if (users < 0) target.fail("users", "negative user count " + std::to_string(users));
        m.targets.emplace_back(std::move(user_class), users);
    }
    m.spawn_rate = r.f64("spawn_rate");
    m.host_override = r.str("host_override");
    if (!r.at_end()) {  // appended in protocol 3
        array_reader arrivals = r.array("arrivals");
        refuse_more_classes_than_a_table_holds(arrivals);
        for (std::size_t i = 0; i < arrivals.size(); ++i) {
            array_reader a = arrivals.array(item(i));
            m.arrivals.push_back(read_arrival(a));
        }
        m.iteration_quota = r.i64("iteration_quota");
        if (m.iteration_quota < -1) {
            r.fail("iteration_quota",
                   "expected -1 (no bound) or more, got " + std::to_string(m.iteration_quota));
        }
    }
    if (!r.at_end()) {  // appended in protocol 4
        m.feeder_slot = r.u32("feeder_slot");
        m.feeder_slots = r.u32("feeder_slots");
        if (m.feeder_slots != 0 && m.feeder_slot >= m.feeder_slots) {
            r.fail("feeder_slot", "slot " + std::to_string(m.feeder_slot) + " of only " +
                                      std::to_string(m.feeder_slots));
        }
    }
    return m;
}

message read_stats_report(array_reader& r) {
    stats_report m;
    m.sequence = r.u64("sequence");
    m.run_id = r.u64("run_id");
    m.users = r.i64("users");
    m.delta = read_delta(r);
    if (!r.at_end()) {  // appended in protocol 4
        array_reader names = r.array("exhausted_data");
        if (names.size() > max_exhausted_data) {
            r.fail("exhausted_data", "more than " + std::to_string(max_exhausted_data) +
                                         " data sets (" + std::to_string(names.size()) + ")");
        }
        for (std::size_t i = 0; i < names.size(); ++i)
            m.exhausted_data.push_back(names.str(item(i), max_data_set_name_bytes));
    }
    return m;
}

message read_heartbeat(array_reader& r) {
    heartbeat m;
    m.cpu_percent = r.f64("cpu_percent");
    m.rss_bytes = r.u64("rss_bytes");
    m.users = r.i64("users");
    m.loop_lag_ms = r.f64("loop_lag_ms");
    return m;
}

constexpr std::size_t index_of(std::string_view name) {
    return detail::message_index(name);
}

// The fields after the type name, for the alternative named by the envelope.
// (A braced initialiser evaluates its items left to right: wire order.)
message read_fields(std::size_t index, array_reader& r) {
    switch (index) {
        case index_of("hello"):
            return read_hello(r);
        case index_of("welcome"):
            return welcome{r.u32("index")};
        case index_of("reject"):
            return reject{r.str("reason", max_reason_bytes)};
        case index_of("scenario_bundle"):
            return read_scenario_bundle(r);
        case index_of("ready"):
            return ready{r.str("hash", max_hash_bytes)};
        case index_of("compile_failed"):
            return read_compile_failed(r);
        case index_of("spawn"):
            return read_spawn(r);
        case index_of("spawning"):
            return spawning{r.u64("run_id"), r.i64("users")};
        case index_of("spawn_complete"):
            return spawn_complete{r.u64("run_id"), r.i64("users")};
        case index_of("stats_report"):
            return read_stats_report(r);
        case index_of("heartbeat"):
            return read_heartbeat(r);
        case index_of("stop"):
            return stop{r.i64("timeout_ms")};
        case index_of("stopped"):
            return stopped{r.u64("run_id")};
        case index_of("quit"):
            return quit{r.str("reason", max_reason_bytes)};
        default:
            throw decode_error("internal: no reader for message type " + std::to_string(index));
    }
}

message read_message(std::string_view bytes, const decode_limits& limits) {
    if (bytes.size() > limits.max_message_bytes) {
        throw decode_error("message of " + std::to_string(bytes.size()) +
                           " bytes exceeds the limit of " +
                           std::to_string(limits.max_message_bytes));
    }
    if (auto checked = detail::check_limits(bytes, limits); !checked) {
        throw decode_error(checked.error().message);
    }
    array_reader fields(bytes, "envelope");
    fields.require("type name");
    const std::string_view name = fields.str_view("type");
    const std::size_t index = detail::message_index(name);
    if (index >= detail::message_type_names.size()) {
        throw decode_error("unknown message type '" + detail::printable(name) + "'");
    }
    fields.rename(std::string(detail::message_type_names[index]));
    return read_fields(index, fields);
}

}  // namespace

result<message> decode(std::string_view bytes, const decode_limits& limits) {
    // Every failure below is the sender's fault or hostile input, never ours
    // to crash on: each becomes an error value.
    try {
        return read_message(bytes, limits);
    } catch (const decode_error& e) {
        return fail(e.what());
    } catch (const std::bad_alloc&) {
        return fail("out of memory decoding a message of " + std::to_string(bytes.size()) +
                    " bytes");
    } catch (const std::exception& e) {
        return fail(std::string("malformed message: ") + e.what());
    } catch (...) {
        return fail("malformed message");
    }
}

}  // namespace swarm::proto
