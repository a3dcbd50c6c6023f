#include "master/dispatch/arrival_split.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace swarm::master {
namespace {

std::vector<double> weights_of(const std::vector<std::uint32_t>& threads) {
    std::vector<double> w;
    w.reserve(threads.size());
    for (const auto t : threads) w.push_back(static_cast<double>(std::max<std::uint32_t>(t, 1)));
    return w;
}

}  // namespace

std::vector<double> thread_fractions(const std::vector<std::uint32_t>& threads) {
    auto w = weights_of(threads);
    double sum = 0;
    for (const auto x : w) sum += x;
    for (auto& x : w) x /= sum;
    return w;
}

std::vector<std::int64_t> split_by_threads(std::int64_t total,
                                           const std::vector<std::uint32_t>& threads) {
    std::vector<std::int64_t> parts(threads.size(), 0);
    if (threads.empty() || total <= 0) return parts;
    const auto w = weights_of(threads);
    double sum = 0;
    for (const auto x : w) sum += x;
    std::vector<std::pair<double, std::size_t>> remainders;
    std::int64_t given = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
        const double exact = static_cast<double>(total) * w[i] / sum;
        const auto whole = static_cast<std::int64_t>(std::floor(exact));
        parts[i] = whole;
        given += whole;
        remainders.emplace_back(exact - static_cast<double>(whole), i);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; given < total; k = (k + 1) % remainders.size(), ++given)
        ++parts[remainders[k].second];
    return parts;
}

}  // namespace swarm::master
