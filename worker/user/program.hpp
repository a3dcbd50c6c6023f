#pragma once
// One user class of a plan, made ready to run: every request step
// pre-rendered as far as it is static, expected JSON values of checks parsed,
// and what per-user state the class needs (does it read last.body?).
//
// Built once per user class when a scenario is compiled on a worker, then
// immutable and shared read-only by all users of that class on every thread.
// Holds the plan alive.

#include <boost/json/value.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/scenario/plan.hpp"
#include "worker/user/request_builder.hpp"

namespace swarm::worker::user {

// What a request step needs at run time besides the step itself.
struct prepared_step {
    prepared_request request;
    const char* method = "GET";                // for stats: "GET", "POST", ...
    std::vector<boost::json::value> expected;  // per check.json entry (equals kind)
};

class user_program {
  public:
    // `class_index` selects plan->users[class_index]; throws std::out_of_range
    // when there is no such class.
    user_program(std::shared_ptr<const scenario::plan> plan, std::size_t class_index);

    const scenario::plan& plan() const { return *plan_; }
    const scenario::user_class& user_class() const { return *class_; }
    // Which class of the plan this is (per-class counters are indexed by it).
    std::size_t class_index() const { return class_index_; }
    // The class's host, or the scenario's when the class names none.
    std::string_view host() const { return host_; }
    // Whether any template or condition of the class reads last.body; when
    // not, users do not keep response bodies.
    bool keeps_last_body() const { return keeps_last_body_; }
    // The preparation of a request step of this class.
    const prepared_step& prepared(const scenario::request_step& step) const;
    // A WebSocket receive's check.json expected values, parsed (as prepared_step::expected).
    const std::vector<boost::json::value>& expected(const scenario::ws_receive_step& step) const;

  private:
    void prepare_steps(const scenario::step_list& steps);
    void prepare_set(const scenario::task_set& set);

    std::shared_ptr<const scenario::plan> plan_;
    const scenario::user_class* class_;
    std::size_t class_index_ = 0;
    std::string host_;
    bool keeps_last_body_ = false;
    std::unordered_map<const scenario::request_step*, prepared_step> steps_;
    std::unordered_map<const scenario::ws_receive_step*, std::vector<boost::json::value>>
        ws_expected_;
};

// Whether an expression or template source reads `last.body`.
bool mentions_last_body(std::string_view source);

}  // namespace swarm::worker::user
