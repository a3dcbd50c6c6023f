#include "master/interactive.hpp"

#include "common/scenario/stages_text.hpp"

#include <iostream>

#include "master/controller.hpp"
#include "master/report/progress.hpp"
#include "master/web/api.hpp"

namespace swarm::master {
namespace {

using namespace std::chrono_literals;

// The controller's web front: the routes and the server that calls them.
struct web_front {
    web_front(controller& c, web::api_options api_opts, web::server_options server_opts)
        : api(c, std::move(api_opts)),
          server(
              std::move(server_opts),
              [this](const web::web_request& r, web::web_reply reply) {
                  api.handle(r, std::move(reply));
              },
              [this](std::function<void(std::string)> send) { api.hello(std::move(send)); }) {}
    web::web_api api;
    web::server server;
};

web::api_options api_options_for(const headless_options& t, const std::string& run_time_text) {
    web::api_options a;
    a.start.users = t.users;
    a.start.spawn_rate = t.spawn_rate;
    a.start.host = t.host_override;
    a.start.run_time = t.run_time;
    a.start.stop_timeout_ms = t.stop_timeout.count();
    a.ui.users = t.users;
    a.ui.spawn_rate = t.spawn_rate;
    a.ui.run_time = run_time_text;
    // --stages / --iterations (or the scenario's load) prefill the form's
    // Profile and Iterations: Start runs the profile unless they are cleared.
    if (!t.stages.empty()) a.ui.stages = scenario::format_stages(t.stages);
    a.ui.iterations = t.iterations;
    a.expect_workers = t.expect_workers;
    a.full_history_file = full_history_path(t);
    return a;
}

}  // namespace

int run_interactive(zmq::context_t& zmq, const scenario::bundle& bundle,
                    std::shared_ptr<const scenario::plan> plan, const interactive_options& opts,
                    const std::atomic<bool>& interrupted, const std::function<void()>& after_bind) {
    const auto& t = opts.test;
    controller c(zmq, bundle, std::move(plan), controller_options_for(t));
    if (after_bind) after_bind();
    if (t.bind.rfind("inproc:", 0) != 0) {
        std::cout << "swarm master: listening for workers on " << c.bound_endpoint() << std::endl;
    }
    // Events are log lines kept on stdout, as in headless.cpp.
    const log::logger events("swarm master", log::stdout_sink());
    c.on_event = [&events](const std::string& text) { report::log_event(events, text); };
    std::unique_ptr<web_front> front;
    try {
        front = std::make_unique<web_front>(c, api_options_for(t, opts.run_time_text), opts.web);
    } catch (const std::exception& e) {
        t.log.error(e.what());
        return static_cast<int>(exit_code::usage);  // before any test: as a bad --web-port
    }
    // Scripts and tests read this line for the port.
    std::cout << "swarm: web UI at " << front->server.url() << std::endl;

    // --csv, --json and --html are written when a test ends (so the files of
    // the latest test exist while the UI stays up) and again at exit, as
    // Locust writes its --csv files at exit in UI mode: what the files hold
    // at the end is what the UI showed last (a reset included).
    //
    // The exit code: the last test's outcome (its stop reason, thresholds and
    // failed requests, as headless), 4 when Ctrl-C stopped a running test,
    // 0 when no test ran; 5 when the reports at exit could not be written.
    auto last_snapshot = control_clock::now();
    const auto test_ended = [&] {
        auto outcome = outcome_of(t, c);
        write_reports(t, c, outcome);
        std::cout << end_line(outcome) << std::endl;
    };
    auto last_progress = last_snapshot;
    c.on_test_end = test_ended;
    while (!interrupted.load()) {
        c.pump(100ms);
        const auto now = control_clock::now();
        // While a test runs, the progress line, as headless (a Deployment's log).
        const bool running = c.state() == run_state::spawning || c.state() == run_state::running ||
                             c.state() == run_state::stopping;
        if (!running) last_progress = now;
        if (running && t.progress_interval.count() > 0 &&
            now - last_progress >= t.progress_interval) {
            last_progress = now;
            t.log.with_source("swarm master").info(report::progress_line(report::progress_of(c)));
        }
        if (now - last_snapshot >= 1s) {
            last_snapshot = now;
            front->server.publish(std::make_shared<const std::string>(web::snapshot_json(c)));
        }
    }
    // Ctrl-C: stop a running test. The controller gives up on silent workers
    // by itself (stop timeout + on_stop's bound + slack: controller_core.hpp);
    // the 2 s past it only guard this loop. A second Ctrl-C cancels
    // everything now, which brings the give-up within 3 s.
    // No test starts any more (a start queued behind a stop is refused), and
    // the reports are written once, below.
    c.close();
    c.on_test_end = nullptr;
    c.stop(stop_reason::interrupted);
    bool stop_now_asked = false;
    while (c.state() == run_state::stopping &&
           control_clock::now() < c.core().stop_give_up() + 2s) {
        if (!stop_now_asked && t.interrupted_again && t.interrupted_again->load()) {
            stop_now_asked = true;
            c.stop_now();
        }
        c.pump(100ms);
    }
    front.reset();       // before the controller: no request may reach it any more
    c.discard_posted();  // what it queued would reach the destroyed front
    c.quit_workers("master shut down");
    c.pump(100ms);
    // No test ran: nothing failed. Otherwise the last test's outcome.
    run_outcome outcome;
    if (c.tests_started() > 0) outcome = outcome_of(t, c);
    const int code = write_reports(t, c, outcome);
    if (c.tests_started() > 0) std::cout << end_line(outcome) << std::endl;
    return code;
}

std::function<std::shared_ptr<void>(controller&)> probe_server(web::server_options web,
                                                               std::size_t expect_workers) {
    return [web = std::move(web), expect_workers](controller& c) -> std::shared_ptr<void> {
        web::api_options a;
        a.expect_workers = expect_workers;
        a.probes_only = true;
        try {
            auto front = std::make_shared<web_front>(c, std::move(a), web);
            std::cout << "swarm: health probes at " << front->server.url() << "healthz"
                      << std::endl;
            return front;
        } catch (const std::exception& e) {
            // A headless run does not need them: say so and go on.
            web.log.warning(std::string("/healthz, /readyz and /metrics not served: ") + e.what());
            return nullptr;
        }
    };
}

}  // namespace swarm::master
