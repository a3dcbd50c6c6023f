#include "target/counters.hpp"

#include <boost/json.hpp>

namespace swarm::target {

void thread_counters::record(std::string_view method, std::string_view path, int status) {
    std::lock_guard lock(mutex_);
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

void thread_counters::merge_into(stats_snapshot& out) const {
    out.malformed += malformed_;
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
    routes_.clear();
}

counters::counters(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) threads_.push_back(std::make_unique<thread_counters>());
}

stats_snapshot counters::snapshot() {
    // Holding every lock at once makes the snapshot a single point in time:
    // a request answered before /__stats was asked is always in it.
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(threads_.size());
    for (auto& t : threads_) locks.emplace_back(t->mutex_);
    stats_snapshot out;
    for (const auto& t : threads_) t->merge_into(out);
    return out;
}

void counters::reset() {
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(threads_.size());
    for (auto& t : threads_) locks.emplace_back(t->mutex_);
    for (auto& t : threads_) t->clear();
}

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
    return boost::json::serialize(root);
}

}  // namespace swarm::target
