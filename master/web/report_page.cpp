// The self-contained HTML report: report.html with uPlot, the UI's CSS,
// report.js and the run's data inlined, so the file opens offline.
#include "master/web/report_page.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "master/web/assets.hpp"
#include "master/web/stats_json.hpp"

namespace swarm::master::web {
namespace {

std::string asset_text(std::string_view path) {
    const auto* a = find_asset(path);
    return a ? std::string(a->data) : std::string();
}

// Inside <script>, "</" could end the element early: JSON allows "<\/".
std::string script_safe(std::string text) {
    for (std::size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3)) {
        text.replace(at, 2, "<\\/");
    }
    return text;
}

void replace_marker(std::string& page, std::string_view marker, const std::string& with) {
    if (const auto at = page.find(marker); at != std::string::npos)
        page.replace(at, marker.size(), with);
}

}  // namespace

std::string html_report(const controller& c) {
    auto data = requests_json(c);
    data["hello"] = boost::json::parse(hello_json(c, {}, 24 * 3600, false));
    data["start_unix_ms"] = c.stats().start_wall_ms();
    data["end_unix_ms"] = c.stats().last_wall_ms();
    // Why the test ended ("" while it runs, or when nothing recorded it).
    const auto reason = c.core().stop_reason();
    data["stop_reason"] = reason == stop_reason::none ? "" : to_string(reason);
    std::string page = asset_text("/report.html");
    replace_marker(page, "/*SWARM_CSS*/",
                   asset_text("/uPlot.min.css") + "\n" + asset_text("/app.css"));
    replace_marker(page, "/*SWARM_UPLOT*/", script_safe(asset_text("/uPlot.iife.min.js")));
    replace_marker(page, "/*SWARM_DATA*/",
                   "window.SWARM_REPORT = " + script_safe(boost::json::serialize(data)) + ";");
    replace_marker(page, "/*SWARM_SCRIPT*/", script_safe(asset_text("/report.js")));
    return page;
}

}  // namespace swarm::master::web
