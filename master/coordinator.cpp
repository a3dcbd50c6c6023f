#include "master/coordinator.hpp"

#include <algorithm>
#include <stdexcept>
#include <variant>

namespace swarm::master {

const char* to_string(worker_state s) {
    switch (s) {
        case worker_state::joined:
            return "joined";
        case worker_state::ready:
            return "ready";
        case worker_state::spawning:
            return "spawning";
        case worker_state::running:
            return "running";
        case worker_state::stopping:
            return "stopping";
        case worker_state::stopped:
            return "stopped";
        case worker_state::missing:
            return "missing";
        case worker_state::failed:
            return "failed";
    }
    return "?";
}

coordinator::coordinator(scenario::bundle bundle, std::shared_ptr<const scenario::plan> plan,
                         sender send, control_clock::time_point now, std::int64_t wall_ms,
                         log::logger log)
    : bundle_(std::move(bundle)),
      hash_(bundle_.hash()),
      plan_(std::move(plan)),
      send_(std::move(send)),
      log_(std::move(log)),
      stats_(now, wall_ms),
      caught_up_at_(now) {
    for (const auto& u : plan_->users) {
        if (u.arrival) {
            open_.push_back({u.name, profile::arrival_schedule(*u.arrival), u.arrival->max_users,
                             u.arrival->pre_allocate});
        } else {
            classes_.push_back({u.name, u.weight, u.fixed_count});
        }
    }
    bundle_bytes_ = bundle_.bytes();
}

std::size_t coordinator::bundles_in_flight() const {
    return std::max<std::size_t>(
        1, max_bundle_bytes_in_flight / std::max<std::size_t>(1, bundle_bytes_));
}

bool coordinator::active(const worker_info& w) const {
    return w.state == worker_state::ready || w.state == worker_state::spawning ||
           w.state == worker_state::running || w.state == worker_state::stopped;
}

void coordinator::on_message(const std::string& worker, const proto::message& m,
                             control_clock::time_point now) {
    worker_info* w = nullptr;
    if (!std::holds_alternative<proto::hello>(m)) {
        w = known(worker, m);
        if (w == nullptr) return;
    }
    // One receive() per alternative: a message type without a handler does not compile.
    std::visit([&](const auto& message) { receive(worker, w, message, now); }, m);
}

worker_info* coordinator::known(const std::string& id, const proto::message& m) {
    if (auto it = workers_.find(id); it != workers_.end()) return &it->second;
    // Not introduced: a worker of the previous master (restarted), or
    // reports queued while it was away. Ignored: the worker notices this
    // master's silence and says hello (a reject would make it exit).
    if (unknown_senders_.size() < 1024 && unknown_senders_.insert(id).second) {
        log_.info(std::string("ignoring ") + proto::type_name(m) +
                  " from a worker that has not said hello (it will, once it notices this master)");
    }
    return nullptr;
}

void coordinator::log_once(const std::string& text, const std::string& kind, bool error) {
    if (logged_once_.size() >= 64 || !logged_once_.insert(kind.empty() ? text : kind).second)
        return;
    if (error) {
        log_.error(text);
    } else {
        log_.info(text);
    }
}

void coordinator::reject(const std::string& id, const std::string& name,
                         const std::string& reason) {
    log_once("rejected worker " + name + ": " + reason +
                 " (further rejects for this reason are not logged)",
             reason);
    send_(id, proto::reject{reason});
}

bool coordinator::admit(const std::string& id, const proto::hello& h) {
    if (workers_.count(id) != 0 || workers_.size() < max_workers) return true;
    // Full: a missing worker gives its place up, the longest silent first.
    auto oldest = workers_.end();
    for (auto it = workers_.begin(); it != workers_.end(); ++it) {
        if (it->second.state == worker_state::missing &&
            (oldest == workers_.end() || it->second.last_heard < oldest->second.last_heard))
            oldest = it;
    }
    if (oldest == workers_.end()) {
        reject(id, h.name,
               "the master already has " + std::to_string(workers_.size()) +
                   " workers, its maximum (swarm master --max-workers)");
        return false;
    }
    // Once: peers that join and fall silent would otherwise log a line each.
    log_once("forgot missing worker " + oldest->second.name + " to make room for " + h.name +
                 " (--max-workers " + std::to_string(max_workers) +
                 "; further ones are not logged)",
             "make room", false);
    sequences_.forget(oldest->first);
    workers_.erase(oldest);
    return true;
}

void coordinator::replace_missing_namesake(const std::string& id, const std::string& given) {
    if (workers_.count(id) != 0) return;  // a known peer saying hello again
    auto it = workers_.end();
    for (auto at = workers_.begin(); at != workers_.end(); ++at) {
        const worker_info& old = at->second;
        if (old.state != worker_state::missing || old.given_name != given) continue;
        // The entry that has the name itself first (not "name#2").
        if (it == workers_.end() || old.name == given) it = at;
    }
    if (it != workers_.end()) {
        const worker_info& old = it->second;
        // A worker restarted under its --name (a new process, a new
        // connection): the same worker to the reader, so it takes the
        // missing entry's place and name, not a second row "name#2". Its
        // users were handed to the others when it went missing, and the
        // test's lost-workers list keeps its name.
        log_.info("worker " + old.name +
                  " is back on a new connection (replaces its missing entry)");
        sequences_.forget(it->first);
        workers_.erase(it);
    }
}

std::string coordinator::unique_name(const std::string& id, const std::string& given) const {
    std::set<std::string_view> taken;
    for (const auto& [other, w] : workers_) {
        if (other != id) taken.insert(w.name);
    }
    if (taken.count(given) == 0) return given;
    for (std::size_t n = 2;; ++n) {
        std::string candidate = given + "#" + std::to_string(n);
        if (taken.count(candidate) == 0) return candidate;
    }
}

void coordinator::receive(const std::string& id, worker_info*, const proto::hello& h,
                          control_clock::time_point now) {
    if (h.version != proto::protocol_version) {
        reject(id, h.name,
               "protocol version " + std::to_string(h.version) +
                   " is not supported (master speaks " + std::to_string(proto::protocol_version) +
                   ")");
        return;
    }
    replace_missing_namesake(id, h.name);
    if (!admit(id, h)) return;
    unknown_senders_.erase(id);
    auto& w = workers_[id];
    const bool returning = !w.id.empty();
    w.id = id;
    if (!returning || w.given_name != h.name) {
        w.given_name = h.name;
        w.name = unique_name(id, h.name);
        if (w.name != h.name) {
            log_once("worker " + h.name + " joined as " + w.name +
                         " (its name is taken; further ones of this name are not logged)",
                     "renamed " + h.name, false);
        }
    }
    w.host = h.host;
    w.threads = h.threads;
    if (!returning) w.index = next_index_++;
    w.state = worker_state::joined;
    w.last_heard = now;
    sequences_.forget(id);
    send_(id, proto::welcome{w.index});
    w.bundle_wanted = true;
    send_bundles(now);
}

void coordinator::send_bundles(control_clock::time_point now) {
    // A bundle sent less than bundle_resend_after ago and not answered is
    // still on its way: a peer repeating hello does not get another (one at
    // a time per peer), and it counts against the global bound. A worker
    // whose hello came on a fresh socket (the old one dropped its bundle)
    // gets it once the old one is that old (see tick).
    const auto on_its_way = [&](const worker_info& w) {
        return w.bundle_sent_at && now - *w.bundle_sent_at < bundle_resend_after;
    };
    std::size_t in_flight = 0;
    for (const auto& [id, w] : workers_) in_flight += on_its_way(w) ? 1 : 0;
    const std::size_t limit = bundles_in_flight();
    for (auto& [id, w] : workers_) {
        if (in_flight >= limit) return;  // the others wait for answers (see tick)
        if (!w.bundle_wanted || w.state != worker_state::joined || on_its_way(w)) continue;
        w.bundle_wanted = false;
        w.bundle_sent_at = now;
        ++in_flight;
        try {
            send_(id, proto::scenario_bundle{bundle_, hash_, run_options_});
        } catch (const std::length_error& e) {
            // The loader bounds the bundle (scenario::max_bundle_bytes), but
            // --ca-file's content travels with it: whatever it is, a join must
            // not end the master. The worker waits, failed, for the user (a
            // reject would make it join again, and fail again).
            w.state = worker_state::failed;
            w.error = std::string("cannot send the scenario: ") + e.what();
            log_once("worker " + w.name + ": " + w.error + " (further ones are not logged)",
                     "cannot send the scenario");
        }
    }
}

void coordinator::receive(const std::string& id, worker_info* w, const proto::quit& q,
                          control_clock::time_point now) {
    log_.info("worker " + w->name + " left (" + q.reason + ")");
    if (running_ && w->users > 0) note_lost(w->name);
    workers_.erase(id);
    sequences_.forget(id);
    if (running_) redispatch(now);
}

template <class Message>
void coordinator::receive(const std::string& id, worker_info* w, const Message& m,
                          control_clock::time_point now) {
    const bool was_missing = w->state == worker_state::missing;
    w->last_heard = now;
    handle(*w, m, now);
    if (was_missing && w->state == worker_state::missing) {
        w->state = running_ ? worker_state::running : worker_state::ready;
        // Its users while it was away are unknown; what it reports now is
        // what it runs (none when it stopped the users the others took over).
        w->targets = running_estimate(w->targets, w->users);
        log_.info("worker " + w->name + " is back");
        if (running_) {
            redispatch(now);
        } else {
            // The test stopped while it was away: it never got that stop, and
            // it holds users it would restart on hearing from this master.
            w->targets.clear();
            send_(id, proto::stop{0});
        }
    }
}

void coordinator::handle(worker_info& w, const proto::ready& r, control_clock::time_point now) {
    if (r.hash != hash_) return;
    w.bundle_sent_at.reset();
    // Ready after a hello: a worker that lost this master and joined again
    // runs no users any more (and its unsent reports may be gone). From
    // zero, dispatch gives it a rate share for all of its targets; with the
    // old ones it refilled at the 1 user/s floor.
    if (w.state == worker_state::joined) {
        if (running_ && !w.targets.empty()) note_lost(w.name);
        if (running_) retire_quota(w.id);
        w.targets.clear();
        w.users = 0;
    }
    w.state = worker_state::ready;
    if (running_) redispatch(now);  // a late joiner takes its share
}

void coordinator::handle(worker_info& w, const proto::compile_failed& f,
                         control_clock::time_point) {
    w.bundle_sent_at.reset();
    w.state = worker_state::failed;
    w.error = f.errors.empty() ? "compile failed" : f.errors.front();
    log_.error("worker " + w.name + " could not compile the scenario: " + w.error);
}

void coordinator::handle(worker_info& w, const proto::spawning& s, control_clock::time_point) {
    w.users = s.users;
    if (w.state != worker_state::stopping) w.state = worker_state::spawning;
}

void coordinator::handle(worker_info& w, const proto::spawn_complete& c,
                         control_clock::time_point) {
    w.users = c.users;
    if (w.state != worker_state::stopping) w.state = worker_state::running;
}

void coordinator::handle(worker_info& w, const proto::stats_report& r,
                         control_clock::time_point now) {
    if (r.run_id == run_id_ && sequences_.observe(w.id, r.sequence).accept()) {
        done_[w.id] += static_cast<std::int64_t>(r.delta.classes.total().iterations);
        stats_.apply(w.id, r.delta, now);
        for (const auto& name : r.exhausted_data) {
            // Only the scenario's names: a peer cannot grow the set.
            const bool known = std::any_of(plan_->data.begin(), plan_->data.end(),
                                           [&](const auto& ds) { return ds->name == name; });
            if (known) feeders_.exhausted(w.id, name);
        }
    }
    w.users = r.users;
}

void coordinator::handle(worker_info& w, const proto::heartbeat& hb, control_clock::time_point) {
    w.cpu_percent = hb.cpu_percent;
    w.rss_bytes = hb.rss_bytes;
    w.users = hb.users;
    w.loop_lag_ms = hb.loop_lag_ms;
}

void coordinator::handle(worker_info& w, const proto::stopped&, control_clock::time_point) {
    w.state = worker_state::stopped;
    w.users = 0;
}

void coordinator::tick(control_clock::time_point now, std::int64_t wall_ms) {
    stats_.tick(now, wall_ms, static_cast<std::uint32_t>(std::max<std::int64_t>(users(), 0)));
    bool lost = false;
    // Up to here the master has seen everything workers sent (see tick() in the header).
    const auto horizon = std::min(now, caught_up_at_);
    for (auto& [id, w] : workers_) {
        if (w.state != worker_state::missing && w.state != worker_state::failed &&
            horizon - w.last_heard > missing_after) {
            log_.info("worker " + w.name + " is missing (silent for " +
                      std::to_string(
                          std::chrono::duration_cast<std::chrono::seconds>(horizon - w.last_heard)
                              .count()) +
                      " s)");
            w.state = worker_state::missing;
            w.users = 0;
            if (running_) note_lost(w.name);
            lost = true;
        }
    }
    if (lost && running_) redispatch(now);
    forget_long_missing(horizon);
    send_bundles(now);
    warn_if_behind(now);
    if (now - last_heartbeat_ >= std::chrono::seconds(1)) {
        last_heartbeat_ = now;
        for (const auto& [id, w] : workers_) {
            if (w.state != worker_state::missing) send_(id, proto::heartbeat{});
        }
    }
}

void coordinator::note_lost(const std::string& name) {
    if (std::find(workers_lost_.begin(), workers_lost_.end(), name) == workers_lost_.end())
        workers_lost_.push_back(name);
}

void coordinator::forget_long_missing(control_clock::time_point horizon) {
    // Bounded registry: a worker that never comes back does not stay forever
    // (if it does come back, it is a stranger until its next hello).
    for (auto it = workers_.begin(); it != workers_.end();) {
        const auto& w = it->second;
        if (w.state == worker_state::missing && horizon - w.last_heard > forget_missing_after) {
            log_.info("forgot worker " + w.name + " (missing for " +
                      std::to_string(
                          std::chrono::duration_cast<std::chrono::seconds>(horizon - w.last_heard)
                              .count()) +
                      " s)");
            sequences_.forget(it->first);
            it = workers_.erase(it);
        } else {
            ++it;
        }
    }
}

void coordinator::warn_if_behind(control_clock::time_point now) {
    // Silence is judged only up to caught_up_at_, so a master that never
    // empties its queue would never call any worker missing, and its stats
    // lag further each second: it must not stay quietly behind.
    const auto behind = now - caught_up_at_;
    if (behind < std::chrono::seconds(1)) behind_warned_ = false;
    if (behind < behind_warning_after || behind_warned_) return;
    behind_warned_ = true;
    log_.info("behind the workers' messages for " +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(behind).count()) +
              " s: until it catches up, stats lag and no worker can be found missing"
              " (too many workers for one master? each report costs it about 0.35 ms)");
}

