#include "target/target.hpp"

#include <iostream>

namespace swarm::target {

int run(const options& opts) {
    std::cerr << "swarm target: not implemented yet (" << opts.listen << ")\n";
    return 1;
}

}  // namespace swarm::target
