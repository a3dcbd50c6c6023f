// The coordinator's registry under hostile or careless peers, on simulated
// time: the number of workers is capped, missing workers are forgotten,
// names are unique, and a peer repeating hello gets one scenario bundle.
#include <gmock/gmock.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "master/coordinator.hpp"
#include "tests/support/log_capture.hpp"

namespace swarm::master {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr const char* one_class = R"y(
host: http://127.0.0.1:1
users:
  Browser:
    tasks:
      index: {get: /}
)y";

class coordinator_registry_test : public ::testing::Test {
  protected:
    coordinator_registry_test() : bundle_{"one.yaml", one_class, {{"data.csv", "x\n1\n"}}} {
        auto compiled = scenario::compile(bundle_);
        EXPECT_TRUE(compiled.result);
        coord_ = std::make_unique<coordinator>(
            bundle_, compiled.result,
            [this](const std::string& w, const proto::message& m) { sent_[w].push_back(m); }, now_,
            0, log_.logger("swarm master"));
    }

    void hello(const std::string& id, const std::string& name) {
        coord_->on_message(id, proto::hello{proto::protocol_version, "h", name, 1, 1}, now_);
    }
    void join(const std::string& id, const std::string& name) {
        hello(id, name);
        coord_->on_message(id, proto::ready{bundle_.hash()}, now_);
    }
    // `talking` workers heartbeat every 500 ms; the master ticks.
    void advance(std::chrono::milliseconds d, const std::vector<std::string>& talking) {
        for (auto t = 0ms; t < d; t += 500ms) {
            now_ += 500ms;
            for (const auto& id : talking) coord_->on_message(id, proto::heartbeat{}, now_);
            coord_->caught_up(now_);
            coord_->tick(now_, 0);
        }
    }
    template <class T>
    int count_sent(const std::string& id) const {
        int n = 0;
        if (auto it = sent_.find(id); it != sent_.end()) {
            for (const auto& m : it->second) n += std::holds_alternative<T>(m) ? 1 : 0;
        }
        return n;
    }
    std::string name_of(const std::string& id) const { return coord_->workers().at(id).name; }
    int log_lines_with(const std::string& text) const {
        int n = 0;
        for (const auto& line : log_.lines()) n += line.find(text) != std::string::npos ? 1 : 0;
        return n;
    }

    scenario::bundle bundle_;
    test::log_capture log_;
    control_clock::time_point now_{std::chrono::seconds(1000)};
    std::map<std::string, std::vector<proto::message>> sent_;
    std::unique_ptr<coordinator> coord_;
};

TEST_F(coordinator_registry_test, a_hello_beyond_max_workers_is_rejected_and_logged_once) {
    coord_->max_workers = 3;
    for (const auto* id : {"a", "b", "c"}) join(id, id);
    for (int i = 0; i < 50; ++i) hello("x" + std::to_string(i), "x");
    EXPECT_EQ(coord_->workers().size(), 3u);
    ASSERT_EQ(count_sent<proto::reject>("x7"), 1);
    EXPECT_THAT(std::get<proto::reject>(sent_["x7"].front()).reason,
                HasSubstr("already has 3 workers, its maximum (swarm master --max-workers)"));
    EXPECT_EQ(count_sent<proto::scenario_bundle>("x7"), 0);
    EXPECT_EQ(log_lines_with("rejected worker x"), 1);
    // A known worker saying hello again is not a newcomer.
    hello("a", "a");
    EXPECT_EQ(count_sent<proto::reject>("a"), 0);
}

TEST_F(coordinator_registry_test, a_missing_worker_gives_its_place_to_a_new_one) {
    coord_->max_workers = 2;
    join("a", "a");
    join("b", "b");
    advance(4s, {"b"});
    ASSERT_EQ(coord_->workers().at("a").state, worker_state::missing);
    join("c", "c");
    EXPECT_EQ(count_sent<proto::reject>("c"), 0);
    EXPECT_EQ(coord_->workers().count("a"), 0u);
    EXPECT_EQ(coord_->workers().count("c"), 1u);
    EXPECT_EQ(coord_->ready_workers(), 2u);
}

TEST_F(coordinator_registry_test, missing_workers_are_forgotten_after_the_bound) {
    join("a", "a");
    join("b", "b");
    advance(30s, {"a"});
    EXPECT_EQ(coord_->workers().count("b"), 1u) << "forgotten before the bound";
    advance(31s + coord_->missing_after, {"a"});
    EXPECT_EQ(coord_->workers().count("b"), 0u);
    EXPECT_EQ(coord_->workers().size(), 1u);
    EXPECT_EQ(log_lines_with("forgot worker b (missing for 60 s)"), 1);
    // Back later, it is a stranger until its hello, then a worker again.
    join("b", "b");
    EXPECT_EQ(coord_->ready_workers(), 2u);
}

