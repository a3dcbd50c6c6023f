#include "tests/integration/run_support.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <fstream>

#include <cstdio>

#include "tests/support/files.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/swarm_command.hpp"
#include "tests/support/target_process.hpp"

namespace swarm::test {

run_outcome run_swarm(const std::string& scenario, const std::vector<std::string>& args,
                      int timeout_s) {
    static int counter = 0;
    const auto json_path = ::testing::TempDir() + "/run_result_" + std::to_string(getpid()) + "_" +
                           std::to_string(++counter) + ".json";
    std::remove(json_path.c_str());
    std::vector<std::string> argv{"run", scenario, "--headless", "--json", json_path};
    argv.insert(argv.end(), args.begin(), args.end());
    auto done = run_swarm_command(argv, timeout_s);
    run_outcome out;
    out.exit_code = done.exit_code;
    out.output = std::move(done.output);
    out.result = test::read_json_file(json_path);
    return out;
}

std::int64_t number(const boost::json::value& v) {
    return v.to_number<std::int64_t>();
}

// The row (method, name) of a result, or null.
const boost::json::value* entry(const boost::json::value& result, std::string_view method,
                                std::string_view name) {
    for (const auto& e : result.at("entries").as_array()) {
        if (e.at("method").as_string() == method && e.at("name").as_string() == name) return &e;
    }
    return nullptr;
}

std::map<std::string, std::int64_t> requests_by_entry(const boost::json::value& result) {
    std::map<std::string, std::int64_t> out;
    for (const auto& e : result.at("entries").as_array()) {
        out[std::string(e.at("method").as_string()) + " " +
            std::string(e.at("name").as_string())] += e.at("requests").to_number<std::int64_t>();
    }
    return out;
}

std::int64_t total_requests(const boost::json::value& result) {
    return result.at("total").at("requests").to_number<std::int64_t>();
}

std::int64_t total_failures(const boost::json::value& result) {
    return result.at("total").at("failures").to_number<std::int64_t>();
}

std::map<std::string, std::int64_t> error_messages(const boost::json::value& result) {
    std::map<std::string, std::int64_t> out;
    for (const auto& e : result.at("errors").as_array()) {
        out[std::string(e.at("message").as_string())] +=
            e.at("occurrences").to_number<std::int64_t>();
    }
    return out;
}

target_counts read_target_stats(const std::string& target_url) {
    http_client client(target_url);
    const auto resp = client.request({"GET", "/__stats", "", "", "", {}});
    target_counts out;
    const auto doc = boost::json::parse(resp.body);
    out.total = doc.at("total").to_number<std::int64_t>();
    for (const auto& [key, value] : doc.at("requests").as_object()) {
        out.requests[std::string(key)] = value.to_number<std::int64_t>();
    }
    return out;
}

std::string write_scenario(const std::string& name, const std::string& yaml) {
    auto path = ::testing::TempDir() + "/" + name;
    std::ofstream(path) << yaml;
    return path;
}

}  // namespace swarm::test
