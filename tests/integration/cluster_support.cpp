#include "tests/integration/cluster_support.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>

#include <stdexcept>

#include "tests/support/files.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {

using namespace std::chrono_literals;

master_process start_master(const std::string& scenario, const std::string& bind,
                            const std::vector<std::string>& args) {
    master_process m;
    m.json_file = scenario + "." +
                  std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
                  ".json";
    std::vector<std::string> argv{swarm_binary(), "master", scenario, "--headless",
                                  "--bind",       bind,     "--json", m.json_file};
    argv.insert(argv.end(), args.begin(), args.end());
    m.process = std::make_unique<child_process>(argv);
    const auto line =
        m.process->wait_for_line("swarm master: listening for workers on tcp://", 20s);
    if (!line) throw std::runtime_error("swarm master did not start");
    const auto start = line->find("tcp://") + 6;
    m.address = line->substr(start, line->find(';') - start);
    return m;
}

std::unique_ptr<child_process> start_worker(const std::string& master, const std::string& name) {
    return std::make_unique<child_process>(std::vector<std::string>{
        swarm_binary(), "worker", "--master", master, "--threads", "1", "--name", name});
}

std::vector<std::unique_ptr<child_process>> start_workers(const std::string& master,
                                                          const std::string& prefix, int count) {
    std::vector<std::unique_ptr<child_process>> workers;
    workers.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i)
        workers.push_back(start_worker(master, prefix + std::to_string(i)));
    return workers;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string all;
    for (const auto& l : lines) all += l + "\n";
    return all;
}

master_end wait_for_end(const master_process& m) {
    master_end end;
    end.code = m.process->wait_exit(60s);
    end.output = joined(m.process->lines());
    end.result = test::read_json_file(m.json_file);
    return end;
}

std::vector<std::pair<std::int64_t, std::int64_t>> users_history(const boost::json::value& result) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (const auto& p : result.at("history").at("points").as_array())
        out.emplace_back(p.at("unix_s").as_int64(), p.at("users").as_int64());
    return out;
}

std::int64_t users_between(const boost::json::value& result, std::int64_t from_unix_s,
                           std::int64_t within_s) {
    std::int64_t best = 0;
    for (const auto& [t, users] : users_history(result)) {
        if (t >= from_unix_s && t <= from_unix_s + within_s) best = std::max(best, users);
    }
    return best;
}

std::int64_t unix_now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace swarm::test
