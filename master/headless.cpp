#include "master/headless.hpp"

#include <boost/json/serialize.hpp>

#include <fstream>
#include <iostream>

#include "master/coordinator.hpp"
#include "master/report/console.hpp"
#include "master/report/csv.hpp"
#include "master/report/json_result.hpp"
#include "proto/transport.hpp"

namespace swarm::master {
namespace {

using clock = control_clock;
using namespace std::chrono_literals;

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Pumps messages and time into the coordinator for up to `slice`.
void pump(proto::master_endpoint& ep, coordinator& c, std::chrono::milliseconds slice) {
    const auto until = clock::now() + slice;
    do {
        if (auto in = ep.receive(10ms)) c.on_message(in->worker, in->body, clock::now());
        c.tick(clock::now(), wall_ms());
    } while (clock::now() < until);
}

bool write_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        std::cerr << "swarm: cannot write " << path << "\n";
        return false;
    }
    write(out);
    return static_cast<bool>(out);
}

void write_reports(const headless_options& opts, const coordinator& c, const scenario::bundle& bundle, int exit_code) {
    const auto& run = c.stats();
    if (!opts.csv_prefix.empty()) {
        write_file(opts.csv_prefix + "_stats.csv", [&](std::ostream& o) { report::write_stats_csv(o, run); });
        write_file(opts.csv_prefix + "_stats_history.csv",
                   [&](std::ostream& o) { report::write_stats_history_csv(o, run); });
        write_file(opts.csv_prefix + "_failures.csv", [&](std::ostream& o) { report::write_failures_csv(o, run); });
    }
    if (!opts.json_file.empty()) {
        report::run_metadata meta;
        meta.scenario_name = bundle.name;
        meta.scenario_hash = bundle.hash();
        meta.users = opts.users;
        meta.spawn_rate = opts.spawn_rate;
        meta.host = opts.host_override;
        for (const auto& [id, w] : c.workers()) meta.workers.push_back(w.name);
        meta.exit_status = exit_code;
        write_file(opts.json_file,
                   [&](std::ostream& o) { o << boost::json::serialize(report::json_result(run, meta)) << "\n"; });
    }
}

}  // namespace

int run_headless(zmq::context_t& zmq, const scenario::bundle& bundle, std::shared_ptr<const scenario::plan> plan,
                 const headless_options& opts, const std::atomic<bool>& interrupted,
                 const std::function<void()>& after_bind) {
    proto::master_endpoint ep(zmq, opts.bind);
    if (after_bind) after_bind();
    coordinator c(bundle, plan, [&ep](const std::string& w, const proto::message& m) { ep.send(w, m); }, clock::now(),
                  wall_ms());

    // 1. Workers.
    const auto wait_start = clock::now();
    while (c.ready_workers() < opts.expect_workers) {
        if (interrupted.load()) return 1;
        if (opts.expect_workers_max_wait.count() > 0 && clock::now() - wait_start > opts.expect_workers_max_wait) {
            std::cerr << "swarm: only " << c.ready_workers() << " of " << opts.expect_workers
                      << " workers connected in time; giving up\n";
            c.quit_workers("no test");
            return 1;
        }
        pump(ep, c, 50ms);
    }

    // 2. Ramp up, then run.
    const auto started = clock::now();
    c.start({opts.users, opts.spawn_rate, opts.host_override, opts.stop_timeout.count()}, started, wall_ms());
    bool spawned = false;
    auto last_table = started;
    while (!interrupted.load() && !(opts.run_time && clock::now() - started >= *opts.run_time)) {
        pump(ep, c, 100ms);
        const auto now = clock::now();
        if (!spawned && c.spawning_complete() && c.users() >= opts.users) {
            spawned = true;
            std::cout << "All users spawned: " << c.users() << " users" << std::endl;
            if (opts.reset_stats) c.reset_stats(now);
        }
        if (now - last_table >= opts.table_interval) {
            last_table = now;
            if (!spawned) std::cout << report::spawn_progress_line(c.users(), opts.users) << "\n";
            if (!opts.only_summary) {
                std::cout << report::stats_table(c.stats(), report::rate_basis::current) << std::endl;
            }
        }
    }

    // 3. Stop, and wait for every worker's last delta.
    std::cout << (interrupted.load() ? "Interrupted: stopping" : "Run time limit reached: stopping") << std::endl;
    c.stop(clock::now());
    const auto give_up = clock::now() + opts.stop_timeout +
                         std::chrono::duration_cast<std::chrono::milliseconds>(opts.request_timeout) + 5s;
    while (!c.all_stopped() && clock::now() < give_up) pump(ep, c, 50ms);
    if (!c.all_stopped()) std::cerr << "swarm: some workers did not confirm the stop in time\n";
    c.end_stats(clock::now(), wall_ms());
    if (opts.quit_workers_at_end) c.quit_workers("test over");

    // 4. Summary and reports.
    std::cout << "\n" << report::final_summary(c.stats()) << std::flush;
    if (const auto folded = c.stats().requests().folded_requests(); folded > 0) {
        std::cout << "warning: " << folded << " requests were counted under \"(other)\": the scenario produced more than "
                  << c.stats().requests().max_names() << " distinct request names (use `name:` for templated URLs)\n";
    }
    if (c.lost_reports() > 0) {
        std::cout << "warning: " << c.lost_reports() << " stats reports from workers were lost\n";
    }
    const int exit_code = c.stats().total().failures() > 0 ? opts.exit_code_on_error : 0;
    write_reports(opts, c, bundle, exit_code);
    return exit_code;
}

}  // namespace swarm::master
