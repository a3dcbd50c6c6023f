#include "master/coordinator.hpp"

#include <algorithm>
#include <iostream>

namespace swarm::master {

const char* to_string(worker_state s) {
    switch (s) {
        case worker_state::joined: return "joined";
        case worker_state::ready: return "ready";
        case worker_state::spawning: return "spawning";
        case worker_state::running: return "running";
        case worker_state::stopping: return "stopping";
        case worker_state::stopped: return "stopped";
        case worker_state::missing: return "missing";
        case worker_state::failed: return "failed";
    }
    return "?";
}

coordinator::coordinator(scenario::bundle bundle, std::shared_ptr<const scenario::plan> plan, sender send,
                         control_clock::time_point now, std::int64_t wall_ms)
    : bundle_(std::move(bundle)), hash_(bundle_.hash()), plan_(std::move(plan)), send_(std::move(send)),
      stats_(now, wall_ms), caught_up_at_(now) {
    for (const auto& u : plan_->users) classes_.push_back({u.name, u.weight, u.fixed_count});
}

bool coordinator::active(const worker_info& w) const {
    return w.state == worker_state::ready || w.state == worker_state::spawning ||
           w.state == worker_state::running || w.state == worker_state::stopped;
}

void coordinator::on_message(const std::string& worker, const proto::message& m, control_clock::time_point now) {
    if (const auto* h = std::get_if<proto::hello>(&m)) {
        if (h->version != proto::protocol_version) {
            const auto reason = "protocol version " + std::to_string(h->version) + " is not supported (master speaks " +
                                std::to_string(proto::protocol_version) + ")";
            std::cerr << "swarm master: rejected worker " << h->name << ": " << reason << "\n";
            send_(worker, proto::reject{reason});
            return;
        }
        unknown_senders_.erase(worker);
        auto& w = workers_[worker];
        const bool returning = !w.id.empty();
        w.id = worker;
        w.name = h->name;
        w.host = h->host;
        w.threads = h->threads;
        if (!returning) w.index = next_index_++;
        w.state = worker_state::joined;
        w.last_heard = now;
        sequences_.forget(worker);
        send_(worker, proto::welcome{w.index});
        send_(worker, proto::scenario_bundle{bundle_, hash_, run_options_});
        return;
    }
    auto it = workers_.find(worker);
    if (it == workers_.end()) {
        // Not introduced: a worker of the previous master (restarted), or
        // reports queued while it was away. Ignored: the worker notices this
        // master's silence and says hello (a reject would make it exit).
        if (unknown_senders_.size() < 1024 && unknown_senders_.insert(worker).second) {
            std::cerr << "swarm master: ignoring " << proto::type_name(m)
                      << " from a worker that has not said hello (it will, once it notices this master)\n";
        }
        return;
    }
    auto& w = it->second;
    const bool was_missing = w.state == worker_state::missing;
    w.last_heard = now;
    if (const auto* r = std::get_if<proto::ready>(&m)) {
        if (r->hash == hash_) {
            w.state = worker_state::ready;
            if (running_) redispatch(now);  // a late joiner takes its share
        }
    } else if (const auto* f = std::get_if<proto::compile_failed>(&m)) {
        w.state = worker_state::failed;
        w.error = f->errors.empty() ? "compile failed" : f->errors.front();
        std::cerr << "swarm master: worker " << w.name << " could not compile the scenario: " << w.error << "\n";
    } else if (const auto* s = std::get_if<proto::spawning>(&m)) {
        w.users = s->users;
        if (w.state != worker_state::stopping) w.state = worker_state::spawning;
    } else if (const auto* c = std::get_if<proto::spawn_complete>(&m)) {
        w.users = c->users;
        if (w.state != worker_state::stopping) w.state = worker_state::running;
    } else if (const auto* r2 = std::get_if<proto::stats_report>(&m)) {
        if (r2->run_id == run_id_ && sequences_.observe(worker, r2->sequence).accept()) {
            stats_.apply(worker, r2->delta, now);
        }
        w.users = r2->users;
    } else if (const auto* hb = std::get_if<proto::heartbeat>(&m)) {
        w.cpu_percent = hb->cpu_percent;
        w.rss_bytes = hb->rss_bytes;
        w.users = hb->users;
        w.loop_lag_ms = hb->loop_lag_ms;
    } else if (std::holds_alternative<proto::stopped>(m)) {
        w.state = worker_state::stopped;
        w.users = 0;
    } else if (const auto* q = std::get_if<proto::quit>(&m)) {
        std::cerr << "swarm master: worker " << w.name << " left (" << q->reason << ")\n";
        if (running_ && w.users > 0) workers_lost_.push_back(w.name);
        workers_.erase(it);
        sequences_.forget(worker);
        if (running_) redispatch(now);
        return;
    }
    if (was_missing && w.state == worker_state::missing) {
        w.state = running_ ? worker_state::running : worker_state::ready;
        std::cerr << "swarm master: worker " << w.name << " is back\n";
        if (running_) redispatch(now);
    }
}

void coordinator::tick(control_clock::time_point now, std::int64_t wall_ms) {
    stats_.tick(now, wall_ms, static_cast<std::uint32_t>(std::max<std::int64_t>(users(), 0)));
    bool lost = false;
    // Up to here the master has seen everything workers sent (see tick() in the header).
    const auto horizon = std::min(now, caught_up_at_);
    for (auto& [id, w] : workers_) {
        if (w.state != worker_state::missing && w.state != worker_state::failed && horizon - w.last_heard > missing_after) {
            std::cerr << "swarm master: worker " << w.name << " is missing (silent for "
                      << std::chrono::duration_cast<std::chrono::seconds>(horizon - w.last_heard).count() << " s)\n";
            w.state = worker_state::missing;
            w.users = 0;
            if (running_) workers_lost_.push_back(w.name);
            lost = true;
        }
    }
    if (lost && running_) redispatch(now);
    warn_if_behind(now);
    if (now - last_heartbeat_ >= std::chrono::seconds(1)) {
        last_heartbeat_ = now;
        for (const auto& [id, w] : workers_) {
            if (w.state != worker_state::missing) send_(id, proto::heartbeat{});
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
    std::cerr << "swarm master: behind the workers' messages for "
              << std::chrono::duration_cast<std::chrono::seconds>(behind).count()
              << " s: until it catches up, stats lag and no worker can be found missing"
                 " (too many workers for one master? each report costs it about 0.35 ms)\n";
}

void coordinator::start(const test_spec& spec, control_clock::time_point now, std::int64_t wall_ms) {
    if (!running_) {
        ++run_id_;
        stats_ = run_stats(now, wall_ms);
        workers_lost_.clear();
        participants_.clear();
        for (auto& [id, w] : workers_) {
            sequences_.forget(id);
            w.targets.clear();
            if (w.state == worker_state::stopped) w.state = worker_state::ready;  // ready for this test
        }
    }
    spec_ = spec;
    running_ = true;
    redispatch(now);
}

void coordinator::redispatch(control_clock::time_point) {
    std::vector<worker_slot> slots;
    std::vector<std::string> ids;
    for (const auto& [id, w] : workers_) {
        if (w.state == worker_state::ready || w.state == worker_state::spawning || w.state == worker_state::running) {
            slots.push_back({id, w.host, w.targets});
            ids.push_back(id);
        }
    }
    send_spawns(dispatch(classes_, slots, spec_.users, spec_.spawn_rate));
}

void coordinator::send_spawns(const std::vector<worker_assignment>& assignments) {
    for (const auto& a : assignments) {
        auto& w = workers_[a.id];
        if (std::find(participants_.begin(), participants_.end(), w.name) == participants_.end()) {
            participants_.push_back(w.name);
        }
        w.targets = a.targets;
        w.state = worker_state::spawning;
        proto::spawn s;
        s.run_id = run_id_;
        for (std::size_t c = 0; c < classes_.size(); ++c) s.targets.emplace_back(classes_[c].name, a.targets[c]);
        s.spawn_rate = a.spawn_rate;
        s.host_override = spec_.host_override;
        s.stop_timeout_ms = spec_.stop_timeout_ms;
        send_(a.id, s);
    }
}

void coordinator::stop(control_clock::time_point) {
    running_ = false;
    for (auto& [id, w] : workers_) {
        if (w.state == worker_state::missing || w.state == worker_state::failed || w.state == worker_state::joined) continue;
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
