// The fuzz target's seed corpus (tests/fuzz/corpus/proto) holds one encoded
// sample of every message type; this keeps it in step with the codec.
// Regenerate after a format change with SWARM_WRITE_PROTO_CORPUS=1.
// Files named regression-* are inputs the fuzzer once failed on, kept so
// every run tries them first; they need not be well-formed.
#include <gtest/gtest.h>
#include <fstream>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "proto/codec.hpp"
#include "tests/proto/sample_messages.hpp"
#include "tests/support/files.hpp"

namespace swarm::proto {
namespace {

// A function, not a global: the source dir comes from the environment, which
// is not set when ctest lists the tests.
std::filesystem::path corpus_dir() {
    return std::filesystem::path(SWARM_SOURCE_DIR) / "tests/fuzz/corpus/proto";
}

TEST(seed_corpus, holds_a_decodable_sample_of_every_message_type) {
    if (std::getenv("SWARM_WRITE_PROTO_CORPUS") != nullptr) {
        std::filesystem::create_directories(corpus_dir());
        for (const message& m : testing::sample_messages()) {
            std::ofstream(corpus_dir() / type_name(m), std::ios::binary) << encode(m);
        }
    }
    std::set<std::string> types;
    for (const auto& file : std::filesystem::directory_iterator(corpus_dir())) {
        if (file.path().filename().string().starts_with("regression-")) continue;
        const result<message> r = decode(test::read_whole_file(file.path().string()));
        ASSERT_TRUE(r) << file.path() << ": " << r.error().message;
        EXPECT_EQ(file.path().filename().string(), type_name(*r));
        types.insert(type_name(*r));
    }
    EXPECT_EQ(types.size(), std::variant_size_v<message>);
}

TEST(seed_corpus, samples_encode_as_committed) {
    // A changed encoding fails here first, with the type that changed.
    for (const message& m : testing::sample_messages()) {
        EXPECT_EQ(test::read_whole_file((corpus_dir() / type_name(m)).string()), encode(m))
            << type_name(m);
    }
}

}  // namespace
}  // namespace swarm::proto
