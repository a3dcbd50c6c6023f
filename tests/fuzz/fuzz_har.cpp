// libFuzzer target over `swarm convert`: the HAR reader, then, for a document
// it accepts, the converter. Any crash, hang, leak or UB is a bug, and so is
// a converted scenario that the scenario loader refuses: `swarm convert`
// promises output that passes `swarm check`.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "authoring/convert.hpp"
#include "authoring/har.hpp"
#include "common/scenario/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto har = swarm::authoring::read_har(text);
    if (!har) return 0;
    for (const bool include_static : {false, true}) {
        swarm::authoring::convert_options opts;
        opts.include_static = include_static;
        const auto rec = swarm::authoring::build_recording(*har, opts);
        if (rec.requests == 0) continue;
        swarm::scenario::bundle b;
        b.name = "converted.yaml";
        b.source = swarm::authoring::emit_scenario(rec, opts);
        const auto compiled = swarm::scenario::compile(b);
        if (!compiled.result) {
            for (const auto& e : compiled.errors)
                std::fprintf(stderr, "%s\n", e.to_string().c_str());
            std::fprintf(stderr, "%s", b.source.c_str());
            std::abort();
        }
    }
    return 0;
}
