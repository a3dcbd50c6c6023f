#include "master/web/api.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <sstream>

#include "common/scenario/stages_text.hpp"
#include "master/report/csv.hpp"
#include "master/report/json_result.hpp"
#include "master/web/assets.hpp"
#include "master/web/json_text.hpp"
#include "master/web/metrics.hpp"
#include "master/web/start_form.hpp"
#include "master/web/start_limits.hpp"

namespace swarm::master::web {
namespace {

namespace json = boost::json;

web_response json_ok(const json::value& body) {
    web_response r;
    r.body = json_text(body) + "\n";
    return r;
}

// Locust's download names: PREFIX_<Python's time()>.EXT, e.g.
// requests_1765090000.123456.csv.
std::string download_name(std::string_view prefix, std::string_view ext) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    return std::string(prefix) + "_" + report::python_float(static_cast<double>(us) / 1e6) + "." +
           std::string(ext);
}

web_response csv_download(std::string_view prefix,
                          const std::function<void(std::ostream&)>& write) {
    std::ostringstream out;
    write(out);
    web_response r;
    r.content_type = "text/csv; charset=utf-8";
    r.body = std::move(out).str();
    r.headers.emplace_back("Content-Disposition",
                           "attachment;filename=" + download_name(prefix, "csv"));
    return r;
}

web_response method_not_allowed(const char* allowed) {
    auto r = json_error(405, std::string("method not allowed; use ") + allowed);
    r.headers.emplace_back("Allow", allowed);
    return r;
}

bool is_get(const web_request& req) {
    return req.method == "GET" || req.method == "HEAD";
}

// GET routes answered from the control thread.
using builder = web_response (*)(controller&);
struct get_route {
    std::string_view path;
    builder build;
};

const get_route get_routes[] = {
    {"/stats/requests", [](controller& c) { return json_ok(requests_json(c)); }},
    {"/thresholds", [](controller& c) { return json_ok(thresholds_status_json(c)); }},
    {"/workers",
     [](controller& c) {
         return json_ok(json::object{{"workers", workers_json(c)}});
     }},
    {"/stats/requests/csv",
     [](controller& c) {
         return csv_download("requests",
                             [&](std::ostream& o) { report::write_stats_csv(o, c.stats()); });
     }},
    {"/stats/failures/csv",
     [](controller& c) {
         return csv_download("failures",
                             [&](std::ostream& o) { report::write_failures_csv(o, c.stats()); });
     }},
    {"/stats/result.json",
     [](controller& c) {
         // The exit status the process would give this test (as --json's).
         auto r = json_ok(
             report::json_result(c.stats(), c.run_metadata(exit_code_for(c.core().outcome()))));
         r.headers.emplace_back("Content-Disposition", "attachment; filename=\"result.json\"");
         return r;
     }},
    {"/stats/reset",
     [](controller& c) {
         c.reset_stats();
         // Locust's answer: "ok" as Flask sends a str.
         web_response r;
         r.content_type = "text/html; charset=utf-8";
         r.body = "ok";
         return r;
     }},
    {"/tasks", [](controller& c) { return json_ok(tasks_json(c)); }},
    // swarm runs no user code, so nothing raises: Locust's shapes, always
    // empty (request errors are in /stats/requests "errors" and /stats/failures/csv).
    {"/exceptions",
     [](controller&) {
         return json_ok(json::object{{"exceptions", json::array{}}});
     }},
    {"/exceptions/csv",
     [](controller&) {
         return csv_download("exceptions",
                             [](std::ostream& o) { o << "Count,Message,Traceback,Nodes\r\n"; });
     }},
    {"/stop",
     [](controller& c) {
         c.stop();
         return json_ok(json::object{{"success", true}, {"message", "Test stopped"}});
     }},
};

// A POST /swarm waiting for a stopping test to stop (web_api::after_stop).
struct pending_start {
    web_reply reply;
    std::function<web_response(controller&)> build;
    control_clock::time_point deadline;
};

// Locust starts a test sent right after GET /stop: the start waits here,
// re-posted each pump (~10 ms), until the stop has completed; past the
// deadline, `build` sees "stopping" and refuses.
void attempt_start(controller& c, const std::shared_ptr<pending_start>& p) {
    if (c.state() == run_state::stopping && control_clock::now() < p->deadline) {
        c.post([&c, p] { attempt_start(c, p); });
        return;
    }
    web_response r;
    try {
        r = p->build(c);
    } catch (const std::exception& e) {
        r = json_error(500, std::string("internal error: ") + e.what());
    }
    p->reply(std::move(r));
}

}  // namespace

