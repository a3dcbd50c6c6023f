#include "master/dispatch/dispatch.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace swarm::master {

std::int64_t worker_assignment::total() const {
    return std::accumulate(targets.begin(), targets.end(), std::int64_t{0});
}

std::vector<std::int64_t> class_totals(const std::vector<user_class_weight>& classes,
                                       std::int64_t users) {
    std::vector<std::int64_t> totals(classes.size(), 0);
    std::int64_t left = std::max<std::int64_t>(users, 0);
    for (std::size_t i = 0; i < classes.size(); ++i) {
        if (!classes[i].fixed_count) continue;
        totals[i] = std::min(left, std::max<std::int64_t>(*classes[i].fixed_count, 0));
        left -= totals[i];
    }
    double weight_sum = 0;
    for (const auto& c : classes) weight_sum += c.fixed_count ? 0 : c.weight;
    if (left == 0 || weight_sum <= 0) return totals;

    // Largest remainder: floor of each exact share, then one more user to the
    // classes with the largest fractional parts (ties: scenario order).
    std::vector<std::pair<double, std::size_t>> remainders;
    std::int64_t given = 0;
    for (std::size_t i = 0; i < classes.size(); ++i) {
        if (classes[i].fixed_count) continue;
        const double exact = static_cast<double>(left) * classes[i].weight / weight_sum;
        const auto whole = static_cast<std::int64_t>(std::floor(exact));
        totals[i] += whole;
        given += whole;
        remainders.emplace_back(exact - static_cast<double>(whole), i);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; given < left && k < remainders.size(); ++k, ++given) {
        ++totals[remainders[k].second];
    }
    return totals;
}

std::vector<std::int64_t> running_estimate(const std::vector<std::int64_t>& shape,
                                           std::int64_t total) {
    const auto sum = std::accumulate(shape.begin(), shape.end(), std::int64_t{0});
    if (sum == total) return shape;
    if (total <= 0 || sum <= 0) return {};
    std::vector<user_class_weight> weights;
    weights.reserve(shape.size());
    for (const auto n : shape)
        weights.push_back({"", static_cast<double>(std::max<std::int64_t>(n, 0)), {}});
    return class_totals(weights, total);
}

namespace {

// Workers in fill order: the first worker of every host, then the second of
// every host, ... so consecutive users land on different machines.
std::vector<std::size_t> host_spread_order(const std::vector<worker_slot>& workers) {
    std::map<std::string, int> seen_per_host;
    std::vector<std::pair<int, std::size_t>> keyed;
    for (std::size_t i = 0; i < workers.size(); ++i)
        keyed.emplace_back(seen_per_host[workers[i].host]++, i);
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::size_t> order;
    order.reserve(keyed.size());
    for (const auto& k : keyed) order.push_back(k.second);
    return order;
}

}  // namespace

std::vector<worker_assignment> dispatch(const std::vector<user_class_weight>& classes,
                                        const std::vector<worker_slot>& workers, std::int64_t users,
                                        double rate) {
    std::vector<worker_assignment> out(workers.size());
    for (std::size_t w = 0; w < workers.size(); ++w) {
        out[w].id = workers[w].id;
        out[w].targets.assign(classes.size(), 0);
    }
    if (workers.empty()) return out;

    // Deal users class by class onto workers in a continuing round-robin: the
    // next class starts where the previous stopped, so totals stay balanced.
    const auto totals = class_totals(classes, users);
    const auto order = host_spread_order(workers);
    std::size_t next = 0;
    for (std::size_t c = 0; c < classes.size(); ++c) {
        const auto per_worker = totals[c] / static_cast<std::int64_t>(workers.size());
        auto extra = totals[c] % static_cast<std::int64_t>(workers.size());
        for (auto& a : out) a.targets[c] = per_worker;
        for (; extra > 0; --extra, next = (next + 1) % order.size()) ++out[order[next]].targets[c];
    }

    // Rate shares follow the work still to do on each worker.
    std::vector<double> pending(workers.size(), 0);
    double pending_sum = 0;
    for (std::size_t w = 0; w < workers.size(); ++w) {
        for (std::size_t c = 0; c < classes.size(); ++c) {
            const auto now = c < workers[w].running.size() ? workers[w].running[c] : 0;
            pending[w] += static_cast<double>(std::llabs(out[w].targets[c] - now));
        }
        pending_sum += pending[w];
    }
    for (std::size_t w = 0; w < workers.size(); ++w) {
        out[w].spawn_rate = pending_sum > 0 ? rate * pending[w] / pending_sum
                                            : rate / static_cast<double>(workers.size());
    }
    return out;
}

}  // namespace swarm::master
