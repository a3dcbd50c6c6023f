#include "common/stats/delta.hpp"

namespace swarm::stats {

void delta::merge(const delta& other) {
    requests.merge(other.requests);
    errors.merge(other.errors);
    classes.merge(other.classes);
}

delta delta::take() {
    return delta{requests.take(), errors.take(), classes.take()};
}

}  // namespace swarm::stats
