// Messages → msgpack bytes. The layout of every message is in PROTOCOL.md;
// keep the two in step (decode.cpp reads the same positions).
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include <msgpack.hpp>

#include "proto/codec.hpp"
#include "proto/codec/type_names.hpp"

namespace swarm::proto {
namespace {

// msgpack's packer appends through write(); a std::string is the buffer we hand back.
struct string_buffer {
    std::string bytes;
    void write(const char* data, std::size_t size) { bytes.append(data, size); }
};

class writer {
  public:
    explicit writer(string_buffer& out) : out_(out), packer_(out) {}

    void array(std::size_t items) { packer_.pack_array(checked_size(items, "array")); }
    void str(std::string_view s) {
        packer_.pack_str(checked_size(s.size(), "string"));
        packer_.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
    }
    // Data file contents: bytes that need not be UTF-8, which msgpack's str promises.
    void bin(std::string_view s) {
        packer_.pack_bin(checked_size(s.size(), "binary"));
        packer_.pack_bin_body(s.data(), static_cast<std::uint32_t>(s.size()));
    }
    void u64(std::uint64_t v) { packer_.pack_uint64(v); }  // packs in the fewest bytes
    void i64(std::int64_t v) { packer_.pack_int64(v); }
    void f64(double v) {
        // msgpack-c writes an integral double as an integer, but its range
        // check lets exactly 2^64 through to uint64_t(2^64), which is
        // undefined (fuzz_proto_decode: a heartbeat whose cpu_percent came
        // in as that value, re-encoded). No integer holds it: float64 it is.
        if (v == 0x1p64) {
            const auto bits = std::bit_cast<std::uint64_t>(v);
            char bytes[9] = {static_cast<char>(0xcb)};  // msgpack float 64, big-endian
            for (int i = 0; i < 8; ++i) bytes[1 + i] = static_cast<char>(bits >> (56 - 8 * i));
            out_.write(bytes, sizeof bytes);
            return;
        }
        packer_.pack_double(v);
    }

  private:
    // msgpack lengths are 32-bit; a longer value cannot be represented at all.
    static std::uint32_t checked_size(std::size_t size, const char* what) {
        if (size > UINT32_MAX) {
            throw std::length_error(std::string("msgpack ") + what + " of " + std::to_string(size) +
                                    " items is too long to encode");
        }
        return static_cast<std::uint32_t>(size);
    }

    string_buffer& out_;
    msgpack::packer<string_buffer> packer_;
};

// Starts the envelope: [type_name, <fields> fields...].
void envelope(writer& w, const message& m, std::size_t fields) {
    w.array(1 + fields);
    w.str(type_name(m));
}

void write_entry(writer& w, std::string_view method, std::string_view name, const stats::entry& e) {
    w.array(8);
    w.str(method);
    w.str(name);
    w.u64(e.failures());
    w.u64(e.latency_sum_us());
    w.u64(e.response_bytes());
    w.u64(e.min_latency_us());
    w.u64(e.max_latency_us());
    std::size_t buckets = 0;
    e.latency().for_each_bucket([&buckets](std::uint32_t, std::uint64_t) { ++buckets; });
    w.array(2 * buckets);  // flat: index, count, index, count, ...
    e.latency().for_each_bucket([&w](std::uint32_t index, std::uint64_t count) {
        w.u64(index);
        w.u64(count);
    });
}

void write_delta(writer& w, const stats::delta& d) {
    w.array(d.requests.size());
    d.requests.for_each([&w](std::string_view method, std::string_view name,
                             const stats::entry& e) { write_entry(w, method, name, e); });
    w.array(d.errors.size());
    d.errors.for_each([&w](std::string_view method, std::string_view name, std::string_view text,
                           const stats::error_stats& s) {
        w.array(6);
        w.str(method);
        w.str(name);
        w.str(text);
        w.u64(s.occurrences);
        w.i64(s.first_seen_ms);
        w.i64(s.last_seen_ms);
    });
    w.u64(d.errors.overflow());
    w.array(d.classes.size());  // appended in protocol 3
    d.classes.for_each([&w](std::string_view user_class, const stats::class_counts& c) {
        w.array(4);
        w.str(user_class);
        w.u64(c.iterations);
        w.u64(c.dropped_iterations);
        w.u64(c.pacing_overruns);
    });
}

void write_strings(writer& w, const std::vector<std::string>& items) {
    w.array(items.size());
    for (const auto& s : items) w.str(s);
}

// One overload per message type: the fields after the type name.
struct field_writer {
    writer& w;
    const message& m;

