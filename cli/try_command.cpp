// `swarm try FILE [--class C] [--task T] [-n ITERATIONS] [-H HOST]`: one
// virtual user of the scenario, for one iteration (or N), with every
// exchange printed (try_printer.hpp) — the loop of writing a scenario. The
// user is the worker's own (worker/user), on one io_context in this thread;
// exit 1 when a request, check or extraction failed.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <unistd.h>

#include <iostream>
#include <random>

#include "cli/commands.hpp"
#include "cli/try_printer.hpp"
#include "common/scenario/loader.hpp"
#include "common/suggest.hpp"
#include "worker/http/client.hpp"
#include "worker/runtime/tls_profiles.hpp"
#include "worker/user/virtual_user.hpp"

namespace swarm::cli {
namespace {

namespace user = worker::user;

struct try_options {
    std::string file;
    std::string user_class;  // empty: the first class
    std::string task;        // empty: as the class picks them
    std::int64_t iterations = 1;
    std::string host;
};

// The index of the class named `name` (empty: the first), or an error with a did-you-mean.
swarm::result<std::size_t> find_class(const scenario::plan& p, const std::string& name) {
    if (name.empty()) return 0;
    std::vector<std::string_view> names;
    for (std::size_t i = 0; i < p.users.size(); ++i) {
        if (p.users[i].name == name) return i;
        names.push_back(p.users[i].name);
    }
    return fail("--class '" + name + "': no such user class" + did_you_mean(name, names));
}

// The plan with the class's root tasks cut down to `task` alone.
swarm::result<std::shared_ptr<const scenario::plan>> only_task(const scenario::plan& p,
                                                               std::size_t cls,
                                                               const std::string& task) {
    auto copy = std::make_shared<scenario::plan>(p);
    auto& root = copy->users[cls].root;
    std::vector<std::string_view> names;
    for (const auto& t : root.tasks) {
        if (t.name != task) {
            names.push_back(t.name);
            continue;
        }
        scenario::task chosen = t;
        chosen.weight = 1;  // even one the scenario disabled: asked for by name
        root.tasks = {chosen};
        root.cumulative_weights = {1.0};
        return std::shared_ptr<const scenario::plan>(std::move(copy));
    }
    return fail("--task '" + task + "': no such task in class '" + copy->users[cls].name + "'" +
                did_you_mean(task, names));
}

std::shared_ptr<worker::http::client_options> client_options_for(const scenario::plan& p,
                                                                 std::size_t cls) {
    auto copts = std::make_shared<worker::http::client_options>();
    copts->user_agent = std::string("swarm/") + SWARM_VERSION;
    const worker::tls_settings settings;
    const auto profiles = worker::tls_profiles_for(p, settings);
    copts->tls = worker::make_tls_context(profiles.profiles[profiles.by_class[cls]], settings);
    return copts;
}

// Runs the user until it has ended `iterations` iterations (then stops it
// gracefully: on_stop runs) or ended by itself.
void run_user(user::virtual_user& u, const user::thread_counts& counts, std::size_t cls,
              std::int64_t iterations, boost::asio::io_context& ctx) {
    boost::asio::co_spawn(ctx, u.run(), boost::asio::detached);
    while (!u.done()) {
        if (ctx.run_one() == 0) break;  // nothing left to run: the user has ended
        const auto& by_class = counts.by_class;
        const std::int64_t ended = cls < by_class.size() ? by_class[cls].iterations : 0;
        if (ended >= iterations && !u.stop_requested()) u.request_stop(user::stop_mode::graceful);
    }
}

int run_try(const try_options& opts) {
    scenario::compile_options co;
    co.host_override = opts.host;
    const auto loaded = scenario::load_file(opts.file, co);
    for (const auto& w : loaded.warnings) std::cerr << "warning: " << w.to_string() << "\n";
    if (!loaded.result) {
        for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
        return 2;
    }
    const auto cls = find_class(*loaded.result, opts.user_class);
    if (!cls) {
        std::cerr << cls.error().message << "\n";
        return 2;
    }
    auto plan = loaded.result;
    if (!opts.task.empty()) {
        auto cut = only_task(*plan, *cls, opts.task);
        if (!cut) {
            std::cerr << cut.error().message << "\n";
            return 2;
        }
        plan = *cut;
    }
    boost::asio::io_context ctx;
    auto program = std::make_shared<const user::user_program>(plan, *cls);
    try_printer printer(std::cout, isatty(STDOUT_FILENO) == 1);
    stats::delta delta;
    user::iteration_budget budget;
    budget.quota = opts.iterations;
    user::thread_counts counts;
    counts.budget = &budget;
    user::user_sink sink{&delta, &counts};
    sink.observer = &printer;
    std::random_device seed;
    const user::user_identity id{1, 1, (std::uint64_t{seed()} << 32) | seed()};
    auto session =
        std::make_unique<worker::http::client>(ctx.get_executor(), client_options_for(*plan, *cls));
    user::virtual_user u(program, id, std::move(session), sink, ctx.get_executor());
    run_user(u, counts, *cls, opts.iterations, ctx);

    const auto ended = *cls < counts.by_class.size() ? counts.by_class[*cls].iterations : 0;
    std::cout << plan->users[*cls].name << ": " << ended << " iteration" << (ended == 1 ? "" : "s")
              << ", " << printer.requests() << " requests, " << printer.failed() << " failed, "
              << printer.checks_failed() << " checks failed\n";
    return printer.failed() > 0 || printer.checks_failed() > 0 ? 1 : 0;
}

}  // namespace

void add_try_command(CLI::App& app, command_runner& run) {
    auto opts = std::make_shared<try_options>();
    auto* cmd = app.add_subcommand(
        "try", "Run one user for one iteration (or -n) and print every request and response");
    cmd->add_option("file", opts->file, "scenario YAML file")->required();
    cmd->add_option("--class", opts->user_class, "the user class (default: the first)");
    cmd->add_option("--task", opts->task, "run only this task of the class (by name)");
    cmd->add_option("-n,--iterations", opts->iterations, "task iterations to run")
        ->capture_default_str()
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}));
    cmd->add_option("-H,--host", opts->host, "target host, replacing the scenario's");
    cmd->callback([&run, opts] { run = [opts] { return run_try(*opts); }; });
}

}  // namespace swarm::cli
