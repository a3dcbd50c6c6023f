// master_endpoint and worker_endpoint with CURVE over tcp on 127.0.0.1: an
// allowed worker talks both ways; a worker with a key the master does not
// allow, or without CURVE, gets nothing through, and the master says so.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "proto/auth.hpp"
#include "proto/transport.hpp"
#include "tests/proto/sample_messages.hpp"
#include "tests/support/log_capture.hpp"

namespace swarm::proto {
namespace {

using namespace std::chrono_literals;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using testing::hello_from;

constexpr auto patience = 10s;    // only spent when a test fails
constexpr auto silence = 1500ms;  // how long "nothing arrives" is watched

auth_keys shared_keys(const curve_key_pair& p) {
    auth_keys k;
    k.path = "shared.key";
    k.kind = key_file_kind::shared;
    k.own = p;
    k.master_public = p.public_key;
    k.allowed = {{p.public_key, "shared key"}};
    return k;
}

// A strict set-up: a master allowing `allowed_workers`, and worker keys.
struct strict_keys {
    auth_keys master;
    auth_keys worker_for(const curve_key_pair& p) const {
        auth_keys w;
        w.path = "worker.key";
        w.kind = key_file_kind::worker;
        w.own = p;
        w.master_public = master.own.public_key;
        return w;
    }
};

strict_keys make_strict(const std::vector<curve_key_pair>& allowed_workers) {
    strict_keys s;
    s.master.path = "master.key";
    s.master.kind = key_file_kind::master;
    s.master.own = generate_curve_key_pair();
    for (const auto& w : allowed_workers) s.master.allowed.push_back({w.public_key, "allowed"});
    return s;
}

class curve_transport_test : public ::testing::Test {
  protected:
    // Both sides log into log_, as "swarm master" and "swarm worker".
    std::unique_ptr<master_endpoint> master(const std::optional<auth_keys>& auth) {
        return std::make_unique<master_endpoint>(
            ctx_, "tcp://127.0.0.1:*", endpoint_options{auth, {}, log_.logger("swarm master")});
    }
    std::unique_ptr<worker_endpoint> worker(const master_endpoint& m, const std::string& id,
                                            const std::optional<auth_keys>& auth) {
        return std::make_unique<worker_endpoint>(
            ctx_, m.bound_endpoint(), id, endpoint_options{auth, {}, log_.logger("swarm worker")});
    }

    // hello → master, welcome → worker; both must arrive.
    static void expect_both_ways(master_endpoint& m, worker_endpoint& w, const std::string& id) {
        w.send(hello_from(id));
        auto in = m.receive(patience);
        ASSERT_TRUE(in) << "the master received nothing";
        EXPECT_EQ(in->worker, id);
        ASSERT_TRUE(std::holds_alternative<hello>(in->body));
        m.send(id, welcome{7});
        auto back = w.receive(patience);
        ASSERT_TRUE(back) << "the worker received nothing";
        ASSERT_TRUE(std::holds_alternative<welcome>(*back));
        EXPECT_EQ(std::get<welcome>(*back).index, 7u);
    }

    // The worker's hello never reaches the master, nor the master's answer the worker.
    static void expect_nothing_through(master_endpoint& m, worker_endpoint& w,
                                       const std::string& id) {
        w.send(hello_from(id));
        EXPECT_FALSE(m.receive(silence)) << "a message came through";
        m.send(id, welcome{1});
        EXPECT_FALSE(w.receive(200ms)) << "a message came back";
    }

    static void wait_for_refusal(master_endpoint& m) {
        const auto deadline = std::chrono::steady_clock::now() + patience;
        while (m.refused_connections() == 0 && std::chrono::steady_clock::now() < deadline) {
            (void)m.receive(20ms);  // the handshake watch reads its events in receive()
        }
    }
    static void wait_for_failed_handshake(worker_endpoint& w) {
        const auto deadline = std::chrono::steady_clock::now() + patience;
        while (w.failed_handshakes() == 0 && std::chrono::steady_clock::now() < deadline) {
            (void)w.receive(20ms);
        }
    }

