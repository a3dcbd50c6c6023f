#include "worker/http/handshake_gate.hpp"

#include <algorithm>
#include <utility>

namespace swarm::worker::http {

void handshake_gate::turn::leave() {
    if (state_ == state::held) {
        state_ = state::none;
        gate_->release();
    } else if (state_ == state::waiting) {
        state_ = state::none;
        std::erase(gate_->line_, this);
    }
    wake_ = nullptr;
}

bool handshake_gate::enter(turn& t, std::function<void()> wake) {
    t.leave();
    t.gate_ = this;
    if (in_progress_ < limit_) {
        ++in_progress_;
        t.state_ = turn::state::held;
        return true;
    }
    t.state_ = turn::state::waiting;
    t.wake_ = std::move(wake);
    line_.push_back(&t);
    return false;
}

void handshake_gate::release() {
    if (line_.empty()) {
        --in_progress_;
        return;
    }
    turn* next = line_.front();  // the slot passes on: in_progress_ stays
    line_.pop_front();
    next->state_ = turn::state::held;
    if (auto wake = std::exchange(next->wake_, nullptr)) wake();
}

}  // namespace swarm::worker::http
