#pragma once
// Which share of the data sets each worker draws next()/unique() records
// from in a test (common/scenario/feeder.hpp: worker with slot k of n takes
// draws k, k + n, ...), and when an `on_end: stop_test` data set has run
// out cluster-wide.
//
// The rule, fixed for a test:
// - When the test starts, the active workers get slots 0..n-1 of n in
//   join order (the first worker to join gets record 0 first).
// - A worker that leaves (quits, goes missing, fails) frees its slot; the
//   records of its share it had not drawn yet are not handed out unless a
//   worker takes the slot.
// - A worker that becomes active during the test takes the lowest free
//   slot and starts it again from its first record: records the departed
//   worker had drawn may be drawn a second time, at most once per departed
//   worker. A worker that comes back before its slot was taken gets it
//   again and continues where it was (its cursor survived).
// - With no free slot, a late worker gets no share: with on_end recycle
//   its users cycle over the whole data set on their worker's own cursor
//   (records may then repeat within a cycle); otherwise their next() and
//   unique() find the data exhausted and the user ends. It never stops
//   the test.
// - A test that started without workers gives out its slots at the first
//   dispatch that has some.
// Records are never moved between shares: that would need each worker's
// progress, i.e. per-record (or per-block) chatter with the master.
//
// Threading: the coordinator's (control thread).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/scenario/feeder.hpp"

namespace swarm::master {

class feeder_slots {
  public:
    // A new test: `ids` (active workers, in join order) get slots 0..n-1 of n.
    void start(const std::vector<std::string>& ids);
    // During the test, `ids` are the active workers now (join order).
    void update(const std::vector<std::string>& ids);
    // The share of worker `id`: {0, 0} (none) when it holds no slot.
    scenario::feeder_share share(const std::string& id) const;

    // Worker `id` reported that its share of `data_set` ran out.
    void exhausted(const std::string& id, const std::string& data_set);
    // A data set every slot holder that `busy` says runs users has
    // exhausted (at least one has): its name. Holders without users never
    // draw, so they are not waited for (their records stay unused).
    std::optional<std::string> used_up(
        const std::function<bool(const std::string& id)>& busy) const;

  private:
    std::uint32_t slots_ = 0;
    std::map<std::string, std::uint32_t> held_;               // worker id → slot
    std::map<std::string, std::set<std::string>> exhausted_;  // data set → worker ids
};

}  // namespace swarm::master
