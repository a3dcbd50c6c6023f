#pragma once
// One virtual user's template environment: its variables, the built-ins
// (user_id, worker_id, iteration, last.status, last.body), its random numbers
// and its records of data sets: next(ds) and unique(ds) draw from the
// worker's shared cursors (feeders.hpp); unique(ds) keeps its first draw.
//
// Owned by the virtual user and touched only on the user's thread.

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/scenario/plan.hpp"
#include "common/template/template.hpp"
#include "worker/user/feeders.hpp"

namespace swarm::worker::user {

// A small, fast, seedable generator (SplitMix64: 8 bytes of state, passes
// BigCrush). Each user owns one instead of a 2.5 KiB std::mt19937_64 so that
// 20 000 idle users fit in a few KiB each; see user_environment::rng().
class user_random {
  public:
    using result_type = std::uint64_t;
    explicit user_random(std::uint64_t seed = 0) : state_(seed) {}
    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return ~result_type{0}; }
    result_type operator()() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

  private:
    std::uint64_t state_;
};

// The seed of user `user_id` in a run seeded `run_seed`: distinct users get
// unrelated streams, the same (run seed, user id) the same stream.
std::uint64_t user_seed(std::uint64_t run_seed, std::int64_t user_id);

class user_environment final : public tmpl::environment {
  public:
    // Longest last.body kept, in bytes; a longer body is cut.
    static constexpr std::size_t max_last_body_bytes = 1u << 20;

    // `feeders` (may be null: then each user draws from its own cursor,
    // from the first record, as a worker alone with one user would) must
    // outlive the environment.
    user_environment(std::int64_t user_id, std::int64_t worker_id, std::uint64_t seed,
                     data_feeders* feeders = nullptr)
        : user_id_(user_id),
          worker_id_(static_cast<std::int32_t>(worker_id)),
          random_(seed),
          feeders_(feeders) {}

    // tmpl::environment
    const tmpl::value* variable(std::string_view name) const override;
    std::int64_t user_id() const override { return user_id_; }
    std::int64_t worker_id() const override { return worker_id_; }
    std::int64_t iteration() const override { return iteration_; }
    int last_status() const override { return last_status_; }
    std::string_view last_body() const override { return last_body_; }
    // A thread-local engine freshly seeded from this user's generator: the
    // functions use the reference at once, so users on one thread never see
    // each other's state, and results stay a function of the user's seed.
    std::mt19937_64& rng() override;
    // next(ds): the worker's next record of its share (each record once
    // per cycle, cluster-wide). When the share ran out and the data set's
    // on_end is not recycle: no_item, and data_ran_out() says how to end.
    std::size_t next_index(const tmpl::data_set& ds) override;
    // unique(ds): the first call draws as next(ds) does; later calls give
    // the same record.
    std::size_t unique_index(const tmpl::data_set& ds) override;
    // A next()/unique() found its data exhausted since the last call: the
    // user must end (stop_user or stop_test) before it sends what it built
    // with the missing record. Clears the flag.
    bool take_data_ran_out() { return std::exchange(data_ran_out_, false); }

    // Sets (or replaces) a variable. `name` must outlive the environment: it
    // points into the shared plan.
    void set(std::string_view name, tmpl::value v);
    // Evaluates every assignment in order, each seeing the ones before.
    void assign(const scenario::named_templates& assignments);

    void count_iteration() { ++iteration_; }
    void set_last_status(int status) { last_status_ = static_cast<std::int16_t>(status); }
    // Keeps `body` (moved from, cut to max_last_body_bytes) as last.body.
    void keep_last_body(std::string&& body);

    // The generator for task picking and waits.
    user_random& random() { return random_; }

  private:
    std::int64_t user_id_;
    std::int64_t iteration_ = 0;
    // A worker's index, an HTTP status and a flag share one 8-byte word:
    // there is one environment per user, and users are kept small.
    std::int32_t worker_id_;
    std::int16_t last_status_ = 0;
    bool data_ran_out_ = false;
    user_random random_;
    std::string last_body_;  // only when the class mentions last.body
    std::vector<std::pair<std::string_view, tmpl::value>> variables_;  // few: a flat list
    data_feeders* feeders_ = nullptr;
    // Per data set the user touched: its own next() cursor (used without
    // feeders only) and its unique() record (no_item until drawn). One
    // flat list for both: users are kept small (memory_test).
    struct data_position {
        const tmpl::data_set* set = nullptr;
        std::size_t next_calls = 0;
        std::size_t unique = no_item;
    };
    data_position& position(const tmpl::data_set& ds);
    std::vector<data_position> positions_;
};

}  // namespace swarm::worker::user
