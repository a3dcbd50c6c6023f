#pragma once
// A master with the web UI (`swarm run FILE`, `swarm master FILE` without
// --headless): the controller and the web server, until SIGINT/SIGTERM.
// Tests are started, edited and stopped from the UI or the REST API; once a
// second the control loop builds one snapshot and the server pushes it to
// every browser.
//
// Threading: runs on the calling thread (the control thread); the web
// server runs on its own thread and reaches the controller only through
// controller::post().

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "common/scenario/loader.hpp"
#include "master/run_outputs.hpp"
#include "master/web/server.hpp"

namespace zmq {
class context_t;
}

namespace swarm::master {

struct interactive_options {
    headless_options test;      // bind, defaults for the start form, reports, timeouts
    web::server_options web;    // where and how the UI is served
    std::string run_time_text;  // -t as typed, shown in the form
};

// Returns the exit code: the last test's (master/exit_code.hpp), 4 when
// Ctrl-C stopped a running test, 0 when no test ran, 5 when the reports at
// exit could not be written, 2 when the web server cannot start.
int run_interactive(zmq::context_t& zmq, const scenario::bundle& bundle,
                    std::shared_ptr<const scenario::plan> plan, const interactive_options& opts,
                    const std::atomic<bool>& interrupted,
                    const std::function<void()>& after_bind = {});

// The headless_options::attach hook that serves /healthz and /readyz while a
// headless master runs (a server that cannot start is logged to web.log and skipped).
std::function<std::shared_ptr<void>(controller&)> probe_server(web::server_options web,
                                                               std::size_t expect_workers);

}  // namespace swarm::master
