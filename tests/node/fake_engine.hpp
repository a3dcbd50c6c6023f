#pragma once
// A user_engine for the node core's tests: no threads, no HTTP. Users are
// counters; stopping users stay alive until the test lets them finish (or
// until told to stop now, unless they ignore that too); every call is
// recorded. The state lives in a shared fake_engine_state the test keeps,
// so it can be read after the core has dropped the engine.
//
// Owned by one test thread.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "worker/runtime/engine_options.hpp"
#include "worker/runtime/user_engine.hpp"

namespace swarm::test {

struct fake_engine_state {
    worker::engine_options options;    // what the core made the engine with
    std::vector<std::string> classes;  // the loaded plan's user classes
    std::vector<std::int64_t> running;
    std::int64_t stopping = 0;       // asked to stop, not finished yet
    std::vector<std::string> calls;  // "load", "start 0", "stop 0 graceful", "stop_all cancel", ...
    std::vector<std::int64_t> call_ms;  // when each call came (now_ms then)
    std::int64_t now_ms = 0;            // the simulated time, kept up to date by the test
    std::uint64_t requests = 0;         // recorded since the last collect (the test adds them)
    std::string load_error;             // load() fails with this when set
    std::int64_t pooled = 0;            // open classes' pool users: set_arrivals' pre_allocate
    std::int64_t quota = -1;            // set_iteration_quota's
    std::vector<proto::arrival_share> arrivals;  // the last set_arrivals' shares
    std::vector<std::string> exhausted_data;     // what take_exhausted_data() hands over next
    bool finish_on_stop_now = true;    // false: users ignore "cancel" and "now" too (never end)
    bool finish_on_cancel = true;      // false: after "cancel" users run an on_stop that hangs
    bool finish_after_request = true;  // false: the request in flight hangs (a cancel ends it)
    bool destroyed = false;

    std::int64_t total() const {
        std::int64_t n = 0;
        for (auto r : running) n += r;
        return n;
    }
    void record(std::string call) {
        calls.push_back(std::move(call));
        call_ms.push_back(now_ms);
    }
    std::int64_t count(const std::string& call) const {
        std::int64_t n = 0;
        for (const auto& c : calls) n += c == call ? 1 : 0;
        return n;
    }
    // When each call named `call` came, in ms.
    std::vector<std::int64_t> times_of(const std::string& call) const {
        std::vector<std::int64_t> out;
        for (std::size_t i = 0; i < calls.size(); ++i) {
            if (calls[i] == call) out.push_back(call_ms[i]);
        }
        return out;
    }
};

class fake_engine : public worker::user_engine {
  public:
    explicit fake_engine(std::shared_ptr<fake_engine_state> s) : s_(std::move(s)) {}
    ~fake_engine() override { s_->destroyed = true; }

    result<void> load(std::shared_ptr<const scenario::plan> plan) override {
        s_->record("load");
        if (!s_->load_error.empty()) return fail(s_->load_error);
        s_->classes.clear();
        for (const auto& c : plan->users) s_->classes.push_back(c.name);
        s_->running.assign(s_->classes.size(), 0);
        return {};
    }
    std::size_t class_count() const override { return s_->classes.size(); }
    std::size_t class_index(const std::string& name) const override {
        for (std::size_t c = 0; c < s_->classes.size(); ++c) {
            if (s_->classes[c] == name) return c;
        }
        return s_->classes.size();
    }
    void start_user(std::size_t c) override {
        s_->record("start " + std::to_string(c));
        ++s_->running.at(c);
    }
    void stop_user(std::size_t c, worker::user::stop_mode mode) override {
        s_->record("stop " + std::to_string(c) + name(mode));
        --s_->running.at(c);
        ++s_->stopping;
    }
    void stop_all(worker::user::stop_mode mode) override {
        s_->record("stop_all" + name(mode));
        s_->stopping += s_->total() + s_->pooled;
        s_->pooled = 0;
        for (auto& r : s_->running) r = 0;
        using worker::user::stop_mode;
        const bool ends =
            mode == stop_mode::now || (mode == stop_mode::cancel && s_->finish_on_cancel) ||
            (mode == stop_mode::after_request && s_->finish_on_cancel && s_->finish_after_request);
        if (ends && s_->finish_on_stop_now) s_->stopping = 0;
    }
    void set_arrivals(const std::vector<proto::arrival_share>& shares) override {
        // "arrivals Open 100>200/1000 max 10 pre 2" per class, in order.
        std::string call = "arrivals";
        s_->pooled = 0;
        for (const auto& a : shares) {
            call += " " + a.user_class + " " + num(a.rate) + ">" + num(a.rate_end) + "/" +
                    std::to_string(a.ramp_ms) + " max " + std::to_string(a.max_users) + " pre " +
                    std::to_string(a.pre_allocate);
            s_->pooled += a.pre_allocate;
        }
        s_->record(call);
        s_->arrivals = shares;
    }
    void set_iteration_quota(std::int64_t quota) override {
        s_->record("quota " + std::to_string(quota));
        s_->quota = quota;
    }
    void reset_iterations() override { s_->record("reset_iterations"); }
    void set_feeder_share(std::uint64_t run_id, scenario::feeder_share share) override {
        s_->record("feeders run " + std::to_string(run_id) + " slot " + std::to_string(share.slot) +
                   " of " + std::to_string(share.slots));
    }
    std::vector<std::string> take_exhausted_data() override {
        return std::exchange(s_->exhausted_data, {});
    }
    std::int64_t pooled() const override { return s_->pooled; }
    const std::vector<std::int64_t>& running() const override { return s_->running; }
    std::int64_t running_total() const override { return s_->total(); }
    std::int64_t alive() const override { return s_->total() + s_->pooled + s_->stopping; }
    stats::delta collect() override {
        stats::delta d;
        for (std::uint64_t i = 0; i < s_->requests; ++i)
            d.requests.record("GET", "/", 1000, 10, false);
        s_->requests = 0;
        return d;
    }
    double take_loop_lag_ms() override { return 0.5; }
    void release_free_memory() override { s_->record("release_free_memory"); }

  private:
    static std::string num(double v) {
        auto text = std::to_string(v);  // "100.000000" → "100", "2.500000" → "2.5"
        text.erase(text.find_last_not_of('0') + 1);
        if (text.back() == '.') text.pop_back();
        return text;
    }
    static std::string name(worker::user::stop_mode mode) {
        switch (mode) {
            case worker::user::stop_mode::graceful:
                return " graceful";
            case worker::user::stop_mode::after_request:
                return " after_request";
            case worker::user::stop_mode::cancel:
                return " cancel";
            case worker::user::stop_mode::now:
                return " now";
        }
        return " ?";
    }

    std::shared_ptr<fake_engine_state> s_;
};

}  // namespace swarm::test
