// `swarm check FILE [--ratio] [--json]`: validate a scenario and describe it.
#include <boost/json.hpp>

#include <iostream>

#include "cli/commands.hpp"
#include "common/duration.hpp"
#include "common/scenario/loader.hpp"
#include "common/scenario/ratio.hpp"

namespace swarm::cli {
namespace {

struct check_options {
    std::string file;
    bool ratio = false;
    bool json = false;
};

std::string describe_wait(const scenario::wait_spec& w) {
    using kind = scenario::wait_spec::kind;
    switch (w.how) {
        case kind::none:
            return "no wait";
        case kind::between:
            return "wait between " + format_duration(w.min) + " and " + format_duration(w.max);
        case kind::constant:
            return "wait " + format_duration(w.min);
        case kind::pacing:
            return "pacing " + format_duration(w.min);
        case kind::throughput:
            return "throughput " + std::to_string(w.per_second) + " tasks/s";
    }
    return "";
}

std::size_t count_requests(const scenario::step_list& steps);

std::size_t count_requests(const scenario::task_set& set) {
    std::size_t n = count_requests(set.on_start) + count_requests(set.on_stop);
    for (const auto& t : set.tasks)
        n += count_requests(t.steps) + (t.nested ? count_requests(*t.nested) : 0);
    return n;
}

std::size_t count_requests(const scenario::step_list& steps) {
    std::size_t n = 0;
    for (const auto& s : steps) {
        if (std::holds_alternative<scenario::request_step>(s.action)) ++n;
        if (auto* i = std::get_if<scenario::if_step>(&s.action))
            n += count_requests(i->then_steps) + count_requests(i->else_steps);
        if (auto* r = std::get_if<scenario::repeat_step>(&s.action)) n += count_requests(r->steps);
    }
    return n;
}

void print_summary(const scenario::plan& p) {
    std::cout << p.name << ": ok\n";
    if (!p.host.empty()) std::cout << "  host: " << p.host << "\n";
    for (const auto& ds : p.data)
        std::cout << "  data " << ds->name << ": " << ds->items.size() << " items\n";
    for (const auto& u : p.users) {
        std::cout << "  user class " << u.name << ": ";
        if (u.fixed_count) std::cout << "fixed_count " << *u.fixed_count;
        else std::cout << "weight " << u.weight;
        std::cout << ", " << describe_wait(u.root.wait) << ", " << u.root.tasks.size() << " tasks, "
                  << count_requests(u.root) << " requests\n";
    }
}

boost::json::array ratios_json(const std::vector<scenario::task_ratio>& tasks) {
    boost::json::array out;
    for (const auto& t : tasks) {
        boost::json::object o{{"name", t.name},
                              {"ratio", t.within_parent},
                              {"class_ratio", t.of_class},
                              {"total_ratio", t.of_total}};
        if (!t.children.empty()) o["tasks"] = ratios_json(t.children);
        out.push_back(std::move(o));
    }
    return out;
}

void print_json(const scenario::plan& p) {
    boost::json::object out{{"file", p.name}, {"valid", true}, {"host", p.host}};
    boost::json::array users;
    for (const auto& c : scenario::task_ratios(p)) {
        boost::json::object u{
            {"name", c.name}, {"share", c.share}, {"tasks", ratios_json(c.tasks)}};
        if (c.fixed_count) u["fixed_count"] = *c.fixed_count;
        users.push_back(std::move(u));
    }
    out["users"] = std::move(users);
    boost::json::object data;
    for (const auto& ds : p.data) data[ds->name] = ds->items.size();
    out["data"] = std::move(data);
    std::cout << boost::json::serialize(out) << "\n";
}

void print_errors_json(const std::string& file, const std::vector<scenario::diagnostic>& errors) {
    boost::json::array list;
    for (const auto& e : errors) {
        list.push_back({{"file", e.file},
                        {"line", e.line},
                        {"column", e.column},
                        {"path", e.path},
                        {"message", e.message}});
    }
    std::cout << boost::json::serialize(
                     boost::json::object{{"file", file}, {"valid", false}, {"errors", list}})
              << "\n";
}

int run_check(const check_options& opts) {
    const auto loaded = scenario::load_file(opts.file);
    if (!loaded.result) {
        if (opts.json) print_errors_json(opts.file, loaded.errors);
        for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
        std::cerr << opts.file << ": " << loaded.errors.size() << " error"
                  << (loaded.errors.size() == 1 ? "" : "s") << "\n";
        return 2;
    }
    if (opts.json) {
        print_json(*loaded.result);
        return 0;
    }
    if (opts.ratio) {
        std::cout << scenario::format_ratios(scenario::task_ratios(*loaded.result));
    } else {
        print_summary(*loaded.result);
    }
    return 0;
}

}  // namespace

void add_check_command(CLI::App& app, command_runner& run) {
    auto opts = std::make_shared<check_options>();
    auto* cmd = app.add_subcommand("check", "Validate a scenario and print its plan");
    cmd->add_option("file", opts->file, "scenario YAML file")->required();
    cmd->add_flag("--ratio", opts->ratio,
                  "print how often each task runs, per user class and in total");
    cmd->add_flag("--json", opts->json, "print the result (or the errors) as JSON on stdout");
    cmd->callback([&run, opts] { run = [opts] { return run_check(*opts); }; });
}

}  // namespace swarm::cli
