#include "common/stats/delta.hpp"

namespace swarm::stats {

void delta::merge(const delta& other) {
    requests.merge(other.requests);
    errors.merge(other.errors);
}

delta delta::take() {
    return delta{requests.take(), errors.take()};
}

}  // namespace swarm::stats