    void operator()(const hello& h) const {
        envelope(w, m, 5);
        w.u64(h.version);
        w.str(h.host);
        w.str(h.name);
        w.u64(h.threads);
        w.i64(h.pid);
    }
    void operator()(const welcome& x) const {
        envelope(w, m, 1);
        w.u64(x.index);
    }
    void operator()(const reject& x) const {
        envelope(w, m, 1);
        w.str(x.reason);
    }
    void operator()(const scenario_bundle& x) const {
        envelope(w, m, 5);
        w.str(x.hash);
        w.str(x.bundle.name);
        w.str(x.bundle.source);
        w.array(x.bundle.files.size());
        for (const auto& [path, content] : x.bundle.files) {
            w.array(2);
            w.str(path);
            w.bin(content);
        }
        w.array(6);  // run options
        w.u64(x.options.insecure ? 1 : 0);
        w.i64(x.options.request_timeout_ms);
        w.bin(x.options.ca_pem);
        w.u64(x.options.max_body_bytes);
        write_strings(w, x.options.include_tags);
        write_strings(w, x.options.exclude_tags);
    }
    void operator()(const ready& x) const {
        envelope(w, m, 1);
        w.str(x.hash);
    }
    void operator()(const compile_failed& x) const {
        envelope(w, m, 2);
        w.str(x.hash);
        w.array(x.errors.size());
        for (const auto& e : x.errors) w.str(e);
    }
    void operator()(const spawn& x) const {
        envelope(w, m, 8);
        w.u64(x.run_id);
        w.array(x.targets.size());
        for (const auto& [user_class, users] : x.targets) {
            w.array(2);
            w.str(user_class);
            w.i64(users);
        }
        w.f64(x.spawn_rate);
        w.str(x.host_override);
        w.array(x.arrivals.size());
        for (const auto& a : x.arrivals) {
            w.array(7);
            w.str(a.user_class);
            w.f64(a.rate);
            w.f64(a.rate_end);
            w.i64(a.ramp_ms);
            w.i64(a.max_users);
            w.i64(a.pre_allocate);
            w.f64(a.phase);
        }
        w.i64(x.iteration_quota);
        w.u64(x.feeder_slot);
        w.u64(x.feeder_slots);
    }
    void operator()(const spawning& x) const {
        envelope(w, m, 2);
        w.u64(x.run_id);
        w.i64(x.users);
    }
    void operator()(const spawn_complete& x) const {
        envelope(w, m, 2);
        w.u64(x.run_id);
        w.i64(x.users);
    }
    void operator()(const stats_report& x) const {
        envelope(w, m, 8);
        w.u64(x.sequence);
        w.u64(x.run_id);
        w.i64(x.users);
        write_delta(w, x.delta);  // requests, errors, error overflow, classes
        w.array(x.exhausted_data.size());
        for (const auto& name : x.exhausted_data) w.str(name);
    }
    void operator()(const heartbeat& x) const {
        envelope(w, m, 4);
        w.f64(x.cpu_percent);
        w.u64(x.rss_bytes);
        w.i64(x.users);
        w.f64(x.loop_lag_ms);
    }
    void operator()(const stop& x) const {
        envelope(w, m, 1);
        w.i64(x.timeout_ms);
    }
    void operator()(const stopped& x) const {
        envelope(w, m, 1);
        w.u64(x.run_id);
    }
    void operator()(const quit& x) const {
        envelope(w, m, 1);
        w.str(x.reason);
    }
};

}  // namespace

std::string encode(const message& m) {
    string_buffer out;
    writer w(out);
    std::visit(field_writer{w, m}, m);
    return std::move(out.bytes);
}

}  // namespace swarm::proto
