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
        case stop_reason::data_exhausted:
            return "data_exhausted";
    }
    return "none";
}

const char* describe(stop_reason r) {
    switch (r) {
        case stop_reason::none:
            return "not stopped";
        case stop_reason::run_time:
            return "run time reached";
        case stop_reason::profile_end:
            return "load profile finished";
        case stop_reason::iterations:
            return "iterations done";
        case stop_reason::stopped:
            return "stopped from the UI or the REST API";
        case stop_reason::interrupted:
            return "interrupted (SIGINT/SIGTERM)";
        case stop_reason::threshold_abort:
            return "a threshold aborted the test";
        case stop_reason::workers_lost:
            return "all workers were lost";
        case stop_reason::data_exhausted:
            return "data used up (on_end: stop_test)";
    }
    return "not stopped";
}

}  // namespace swarm::master