void web_api::on_control(web_reply reply, std::function<web_response(controller&)> build) {
    controller_.post([this, reply = std::move(reply), build = std::move(build)] {
        web_response r;
        try {
            r = build(controller_);
        } catch (const std::exception& e) {
            r = json_error(500, std::string("internal error: ") + e.what());
        }
        reply(std::move(r));
    });
}

void web_api::after_stop(web_reply reply, std::function<web_response(controller&)> build) {
    auto p = std::make_shared<pending_start>(pending_start{
        std::move(reply), std::move(build), control_clock::now() + start_after_stop_wait});
    controller_.post([&c = controller_, p] { attempt_start(c, p); });
}

void web_api::handle(const web_request& req, web_reply reply) {
    if (req.path == "/healthz") {
        if (!is_get(req)) return reply(method_not_allowed("GET"));
        web_response r;
        r.body = "{\"status\":\"alive\"}\n";
        return reply(std::move(r));
    }
    if (req.path == "/readyz") {
        if (!is_get(req)) return reply(method_not_allowed("GET"));
        // Headless, ready means "the expected workers joined" (the test is
        // about to start). With the UI it means "serving": a UI that waited
        // for workers would keep its Service without endpoints, and nobody
        // could open it to watch the workers arrive. "ready" in the body keeps
        // saying whether the workers are there, in both modes.
        const auto expect = opts_.expect_workers;
        const bool gate_on_workers = opts_.probes_only;
        return on_control(std::move(reply), [expect, gate_on_workers](controller& c) {
            const auto ready = c.workers().ready_workers();
            web_response r;
            r.status = ready >= expect || !gate_on_workers ? 200 : 503;
            r.body = json_text(json::object{{"ready", ready >= expect},
                                            {"workers", ready},
                                            {"expect_workers", expect},
                                            {"state", to_string(c.state())}}) +
                     "\n";
            return r;
        });
    }
    // Prometheus scrapes the headless master too (its probe port): served
    // wherever the probes are, but under the UI's authentication (server.cpp).
    if (req.path == "/metrics") {
        if (!is_get(req)) return reply(method_not_allowed("GET"));
        return on_control(std::move(reply), [](controller& c) {
            web_response r;
            r.content_type = std::string(metrics_content_type);
            r.body = prometheus_metrics(c.core(), control_clock::now(), build_version());
            return r;
        });
    }
    if (opts_.probes_only) {
        return reply(
            json_error(404, "not found: a headless master serves /healthz, /readyz and /metrics"));
    }
    if (req.path == "/swarm") {
        if (req.method != "POST") return reply(method_not_allowed("POST"));
        return start(req, std::move(reply));
    }
    if (req.path == "/stats/entry_history") {
        if (!is_get(req)) return reply(method_not_allowed("GET"));
        return entry_history(req, std::move(reply));
    }
    if (req.path == "/stats/requests_full_history/csv") {
        if (!is_get(req)) return reply(method_not_allowed("GET"));
        // With --csv-full-history: its file, written as the test goes (on
        // the control thread, so a second's rows are never read half
        // written). Without: the Aggregated rows the history keeps (Locust
        // answers 404), so that the UI's download always works.
        return on_control(std::move(reply), [path = opts_.full_history_file](controller& c) {
            return csv_download("requests_full_history", [&](std::ostream& o) {
                std::ifstream file(path, std::ios::binary);
                if (path.empty() || !file) return report::write_stats_history_csv(o, c.stats());
                o << file.rdbuf();
            });
        });
    }
    if (req.path == "/stats/report") {
        if (!is_get(req)) return reply(method_not_allowed("GET"));
        // As Locust: ?download=<anything but empty> makes it an attachment.
        const bool download = !form_value(req.query, "download").value_or("").empty();
        return on_control(std::move(reply), [download](controller& c) {
            web_response r;
            r.content_type = "text/html; charset=utf-8";
            r.body = html_report(c);
            if (download)
                r.headers.emplace_back("Content-Disposition",
                                       "attachment;filename=" + download_name("report", "html"));
            return r;
        });
    }
    for (const auto& route : get_routes) {
        if (req.path != route.path) continue;
        if (!is_get(req)) return reply(method_not_allowed("GET"));
        return on_control(std::move(reply), route.build);
    }
    if (const auto* a = find_asset(req.path);
        a != nullptr && req.path != "/report.html" && req.path != "/report.js") {
        if (!is_get(req)) return reply(method_not_allowed("GET"));
        web_response r;
        r.content_type = a->content_type;
        r.body = a->data;
        return reply(std::move(r));
    }
    reply(json_error(404, "not found: " + req.path));
}

