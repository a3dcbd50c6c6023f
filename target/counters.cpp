#include "target/counters.hpp"

#include <boost/json.hpp>

#include <array>

namespace swarm::target {

void thread_counters::record(std::string_view method, std::string_view path, int status,
                             http_protocol protocol) {
    std::lock_guard lock(mutex_);
    ++by_protocol_.at(static_cast<std::size_t>(protocol));
    key_.assign(method);
    key_.push_back(' ');
    key_.append(path);
    auto it = routes_.find(std::string_view(key_));
    if (it == routes_.end()) {
        const std::string_view key =
            routes_.size() < max_routes ? std::string_view(key_) : counters::overflow_key;
        it = routes_.try_emplace(std::string(key)).first;
    }
    auto& by_status = it->second.by_status;
    for (auto& [code, count] : by_status) {
        if (code == status) {
            ++count;
            return;
        }
    }
    by_status.emplace_back(status, 1);
}

void thread_counters::record_malformed() {
    std::lock_guard lock(mutex_);
    ++malformed_;
}

void thread_counters::record_h2_connection() {
    std::lock_guard lock(mutex_);
    ++h2_.connections;
}

void thread_counters::record_h2_protocol_error() {
    std::lock_guard lock(mutex_);
    ++h2_.protocol_errors;
}

void thread_counters::record_arrival(const arrival_time& at) {
    // The shared clock first, outside the lock: it is lock-free.
    const auto gap = gap_clock_.arrive(at.steady_ns);
    std::lock_guard lock(mutex_);
    arrivals_.record(at.unix_us / 1'000'000);
    ++arrival_total_;
    if (gap) gaps_.record(*gap);
}

void thread_counters::merge_into(stats_snapshot& out) const {
    out.malformed += malformed_;
    out.h1 += by_protocol_[static_cast<std::size_t>(http_protocol::h1)];
    out.h2 += by_protocol_[static_cast<std::size_t>(http_protocol::h2)];
    out.h2_connections.connections += h2_.connections;
    out.h2_connections.protocol_errors += h2_.protocol_errors;
    out.arrivals.total += arrival_total_;
    arrivals_.merge_into(out.arrivals.per_second, out.arrivals.now_unix_ms / 1000);
    out.arrivals.gaps.merge(gaps_);
    for (const auto& [key, counts] : routes_) {
        auto& merged = out.routes[key];
        for (const auto& [code, count] : counts.by_status) {
            merged[code] += count;
            out.total += count;
        }
    }
}

void thread_counters::clear() {
    malformed_ = 0;
    by_protocol_ = {};
    h2_ = {};
    routes_.clear();
    arrivals_.clear();
    arrival_total_ = 0;
    gaps_.clear();
}

counters::counters(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) {
        threads_.push_back(std::make_unique<thread_counters>(gap_clock_));
    }
}

stats_snapshot counters::snapshot() {
    // Holding every lock at once makes the snapshot a single point in time:
    // a request answered before /__stats was asked is always in it.
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(threads_.size());
    for (auto& t : threads_) locks.emplace_back(t->mutex_);
    stats_snapshot out;
    out.arrivals.now_unix_ms = arrival_time::now().unix_us / 1000;
    for (const auto& t : threads_) t->merge_into(out);
    return out;
}

void counters::reset() {
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(threads_.size());
    for (auto& t : threads_) locks.emplace_back(t->mutex_);
    for (auto& t : threads_) t->clear();
    gap_clock_.reset();
}

namespace {

boost::json::object arrivals_json(const arrivals_snapshot& a) {
    boost::json::array per_second;
    for (const auto& [second, count] : a.per_second) {
        per_second.push_back(boost::json::array{second, count});
    }
    return {
        {"total", a.total}, {"now_unix_ms", a.now_unix_ms}, {"per_second", std::move(per_second)}};
}

boost::json::object gaps_json(const stats::histogram& gaps) {
    static constexpr std::array<double, 3> ps{50, 90, 99};
    std::array<std::uint64_t, 3> values{};
    gaps.values_at_percentiles(ps, values);
    return {{"count", gaps.count()},
            {"p50", values[0]},
            {"p90", values[1]},
            {"p99", values[2]},
            {"max", gaps.max_us()}};
}

boost::json::object uploads_json(const upload_snapshot& u) {
    boost::json::object by_hash;
    for (const auto& [hash, count] : u.files_by_sha256) by_hash[hash] = count;
    return {{"requests", u.requests},
            {"malformed", u.malformed},
            {"fields", u.fields},
            {"field_bytes", u.field_bytes},
            {"files", u.files},
            {"file_bytes", u.file_bytes},
            {"files_by_sha256", std::move(by_hash)}};
}

}  // namespace

std::string to_json(const stats_snapshot& snapshot) {
    boost::json::object requests;
    boost::json::object statuses;
    boost::json::object routes;
    std::map<int, std::uint64_t> status_totals;
    for (const auto& [key, by_status] : snapshot.routes) {
        std::uint64_t route_total = 0;
        boost::json::object route;
        for (const auto& [code, count] : by_status) {
            route[std::to_string(code)] = count;
            route_total += count;
            status_totals[code] += count;
        }
        requests[key] = route_total;
        routes[key] = std::move(route);
    }
    for (const auto& [code, count] : status_totals) statuses[std::to_string(code)] = count;
    boost::json::object root;
    root["total"] = snapshot.total;
    root["requests"] = std::move(requests);
    root["statuses"] = std::move(statuses);
    root["routes"] = std::move(routes);
    root["malformed"] = snapshot.malformed;
    root["protocols"] = boost::json::object{{"h1", snapshot.h1}, {"h2", snapshot.h2}};
    root["h2"] = boost::json::object{{"connections", snapshot.h2_connections.connections},
                                     {"protocol_errors", snapshot.h2_connections.protocol_errors}};
    root["arrivals"] = arrivals_json(snapshot.arrivals);
    root["gaps_us"] = gaps_json(snapshot.arrivals.gaps);
    root["stall"] = boost::json::object{{"phase_unix_ms", snapshot.stall_phase_unix_ms}};
    root["uploads"] = uploads_json(snapshot.uploads);
    root["ws"] = to_json(snapshot.ws);
    return boost::json::serialize(root);
}

}  // namespace swarm::target
