// `swarm check FILE [--ratio] [--json] [--tags A,B] [--exclude-tags C]`:
// validate a scenario and describe it (after the tag filter, as a run would).
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "cli/commands.hpp"
#include "common/duration.hpp"
#include "common/scenario/loader.hpp"
#include "common/scenario/rate_text.hpp"
#include "common/scenario/ratio.hpp"
#include "common/scenario/stages_text.hpp"
#include "common/scenario/threshold_expr.hpp"

namespace swarm::cli {
namespace {

struct check_options {
    std::string file;
    bool ratio = false;
    bool json = false;
    std::vector<std::string> include_tags;  // --tags (comma lists, repeatable)
    std::vector<std::string> exclude_tags;  // --exclude-tags
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

// The requests a class's steps hold, and how many of them are in `parallel:` blocks.
struct request_count {
    std::size_t requests = 0;
    std::size_t blocks = 0;       // parallel blocks
    std::size_t in_parallel = 0;  // requests inside them
    std::size_t widest = 0;       // the largest block's requests
};

void count_requests(const scenario::step_list& steps, request_count& n);

void count_requests(const scenario::task_set& set, request_count& n) {
    count_requests(set.on_start, n);
    count_requests(set.on_stop, n);
    for (const auto& t : set.tasks) {
        count_requests(t.steps, n);
        if (t.nested) count_requests(*t.nested, n);
    }
}

void count_requests(const scenario::step_list& steps, request_count& n) {
    for (const auto& s : steps) {
        if (std::holds_alternative<scenario::request_step>(s.action)) ++n.requests;
        if (auto* i = std::get_if<scenario::if_step>(&s.action)) {
            count_requests(i->then_steps, n);
            count_requests(i->else_steps, n);
        }
        if (auto* r = std::get_if<scenario::repeat_step>(&s.action)) count_requests(r->steps, n);
        if (auto* w = std::get_if<scenario::while_step>(&s.action)) count_requests(w->steps, n);
        if (auto* g = std::get_if<scenario::group_step>(&s.action)) count_requests(g->steps, n);
        if (auto* p = std::get_if<scenario::parallel_step>(&s.action)) {
            n.requests += p->requests.size();
            n.in_parallel += p->requests.size();
            n.widest = std::max(n.widest, p->requests.size());
            ++n.blocks;
        }
    }
}

// "12 requests", or "12 requests (8 in 2 parallel blocks, up to 6 at once)".
std::string describe_requests(const scenario::task_set& set) {
    request_count n;
    count_requests(set, n);
    std::string out = std::to_string(n.requests) + " requests";
    if (n.blocks == 0) return out;
    return out + " (" + std::to_string(n.in_parallel) + " in " + std::to_string(n.blocks) +
           " parallel block" + (n.blocks == 1 ? "" : "s") + ", up to " + std::to_string(n.widest) +
           " at once)";
}

// Each nested task set's effective wait, one line each, by its task path
// ("browse", "browse.deep"): its own `wait:`, or the class's it inherits.
void print_nested_waits(const scenario::task_set& set, const std::string& parent) {
    for (const auto& t : set.tasks) {
        if (!t.nested) continue;
        const auto path = parent.empty() ? t.name : parent + "." + t.name;
        std::cout << "    task set " << path << ": " << describe_wait(t.nested->wait)
                  << (t.nested->wait_inherited ? " (the class's)" : "") << "\n";
        print_nested_waits(*t.nested, path);
    }
}

void print_summary(const scenario::plan& p) {
    std::cout << p.name << ": ok\n";
    if (!p.host.empty()) std::cout << "  host: " << p.host << "\n";
    for (const auto& ds : p.data)
        std::cout << "  data " << ds->name << ": " << ds->items.size() << " items\n";
    for (const auto& u : p.users) {
        std::cout << "  user class " << u.name << ": ";
        if (u.arrival) {
            std::cout << scenario::describe_arrival(*u.arrival) << ", pre_allocate "
                      << u.arrival->pre_allocate;
        } else {
            if (u.fixed_count) std::cout << "fixed_count " << *u.fixed_count;
            else std::cout << "weight " << u.weight;
            std::cout << ", " << describe_wait(u.root.wait);
        }
        std::cout << ", " << u.root.tasks.size() << " tasks, " << describe_requests(u.root) << "\n";
        if (const auto tls = scenario::describe_tls(u.tls); !tls.empty())
            std::cout << "    tls: " << tls << "\n";
        if (u.close_idle_after) {
            std::cout << "    close_idle_after: " << format_duration(*u.close_idle_after)
                      << " (connections closed before a wait that long)\n";
        }
        print_nested_waits(u.root, "");
    }
    if (!p.load.stages.empty())
        std::cout << "  load stages: " << scenario::format_stages(p.load.stages) << "\n";
    if (p.load.iterations) std::cout << "  load iterations: " << *p.load.iterations << "\n";
    for (const auto& t : p.thresholds) {
        // Loaded thresholds parse: compile() checked them.
        std::cout << "  threshold: " << scenario::parse_threshold(t.expression)->normalised();
        if (t.abort_on_fail) std::cout << ", abort_on_fail";
        if (t.delay.count() > 0) std::cout << ", delay " << format_duration(t.delay);
        std::cout << "\n";
    }
}

boost::json::array thresholds_json(const scenario::plan& p) {
    boost::json::array out;
    for (const auto& t : p.thresholds) {
        out.push_back(
            {{"expression", t.expression},
             {"normalised", scenario::parse_threshold(t.expression)->normalised()},
             {"abort_on_fail", t.abort_on_fail},
             {"delay_ms", std::chrono::duration_cast<std::chrono::milliseconds>(t.delay).count()}});
    }
    return out;
}

boost::json::object arrival_json(const scenario::arrival_spec& a) {
    boost::json::array stages;
    for (const auto& s : a.stages) {
        stages.push_back({{"duration_ms",
                           std::chrono::duration_cast<std::chrono::milliseconds>(s.length).count()},
                          {"rate", s.per_second}});
    }
    return {{"start_rate", a.start_rate},
            {"stages", std::move(stages)},
            {"max_users", a.max_users},
            {"pre_allocate", a.pre_allocate},
            {"distribution",
             a.spacing == scenario::arrival_spec::distribution::poisson ? "poisson" : "constant"}};
}

// `tls:` as set, defaults left out ("1.2" for versions; "sni": false for none).
boost::json::object tls_json(const scenario::tls_spec& t) {
    boost::json::object o{{"resume", t.resume}};
    if (t.min_version) o["min_version"] = scenario::tls_version_name(t.min_version);
    if (t.max_version) o["max_version"] = scenario::tls_version_name(t.max_version);
    if (!t.ciphers.empty()) o["ciphers"] = t.ciphers;
    if (!t.ciphersuites.empty()) o["ciphersuites"] = t.ciphersuites;
    if (t.sni) {
        if (t.sni->empty()) o["sni"] = false;
        else o["sni"] = *t.sni;
    }
    return o;
}

const scenario::user_class* find_class(const scenario::plan& p, const std::string& name) {
    for (const auto& u : p.users) {
        if (u.name == name) return &u;
    }
    return nullptr;
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

boost::json::array diagnostics_json(const std::vector<scenario::diagnostic>& list) {
    boost::json::array out;
    for (const auto& e : list) {
        out.push_back({{"file", e.file},
                       {"line", e.line},
                       {"column", e.column},
                       {"path", e.path},
                       {"message", e.message}});
    }
    return out;
}

void print_json(const scenario::plan& p, const std::vector<scenario::diagnostic>& warnings) {
    boost::json::object out{{"file", p.name}, {"valid", true}, {"host", p.host}};
    boost::json::array users;
    for (const auto& c : scenario::task_ratios(p)) {
        boost::json::object u{
            {"name", c.name}, {"share", c.share}, {"tasks", ratios_json(c.tasks)}};
        if (c.fixed_count) u["fixed_count"] = *c.fixed_count;
        if (c.arrival) u["arrival"] = arrival_json(*c.arrival);
        if (const auto* cls = find_class(p, c.name); cls && cls->tls != scenario::tls_spec{})
            u["tls"] = tls_json(cls->tls);
        users.push_back(std::move(u));
    }
    out["users"] = std::move(users);
    out["thresholds"] = thresholds_json(p);
    out["warnings"] = diagnostics_json(warnings);
    boost::json::object data;
    for (const auto& ds : p.data) data[ds->name] = ds->items.size();
    out["data"] = std::move(data);
    std::cout << boost::json::serialize(out) << "\n";
}

void print_errors_json(const std::string& file, const scenario::compile_result& r) {
    std::cout << boost::json::serialize(
                     boost::json::object{{"file", file},
                                         {"valid", false},
                                         {"errors", diagnostics_json(r.errors)},
                                         {"warnings", diagnostics_json(r.warnings)}})
              << "\n";
}

int run_check(const check_options& opts) {
    scenario::compile_options co;
    co.include_tags = opts.include_tags;
    co.exclude_tags = opts.exclude_tags;
    const auto loaded = scenario::load_file(opts.file, co);
    for (const auto& w : loaded.warnings) std::cerr << "warning: " << w.to_string() << "\n";
    if (!loaded.result) {
        if (opts.json) print_errors_json(opts.file, loaded);
        for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
        std::cerr << opts.file << ": " << loaded.errors.size() << " error"
                  << (loaded.errors.size() == 1 ? "" : "s") << "\n";
        return 2;
    }
    if (opts.json) {
        print_json(*loaded.result, loaded.warnings);
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
    cmd->add_option("--tags", opts->include_tags,
                    "keep only tasks with one of these tags (comma list, repeatable), as a run "
                    "with --tags would")
        ->delimiter(',')
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd->add_option("--exclude-tags", opts->exclude_tags,
                    "leave out tasks with any of these tags (comma list, repeatable)")
        ->delimiter(',')
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd->callback([&run, opts] { run = [opts] { return run_check(*opts); }; });
}

}  // namespace swarm::cli