void web_api::start(const web_request& req, web_reply reply) {
    // A rate no form can send (rates are above 0) tells whether spawn_rate was
    // given: an edit without one keeps the running test's rate, as Locust does.
    auto probe = opts_.start;
    probe.spawn_rate = -1;
    auto parsed = parse_start_form(req.content_type, req.body, probe);
    if (!parsed) return reply(json_error(400, parsed.error().message));
    const bool rate_given = parsed->spec.spawn_rate >= 0;
    if (!rate_given) parsed->spec.spawn_rate = opts_.start.spawn_rate;
    const auto guard = parse_start_guard(req.content_type, req.body);
    if (!guard) return reply(json_error(400, guard.error().message));
    // Right after GET /stop the start waits for the stop to complete (Locust).
    after_stop(std::move(reply), [request = std::move(*parsed), rate_given,
                                  guard = *guard](controller& c) mutable {
        if (c.closing()) return json_error(503, "the master is shutting down");
        if (c.state() == run_state::stopping) {
            return json_error(409, "the test is stopping; start a new one when it has stopped");
        }
        // A form made from a view of another test (another client started
        // one since) must not silently edit or restart the current one.
        if (guard.seen_test && *guard.seen_test != c.tests_started()) {
            return json_error(409, "tests_started: this form was made for test " +
                                       std::to_string(*guard.seen_test) + ", but test " +
                                       std::to_string(c.tests_started()) +
                                       " is the current one; nothing was changed");
        }
        const bool editing = c.state() == run_state::spawning || c.state() == run_state::running;
        if (editing) {
            // Workers keep the host a test started with: an edit cannot move
            // the traffic, so it neither takes nor records another host.
            const std::string& running_host = c.test().spec.host_override;
            const std::string shown = running_host.empty() ? c.plan().host : running_host;
            if (guard.host_given && request.spec.host_override != running_host &&
                request.spec.host_override != shown) {
                return json_error(409, "host: the running test sends to " + shown +
                                           "; its host cannot change while it runs (stop it "
                                           "and start a new test for " +
                                           request.spec.host_override + ")");
            }
            request.spec.host_override = running_host;
            // The UI's edit form has no run time: the test keeps its own
            // rather than getting the command line's (a silent reset).
            if (!guard.run_time_given) request.run_time = c.test().run_time;
            if (!rate_given) request.spec.spawn_rate = c.test().spec.spawn_rate;
        }
        const auto ready = c.workers().ready_workers();
        if (ready == 0) return json_error(409, "no worker is connected");
        // A profile's users are its stages' (the most any stage asks for).
        std::int64_t users = request.spec.users;
        if (!request.stages.empty()) {
            users = 0;
            for (const auto& s : request.stages) users = std::max(users, s.users);
        }
        if (const auto fits = check_users_fit(users, ready); !fits) {
            return json_error(400,
                              std::string(request.stages.empty() ? "user_count: " : "stages: ") +
                                  fits.error().message + "; " + std::to_string(ready) +
                                  (ready == 1 ? " is ready" : " are ready"));
        }
        const std::string changes = editing ? describe_edit(c.test(), request) : std::string();
        c.start(request);
        json::object o{{"success", true},
                       {"message", editing ? "Test changed: " + changes : "Swarming started"},
                       {"host", request.spec.host_override.empty() ? c.plan().host
                                                                   : request.spec.host_override},
                       {"user_count", request.spec.users},
                       {"spawn_rate", request.spec.spawn_rate}};
        if (!request.stages.empty()) o["stages"] = scenario::format_stages(request.stages);
        if (request.iterations) o["iterations"] = *request.iterations;
        if (editing) o["changes"] = changes;
        o["tests_started"] = c.tests_started();
        return json_ok(o);
    });
}

void web_api::entry_history(const web_request& req, web_reply reply) {
    auto name = form_value(req.query, "name");
    if (!name) return reply(json_error(400, "name: the request name is missing"));
    auto method = form_value(req.query, "method").value_or("");
    std::int64_t since = 0;
    if (const auto text = form_value(req.query, "since"); text && !text->empty()) {
        const auto r = std::from_chars(text->data(), text->data() + text->size(), since);
        if (r.ec != std::errc() || r.ptr != text->data() + text->size())
            return reply(json_error(400, "since: expected unix seconds, got '" + *text + "'"));
    }
    on_control(std::move(reply), [method = std::move(method), name = std::move(*name),
                                  since](controller& c) {
        auto body = entry_history_json(c, method, name, since);
        if (!body) return json_error(404, "name: no request named '" + method + " " + name + "'");
        web_response r;
        r.body = std::move(*body) + "\n";
        return r;
    });
}

void web_api::hello(std::function<void(std::string)> send) {
    const auto defaults = opts_.ui;
    controller_.post(
        [this, send = std::move(send), defaults] { send(hello_json(controller_, defaults)); });
}

}  // namespace swarm::master::web
