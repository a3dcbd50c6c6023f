#pragma once
// The read buffer of one HTTP/1.1 exchange (exchange.hpp), from a small
// per-thread free list: a keep-alive request takes the block the previous
// request of that thread gave back instead of a fresh malloc and free of
// 2 KiB each time (glibc's per-thread cache stops at 1 KiB, so each was
// ~650 instructions of a ~31 000-instruction HTTPS request; callgrind).
//
// Only blocks of exactly `block_bytes` (the size an exchange starts with)
// are kept, at most `kept_blocks` per thread: a buffer that grew for a large
// response allocates and frees as before, and a thread's idle users still
// hold no buffer (the list is per thread, not per user or connection).

#include <boost/beast/core/flat_buffer.hpp>

#include <cstddef>
#include <new>

namespace swarm::worker::http {

template <class T>
class read_buffer_allocator {
  public:
    using value_type = T;
    static constexpr std::size_t block_bytes = 2 * 1024;
    static constexpr std::size_t kept_blocks = 16;

    read_buffer_allocator() noexcept = default;
    template <class U>
    read_buffer_allocator(const read_buffer_allocator<U>&) noexcept {}  // rebinding: stateless

    T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        auto& list = free_list();
        if (bytes == block_bytes && list.count > 0) return static_cast<T*>(list.take());
        return static_cast<T*>(::operator new(bytes));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        auto& list = free_list();
        if (n * sizeof(T) == block_bytes && list.count < kept_blocks) {
            list.give(p);
            return;
        }
        ::operator delete(p);
    }

    // Blocks this thread keeps now (tests).
    static std::size_t blocks_kept() noexcept { return free_list().count; }

    template <class U>
    bool operator==(const read_buffer_allocator<U>&) const noexcept {
        return true;
    }

  private:
    // Blocks linked through their first bytes; freed with the thread.
    struct list_of_blocks {
        struct node {
            node* next;
        };
        node* head = nullptr;
        std::size_t count = 0;
        void* take() noexcept {
            node* n = head;
            head = n->next;
            --count;
            return n;
        }
        void give(void* p) noexcept {
            head = ::new (p) node{head};
            ++count;
        }
        ~list_of_blocks() {
            while (head != nullptr) ::operator delete(take());
        }
    };
    static list_of_blocks& free_list() noexcept {
        thread_local list_of_blocks list;
        return list;
    }
};

using read_buffer = boost::beast::basic_flat_buffer<read_buffer_allocator<char>>;

}  // namespace swarm::worker::http
