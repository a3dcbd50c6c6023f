#include "master/gates/verdict.hpp"

namespace swarm::master::gates {

const char* to_string(verdict_status s) {
    switch (s) {
        case verdict_status::pending:
            return "pending";
        case verdict_status::passing:
            return "passing";
        case verdict_status::failing:
            return "failing";
    }
    return "pending";
}

}  // namespace swarm::master::gates