void coordinator::start(const test_spec& spec, control_clock::time_point now,
                        std::int64_t wall_ms) {
    if (!running_) {
        ++run_id_;
        stats_ = run_stats(now, wall_ms);
        stats_.set_second_listener(on_second_closed);
        workers_lost_.clear();
        participants_.clear();
        test_started_at_ = now;
        quota_.clear();
        done_.clear();
        retired_done_ = 0;
        unassigned_ = iteration_target_.value_or(0);
        pool_warned_.clear();
        new_test_ = true;
        for (auto& [id, w] : workers_) {
            sequences_.forget(id);
            w.targets.clear();
            if (w.state == worker_state::stopped)
                w.state = worker_state::ready;  // ready for this test
        }
    }
    spec_ = spec;
    running_ = true;
    redispatch(now);
}

void coordinator::redispatch(control_clock::time_point now) {
    std::vector<worker_slot> slots;
    std::vector<std::string> ids;
    std::vector<std::uint32_t> threads;
    for (const auto& [id, w] : workers_) {
        if (w.state == worker_state::ready || w.state == worker_state::spawning ||
            w.state == worker_state::running) {
            slots.push_back({id, w.host, w.targets});
            ids.push_back(id);
            threads.push_back(w.threads);
        }
    }
    if (iteration_target_) rebalance_quotas(ids, threads);
    // Feeder slots go by join order, so that the first worker draws record 0.
    std::vector<std::string> by_join = ids;
    std::sort(by_join.begin(), by_join.end(), [&](const auto& a, const auto& b) {
        return workers_.at(a).index < workers_.at(b).index;
    });
    if (std::exchange(new_test_, false)) {
        feeders_.start(by_join);
    } else {
        feeders_.update(by_join);
    }
    send_spawns(dispatch(classes_, slots, spec_.users, spec_.spawn_rate), threads, now);
}

