#include "worker/master_watch.hpp"

#include <algorithm>

namespace swarm::worker {

master_watch::master_watch(const master_watch_options& opts, clock::time_point now)
    : opts_(opts), last_heard_(now), next_hello_(now), backoff_(opts.first_retry) {}

bool master_watch::give_up(clock::time_point now) const {
    return opts_.give_up_after.count() > 0 && silent_for(now) >= opts_.give_up_after;
}

void master_watch::hello_sent(clock::time_point now) {
    last_wait_ = backoff_;
    next_hello_ = now + backoff_;
    backoff_ = std::min(backoff_ * 2, std::max(opts_.max_retry, opts_.first_retry));
}

void master_watch::reset_backoff(clock::time_point now) {
    next_hello_ = now;
    backoff_ = opts_.first_retry;
}

}  // namespace swarm::worker
