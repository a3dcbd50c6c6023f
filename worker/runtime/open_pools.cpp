// The engine's open (arrival) classes: each io thread keeps, per open class,
// a pool of users and an arrival schedule with its own timer. An arrival
// goes to a free user, or to a new one while the pool is below its bound;
// otherwise it is dropped (counted, never queued). Nothing here is shared
// between threads but the iteration budget (one relaxed atomic per arrival).
#include <boost/asio/post.hpp>

#include <algorithm>

#include "worker/runtime/engine.hpp"
#include "worker/runtime/io_thread.hpp"
#include "worker/user/schedule.hpp"

namespace swarm::worker {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

namespace {

// Arrivals handled per timer wake: far behind (a stalled thread), the rest
// waits for the next turn of the loop rather than holding it.
constexpr int max_arrivals_per_wake = 4096;
// How long a wake may wait to send several arrivals at once (arm()).
constexpr std::chrono::microseconds wake_batch{500};
using seconds = std::chrono::duration<double>;

// `total` split over `parts` by largest remainder of an even split: the
// first total % parts get one more.
std::int64_t even_part(std::int64_t total, std::size_t parts, std::size_t i) {
    const auto n = static_cast<std::int64_t>(parts);
    return total / n + (static_cast<std::int64_t>(i) < total % n ? 1 : 0);
}

}  // namespace

void open_pool::on_free(user::virtual_user& u) {
    if (members > max_users) {
        retire(u, user::stop_mode::graceful);  // the pool shrank while it was busy
        return;
    }
    free.push_back(&u);
}

std::optional<user::user_pool::job> open_pool::take(user::virtual_user& u) {
    for (auto& g : given) {
        if (g.first != &u) continue;
        const job j = g.second;
        g = given.back();
        given.pop_back();
        return j;
    }
    return std::nullopt;
}

void open_pool::give(user::virtual_user& u, const job& j) {
    given.emplace_back(&u, j);
    u.wake();
}

void open_pool::retire(user::virtual_user& u, user::stop_mode mode) {
    if (!u.stop_requested()) {
        --members;
        pooled->fetch_sub(1);
    }
    u.request_stop(mode);
}

void engine::set_arrivals(const std::vector<proto::arrival_share>& shares) {
    if (!plan_) return;
    const auto now = clock::now();
    const auto n = threads_.size();
    for (std::size_t c = 0; c < plan_->users.size(); ++c) {
        const auto& cls = plan_->users[c];
        if (!cls.arrival) continue;
        const proto::arrival_share* share = nullptr;
        for (const auto& s : shares) {
            if (s.user_class == cls.name) share = &s;
        }
        const std::int64_t max_users = share ? std::max<std::int64_t>(share->max_users, 0) : 0;
        // Threads with a part of the pool share the rate in proportion to
        // it; with no pool at all, thread 0 takes the arrivals (and drops them).
        std::int64_t holders = 0;
        for (std::size_t i = 0; i < n; ++i) holders += even_part(max_users, n, i) > 0 ? 1 : 0;
        std::int64_t held = 0;  // holders before this thread: staggers the first arrivals
        for (std::size_t i = 0; i < n; ++i) {
            thread_share ts;
            ts.class_index = c;
            ts.keep_pool = share == nullptr;
            if (share) {
                ts.max_users = even_part(max_users, n, i);
                ts.pre_allocate = std::min(ts.max_users, even_part(share->pre_allocate, n, i));
                double weight = 0;
                if (max_users > 0)
                    weight = static_cast<double>(ts.max_users) / static_cast<double>(max_users);
                else if (i == 0) weight = 1;
                ts.rate = share->rate * weight;
                ts.rate_end = share->rate_end * weight;
                // Clamped to what the clock's nanoseconds hold (292 years).
                constexpr auto longest_ramp_ms =
                    std::chrono::duration_cast<std::chrono::milliseconds>(clock::duration::max())
                        .count();
                ts.ramp = std::chrono::milliseconds(
                    std::clamp<std::int64_t>(share->ramp_ms, 0, longest_ramp_ms));
            }
            // Thread k of the H holding a pool arrives (k + phase) / H of
            // its gap in: the threads of a worker, and the workers (phase,
            // from the master), interleave evenly.
            const double phase = share ? std::clamp(share->phase, 1e-9, 1.0) : 1.0;
            const double first_level =
                holders > 0 && ts.max_users > 0
                    ? (static_cast<double>(held) + phase) / static_cast<double>(holders)
                    : 1.0;
            if (ts.max_users > 0) ++held;
            asio::post(threads_[i]->ctx, [this, t = threads_[i].get(), ts, now, first_level] {
                auto& slot = t->pools[ts.class_index];
                if (!slot) {
                    const auto& program = t->programs[ts.class_index];
                    const auto& spec = *program->user_class().arrival;
                    const auto how = spec.spacing == scenario::arrival_spec::distribution::poisson
                                         ? arrival_schedule::spacing::poisson
                                         : arrival_schedule::spacing::constant;
                    const std::uint64_t seed = opts_.run_seed ^
                                               (0x9e3779b97f4a7c15ULL * (ts.class_index + 1)) ^
                                               (std::uint64_t{t->index} << 48) ^
                                               static_cast<std::uint64_t>(opts_.worker_index);
                    slot = std::make_shared<open_pool>(t->ctx, ts.class_index, program,
                                                       arrival_schedule(how, seed, first_level),
                                                       seed + 1, pooled_, t->sink);
                }
                apply_share(t, ts, now);
            });
        }
    }
}

// On the io thread.
void engine::apply_share(io_thread* t, const thread_share& s, clock::time_point now) {
    open_pool& p = *t->pools[s.class_index];
    p.active = true;
    p.schedule.set(s.rate, s.rate_end, s.ramp, now);
    if (!s.keep_pool) {
        p.max_users = s.max_users;
        // Fewer users allowed: the free surplus stops now (on_stop runs),
        // busy ones when they finish their iteration (open_pool::on_free).
        while (p.members > p.max_users && !p.free.empty()) {
            auto* u = p.free.back();
            p.free.pop_back();
            p.retire(*u, user::stop_mode::graceful);
        }
        while (p.members < s.pre_allocate) {
            ++p.members;
            ++pooled_;
            ++alive_;
            make_user(t, s.class_index, opts_.worker_index * 1'000'000'000LL + ++next_user_, &p,
                      nullptr, {});
        }
    }
    arm(t, p);
}

void engine::arm(io_thread* t, open_pool& p) {
    const auto next = p.schedule.next();
    if (!next || !p.active) {
        p.timer.cancel();
        return;
    }
    // A wake costs more than the request it sends (the thread sleeps between
    // arrivals: a context switch each, the larger part of an open class's
    // CPU per request at 10 000/s). Where at least two arrivals fall within
    // wake_batch, the wake waits that long and sends what is due by then:
    // each arrival late by at most wake_batch, which its ITER latency
    // includes (it runs from the scheduled time). Slower rates (below
    // 4 000/s per thread) wake on time: there is nothing to batch.
    const double due_in_window = p.schedule.rate_at(*next) * seconds(wake_batch).count();
    p.timer.expires_at(due_in_window >= 2 ? *next + wake_batch : *next);
    // A wait already complete is not cancelled by the pool's end (a load()):
    // the handler holds the pool weakly.
    std::weak_ptr<open_pool> weak = t->pools[p.class_index];
    p.timer.async_wait([this, t, weak = std::move(weak)](boost::system::error_code ec) {
        if (ec) return;  // cancelled: a newer wait (or none) stands
        if (auto pool = weak.lock()) fire(t, *pool);
    });
}

void engine::fire(io_thread* t, open_pool& p) {
    const auto now = clock::now();
    for (int i = 0; i < max_arrivals_per_wake && p.active; ++i) {
        const auto at = p.schedule.next();
        if (!at || *at > now) break;
        arrive(t, p, *at);
        p.schedule.advance();
    }
    arm(t, p);
}

void engine::arrive(io_thread* t, open_pool& p, clock::time_point scheduled) {
    const auto& root = p.program->user_class().root;
    // The quota used up: arrivals stop starting (not dropped: none was due).
    if (root.tasks.empty() || budget_.used_up()) return;
    if (p.free.empty() && p.members >= p.max_users) {
        ++t->counts.of(p.class_index).dropped_iterations;
        return;
    }
    if (!budget_.claim()) return;
    const scenario::task& task =
        root.sequential ? root.tasks[p.position++ % root.tasks.size()]
                        : root.tasks[user::pick_weighted(root.cumulative_weights, p.rng())];
    if (!p.free.empty()) {
        auto* u = p.free.back();
        p.free.pop_back();
        p.give(*u, {&task, scheduled});
        return;
    }
    // A new member: its on_start runs first, inside the iteration's latency.
    ++p.members;
    ++pooled_;
    ++alive_;
    make_user(t, p.class_index, opts_.worker_index * 1'000'000'000LL + ++next_user_, &p, &task,
              scheduled);
}

void engine::stop_pools(io_thread* t, user::stop_mode mode) {
    for (auto& slot : t->pools) {
        if (!slot) continue;
        slot->active = false;
        slot->timer.cancel();
        slot->free.clear();
        // Given and not yet taken: the users end them when they stop (run()).
    }
    for (auto& [id, u] : t->users) {
        if (!u->pooled()) continue;
        auto& p = *t->pools[u->class_index()];
        p.retire(*u, mode);
    }
}

void engine::set_iteration_quota(std::int64_t quota) {
    const auto old = budget_.quota.exchange(quota, std::memory_order_relaxed);
    // A larger quota (or none): the closed users parked at the old one claim
    // again. Posted after the store, so a user that fails its claim before
    // the post runs on its thread is parked by then and woken by it. Open
    // classes need nothing: every arrival looks at the quota.
    if (old < 0 || (quota >= 0 && quota <= old)) return;
    wake_parked();
}

void engine::wake_parked() {
    // A walk over the thread's users, rather than a list kept as they park
    // and leave: parking stays free (no bytes per user, no removal on a
    // stop), and the quota changes only a few times in a test.
    for (auto& t : threads_) {
        asio::post(t->ctx, [t = t.get()] {
            for (auto& [id, u] : t->users) {
                if (u->parked()) u->wake();
            }
        });
    }
}

void engine::reset_iterations() {
    budget_.started.store(0, std::memory_order_relaxed);
    wake_parked();  // none started yet: a user still parked may claim again
}

}  // namespace swarm::worker
