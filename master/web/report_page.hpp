#pragma once
// The self-contained HTML report (/stats/report, --html FILE): report.html
// with uPlot, report.js and the run's data inlined, so the file opens
// offline. Built on the control thread (it reads the controller).

#include <string>

#include "master/controller.hpp"

namespace swarm::master::web {

std::string html_report(const controller& c);

}  // namespace swarm::master::web
