#pragma once
// The web server's routes: the embedded UI files, the REST API (Locust's
// names and shapes: POST /swarm, GET /stop, /stats/reset, /stats/requests,
// the CSVs, /stats/report[?download=1], /tasks, /exceptions[/csv]; ours:
// /workers, /stats/entry_history for one name's chart, /thresholds for the
// gates' verdicts), the Kubernetes probes (/healthz, /readyz) and
// Prometheus' /metrics (master/web/metrics.hpp).
//
// Threading: handle() and hello() are called on the web server's thread.
// Files and validation are answered there; everything that reads or steers
// the test is posted to the controller (controller::post) and answered from
// the control thread, which is the only one that touches the controller.

#include <chrono>
#include <memory>
#include <string>

#include "master/controller.hpp"
#include "master/web/http_types.hpp"
#include "master/web/report_page.hpp"
#include "master/web/start_form.hpp"
#include "master/web/stats_json.hpp"

namespace swarm::master::web {

// How long POST /swarm waits for a stopping test to stop before it answers
// 409: below the server's 10 s wait for the control thread's answer
// (server.cpp's reply_timeout), so the client gets the 409, not a 503 for a
// start that then happens after all.
inline constexpr std::chrono::seconds start_after_stop_wait{8};

struct api_options {
    start_defaults start;            // what POST /swarm uses for fields it lacks
    ui_defaults ui;                  // what the start form shows
    std::size_t expect_workers = 1;  // headless /readyz: 200 with this many workers
    bool probes_only = false;        // headless: only /healthz, /readyz and /metrics
    // --csv-full-history's file, what /stats/requests_full_history/csv
    // serves; "": none (it serves the Aggregated rows).
    std::string full_history_file;
};

class web_api {
  public:
    web_api(controller& c, api_options opts) : controller_(c), opts_(std::move(opts)) {}

    void handle(const web_request& req, web_reply reply);
    // The first WebSocket message (hello_json), built on the control thread.
    void hello(std::function<void(std::string)> send);

  private:
    // Runs `build` on the control thread and replies with what it returns.
    void on_control(web_reply reply, std::function<web_response(controller&)> build);
    // As on_control, but first waits (bounded by start_after_stop_wait) while
    // the test is stopping: POST /swarm right after GET /stop starts, as in Locust.
    void after_stop(web_reply reply, std::function<web_response(controller&)> build);
    void start(const web_request& req, web_reply reply);
    void entry_history(const web_request& req, web_reply reply);

    controller& controller_;
    api_options opts_;
};

}  // namespace swarm::master::web
