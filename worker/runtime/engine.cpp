#include "worker/runtime/engine.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <malloc.h>

#include <algorithm>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "worker/http/client.hpp"
#include "worker/runtime/io_thread.hpp"

namespace swarm::worker {

namespace asio = boost::asio;

namespace {

// Under a sanitizer (make test) malloc is the sanitizer's and glibc's own
// allocator is never set up, until the io threads' first malloc_trim() does
// it. Two threads doing that at once both took the main arena without
// counting it, and the second to exit aborted the process ("malloc
// assertion failure in __malloc_arena_thread_freeres"; seen once in a
// `swarm run` test). Setting it up once, before any io thread exists,
// closes the race; in a normal build it was set up long before.
void set_up_glibc_malloc_once() {
    static std::once_flag once;
    std::call_once(once, [] { malloc_trim(0); });
}

}  // namespace

engine::engine(engine_options opts) : opts_(std::move(opts)) {
    set_up_glibc_malloc_once();
    if (opts_.threads == 0) opts_.threads = 1;
    if (opts_.run_seed == 0)
        opts_.run_seed = std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32);
    for (unsigned i = 0; i < opts_.threads; ++i) {
        threads_.push_back(std::make_unique<io_thread>());
        threads_.back()->index = i;
        threads_.back()->counts.budget = &budget_;
    }
}

// Only allocation (post) or a failed join can throw here, and a destructor
// cannot recover from either: terminating is the right end.
engine::~engine() {  // NOLINT(bugprone-exception-escape)
    for (auto& t : threads_) {
        asio::post(t->ctx, [this, t = t.get()] {
            stop_pools(t, user::stop_mode::now);  // no more arrivals either
            for (auto& [id, u] : t->users) u->request_stop(user::stop_mode::now);
        });
    }
    // `now` cancels in-flight requests: the users end within a moment (the
    // bound is for a loaded machine), then tear down.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (alive_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (auto& t : threads_) {
        // Users are destroyed on their own thread.
        asio::post(t->ctx, [t = t.get()] {
            t->users.clear();
            t->pools.clear();
        });
        t->guard.reset();
        t->ctx.stop();
    }
    for (auto& t : threads_) t->thread.join();
}

result<void> engine::load(std::shared_ptr<const scenario::plan> plan) {
    const tls_settings settings{opts_.ca_file, opts_.ca_pem, opts_.insecure};
    auto profiles = std::make_shared<const tls_profiles>(tls_profiles_for(*plan, settings));
    // Made once here so that a CA (or a `tls:` setting) OpenSSL refuses is an
    // error now, not a failure of every https request later. Without either
    // nothing can fail, and a plan without https should not pay for a context.
    for (std::size_t p = 0; p < profiles->profiles.size(); ++p) {
        const auto& profile = profiles->profiles[p];
        const bool extra_cas =
            profile.verify &&
            !(settings.ca_file.empty() && settings.ca_pem.empty() && profile.ca_pem.empty());
        const auto& t = profile.tls;
        const bool openssl_settings =
            !t.ciphers.empty() || !t.ciphersuites.empty() || t.min_version || t.max_version;
        if (!extra_cas && !openssl_settings) continue;
        try {
            make_tls_context(profile, settings);
        } catch (const std::exception& e) {
            const auto c = std::find(profiles->by_class.begin(), profiles->by_class.end(), p) -
                           profiles->by_class.begin();
            return fail("users." + plan->users[static_cast<std::size_t>(c)].name + ": " + e.what());
        }
    }
    tls_ = std::move(profiles);
    for (auto& t : threads_) {
        asio::post(t->ctx, [t = t.get(), profiles = tls_, settings] {
            t->tls.assign(profiles->profiles.size(), nullptr);
            t->client_options.assign(profiles->profiles.size(), nullptr);
            t->profiles = profiles;
            t->settings = settings;
        });
    }
    programs_.clear();
    std::vector<std::string> names;
    for (std::size_t c = 0; c < plan->users.size(); ++c) {
        programs_.push_back(std::make_shared<const user::user_program>(plan, c));
        names.push_back(plan->users[c].name);
    }
    // One set of data cursors for the worker (feeders.hpp); no user is alive
    // to hold the old one.
    feeders_ = std::make_shared<user::data_feeders>(*plan);
    for (auto& t : threads_) {
        // No user is alive: the old pools have none either. Their timers'
        // pending waits end as cancelled and touch nothing.
        asio::post(t->ctx, [t = t.get(), names, programs = programs_, feeders = feeders_] {
            t->sink.feeders = feeders.get();
            const auto n = programs.size();
            t->class_names = names;
            t->programs = programs;
            t->pools.clear();
            t->pools.resize(n);
            t->counts.by_class.assign(n, {});
        });
    }
    plan_ = std::move(plan);
    by_class_.assign(programs_.size(), {});
    running_.assign(programs_.size(), 0);
    return {};
}

