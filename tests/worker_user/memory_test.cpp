// What an idle user costs: sizeof(virtual_user) plus the heap it holds while
// it waits between tasks (coroutine frames, timer operation, variables).
// Counts live heap bytes at the malloc level.
#include <gtest/gtest.h>

#include <malloc.h>

#include <cstddef>
#include <cstdio>
#include <optional>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
// From the sanitizer runtime (its header is not installed with gcc 12).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif

#include "tests/worker_user/harness.hpp"

namespace {

// Bytes the process holds in malloc right now. Asio allocates coroutine
// frames with aligned_alloc, not operator new, so count at the malloc level.
std::int64_t live_bytes() {
#if defined(__SANITIZE_ADDRESS__)
    return static_cast<std::int64_t>(__sanitizer_get_current_allocated_bytes());
#else
    return static_cast<std::int64_t>(mallinfo2().uordblks);
#endif
}

}  // namespace

namespace swarm::worker::user {
namespace {

// Half the 4 KiB per-user budget; the rest is the connection's. ASan adds
// redzones to every coroutine frame, so sanitizer builds get more room.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::int64_t idle_budget = 3072;
#else
constexpr std::int64_t idle_budget = 2048;
#endif

// A pool that only lists its free users (the engine's keeps a vector too).
struct listing_pool final : user_pool {
    std::vector<virtual_user*> free;
    void on_free(virtual_user& u) override { free.push_back(&u); }
    std::optional<job> take(virtual_user&) override { return std::nullopt; }
};

// `pool` set: the users are an open class's, idle in the pool after on_start.
std::int64_t idle_heap_per_user(const std::string& source, int users,
                                listing_pool* pool = nullptr) {
    testing::harness h(source);
    h.sink.pool = pool;
    if (pool) pool->free.reserve(static_cast<std::size_t>(users) + 1);
    h.web->keep_requests = false;
    h.users.reserve(static_cast<std::size_t>(users));
    // One user first, so that per-thread caches and the stats row exist before measuring.
    h.start(0);
    while (h.web->sent < 1) h.io.run_one();
    const std::int64_t before = live_bytes();
    for (int i = 1; i <= users; ++i) h.start(i);
    while (h.web->sent < static_cast<std::size_t>(users) + 1) h.io.run_one();
    h.io.poll();
    const std::int64_t after = live_bytes();
    for (auto& u : h.users) u->request_stop(stop_mode::now);
    h.run();
    return (after - before) / users;
}

TEST(memory, idle_user_fits_the_budget) {
    const std::int64_t per_user = idle_heap_per_user(R"(host: http://h
users:
  U:
    wait: {constant: 1h}
    vars: {id: "{{ user_id }}"}
    tasks:
      t: {get: "/x/{{ id }}"}
)",
                                                     1000);
    const auto object = static_cast<std::int64_t>(sizeof(virtual_user));
    const auto fake = static_cast<std::int64_t>(sizeof(testing::fake_session));
    std::printf(
        "sizeof(virtual_user) = %lld bytes; idle heap per user = %lld bytes "
        "(object %lld, fake session %lld, coroutine frames + timer op + variables %lld)\n",
        static_cast<long long>(object), static_cast<long long>(per_user),
        static_cast<long long>(object), static_cast<long long>(fake),
        static_cast<long long>(per_user - object - fake));
    EXPECT_LE(sizeof(virtual_user), 256u);
    EXPECT_LE(per_user, idle_budget);
}

// An open class's pool user waiting for its next iteration costs what a
// closed user waiting between tasks does.
TEST(memory, idle_pool_user_fits_the_budget) {
    const char* const closed = R"(host: http://h
users:
  U:
    wait: {constant: 1h}
    vars: {id: "{{ user_id }}"}
    tasks:
      t: {get: "/x/{{ id }}"}
)";
    const char* const pooled = R"(host: http://h
users:
  U:
    vars: {id: "{{ user_id }}"}
    on_start: [{get: "/x/{{ id }}"}]
    tasks:
      t: {get: "/x/{{ id }}"}
)";
    listing_pool pool;
    const std::int64_t per_pooled = idle_heap_per_user(pooled, 1000, &pool);
    const std::int64_t per_closed = idle_heap_per_user(closed, 1000);
    std::printf("idle heap per pool user = %lld bytes (a closed user: %lld)\n",
                static_cast<long long>(per_pooled), static_cast<long long>(per_closed));
    EXPECT_EQ(pool.free.size(), 1001u);
    EXPECT_LE(per_pooled, idle_budget);
    EXPECT_LE(per_pooled, per_closed + 64);
}

TEST(memory, nested_idle_user_fits_the_budget) {
    const std::int64_t per_user = idle_heap_per_user(R"(host: http://h
users:
  U:
    tasks:
      n:
        wait: {constant: 1h}
        tasks:
          t: {get: /x}
)",
                                                     1000);
    std::printf("idle heap per user waiting inside a nested set = %lld bytes\n",
                static_cast<long long>(per_user));
    EXPECT_LE(per_user, idle_budget);
}

}  // namespace
}  // namespace swarm::worker::user