    // Declared before the context: the ZAP thread logs here until the
    // endpoints (and so the context's users) are gone.
    test::log_capture log_;
    zmq::context_t ctx_;
};

TEST_F(curve_transport_test, an_allowed_worker_talks_both_ways) {
    const curve_key_pair a = generate_curve_key_pair();
    const curve_key_pair b = generate_curve_key_pair();
    const strict_keys keys = make_strict({a, b});
    auto m = master(keys.master);
    auto wa = worker(*m, "wa", keys.worker_for(a));
    auto wb = worker(*m, "wb", keys.worker_for(b));
    expect_both_ways(*m, *wa, "wa");
    expect_both_ways(*m, *wb, "wb");
    EXPECT_EQ(m->refused_connections(), 0u);
}

TEST_F(curve_transport_test, the_shared_key_set_up_talks_both_ways) {
    const auth_keys keys = shared_keys(generate_curve_key_pair());
    auto m = master(keys);
    auto w = worker(*m, "shared-worker", keys);
    expect_both_ways(*m, *w, "shared-worker");
}

TEST_F(curve_transport_test, a_worker_key_not_allowed_gets_nothing_through_and_is_logged) {
    const curve_key_pair allowed = generate_curve_key_pair();
    const curve_key_pair stranger = generate_curve_key_pair();
    const strict_keys keys = make_strict({allowed});
    auto m = master(keys.master);
    auto w = worker(*m, "stranger", keys.worker_for(stranger));
    expect_nothing_through(*m, *w, "stranger");
    wait_for_refusal(*m);
    wait_for_failed_handshake(*w);
    const std::string log = log_.text();
    EXPECT_GE(m->refused_connections(), 1u);
    EXPECT_THAT(log, HasSubstr("the master refused this worker's key (status 400)"));
    EXPECT_THAT(log, HasSubstr("refused a worker from 127.0.0.1: its public key " +
                               stranger.public_key + " is not allowed in master.key"));
    // The worker keeps retrying; its key is logged once, not once per try.
    const auto first = log.find(stranger.public_key);
    EXPECT_EQ(log.find(stranger.public_key, first + 1), std::string::npos);

    // An allowed worker still gets in.
    auto good = worker(*m, "good", keys.worker_for(allowed));
    expect_both_ways(*m, *good, "good");
}

TEST_F(curve_transport_test, a_worker_that_trusts_another_master_key_gets_nothing_through) {
    const curve_key_pair w = generate_curve_key_pair();
    const strict_keys keys = make_strict({w});
    auth_keys wrong = keys.worker_for(w);
    wrong.master_public = generate_curve_key_pair().public_key;  // an impostor's key
    auto m = master(keys.master);
    auto worker_ep = worker(*m, "misled", wrong);
    expect_nothing_through(*m, *worker_ep, "misled");
    wait_for_refusal(*m);
    const std::string log = log_.text();
    EXPECT_GE(m->refused_connections(), 1u);
    EXPECT_THAT(log, HasSubstr("a worker's handshake failed"));
}

TEST_F(curve_transport_test, a_plaintext_worker_gets_nothing_through_to_a_curve_master) {
    const auth_keys keys = shared_keys(generate_curve_key_pair());
    auto m = master(keys);
    auto w = worker(*m, "plain", std::nullopt);
    expect_nothing_through(*m, *w, "plain");
    wait_for_refusal(*m);
    wait_for_failed_handshake(*w);
    const std::string log = log_.text();
    EXPECT_GE(m->refused_connections(), 1u);
    // Both sides say what to fix. Which of them sees the mismatch and which
    // only sees the other hang up is a race, so the wording is not pinned.
    EXPECT_THAT(log, ContainsRegex("swarm master: [^\n]*--auth-key-file"));
    EXPECT_THAT(log, ContainsRegex("swarm worker: [^\n]*--auth-key-file"));
    // Once per kind (at most the two above), not once per retry.
    std::size_t worker_lines = 0;
    for (auto at = log.find("swarm worker: "); at != std::string::npos;
         at = log.find("swarm worker: ", at + 1)) {
        ++worker_lines;
    }
    EXPECT_LE(worker_lines, 2u);
}

TEST_F(curve_transport_test, a_curve_worker_gets_nothing_through_to_a_plaintext_master) {
    const auth_keys keys = shared_keys(generate_curve_key_pair());
    auto m = master(std::nullopt);
    auto w = worker(*m, "curvy", keys);
    expect_nothing_through(*m, *w, "curvy");
    wait_for_refusal(*m);
    wait_for_failed_handshake(*w);
    const std::string log = log_.text();
    EXPECT_THAT(log, ContainsRegex("swarm master: [^\n]*--auth-key-file"));
    EXPECT_THAT(log, ContainsRegex("swarm worker: [^\n]*--auth-key-file"));
}

TEST_F(curve_transport_test, two_curve_masters_in_one_process_each_keep_their_own_allow_list) {
    const auth_keys one = shared_keys(generate_curve_key_pair());
    const auth_keys two = shared_keys(generate_curve_key_pair());
    auto m1 = master(one);
    auto m2 = master(two);
    auto w1 = worker(*m1, "w1", one);
    auto w2 = worker(*m2, "w2", two);
    expect_both_ways(*m1, *w1, "w1");
    expect_both_ways(*m2, *w2, "w2");
    auto crossed = worker(*m1, "crossed", two);
    expect_nothing_through(*m1, *crossed, "crossed");
}

TEST_F(curve_transport_test, keys_on_the_wrong_side_or_endpoint_are_refused_up_front) {
    const curve_key_pair w = generate_curve_key_pair();
    const strict_keys keys = make_strict({w});
    EXPECT_THROW(master_endpoint(ctx_, "tcp://127.0.0.1:*", keys.worker_for(w)),
                 std::invalid_argument);
    EXPECT_THROW(master_endpoint(ctx_, "inproc://curve", keys.master), std::invalid_argument);
    auto m = master(std::nullopt);
    EXPECT_THROW(worker_endpoint(ctx_, m->bound_endpoint(), "x", keys.master),
                 std::invalid_argument);
}

}  // namespace
}  // namespace swarm::proto
