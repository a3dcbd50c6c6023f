#include "master/dispatch/feeder_slots.hpp"

#include <algorithm>

namespace swarm::master {

void feeder_slots::start(const std::vector<std::string>& ids) {
    held_.clear();
    exhausted_.clear();
    slots_ = static_cast<std::uint32_t>(ids.size());
    for (std::uint32_t i = 0; i < slots_; ++i) held_[ids[i]] = i;
}

void feeder_slots::update(const std::vector<std::string>& ids) {
    if (slots_ == 0) {  // the test started before any worker
        start(ids);
        return;
    }
    // Gone: the slot is free (its holder's reports no longer count).
    for (auto it = held_.begin(); it != held_.end();) {
        if (std::find(ids.begin(), ids.end(), it->first) != ids.end()) {
            ++it;
            continue;
        }
        for (auto& [name, workers] : exhausted_) workers.erase(it->first);
        it = held_.erase(it);
    }
    // New: the lowest free slot, if any.
    for (const auto& id : ids) {
        if (held_.contains(id)) continue;
        std::set<std::uint32_t> taken;
        for (const auto& [w, slot] : held_) taken.insert(slot);
        for (std::uint32_t s = 0; s < slots_; ++s) {
            if (!taken.contains(s)) {
                held_[id] = s;
                break;
            }
        }
    }
}

scenario::feeder_share feeder_slots::share(const std::string& id) const {
    const auto it = held_.find(id);
    if (it == held_.end()) return {0, 0};
    return {it->second, slots_};
}

void feeder_slots::exhausted(const std::string& id, const std::string& data_set) {
    if (!held_.contains(id)) return;  // no share: its users end, the test goes on
    // Bounded: the names are the scenario's data sets (the decoder bounds
    // their number), and only holders are remembered.
    exhausted_[data_set].insert(id);
}

std::optional<std::string> feeder_slots::used_up(
    const std::function<bool(const std::string& id)>& busy) const {
    for (const auto& entry : exhausted_) {
        // Not a structured binding: a lambda cannot capture one (C++20, clang 14).
        const auto& workers = entry.second;
        if (workers.empty()) continue;
        const bool all = std::all_of(held_.begin(), held_.end(), [&](const auto& h) {
            return workers.contains(h.first) || !busy(h.first);
        });
        if (all) return entry.first;
    }
    return std::nullopt;
}

}  // namespace swarm::master
