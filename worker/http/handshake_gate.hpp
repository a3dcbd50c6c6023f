#pragma once

// How many of a worker thread's connections may be in a TLS handshake at
// once. A full handshake costs the client more CPU than the server (it
// parses and verifies the server's certificate). Thousands started at once
// on one thread advance in lockstep, so none ends until nearly all do; past
// the connect timeout they all fail and the users start over, and a spawn of
// 10 000 HTTPS users never ends (issue 19). Behind a gate, `limit` of them
// handshake at a time and the rest wait their turn in arrival order, before
// their TCP connect and outside its timeout: the spawn goes as fast as the
// two ends' CPU allows.
//
// One gate per io thread (the engine's; single-threaded, no locks). The
// client takes a turn only for TLS connections and gives it back when the
// handshake ends.

#include <cstddef>
#include <deque>
#include <functional>

namespace swarm::worker::http {

class handshake_gate {
  public:
    static constexpr std::size_t default_limit = 256;

    // One connection's place: waiting in line, then holding a slot, until
    // leave() or its destruction.
    class turn {
      public:
        turn() = default;
        ~turn() { leave(); }
        turn(const turn&) = delete;
        turn& operator=(const turn&) = delete;

        bool held() const { return state_ == state::held; }
        void leave();

      private:
        friend class handshake_gate;
        enum class state { none, waiting, held };
        state state_ = state::none;
        handshake_gate* gate_ = nullptr;
        std::function<void()> wake_;  // called once, when the slot comes
    };

    explicit handshake_gate(std::size_t limit = default_limit) : limit_(limit == 0 ? 1 : limit) {}
    handshake_gate(const handshake_gate&) = delete;
    handshake_gate& operator=(const handshake_gate&) = delete;

    // True when `t` holds a slot at once. Else `t` waits in line, and
    // `wake` is called when its turn comes (t.held() is then true).
    bool enter(turn& t, std::function<void()> wake);

    std::size_t in_progress() const { return in_progress_; }
    std::size_t waiting() const { return line_.size(); }

  private:
    void release();  // a holder left: the first in line takes its slot

    std::size_t limit_;
    std::size_t in_progress_ = 0;
    std::deque<turn*> line_;
};

}  // namespace swarm::worker::http
