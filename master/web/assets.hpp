#pragma once
// The web UI's files (master/web/ui/*.html, *.js, *.css and uPlot's dist
// files from npm), embedded into the binary at build time by
// cmake/embed_assets.cmake: the browser fetches nothing from outside.
// Immutable data: any thread may read it.

#include <string_view>

namespace swarm::master::web {

struct asset {
    std::string_view path;          // URL path under the base path: "/app.js", "/uPlot.iife.min.js"
    std::string_view content_type;  // "text/javascript; charset=utf-8", ...
    std::string_view data;
};

// nullptr when no embedded file has that path. "/" is index.html.
const asset* find_asset(std::string_view path);

}  // namespace swarm::master::web
