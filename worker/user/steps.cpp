// Running steps: requests (build, send, check, extract, record), if, repeat,
// sleep, let, interrupt and stop_user (groups and parallel blocks have files
// of their own).
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/duration.hpp"
#include "common/printable.hpp"
#include "common/scenario/bundle.hpp"
#include "worker/user/checks.hpp"
#include "worker/user/extract.hpp"
#include "worker/user/failure_text.hpp"
#include "worker/user/virtual_user.hpp"

namespace swarm::worker::user {

namespace asio = boost::asio;

namespace {

// A repeat of steps that never suspend would hold the thread; let the other
// users in every so many rounds.
constexpr std::int64_t repeat_yield_every = 256;

std::int64_t unix_ms_now() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
}

}  // namespace

asio::awaitable<virtual_user::flow> virtual_user::run_steps(const scenario::step_list& steps) {
    for (const auto& s : steps) {
        if (stop_now()) co_return flow::stop;
        flow f = flow::next;
        if (const auto* r = std::get_if<scenario::request_step>(&s.action)) {
            f = co_await run_request(*r);
        } else if (const auto* i = std::get_if<scenario::if_step>(&s.action)) {
            const bool yes = tmpl::truthy(i->condition.evaluate(env_));
            f = co_await run_steps(yes ? i->then_steps : i->else_steps);
        } else if (const auto* rep = std::get_if<scenario::repeat_step>(&s.action)) {
            f = co_await run_repeat(*rep);
        } else if (const auto* w = std::get_if<scenario::while_step>(&s.action)) {
            f = co_await run_while(*w);
        } else if (const auto* g = std::get_if<scenario::group_step>(&s.action)) {
            f = co_await run_group(*g);
        } else if (const auto* p = std::get_if<scenario::parallel_step>(&s.action)) {
            f = co_await run_parallel(*p);
        } else if (const auto* sl = std::get_if<scenario::sleep_step>(&s.action)) {
            const auto time = sl->templated ? sleep_time(*sl) : sl->time;
            if (time > scenario::duration{0}) co_await pause(time);
        } else if (const auto* l = std::get_if<scenario::let_step>(&s.action)) {
            env_.assign(l->assignments);
        } else if (std::holds_alternative<scenario::interrupt_step>(s.action)) {
            f = flow::interrupt;
        } else if (std::holds_alternative<scenario::stop_user_step>(s.action)) {
            f = flow::stop_user;
        } else {
            // One await site for the four WebSocket steps: each site adds to this frame.
            f = co_await run_ws_step(s);
        }
        // A let, condition or sleep found its data set exhausted: end the user.
        if (f == flow::next && env_.take_data_ran_out()) f = flow::stop_user;
        if (f != flow::next) co_return f;
    }
    co_return flow::next;
}

asio::awaitable<virtual_user::flow> virtual_user::run_repeat(const scenario::repeat_step& r) {
    for (std::int64_t i = 0; i < r.count; ++i) {
        const flow f = co_await run_steps(r.steps);
        if (f != flow::next) co_return f;
        if ((i + 1) % repeat_yield_every == 0) {
            co_await asio::post(timer_.get_executor(), asio::use_awaitable);
        }
    }
    co_return flow::next;
}

// The bound reached is the user's failure, not a request's: a row of the
// errors table under the class's name, and the task goes on.
asio::awaitable<virtual_user::flow> virtual_user::run_while(const scenario::while_step& w) {
    for (std::int64_t i = 0;; ++i) {
        if (!tmpl::truthy(w.condition.evaluate(env_))) co_return flow::next;
        if (i == w.max) break;
        const flow f = co_await run_steps(w.steps);
        if (f != flow::next) co_return f;
        if ((i + 1) % repeat_yield_every == 0) {
            co_await asio::post(timer_.get_executor(), asio::use_awaitable);
        }
    }
    record_user_error("while at line " + std::to_string(w.where.line) + ": still true after " +
                      std::to_string(w.max) + " rounds (max)");
    co_return flow::next;
}

// A templated sleep's text read as a duration; anything else is a counted
// error and no sleep. Capped at a day, like every other wait of a scenario.
scenario::duration virtual_user::sleep_time(const scenario::sleep_step& s) {
    constexpr scenario::duration max_sleep = std::chrono::hours(24);
    const std::string text = s.templated->render(env_);
    const auto parsed = parse_duration(text);
    if (!parsed) {
        record_user_error("sleep: " + printable(text, 80) + " is not a duration");
        return scenario::duration{0};
    }
    return std::min(*parsed, max_sleep);
}

