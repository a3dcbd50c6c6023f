#include "tests/integration/workload_support.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "tests/support/http_client.hpp"

namespace swarm::test {

target_arrivals read_target_arrivals(const std::string& target_url) {
    http_client client(target_url);
    const auto doc = boost::json::parse(client.get("/__stats").body);
    const auto& a = doc.at("arrivals");
    target_arrivals out;
    out.total = a.at("total").to_number<std::int64_t>();
    out.now_unix_ms = a.at("now_unix_ms").to_number<std::int64_t>();
    for (const auto& row : a.at("per_second").as_array()) {
        const auto& pair = row.as_array();
        out.per_second[pair.at(0).to_number<std::int64_t>()] = pair.at(1).to_number<std::int64_t>();
    }
    out.gap_p99_us = doc.at("gaps_us").at("p99").to_number<std::int64_t>();
    return out;
}

std::vector<std::int64_t> full_second_counts(const target_arrivals& a) {
    std::vector<std::int64_t> out;
    if (a.per_second.size() < 3) return out;
    const std::int64_t first = a.per_second.begin()->first;
    const std::int64_t last = a.per_second.rbegin()->first;
    // Every second in between, also one with no arrival (a gap is a failure to see).
    for (std::int64_t s = first + 1; s < last; ++s) {
        const auto it = a.per_second.find(s);
        out.push_back(it == a.per_second.end() ? 0 : it->second);
    }
    return out;
}

namespace {

std::int64_t field(const boost::json::value& obj, const char* name) {
    const auto* o = obj.if_object();
    if (!o) return 0;
    const auto it = o->find(name);
    return it == o->end() ? 0 : it->value().to_number<std::int64_t>();
}

class_figures figures_of(const boost::json::value& c) {
    return {field(c, "iterations"), field(c, "dropped_iterations"), field(c, "pacing_overruns")};
}

}  // namespace

class_figures class_counts(const boost::json::value& result, const std::string& class_name) {
    const auto* root = result.if_object();
    if (!root || !root->contains("classes")) return {};
    const auto& classes = root->at("classes");
    if (const auto* list = classes.if_array()) {
        for (const auto& c : *list) {
            if (c.at("name").as_string() == class_name) return figures_of(c);
        }
        return {};
    }
    if (const auto* by_name = classes.if_object()) {
        const auto it = by_name->find(class_name);
        if (it != by_name->end()) return figures_of(it->value());
    }
    return {};
}

std::int64_t entry_percentile_us(const boost::json::value& result, const std::string& method,
                                 const std::string& name, const std::string& p) {
    for (const auto& e : result.at("entries").as_array()) {
        if (e.at("method").as_string() != method || e.at("name").as_string() != name) continue;
        return e.at("percentiles_us").at(p).to_number<std::int64_t>();
    }
    return -1;
}

const boost::json::value* first_entry_with_method(const boost::json::value& result,
                                                  const std::string& method) {
    for (const auto& e : result.at("entries").as_array()) {
        if (e.at("method").as_string() == method) return &e;
    }
    return nullptr;
}

std::vector<std::map<std::string, std::string>> read_csv(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::map<std::string, std::string>> rows;
    auto split = [](const std::string& line) {
        std::vector<std::string> cells;
        std::stringstream ss(line);
        for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
        return cells;
    };
    std::string line;
    if (!std::getline(in, line)) return rows;
    const auto header = split(line);
    while (std::getline(in, line)) {
        const auto cells = split(line);
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) {
            row[header[i]] = cells[i];
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace swarm::test