// A worker restarted under its name (new process, new connection id) while
// its old entry is missing: one entry, under its name, so /workers,
// worker_count and the header's "(N missing)" count it once.
TEST_F(coordinator_registry_test, a_worker_back_under_its_name_replaces_its_missing_entry) {
    join("old", "alpha");
    join("b", "b");
    advance(4s, {"b"});
    ASSERT_EQ(coord_->workers().at("old").state, worker_state::missing);
    join("new", "alpha");
    EXPECT_EQ(coord_->workers().count("old"), 0u);
    ASSERT_EQ(coord_->workers().count("new"), 1u);
    EXPECT_EQ(name_of("new"), "alpha");
    EXPECT_EQ(coord_->workers().size(), 2u);
    EXPECT_EQ(coord_->ready_workers(), 2u);
    EXPECT_EQ(log_lines_with("worker alpha is back on a new connection"), 1);
    // A live namesake is another worker: it keeps its row and gets a suffix.
    join("third", "alpha");
    EXPECT_EQ(name_of("third"), "alpha#2");
    EXPECT_EQ(coord_->workers().size(), 3u);
    // Missing later, and one of them back: the one named "alpha" is replaced first.
    advance(4s, {"b"});
    join("fourth", "alpha");
    EXPECT_EQ(name_of("fourth"), "alpha");
    EXPECT_EQ(coord_->workers().count("new"), 0u);
    EXPECT_EQ(coord_->workers().at("third").state, worker_state::missing);
}

TEST_F(coordinator_registry_test, a_taken_name_gets_a_suffix_and_keeps_it) {
    join("id1", "w");
    join("id2", "w");
    join("id3", "w");
    EXPECT_EQ(name_of("id1"), "w");
    EXPECT_EQ(name_of("id2"), "w#2");
    EXPECT_EQ(name_of("id3"), "w#3");
    EXPECT_EQ(log_lines_with("worker w joined as w#2 (its name is taken;"), 1);
    EXPECT_EQ(log_lines_with("joined as"), 1) << "one line per name, not per worker";
    join("id2", "w");  // its hello again: the same name
    EXPECT_EQ(name_of("id2"), "w#2");
    coord_->on_message("id1", proto::quit{"bye"}, now_);
    join("id4", "w");  // the name is free again
    EXPECT_EQ(name_of("id4"), "w");
}

TEST_F(coordinator_registry_test, a_peer_repeating_hello_gets_one_bundle_until_it_answers) {
    for (int i = 0; i < 1200; ++i) hello("x", "x");
    EXPECT_EQ(count_sent<proto::scenario_bundle>("x"), 1);
    EXPECT_EQ(count_sent<proto::welcome>("x"), 1200);
    // Unanswered for long, it is sent again once (the hello may have come on
    // a fresh socket, whose old one dropped the bundle), on the next tick.
    advance(coord_->bundle_resend_after, {"x"});
    EXPECT_EQ(count_sent<proto::scenario_bundle>("x"), 2);
    advance(coord_->bundle_resend_after - 500ms, {"x"});
    EXPECT_EQ(count_sent<proto::scenario_bundle>("x"), 2);
    // Answered: a later hello (a worker back from a lost master) gets one at once.
    coord_->on_message("x", proto::ready{bundle_.hash()}, now_);
    hello("x", "x");
    EXPECT_EQ(count_sent<proto::scenario_bundle>("x"), 3);
}

TEST_F(coordinator_registry_test, unanswered_bundles_are_bounded_and_the_rest_wait) {
    coord_->max_bundle_bytes_in_flight = 2 * (bundle_.source.size() + 16);
    ASSERT_EQ(coord_->bundles_in_flight(), 2u);
    for (const auto* id : {"a", "b", "c", "d"}) hello(id, id);
    int sent = 0;
    for (const auto* id : {"a", "b", "c", "d"}) sent += count_sent<proto::scenario_bundle>(id);
    EXPECT_EQ(sent, 2);
    // Answers free their places; the waiting workers get theirs on the next tick.
    coord_->on_message("a", proto::ready{bundle_.hash()}, now_);
    coord_->on_message("b", proto::ready{bundle_.hash()}, now_);
    advance(500ms, {"a", "b", "c", "d"});
    for (const auto* id : {"a", "b", "c", "d"})
        EXPECT_EQ(count_sent<proto::scenario_bundle>(id), 1) << id;
}

TEST_F(coordinator_registry_test, a_bundle_the_transport_refuses_fails_the_worker_not_the_master) {
    auto compiled = scenario::compile(bundle_);
    coordinator c(
        bundle_, compiled.result,
        [](const std::string&, const proto::message& m) {
            if (std::holds_alternative<proto::scenario_bundle>(m))
                throw std::length_error("scenario_bundle of 70000000 bytes exceeds the limit");
        },
        now_, 0, log_.logger("swarm master"));
    EXPECT_NO_THROW(c.on_message("a", proto::hello{proto::protocol_version, "h", "a", 1, 1}, now_));
    EXPECT_NO_THROW(c.on_message("b", proto::hello{proto::protocol_version, "h", "b", 1, 1}, now_));
    EXPECT_EQ(c.workers().at("a").state, worker_state::failed);
    EXPECT_THAT(c.workers().at("a").error, HasSubstr("cannot send the scenario: scenario_bundle"));
    EXPECT_EQ(log_lines_with("cannot send the scenario"), 1) << "once, not per worker";
}

}  // namespace
}  // namespace swarm::master
