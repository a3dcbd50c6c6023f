// libFuzzer target over `swarm target`'s HTTP/2 server session (h2_session,
// no sockets): the input is what a client sends after the connection
// preface, fed in pieces whose sizes come from the input itself (so frames
// arrive split as TCP splits them). Then the output is drained and delayed
// answers are forced due. Any crash, hang, leak or UB is a bug, and so is a
// broken promise: the target counts no request as HTTP/1.1, and /__stats'
// protocols sum to its total.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "target/h2_session.hpp"
#include "target/routes.hpp"

namespace {

using swarm::target::h2_session;

swarm::target::site& shared_site() {
    static swarm::target::site s(1);
    return s;
}

// Drains what the session would send, within a bound (a session that never
// stops producing output would be a bug too).
void drain(h2_session& session) {
    std::string out;
    for (int i = 0; i < 10'000 && session.wants_write(); ++i) {
        out.clear();
        if (!session.take_output(out, 64 * 1024)) return;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& site = shared_site();
    {
        h2_session session(site, site.counters().for_thread(0));
        if (!session.receive("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) std::abort();
        std::string_view input(reinterpret_cast<const char*>(data), size);
        while (!input.empty()) {
            // The first byte says how long the next piece is (1..256 bytes).
            const std::size_t piece = std::min<std::size_t>(
                input.size() - 1, static_cast<std::uint8_t>(input.front()) + 1u);
            const std::string_view bytes = input.substr(1, piece);
            input.remove_prefix(1 + piece);
            if (!session.receive(bytes)) break;
            drain(session);
        }
        drain(session);
        session.answer_due(h2_session::clock::now() + std::chrono::hours(1));
        drain(session);
    }
    const auto stats = site.counters().snapshot();
    if (stats.h1 != 0 || stats.h1 + stats.h2 != stats.total) std::abort();
    return 0;
}
