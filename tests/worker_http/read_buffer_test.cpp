// read_buffer.hpp: an exchange's first block is the one the thread's last
// exchange gave back; other sizes and blocks past the cap go to the heap.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "worker/http/read_buffer.hpp"

namespace swarm::worker::http {
namespace {

using allocator = read_buffer_allocator<char>;
constexpr std::size_t block = allocator::block_bytes;

TEST(read_buffer_test, a_block_given_back_is_the_next_one_taken_on_the_thread) {
    allocator a;
    char* first = a.allocate(block);
    a.deallocate(first, block);
    char* second = a.allocate(block);
    EXPECT_EQ(second, first);
    a.deallocate(second, block);
}

TEST(read_buffer_test, another_thread_does_not_get_this_threads_block) {
    allocator a;
    char* mine = a.allocate(block);
    a.deallocate(mine, block);
    char* theirs = nullptr;
    std::thread([&] {
        allocator b;
        theirs = b.allocate(block);
        b.deallocate(theirs, block);
    }).join();
    EXPECT_NE(theirs, mine);
    a.deallocate(a.allocate(block), block);
}

TEST(read_buffer_test, only_blocks_of_the_first_size_and_at_most_the_cap_are_kept) {
    allocator a;
    while (allocator::blocks_kept() > 0) ::operator delete(a.allocate(block));
    std::vector<char*> held;
    for (std::size_t i = 0; i < allocator::kept_blocks + 4; ++i) held.push_back(a.allocate(block));
    for (char* p : held) a.deallocate(p, block);
    EXPECT_EQ(allocator::blocks_kept(), allocator::kept_blocks);
    // A larger block is not kept: a buffer grown for a large response.
    char* big = a.allocate(2 * block);
    a.deallocate(big, 2 * block);
    EXPECT_EQ(allocator::blocks_kept(), allocator::kept_blocks);
    // Taking one leaves one fewer.
    char* again = a.allocate(block);
    EXPECT_EQ(allocator::blocks_kept(), allocator::kept_blocks - 1);
    a.deallocate(again, block);
}

TEST(read_buffer_test, a_flat_buffer_with_it_reads_and_grows_like_beasts) {
    read_buffer buffer;
    buffer.reserve(block);
    EXPECT_EQ(buffer.capacity(), block);
    const std::string text(3 * block, 'x');
    auto space = buffer.prepare(text.size());
    std::memcpy(space.data(), text.data(), text.size());
    buffer.commit(text.size());
    EXPECT_EQ(buffer.size(), text.size());
    EXPECT_GE(buffer.capacity(), text.size());
}

}  // namespace
}  // namespace swarm::worker::http
