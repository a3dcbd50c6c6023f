#pragma once
// A worker's cursors over the plan's data sets for next(ds) and unique(ds):
// one counter per data set, shared by the worker's io threads, numbering
// the worker's draws within the share the master gave it
// (common/scenario/feeder.hpp has the arithmetic and the guarantees).
//
// Why one atomic per data set and not a sub-stride per io thread: threads
// whose users draw at different paces (or a thread with no users at all)
// would leave records of their sub-stride unused, and `on_end: stop_test`
// could then never end the test with every record used once. The counter
// is touched once per next()/unique() call, at most once per request (about
// 10 us of CPU each, bench/README): 2 threads hammering it back to back pay
// ~45 ns per draw against ~3 ns for a per-thread counter, and with ~8 us of
// work between draws the two do not differ beyond noise
// (bench/feeder-cursor/run, bench/README "Feeder cursor").
//
// Threading: assign() and take_exhausted() on the node's control thread,
// draw() on any io thread; all state is atomic.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/scenario/feeder.hpp"
#include "common/scenario/plan.hpp"

namespace swarm::worker::user {

class data_feeders {
  public:
    // The plan must outlive this (the cursors point into its data sets).
    explicit data_feeders(const scenario::plan& plan);

    // This worker's share in run `run_id`: a new run or another share
    // starts every cursor again at the share's first record. The same
    // share again (a rebalance) changes nothing.
    void assign(std::uint64_t run_id, scenario::feeder_share share);

    struct draw_result {
        std::size_t index = 0;   // into the data set's items
        bool exhausted = false;  // none left in this worker's share
        scenario::data_end on_end = scenario::data_end::recycle;
    };
    // The next record of `ds` in this worker's share. An unknown data set
    // (not the plan's) draws as exhausted.
    draw_result draw(const tmpl::data_set& ds);

    // Names of the `on_end: stop_test` data sets whose share ran out since
    // the last call; each once per run.
    std::vector<std::string> take_exhausted();

  private:
    struct cursor {
        const tmpl::data_set* set = nullptr;
        scenario::data_end on_end = scenario::data_end::recycle;
        std::atomic<std::uint64_t> next{0};
        std::atomic<bool> exhausted{false};
        std::atomic<bool> reported{false};
    };
    std::unique_ptr<cursor[]> cursors_;
    std::size_t count_ = 0;
    // slot << 32 | slots, so that a draw reads both at once.
    std::atomic<std::uint64_t> share_{1};
    std::uint64_t run_id_ = 0;
};

}  // namespace swarm::worker::user
