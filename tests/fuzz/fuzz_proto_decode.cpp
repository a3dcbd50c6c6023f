// libFuzzer target over proto::decode: every input must give a message or an
// error value; a crash, hang, leak, UB or exception is a bug. An accepted
// input must also survive encode → decode (nothing decodes that we could not
// send back). Seed corpus: tests/fuzz/corpus/proto (one message of each type).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const swarm::result<swarm::proto::message> r = swarm::proto::decode(bytes);
    if (!r && r.error().message.empty()) std::abort();  // an error must say what is wrong
    if (r && !swarm::proto::decode(swarm::proto::encode(*r))) std::abort();
    return 0;
}
