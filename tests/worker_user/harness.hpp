#pragma once
// Compiles a scenario held in a test and runs its users against a fake_web on
// an io_context of the test's own thread.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "common/scenario/loader.hpp"
#include "common/stats/delta.hpp"
#include "tests/worker_user/fake_session.hpp"
#include "worker/user/virtual_user.hpp"

namespace swarm::worker::user::testing {

inline std::shared_ptr<const scenario::plan> compile_plan(
    std::string source, std::vector<std::pair<std::string, std::string>> files = {}) {
    scenario::bundle b;
    b.name = "test.yaml";
    b.source = std::move(source);
    b.files = std::move(files);
    auto r = scenario::compile(b);
    for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
    return r.result;
}

// The first step of the first task of the first class, as a request.
inline const scenario::request_step& first_request(const scenario::plan& p) {
    return std::get<scenario::request_step>(p.users.at(0).root.tasks.at(0).steps.at(0).action);
}

struct harness {
    explicit harness(const std::string& source, std::size_t class_index = 0)
        : plan(compile_plan(source)),
          program(plan ? std::make_shared<user_program>(plan, class_index) : nullptr) {}

    // Starts a user; it runs when io is run.
    virtual_user& start(std::int64_t user_id = 7, std::uint64_t seed = 1) {
        users.push_back(std::make_unique<virtual_user>(program, user_identity{user_id, 3, seed},
                                                       std::make_unique<fake_session>(web), sink,
                                                       io.get_executor()));
        virtual_user& u = *users.back();
        boost::asio::co_spawn(io, u.run(), [this](const std::exception_ptr& e) {
            ++finished;
            if (e) ADD_FAILURE() << "run() threw";
        });
        return u;
    }

    // Stops every user gracefully once `n` requests have been answered.
    void stop_after(std::size_t n, stop_mode mode = stop_mode::graceful) {
        web->after_send = [this, n, mode](std::size_t seen) {
            if (seen == n) {
                for (auto& u : users) u->request_stop(mode);
            }
        };
    }

    // Runs until every user is done (or the io_context runs dry).
    void run() { io.run(); }

    // Requests recorded for (method, name).
    std::uint64_t count(std::string_view method, std::string_view name) const {
        const auto* e = delta.requests.find(method, name);
        return e ? e->requests() : 0;
    }
    std::uint64_t failures(std::string_view method, std::string_view name) const {
        const auto* e = delta.requests.find(method, name);
        return e ? e->failures() : 0;
    }
    std::uint64_t errors(std::string_view method, std::string_view name,
                         std::string_view message) const {
        const auto* e = delta.errors.find(method, name, message);
        return e ? e->occurrences : 0;
    }

    std::shared_ptr<const scenario::plan> plan;
    std::shared_ptr<const user_program> program;
    std::shared_ptr<fake_web> web = std::make_shared<fake_web>();
    boost::asio::io_context io;
    stats::delta delta;
    thread_counts counts;  // iterations per class (no quota unless counts.budget is set)
    user_sink sink{&delta, &counts};
    std::vector<std::unique_ptr<virtual_user>> users;
    int finished = 0;
};

}  // namespace swarm::worker::user::testing