asio::awaitable<virtual_user::flow> virtual_user::run_request(const scenario::request_step& r) {
    if (stop_now()) co_return flow::stop;
    const prepared_step& prep = program_->prepared(r);
    http::request built;
    const http::request* req = request_for(r, prep, built);
    if (!req) co_return flow::stop_user;
    ++requests_sent_;
    in_flight_ = true;
    http::send_result sent = co_await session_->send(*req);
    in_flight_ = false;
    co_return judge(r, prep, *req, sent);
}

const http::request* virtual_user::request_for(const scenario::request_step& r,
                                               const prepared_step& prep, http::request& built) {
    const http::request* req = prep.request.whole ? &*prep.request.whole : nullptr;
    if (!req) {
        build(r, prep.request, program_->host(), env_, built);
        req = &built;
        // Built with a next()/unique() that found its data exhausted: not
        // sent (each record once), and the user ends (its data set's on_end).
        if (env_.take_data_ran_out()) return nullptr;
    }
    if (in_final_on_stop_) {
        // The final on_stop is bounded: this request gets at most the time left.
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
            on_stop_deadline_ - std::chrono::steady_clock::now());
        if (req->timeout.count() == 0 || req->timeout > left) {
            if (req != &built) built = *req;
            built.timeout = std::max(left, std::chrono::microseconds(1));
            req = &built;
        }
    }
    return req;
}

virtual_user::flow virtual_user::judge(const scenario::request_step& r, const prepared_step& prep,
                                       const http::request& req, http::send_result& sent) {
    if (!sent) {
        const http::error e = sent.error();
        const swarm::result<void> verdict = fail(failure_text(e));
        if (sink_->observer) sink_->observer->on_send_failed(r, req, e, verdict.error().message);
        record(prep, r, e.latency, e.wire_bytes, verdict);
        env_.set_last_status(e.status);
        if (program_->keeps_last_body()) env_.keep_last_body(std::string());
        // The steps after an extraction depend on its variable: without it
        // the rest of the task is skipped.
        return r.extract.empty() ? flow::next : flow::end_task;
    }
    http::response& resp = *sent;
    lazy_json json(resp.body);
    const response_facts facts{resp, *session_, resp.url, json, &env_};
    swarm::result<void> verdict;
    const bool end_task = check_and_extract(r.check, prep.expected, r.extract, facts, verdict);
    if (sink_->observer) sink_->observer->on_response(r, req, facts, verdict);
    record(prep, r, resp.latency, resp.wire_bytes, verdict);
    env_.set_last_status(resp.status);
    if (program_->keeps_last_body()) env_.keep_last_body(std::move(resp.body));
    return end_task ? flow::end_task : flow::next;
}

bool virtual_user::check_and_extract(const scenario::checks& c,
                                     std::span<const boost::json::value> expected,
                                     const std::vector<scenario::extraction>& extract,
                                     const response_facts& facts, swarm::result<void>& verdict) {
    if (verdict) verdict = check_response(c, expected, facts);
    bool end_task = !verdict && !extract.empty();
    for (const auto& e : extract) {
        if (!verdict) break;
        if (auto v = extract_value(e, facts)) {
            env_.set(e.variable, std::move(*v));
        } else {
            verdict = fail("extract '" + e.variable + "': no match");
            end_task = true;
        }
    }
    return end_task;
}

void virtual_user::record(const prepared_step& prep, const scenario::request_step& r,
                          std::chrono::microseconds latency, std::uint64_t wire_bytes,
                          const swarm::result<void>& verdict) {
    const auto latency_us = static_cast<std::uint64_t>(std::max<std::int64_t>(latency.count(), 0));
    std::string rendered;
    if (r.name_template) {
        // The master refuses longer names: cut, as the loader bounds written ones.
        r.name_template->render(env_, rendered);
        if (rendered.size() > scenario::max_stats_name_bytes) {
            rendered.resize(scenario::max_stats_name_bytes);
        }
    }
    const std::string_view name = r.name_template ? std::string_view(rendered) : r.name;
    sink_->delta->requests.record(prep.method, name, latency_us, wire_bytes, !verdict);
    if (!verdict) ++requests_failed_;
    if (!verdict)
        sink_->delta->errors.record(prep.method, name, verdict.error().message, unix_ms_now());
}

}  // namespace swarm::worker::user
