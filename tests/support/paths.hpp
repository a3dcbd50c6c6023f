#pragma once
// Where the tests find the source tree and the built `swarm` binary: from the
// environment ctest gives them (tests/CMakeLists.txt), not from paths compiled
// in, so the same objects serve every checkout and ccache can share them.

#include <cstdio>
#include <cstdlib>

namespace swarm::test {

inline const char* required_env(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        std::fprintf(stderr, "%s is not set: run the tests through ctest (or set it by hand)\n",
                     name);
        std::abort();
    }
    return value;
}

}  // namespace swarm::test
