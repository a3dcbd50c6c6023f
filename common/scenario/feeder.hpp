#pragma once
// Data feeders: how next(ds) and unique(ds) split a data set's records over
// the cluster without talking per record.
//
// The records are handed out as a sequence of *draws* 0, 1, 2, ...: draw d
// is record d mod N of cycle d / N. The master gives each worker a *share*,
// a slot k of `slots` (the workers present when the test starts, in join
// order): worker k takes draws k, k + slots, k + 2·slots, ... Within a
// worker one counter per data set numbers its draws (its io threads take
// them in turn), so the worker's i-th draw is global draw k + i·slots.
// Together the shares cover every draw exactly once: each record is handed
// out once per cycle, cluster-wide, and the first call on the first worker
// gets record 0.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace swarm::scenario {

// Bounds on `data:` (a worker names exhausted data sets to the master).
inline constexpr std::size_t max_data_sets = 256;
inline constexpr std::size_t max_data_set_name_bytes = 255;

// `on_end:` of a data set: what next()/unique() do when its records run out.
enum class data_end : std::uint8_t {
    recycle,    // start over: draw d is record d mod N (Gatling's circular)
    stop_user,  // the user that asked ends (its on_stop runs); the others go on
    stop_test,  // the user ends, and the test stops once every share ran out
};

// "recycle", "stop_user", "stop_test".
const char* to_string(data_end e);
std::optional<data_end> parse_data_end(std::string_view text);

// A worker's share of every data set: slot `slot` of `slots`. slots == 0:
// no share (a worker that joined after the test started, while every slot
// was taken): with recycle it cycles over the whole data set on its own
// (records may repeat within a cycle), otherwise its draws are exhausted.
struct feeder_share {
    std::uint32_t slot = 0;
    std::uint32_t slots = 1;
    bool operator==(const feeder_share&) const = default;
};

// What the `local`-th draw (from 0) of a worker with share `s` gives in a
// data set of `records` records.
struct feeder_pick {
    std::size_t record = 0;  // index into the data set's items
    bool exhausted = false;  // past the first cycle and on_end is not recycle
};
feeder_pick pick_record(feeder_share s, std::uint64_t local, std::size_t records, data_end on_end);

// How many records of the first cycle share `s` holds.
std::uint64_t share_size(feeder_share s, std::size_t records);

}  // namespace swarm::scenario
