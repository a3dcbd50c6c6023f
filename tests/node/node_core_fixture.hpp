#pragma once
// The fixture of the node core's tests (node_core_test.cpp,
// node_core_open_test.cpp): the test plays the master (messages in) and the
// driver (a tick whenever the core asks to be woken) on simulated time with
// a fake engine, and records what the core sends, and when, in ms from the start.
//
// Owned by one test thread.
#include <gmock/gmock.h>

#include <memory>
#include <stdexcept>

#include "tests/node/fake_engine.hpp"
#include "tests/support/log_capture.hpp"
#include "worker/node_core.hpp"

namespace swarm::test::node_core_fixture {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using clock = worker::node_core::clock;
using ms_list = std::vector<std::int64_t>;

inline const clock::time_point t0{std::chrono::hours(1)};

inline const char* const steady_yaml = R"y(host: http://127.0.0.1:9
users:
  Steady:
    wait: {constant: 100ms}
    tasks:
      index: {get: /}
)y";

inline proto::scenario_bundle bundle_of(const std::string& source,
                                        proto::run_options options = {}) {
    proto::scenario_bundle m;
    m.bundle = scenario::bundle{"steady.yaml", source, {}};
    m.hash = m.bundle.hash();
    m.options = std::move(options);
    return m;
}

inline proto::spawn spawn_of(std::uint64_t run_id, std::int64_t users, double rate = 100) {
    return proto::spawn{run_id, {{"Steady", users}}, rate, ""};
}

class node_core_test : public ::testing::Test {
  protected:
    node_core_test() { options_.master = "tcp://master:5557"; }

    // Makes the core with options_ (tests change them first).
    void start() {
        auto make_engine =
            [this](const worker::engine_options& eo) -> std::unique_ptr<worker::user_engine> {
            auto s = std::make_shared<fake_engine_state>();
            s->options = eo;
            if (!factory_error_.empty()) throw std::runtime_error(factory_error_);
            s->load_error = load_error_;
            s->now_ms = elapsed_ms();
            engines_.push_back(s);
            return std::make_unique<fake_engine>(s);
        };
        auto usage = [] { return worker::process_metrics::usage{12.5, 1 << 20}; };
        core_ = std::make_unique<worker::node_core>(options_, make_engine, usage,
                                                    log_.logger("swarm worker"), now_);
    }

    std::int64_t elapsed_ms() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(now_ - t0).count();
    }

    // The master's side.
    void deliver(const proto::message& m) {
        sync_engines();
        core_->on_message(m, now_);
        take_effects();
    }
    // welcome → bundle (→ ready): a joined worker the master heartbeats.
    void join(const proto::scenario_bundle& b = bundle_of(steady_yaml), std::uint32_t index = 0) {
        deliver(proto::welcome{index});
        deliver(b);
        master_heartbeats_ = true;
        next_heartbeat_ = now_ + 1s;
    }

    // The driver's side: one tick at `ms` from the start.
    void tick_at(std::int64_t ms) {
        now_ = t0 + std::chrono::milliseconds(ms);
        tick();
    }
    // A master heartbeat first when one is due (every second while master_heartbeats_).
    void tick() {
        if (master_heartbeats_ && now_ >= next_heartbeat_) {
            deliver(proto::heartbeat{});
            next_heartbeat_ += 1s;
        }
        sync_engines();
        core_->on_tick(now_);
        take_effects();
        if (core_->exit_code() && !exit_ms_) exit_ms_ = elapsed_ms();
    }
    void terminate(bool again = false) {
        sync_engines();
        core_->on_terminate(now_, again);
        take_effects();
    }
    // Runs the driver's loop up to `ms`: a tick whenever the core asks to be
    // woken, a master heartbeat every second while master_heartbeats_.
    void run_until(std::int64_t ms) {
        const auto end = t0 + std::chrono::milliseconds(ms);
        for (;;) {
            tick();
            if (now_ >= end || core_->exit_code()) return;
            auto next = std::max(core_->wake_by(now_), now_ + 1ms);
            if (master_heartbeats_) next = std::min(next, next_heartbeat_);
            now_ = std::min(next, end);
        }
    }

    // When each message of type T was sent, in ms from the start.
    template <class T>
    ms_list sent_ms() const {
        ms_list out;
        for (const auto& [ms, m] : sent_) {
            if (std::holds_alternative<T>(m)) out.push_back(ms);
        }
        return out;
    }
    template <class T>
    std::vector<T> sent() const {
        std::vector<T> out;
        for (const auto& [ms, m] : sent_) {
            if (const auto* t = std::get_if<T>(&m)) out.push_back(*t);
        }
        return out;
    }
    std::vector<std::string> sent_types() const {
        std::vector<std::string> out;
        for (const auto& [ms, m] : sent_) out.emplace_back(proto::type_name(m));
        return out;
    }
    // The types of the last `n` messages sent, oldest first.
    std::vector<std::string> last_sent_types(std::size_t n) const {
        auto all = sent_types();
        if (all.size() > n) all.erase(all.begin(), all.end() - static_cast<std::ptrdiff_t>(n));
        return all;
    }
    // Log lines containing `text`.
    std::int64_t log_lines_with(const std::string& text) const {
        std::int64_t n = 0;
        for (const auto& l : log_.lines()) n += l.find(text) != std::string::npos ? 1 : 0;
        return n;
    }
    std::uint64_t requests_reported() const {
        std::uint64_t n = 0;
        for (const auto& r : sent<proto::stats_report>()) n += r.delta.requests.total().requests();
        return n;
    }

    fake_engine_state& engine() { return *engines_.back(); }

    worker::node_core_options options_;
    std::string load_error_;     // the next engine's load() fails with this
    std::string factory_error_;  // making the next engine throws this (threads that cannot start)
    log_capture log_;
    std::unique_ptr<worker::node_core> core_;
    std::vector<std::shared_ptr<fake_engine_state>> engines_;
    clock::time_point now_ = t0;
    bool master_heartbeats_ = false;
    clock::time_point next_heartbeat_{};

    std::vector<std::pair<std::int64_t, proto::message>> sent_;
    ms_list reconnect_ms_;
    std::vector<std::pair<std::int64_t, bool>> ready_changes_;
    std::optional<std::int64_t> exit_ms_;

  private:
    void sync_engines() {
        for (auto& e : engines_) e->now_ms = elapsed_ms();
    }
    void take_effects() {
        for (auto& e : core_->take_effects()) {
            if (auto* m = std::get_if<proto::message>(&e))
                sent_.emplace_back(elapsed_ms(), std::move(*m));
            else if (std::holds_alternative<worker::reconnect>(e))
                reconnect_ms_.push_back(elapsed_ms());
            else ready_changes_.emplace_back(elapsed_ms(), std::get<worker::ready_change>(e).ready);
        }
    }
};

}  // namespace swarm::test::node_core_fixture
