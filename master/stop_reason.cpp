#include "master/stop_reason.hpp"

namespace swarm::master {

const char* to_string(stop_reason r) {
    switch (r) {
        case stop_reason::none:
            return "none";
        case stop_reason::run_time:
            return "run_time";
        case stop_reason::profile_end:
            return "profile_end";
        case stop_reason::iterations:
            return "iterations";
        case stop_reason::stopped:
            return "stopped";
        case stop_reason::interrupted:
            return "interrupted";
        case stop_reason::threshold_abort:
            return "threshold_abort";
        case stop_reason::workers_lost:
            return "workers_lost";
    }
    return "none";
}

}  // namespace swarm::master