void engine::set_feeder_share(std::uint64_t run_id, scenario::feeder_share share) {
    if (feeders_) feeders_->assign(run_id, share);
}

std::vector<std::string> engine::take_exhausted_data() {
    return feeders_ ? feeders_->take_exhausted() : std::vector<std::string>{};
}

std::size_t engine::class_index(const std::string& name) const {
    for (std::size_t c = 0; c < programs_.size(); ++c) {
        if (programs_[c]->user_class().name == name) return c;
    }
    return programs_.size();
}

std::int64_t engine::running_total() const {
    std::int64_t n = 0;
    for (auto r : running_) n += r;
    return n;
}

void engine::start_user(std::size_t class_index) {
    if (class_index >= programs_.size()) return;
    // Least busy thread by users placed (the control thread's own count).
    std::size_t best = 0;
    for (std::size_t t = 1; t < threads_.size(); ++t) {
        if (threads_[t]->started < threads_[best]->started) best = t;
    }
    auto* t = threads_[best].get();
    ++t->started;
    const auto user_id = opts_.worker_index * 1'000'000'000LL + ++next_user_;
    by_class_[class_index].push_back({best, user_id});
    ++running_[class_index];
    ++alive_;

    const auto posted = std::chrono::steady_clock::now();
    asio::post(t->ctx, [this, t, class_index, user_id, posted] {
        const auto lag = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - posted)
                             .count();
        if (lag > t->lag_us_max.load(std::memory_order_relaxed))
            t->lag_us_max.store(lag, std::memory_order_relaxed);
        make_user(t, class_index, user_id, nullptr, nullptr, {});
    });
}

// On the io thread. alive_ counts the user already.
void engine::make_user(io_thread* t, std::size_t class_index, std::int64_t user_id, open_pool* pool,
                       const scenario::task* job, std::chrono::steady_clock::time_point scheduled) {
    const auto& program = t->programs[class_index];
    const auto profile = t->profiles->by_class[class_index];
    auto& shared_options = t->client_options[profile];
    if (!shared_options) shared_options = make_client_options(t, profile);
    auto session = std::make_unique<http::client>(t->ctx.get_executor(), shared_options);
    const user::user_identity id{user_id, opts_.worker_index, opts_.run_seed};
    auto u = std::make_unique<user::virtual_user>(
        program, id, std::move(session), pool ? pool->sink : t->sink, t->ctx.get_executor());
    auto* raw = u.get();
    if (pool && job) pool->give(*raw, {job, scheduled});  // taken right after on_start
    t->users.emplace(user_id, std::move(u));
    asio::co_spawn(t->ctx, raw->run(), [this, t, user_id](const std::exception_ptr&) {
        // Destroy after the coroutine frame is gone: post, do not erase inline.
        asio::post(t->ctx, [this, t, user_id] {
            const auto it = t->users.find(user_id);
            if (it != t->users.end() && it->second->pooled()) {
                auto& ended = *it->second;
                auto& own = *t->pools[ended.class_index()];
                std::erase(own.free, &ended);
                if (!ended.stop_requested()) {
                    // Ended on its own (a stop_user step): no longer a member.
                    --own.members;
                    --pooled_;
                }
            }
            t->users.erase(user_id);
            --alive_;
        });
    });
}

