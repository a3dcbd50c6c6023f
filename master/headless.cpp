#include "master/headless.hpp"

#include <iostream>

#include "master/controller.hpp"
#include "master/exit_code.hpp"
#include "master/report/console.hpp"
#include "master/report/progress.hpp"

namespace swarm::master {
namespace {

using clock = control_clock;
using namespace std::chrono_literals;

}  // namespace

int run_headless(zmq::context_t& zmq, const scenario::bundle& bundle,
                 std::shared_ptr<const scenario::plan> plan, const headless_options& opts,
                 const std::atomic<bool>& interrupted, const std::function<void()>& after_bind) {
    controller c(zmq, bundle, std::move(plan), controller_options_for(opts));
    const auto attached = opts.attach ? opts.attach(c) : nullptr;  // destroyed before `c`
    if (after_bind) after_bind();
    if (opts.bind.rfind("inproc:", 0) != 0) {
        // The real address (a :0 bind picks a port): scripts and tests read this line.
        std::cout << "swarm master: listening for workers on " << c.bound_endpoint()
                  << "; waiting for " << opts.expect_workers
                  << (opts.expect_workers == 1 ? " worker" : " workers") << std::endl;
    }
    // Events are log lines with a time and a level, kept on stdout: scripts
    // and tests read "All users spawned" there (README: Logs and progress).
    const log::logger events("swarm master", log::stdout_sink());
    c.on_event = [&events](const std::string& text) { report::log_event(events, text); };

    // 1. Workers.
    const auto wait_start = clock::now();
    auto last_note = wait_start;
    while (c.workers().ready_workers() < opts.expect_workers) {
        if (interrupted.load()) {
            std::cout << "Interrupted while waiting for workers: no test ran (exit 4)" << std::endl;
            return static_cast<int>(exit_code::interrupted);
        }
        const auto now = clock::now();
        if (opts.expect_workers_max_wait.count() > 0 &&
            now - wait_start > opts.expect_workers_max_wait) {
            opts.log.error("only " + std::to_string(c.workers().ready_workers()) + " of " +
                           std::to_string(opts.expect_workers) +
                           " workers connected in time; giving up (exit 5)");
            c.quit_workers("no test");
            c.pump(100ms);  // let the quit leave
            run_outcome never_came;
            never_came.workers_missing = true;
            return exit_code_for(never_came);  // 5
        }
        if (opts.expect_workers > 1 && now - last_note >= 5s) {
            last_note = now;
            events.info("waiting for workers: " + std::to_string(c.workers().ready_workers()) +
                        " of " + std::to_string(opts.expect_workers) + " ready");
        }
        c.pump(50ms);
    }

    // 2. Ramp up, run, stop (on the run time, or when interrupted).
    test_request request{
        {opts.users, opts.spawn_rate, opts.host_override, opts.stop_timeout.count()},
        opts.run_time};
    request.stages = opts.stages;  // the stages set users and rate over time
    request.iterations = opts.iterations;
    c.start(request);
    auto last_table = clock::now();
    auto last_progress = last_table;
    bool stop_asked = false;
    bool stop_now_asked = false;
    const auto again = [&] { return opts.interrupted_again && opts.interrupted_again->load(); };
    while (c.state() != run_state::stopped) {
        c.pump(100ms);
        if (interrupted.load() && !stop_asked) {
            stop_asked = true;
            events.warning("Interrupted: stopping");
            c.stop(stop_reason::interrupted);
        }
        if (again() && !stop_now_asked) {
            // The user means it: cancel everything, but still report.
            stop_now_asked = true;
            events.warning("Interrupted again: cancelling every request now");
            c.stop_now();
        }
        const auto now = clock::now();
        if (opts.progress_interval.count() > 0 && now - last_progress >= opts.progress_interval &&
            c.state() != run_state::stopped) {
            last_progress = now;
            opts.log.with_source("swarm master")
                .info(report::progress_line(report::progress_of(c)));
        }
        if (now - last_table >= opts.table_interval &&
            (c.state() == run_state::spawning || c.state() == run_state::running)) {
            last_table = now;
            if (c.state() == run_state::spawning) {
                std::cout << report::spawn_progress_line(c.workers().users(), c.test().spec.users)
                          << "\n";
            }
            if (!opts.only_summary) {
                std::cout << report::stats_table(c.stats(), report::rate_basis::current);
                if (const auto t = report::thresholds_block(c.core().thresholds()); !t.empty())
                    std::cout << '\n' << t;
                std::cout << std::endl;
            }
        }
    }
    // A headless master's workers end with its test (a Kubernetes Job of
    // workers completes); interrupted, they stay for the next master.
    if (opts.quit_workers_at_end && !interrupted.load()) {
        c.quit_workers("test over");
        c.pump(100ms);
    }

    // 3. Summary and reports.
    std::cout << "\n" << report::final_summary(c.stats()) << std::flush;
    // The verdicts that decide the exit code, judged over the whole run.
    if (const auto t = report::thresholds_block(c.core().thresholds()); !t.empty())
        std::cout << '\n' << t << std::flush;
    if (const auto folded = c.stats().requests().folded_requests(); folded > 0) {
        std::cout << "warning: " << folded
                  << " requests were counted under \"(other)\": the scenario produced more than "
                  << c.stats().requests().max_names()
                  << " distinct request names (use `name:` for templated URLs)\n";
    }
    std::cout << report::loss_warnings(c.workers().workers_lost(), c.workers().lost_reports());
    // Interrupted once or twice: 4 (the reports are written all the same).
    auto outcome = outcome_of(opts, c);
    const int exit_code = write_reports(opts, c, outcome);
    std::cout << end_line(outcome) << std::endl;
    return exit_code;
}

}  // namespace swarm::master
