#include "master/web/api.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "common/scenario/stages_text.hpp"
#include "master/report/csv.hpp"
#include "master/report/json_result.hpp"
#include "master/web/assets.hpp"
#include "master/web/start_form.hpp"
#include "master/web/start_limits.hpp"

namespace swarm::master::web {
namespace {

namespace json = boost::json;

web_response json_ok(const json::value& body) {
    web_response r;
    r.body = json::serialize(body) + "\n";
    return r;
}

web_response csv_download(const std::string& filename,
                          const std::function<void(std::ostream&)>& write) {
    std::ostringstream out;
    write(out);
    web_response r;
    r.content_type = "text/csv; charset=utf-8";
    r.body = std::move(out).str();
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
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
         return csv_download("requests.csv",
                             [&](std::ostream& o) { report::write_stats_csv(o, c.stats()); });
     }},
    {"/stats/requests_full_history/csv",
     [](controller& c) {
         return csv_download("requests_full_history.csv", [&](std::ostream& o) {
             report::write_stats_history_csv(o, c.stats());
         });
     }},
    {"/stats/failures/csv",
     [](controller& c) {
         return csv_download("failures.csv",
                             [&](std::ostream& o) { report::write_failures_csv(o, c.stats()); });
     }},
    {"/stats/result.json",
     [](controller& c) {
         auto r = json_ok(report::json_result(c.stats(), c.run_metadata(0)));
         r.headers.emplace_back("Content-Disposition", "attachment; filename=\"result.json\"");
         return r;
     }},
    {"/stats/reset",
     [](controller& c) {
         c.reset_stats();
         return json_ok(json::object{{"success", true}, {"message", "Statistics reset"}});
     }},
    {"/stop",
     [](controller& c) {
         c.stop();
         return json_ok(json::object{{"success", true}, {"message", "Test stopped"}});
     }},
    {"/stats/report",
     [](controller& c) {
         web_response r;
         r.content_type = "text/html; charset=utf-8";
         r.body = html_report(c);
         return r;
     }},
};

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

void web_api::handle(const web_request& req, web_reply reply) {
    if (req.path == "/healthz") {
        if (!is_get(req)) return reply(method_not_allowed("GET"));
        web_response r;
        r.body = "{\"status\":\"alive\"}\n";
        return reply(std::move(r));
    }
    if (req.path == "/readyz") {
        if (!is_get(req)) return reply(method_not_allowed("GET"));
        const auto expect = opts_.expect_workers;
        return on_control(std::move(reply), [expect](controller& c) {
            const auto ready = c.workers().ready_workers();
            web_response r;
            r.status = ready >= expect ? 200 : 503;
            r.body = json::serialize(json::object{{"ready", ready >= expect},
                                                  {"workers", ready},
                                                  {"expect_workers", expect},
                                                  {"state", to_string(c.state())}}) +
                     "\n";
            return r;
        });
    }
    if (opts_.probes_only)
        return reply(json_error(404, "not found: a headless master serves /healthz and /readyz"));
    if (req.path == "/swarm") {
        if (req.method != "POST") return reply(method_not_allowed("POST"));
        return start(req, std::move(reply));
    }
    if (req.path == "/stats/entry_history") {
        if (!is_get(req)) return reply(method_not_allowed("GET"));
        return entry_history(req, std::move(reply));
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
    auto parsed = parse_start_form(req.content_type, req.body, opts_.start);
    if (!parsed) return reply(json_error(400, parsed.error().message));
    const auto guard = parse_start_guard(req.content_type, req.body);
    if (!guard) return reply(json_error(400, guard.error().message));
    on_control(std::move(reply), [request = std::move(*parsed),
                                  guard = *guard](controller& c) mutable {
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
