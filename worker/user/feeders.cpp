#include "worker/user/feeders.hpp"

namespace swarm::worker::user {
namespace {

std::uint64_t pack(scenario::feeder_share s) {
    return (static_cast<std::uint64_t>(s.slot) << 32) | s.slots;
}

scenario::feeder_share unpack(std::uint64_t v) {
    return {static_cast<std::uint32_t>(v >> 32), static_cast<std::uint32_t>(v)};
}

}  // namespace

data_feeders::data_feeders(const scenario::plan& plan)
    : cursors_(std::make_unique<cursor[]>(plan.data.size())), count_(plan.data.size()) {
    for (std::size_t i = 0; i < count_; ++i) {
        cursors_[i].set = plan.data[i].get();
        if (i < plan.data_on_end.size()) cursors_[i].on_end = plan.data_on_end[i];
    }
}

void data_feeders::assign(std::uint64_t run_id, scenario::feeder_share share) {
    if (run_id == run_id_ && pack(share) == share_.load()) return;
    run_id_ = run_id;
    share_.store(pack(share));
    for (std::size_t i = 0; i < count_; ++i) {
        auto& c = cursors_[i];
        c.next.store(0);
        // A share with no record of the data set (more workers than
        // records, or none at all) has run out before its first draw: say
        // so at once, or a stop_test would wait for this worker forever.
        const bool empty = scenario::share_size(share, c.set->items.size()) == 0 &&
                           c.on_end != scenario::data_end::recycle;
        c.exhausted.store(empty);
        c.reported.store(false);
    }
}

data_feeders::draw_result data_feeders::draw(const tmpl::data_set& ds) {
    for (std::size_t i = 0; i < count_; ++i) {
        auto& c = cursors_[i];
        if (c.set != &ds) continue;
        const std::uint64_t local = c.next.fetch_add(1, std::memory_order_relaxed);
        const auto pick = scenario::pick_record(unpack(share_.load(std::memory_order_relaxed)),
                                                local, ds.items.size(), c.on_end);
        if (pick.exhausted) c.exhausted.store(true, std::memory_order_relaxed);
        return {pick.record, pick.exhausted, c.on_end};
    }
    return {0, true, scenario::data_end::stop_user};
}

std::vector<std::string> data_feeders::take_exhausted() {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < count_; ++i) {
        auto& c = cursors_[i];
        if (c.on_end != scenario::data_end::stop_test || !c.exhausted.load()) continue;
        if (c.reported.exchange(true)) continue;
        names.push_back(c.set->name);
    }
    return names;
}

}  // namespace swarm::worker::user