// On the io thread.
std::shared_ptr<const http::client_options> engine::make_client_options(io_thread* t,
                                                                        std::size_t profile) const {
    auto copts = std::make_shared<http::client_options>();
    // Two pointers: std::function keeps them without allocating.
    copts->make_tls = [t, profile]() -> std::shared_ptr<asio::ssl::context> {
        auto& tls = t->tls[profile];
        try {
            if (!tls) tls = make_tls_context(t->profiles->profiles[profile], t->settings);
        } catch (const std::exception&) {
            // load() checked this profile's CAs; should OpenSSL refuse now,
            // the client's default context fails the handshake instead.
        }
        return tls;
    };
    if (!t->handshakes) t->handshakes = std::make_shared<http::handshake_gate>();
    copts->handshakes = t->handshakes;
    copts->timeout = opts_.request_timeout;
    copts->max_body_bytes = opts_.max_body_bytes;
    copts->user_agent = opts_.user_agent;
    return copts;
}

void engine::stop_user(std::size_t class_index, user::stop_mode mode) {
    if (class_index >= by_class_.size() || by_class_[class_index].empty()) return;
    const auto h = by_class_[class_index].back();  // newest first
    by_class_[class_index].pop_back();
    --running_[class_index];
    auto* t = threads_[h.thread].get();
    --t->started;
    asio::post(t->ctx, [t, id = h.user_id, mode] {
        auto it = t->users.find(id);
        if (it != t->users.end()) it->second->request_stop(mode);
    });
}

void engine::stop_all(user::stop_mode mode) {
    for (std::size_t c = 0; c < by_class_.size(); ++c) {
        while (!by_class_[c].empty()) stop_user(c, mode);
    }
    for (auto& t : threads_) {
        asio::post(t->ctx, [this, t = t.get(), mode] {
            // Open classes: no more arrivals, every pool user stops.
            stop_pools(t, mode);
            // Users already stopping (ramped down, or a graceful stop
            // escalated) are told too: request_stop only ever makes a stop stronger.
            if (mode == user::stop_mode::graceful) return;
            for (auto& [id, u] : t->users) u->request_stop(mode);
        });
    }
}

stats::delta engine::collect() {
    std::vector<std::future<stats::delta>> parts;
    for (auto& t : threads_) {
        auto promise = std::make_shared<std::promise<stats::delta>>();
        parts.push_back(promise->get_future());
        const auto posted = std::chrono::steady_clock::now();
        asio::post(t->ctx, [t = t.get(), promise, posted] {
            const auto lag = std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::steady_clock::now() - posted)
                                 .count();
            if (lag > t->lag_us_max.load(std::memory_order_relaxed))
                t->lag_us_max.store(lag, std::memory_order_relaxed);
            // The class counters the users kept, by name, once per interval.
            for (std::size_t c = 0; c < t->counts.by_class.size(); ++c) {
                auto& n = t->counts.by_class[c];
                if (n.empty() || c >= t->class_names.size()) continue;
                t->delta.classes.at(t->class_names[c]).add(n);
                n = {};
            }
            promise->set_value(t->delta.take());
        });
    }
    stats::delta merged;
    for (auto& f : parts) merged.merge(f.get());
    return merged;
}

void engine::release_free_memory() {
    for (auto& t : threads_) {
        asio::post(t->ctx, [t = t.get()] { trim_heap(t, 0); });
    }
}

// On the io thread: trims now, then again 2, 6, 14 and 30 s later. When a
// ramp completes, the first requests of its last users are still in flight
// (thousands when the target is slower than the spawn rate), and how long
// they take depends on the target: a single later trim often came too early
// and left tens of MiB resident. A trim costs a walk over the free chunks.
void engine::trim_heap(io_thread* t, int round) {
    malloc_trim(0);
    constexpr int rounds = 4;
    if (round >= rounds) return;
    t->trim_timer.expires_after(std::chrono::seconds(2) * (1 << round));
    t->trim_timer.async_wait([t, round](boost::system::error_code ec) {
        if (!ec) trim_heap(t, round + 1);
    });
}

double engine::take_loop_lag_ms() {
    std::int64_t worst = 0;
    for (auto& t : threads_) worst = std::max(worst, t->lag_us_max.exchange(0));
    return static_cast<double>(worst) / 1000.0;
}

}  // namespace swarm::worker
