// Replaces the global operator new/delete pair for this binary only. Both
// sides go to malloc/free, so sanitizers still see matching calls.
#include "tests/stats/allocation_counter.hpp"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<std::size_t> allocation_count{0};
}

namespace swarm::stats::testing {
std::size_t allocations() noexcept {
    return allocation_count.load(std::memory_order_relaxed);
}
}  // namespace swarm::stats::testing

void* operator new(std::size_t size) {
    allocation_count.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    return ::operator new(size);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
