#pragma once
// Compiles scenario text held in a test, with optional data files.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "common/scenario/loader.hpp"

namespace swarm::scenario::testing {

inline compile_result compile_text(std::string source,
                                   std::vector<std::pair<std::string, std::string>> files = {},
                                   const compile_options& opts = {}) {
    bundle b;
    b.name = "test.yaml";
    b.source = std::move(source);
    b.files = std::move(files);
    return compile(b, opts);
}

// With --tags / --exclude-tags.
inline compile_result compile_tagged(std::string source, std::vector<std::string> include,
                                     std::vector<std::string> exclude = {}) {
    compile_options opts;
    opts.include_tags = std::move(include);
    opts.exclude_tags = std::move(exclude);
    return compile_text(std::move(source), {}, opts);
}

// The plan, failing the test with every diagnostic when it does not compile.
inline std::shared_ptr<const plan> compile_ok(
    std::string source, std::vector<std::pair<std::string, std::string>> files = {}) {
    auto r = compile_text(std::move(source), std::move(files));
    for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
    return r.result;
}

// All diagnostics as "line:col: path: message" lines, for readable assertions.
inline std::vector<std::string> error_lines(const compile_result& r) {
    std::vector<std::string> out;
    for (const auto& e : r.errors) {
        out.push_back(std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.path +
                      ": " + e.message);
    }
    return out;
}

// Warnings as error_lines gives errors.
inline std::vector<std::string> warning_lines(const compile_result& r) {
    std::vector<std::string> out;
    for (const auto& e : r.warnings) {
        out.push_back(std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.path +
                      ": " + e.message);
    }
    return out;
}

inline std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

// The single diagnostic for `source`, as "line:col: path: message"; a test
// failure when it compiles or gives more than one.
inline std::string only_error(const std::string& source,
                              std::vector<std::pair<std::string, std::string>> files = {}) {
    auto r = compile_text(source, std::move(files));
    EXPECT_FALSE(r.result);
    auto lines = error_lines(r);
    EXPECT_EQ(lines.size(), 1u) << joined(lines);
    return lines.empty() ? "" : lines[0];
}

}  // namespace swarm::scenario::testing

#include <map>
#include <random>

namespace swarm::scenario::testing {

// A user's environment with fixed built-ins and settable variables.
class fake_environment : public tmpl::environment {
  public:
    std::map<std::string, tmpl::value, std::less<>> vars;
    std::int64_t user = 7;
    int status = 0;
    std::string body;
    std::mt19937_64 gen{42};
    std::map<const tmpl::data_set*, std::size_t> positions;

    const tmpl::value* variable(std::string_view name) const override {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : &it->second;
    }
    std::int64_t user_id() const override { return user; }
    std::int64_t worker_id() const override { return 1; }
    std::int64_t iteration() const override { return 3; }
    int last_status() const override { return status; }
    std::string_view last_body() const override { return body; }
    std::mt19937_64& rng() override { return gen; }
    std::size_t next_index(const tmpl::data_set& ds) override {
        return positions[&ds]++ % ds.items.size();
    }
    std::size_t unique_index(const tmpl::data_set& ds) override {
        return ds.items.empty() ? no_item : 0;
    }
};

}  // namespace swarm::scenario::testing
