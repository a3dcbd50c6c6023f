#pragma once
// bench/fanin: N simulated workers in one thread, each a DEALER socket to the
// master speaking the real protocol (proto/ codec): hello → ready for the
// bundle → spawn_complete on spawn → a stats_report (report_pool) and a
// heartbeat every second → final report and stopped on stop. No HTTP, no
// users: what reaches the master is what N busy workers would send it.
//
// Threading: one thread owns the fleet; counters() may be read by others.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "bench/fanin/report_pool.hpp"
#include "proto/auth.hpp"
#include "proto/messages.hpp"

namespace swarm::bench {

struct fleet_counters {
    std::atomic<std::size_t> ready{0};        // workers that answered the bundle with ready
    std::atomic<std::size_t> running{0};      // workers that got their spawn
    std::atomic<std::size_t> gone{0};         // workers told to quit (or rejected)
    std::atomic<std::uint64_t> reports{0};    // stats_reports sent
    std::atomic<std::uint64_t> requests{0};   // requests in the reports sent
    std::atomic<std::uint64_t> bytes_out{0};  // encoded bytes sent
    std::atomic<std::uint64_t> unsent{0};     // sends refused (full queue)
};

class sim_fleet {
  public:
    // Connects `workers` DEALERs to `endpoint` (tcp://...), with CURVE when `auth`.
    sim_fleet(std::size_t workers, const std::string& endpoint, const report_pool& pool,
              const std::optional<proto::auth_keys>& auth);
    ~sim_fleet();

    // Serves the master until `done()` is true or `deadline` passes.
    void run(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline);

    const fleet_counters& counters() const { return counters_; }

  private:
    using clock = std::chrono::steady_clock;
    enum class phase { joining, ready, running, stopped, gone };
    struct worker {
        std::string id;
        std::unique_ptr<zmq::socket_t> socket;
        phase state = phase::joining;
        std::uint64_t run_id = 0;
        std::uint64_t sequence = 0;
        std::int64_t users = 0;
        clock::time_point next_tick;
    };

    void handle(std::size_t index, const proto::message& m);
    void tick(std::size_t index);
    void send_report(std::size_t index);
    void send(worker& w, const proto::message& m);
    void read_all(std::size_t index);

    zmq::context_t ctx_;
    const report_pool& pool_;
    // One stats_report per pool delta, built once: a report is this with the
    // worker's sequence, run and users filled in, so no delta is copied per send.
    std::vector<proto::message> reports_;
    std::vector<worker> workers_;
    std::vector<zmq::pollitem_t> items_;
    fleet_counters counters_;
    std::mt19937 rng_{7};
};

}  // namespace swarm::bench