void coordinator::stop(control_clock::time_point now) {
    running_ = false;
    stats_.stopping(now);  // the last second's deltas cover the time up to here
    for (auto& [id, w] : workers_) {
        if (w.state == worker_state::missing || w.state == worker_state::failed ||
            w.state == worker_state::joined)
            continue;
        w.state = worker_state::stopping;
        w.targets.clear();
        send_(id, proto::stop{spec_.stop_timeout_ms});
    }
}

void coordinator::quit_workers(const std::string& reason) {
    for (const auto& [id, w] : workers_) send_(id, proto::quit{reason});
}

std::size_t coordinator::ready_workers() const {
    std::size_t n = 0;
    for (const auto& [id, w] : workers_) n += active(w) ? 1 : 0;
    return n;
}

bool coordinator::spawning_complete() const {
    for (const auto& [id, w] : workers_) {
        if (w.state == worker_state::spawning) return false;
    }
    return true;
}

bool coordinator::all_stopped() const {
    for (const auto& [id, w] : workers_) {
        if (w.state == worker_state::stopping) return false;
    }
    return true;
}

std::int64_t coordinator::users() const {
    std::int64_t n = 0;
    for (const auto& [id, w] : workers_) n += w.state == worker_state::missing ? 0 : w.users;
    return n;
}

}  // namespace swarm::master
