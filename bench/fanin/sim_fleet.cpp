#include "bench/fanin/sim_fleet.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "proto/codec.hpp"

namespace swarm::bench {
namespace {

using namespace std::chrono_literals;

void set_key(zmq::socket_t& s, int option, const std::string& z85) {
    if (zmq_setsockopt(s.handle(), option, z85.c_str(), z85.size() + 1) != 0) {
        throw std::runtime_error(std::string("CURVE key: ") + zmq_strerror(zmq_errno()));
    }
}

}  // namespace

sim_fleet::sim_fleet(std::size_t workers, const std::string& endpoint, const report_pool& pool,
                     const std::optional<proto::auth_keys>& auth)
    : pool_(pool) {
    // libzmq's default limit is 1023 sockets per context.
    ctx_.set(zmq::ctxopt::max_sockets, static_cast<int>(workers + 64));
    for (std::size_t i = 0; i < pool.size(); ++i) {
        proto::stats_report r;
        r.delta = pool.delta(i);
        reports_.emplace_back(std::move(r));
    }
    std::uniform_int_distribution<int> phase_ms(0, 999);
    const auto now = clock::now();
    workers_.resize(workers);
    for (std::size_t i = 0; i < workers; ++i) {
        worker& w = workers_[i];
        w.id = "fanin-" + std::to_string(::getpid()) + "-" + std::to_string(i);
        w.socket = std::make_unique<zmq::socket_t>(ctx_, zmq::socket_type::dealer);
        w.socket->set(zmq::sockopt::routing_id, w.id);
        w.socket->set(zmq::sockopt::linger, 0);
        w.socket->set(zmq::sockopt::sndhwm, 1000);
        if (auth) {
            set_key(*w.socket, ZMQ_CURVE_SERVERKEY, auth->master_public);
            set_key(*w.socket, ZMQ_CURVE_PUBLICKEY, auth->own.public_key);
            set_key(*w.socket, ZMQ_CURVE_SECRETKEY, auth->own.secret_key);
        }
        w.socket->connect(endpoint);
        // Real workers start reporting when their spawn arrives, not in lockstep.
        w.next_tick = now + std::chrono::milliseconds(phase_ms(rng_));
        proto::hello h;
        h.host = "fanin";
        h.name = w.id;
        h.threads = 4;
        h.pid = ::getpid();
        send(w, h);
        items_.push_back({w.socket->handle(), 0, ZMQ_POLLIN, 0});
    }
}

sim_fleet::~sim_fleet() {
    workers_.clear();  // sockets before the context
}

void sim_fleet::run(const std::function<bool()>& done, clock::time_point deadline) {
    while (!done() && clock::now() < deadline) {
        auto next = clock::now() + 50ms;
        for (const auto& w : workers_) {
            if (w.state != phase::gone) next = std::min(next, w.next_tick);
        }
        const auto wait =
            std::max(0ms, std::chrono::ceil<std::chrono::milliseconds>(next - clock::now()));
        zmq::poll(items_.data(), items_.size(), wait);
        for (std::size_t i = 0; i < workers_.size(); ++i) {
            if (items_[i].revents & ZMQ_POLLIN) read_all(i);
        }
        const auto now = clock::now();
        for (std::size_t i = 0; i < workers_.size(); ++i) {
            if (workers_[i].state != phase::gone && workers_[i].next_tick <= now) tick(i);
        }
    }
}

void sim_fleet::read_all(std::size_t index) {
    zmq::message_t frame;
    while (workers_[index].socket->recv(frame, zmq::recv_flags::dontwait)) {
        const auto m = proto::decode(frame.to_string_view());
        if (m) {
            handle(index, *m);
        } else {
            std::cerr << "fanin: " << workers_[index].id
                      << ": undecodable message: " << m.error().message << "\n";
        }
    }
}

void sim_fleet::handle(std::size_t index, const proto::message& m) {
    worker& w = workers_[index];
    if (const auto* b = std::get_if<proto::scenario_bundle>(&m)) {
        send(w, proto::ready{b->hash});
        if (w.state == phase::joining) {
            w.state = phase::ready;
            ++counters_.ready;
        }
    } else if (const auto* s = std::get_if<proto::spawn>(&m)) {
        w.users = 0;
        for (const auto& [cls, n] : s->targets) w.users += n;
        w.run_id = s->run_id;
        send(w, proto::spawn_complete{w.run_id, w.users});
        if (w.state != phase::running) ++counters_.running;
        w.state = phase::running;
    } else if (std::holds_alternative<proto::stop>(m)) {
        if (w.state == phase::running) {
            send_report(index);  // the last interval's delta, as a real worker sends
            --counters_.running;
        }
        send(w, proto::stopped{w.run_id});
        w.users = 0;
        w.state = phase::stopped;
    } else if (std::holds_alternative<proto::quit>(m) || std::holds_alternative<proto::reject>(m)) {
        if (const auto* r = std::get_if<proto::reject>(&m))
            std::cerr << "fanin: rejected: " << r->reason << "\n";
        if (w.state == phase::running) --counters_.running;
        w.state = phase::gone;
        ++counters_.gone;
    }
    // welcome and the master's heartbeats need no answer.
}

void sim_fleet::tick(std::size_t index) {
    worker& w = workers_[index];
    w.next_tick += 1s;
    proto::heartbeat hb;
    hb.cpu_percent = 35;
    hb.rss_bytes = 200 << 20;
    hb.users = w.users;
    hb.loop_lag_ms = 0.4;
    send(w, hb);
    if (w.state == phase::running) send_report(index);
}

void sim_fleet::send_report(std::size_t index) {
    worker& w = workers_[index];
    ++w.sequence;
    const std::size_t variant = (index + w.sequence) % reports_.size();
    auto& r = std::get<proto::stats_report>(reports_[variant]);
    r.sequence = w.sequence;
    r.run_id = w.run_id;
    r.users = w.users;
    send(w, reports_[variant]);
    ++counters_.reports;
    counters_.requests += pool_.requests(variant);
}

void sim_fleet::send(worker& w, const proto::message& m) {
    const std::string bytes = proto::encode(m);
    if (w.socket->send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
        counters_.bytes_out += bytes.size();
    } else {
        ++counters_.unsent;
    }
}

}  // namespace swarm::bench
