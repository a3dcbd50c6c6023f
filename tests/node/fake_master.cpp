#include "tests/node/fake_master.hpp"

#include <boost/json/parse.hpp>

#include <filesystem>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.hpp"

namespace swarm::test {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

fake_master::fake_master(zmq::context_t& ctx, const std::string& endpoint) {
    const auto deadline = clock::now() + patience;
    for (;;) {
        try {
            endpoint_ = std::make_unique<proto::master_endpoint>(ctx, endpoint);
            return;
        } catch (const std::runtime_error&) {
            if (clock::now() >= deadline) throw;
            std::this_thread::sleep_for(100ms);
        }
    }
}

std::optional<proto::message> fake_master::next(clock::time_point deadline) {
    for (;;) {
        const auto now = clock::now();
        if (heartbeat && !worker.empty() && now - last_heartbeat_ >= 500ms) {
            endpoint_->send(worker, proto::heartbeat{});
            last_heartbeat_ = now;
        }
        if (now >= deadline) return std::nullopt;
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        if (auto in = endpoint_->receive(std::min<std::chrono::milliseconds>(left, 100ms))) {
            if (std::holds_alternative<proto::hello>(in->body)) worker = in->worker;
            received.push_back(in->body);
            return std::move(in->body);
        }
    }
}

std::vector<proto::message> fake_master::collect_for(std::chrono::milliseconds d) {
    std::vector<proto::message> out;
    const auto deadline = clock::now() + d;
    while (clock::now() < deadline) {
        if (auto m = next(deadline)) out.push_back(std::move(*m));
    }
    return out;
}

scenario::bundle steady_bundle(const std::string& target_url, int wait_ms) {
    scenario::bundle b;
    b.name = "steady.yaml";
    b.source = "host: " + target_url +
               "\n"
               "users:\n"
               "  Steady:\n"
               "    wait: {constant: " +
               std::to_string(wait_ms) +
               "ms}\n"
               "    tasks:\n"
               "      index: {get: /}\n";
    return b;
}

proto::scenario_bundle bundle_message(const scenario::bundle& b) {
    proto::scenario_bundle m;
    m.bundle = b;
    m.hash = b.hash();
    return m;
}

std::uint64_t requests_in(const proto::stats_report& r) {
    return r.delta.requests.total().requests();
}

bool wait_for_file(const std::string& path, bool present) {
    const auto deadline = clock::now() + patience;
    while (std::filesystem::exists(path) != present) {
        if (clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

std::int64_t target_total(const std::string& target_url) {
    http_client client(target_url);
    const auto resp = client.get("/__stats");
    return boost::json::parse(resp.body).at("total").to_number<std::int64_t>();
}

}  // namespace swarm::test
