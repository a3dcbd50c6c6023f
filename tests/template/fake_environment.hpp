#pragma once
// A scripted environment and symbol table for the template tests: variables
// in a map, fixed builtins, a seeded generator, and a log of the variables read
// (to see short-circuit evaluation).

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/template/template.hpp"

namespace swarm::tmpl::test {

inline std::shared_ptr<const data_set> make_data_set(std::string name, std::vector<value> items) {
    auto ds = std::make_shared<data_set>();
    ds->name = std::move(name);
    ds->items = std::move(items);
    return ds;
}

inline record_ptr make_record(std::vector<std::pair<std::string, std::string>> fields) {
    auto r = std::make_shared<record>();
    r->fields = std::move(fields);
    return r;
}

class fake_environment : public environment {
  public:
    std::map<std::string, value, std::less<>> variables_;
    std::int64_t user_id_ = 7;
    std::int64_t worker_id_ = 2;
    std::int64_t iteration_ = 3;
    int last_status_ = 200;
    std::string last_body_ = "{\"ok\":true}";
    std::mt19937_64 rng_{42};
    std::map<const data_set*, std::size_t> next_;
    mutable std::vector<std::string> reads_;  // variable names looked up, in order

    const value* variable(std::string_view name) const override {
        reads_.emplace_back(name);
        auto it = variables_.find(name);
        return it == variables_.end() ? nullptr : &it->second;
    }
    std::int64_t user_id() const override { return user_id_; }
    std::int64_t worker_id() const override { return worker_id_; }
    std::int64_t iteration() const override { return iteration_; }
    int last_status() const override { return last_status_; }
    std::string_view last_body() const override { return last_body_; }
    std::mt19937_64& rng() override { return rng_; }
    std::size_t next_index(const data_set& ds) override {
        std::size_t& i = next_[&ds];
        std::size_t at = i++;
        return ds.items.empty() ? 0 : at % ds.items.size();
    }
    // The user's own item: user_id's, fixed.
    std::size_t unique_index(const data_set& ds) override {
        return ds.items.empty() ? no_item : static_cast<std::size_t>(user_id_) % ds.items.size();
    }

    bool was_read(std::string_view name) const {
        return std::find(reads_.begin(), reads_.end(), name) != reads_.end();
    }
};

// Declared variables: everything in `names`; data sets words, accounts, empty.
inline symbols make_symbols(std::vector<std::string> names = {"word", "account", "name", "number",
                                                              "unset", "text"}) {
    symbols s;
    s.is_variable = [names = std::move(names)](std::string_view n) {
        return std::find(names.begin(), names.end(), n) != names.end();
    };
    s.data_sets.push_back(make_data_set(
        "words", {std::string("apple"), std::string("banana"), std::string("cherry")}));
    s.data_sets.push_back(
        make_data_set("accounts", {make_record({{"email", "a@example.com"}, {"password", "pa"}}),
                                   make_record({{"email", "b@example.com"}, {"password", "pb"}})}));
    s.data_sets.push_back(make_data_set("empty", {}));
    return s;
}

// A user with the declared variables set (except `unset`).
inline fake_environment make_environment() {
    fake_environment env;
    env.variables_["word"] = std::string("banana");
    env.variables_["account"] = make_record({{"email", "c@example.com"}, {"password", "pc"}});
    env.variables_["name"] = std::string("Ada Lovelace");
    env.variables_["number"] = std::string("42");
    env.variables_["text"] = std::string("hello world");
    return env;
}

// Compiles and evaluates a bare expression; a compile error fails the test
// through the returned monostate plus the gtest failure recorded by callers.
inline compiled<expression> expr(std::string_view source) {
    return compile_expression(source, make_symbols());
}

inline value eval(std::string_view source, fake_environment& env) {
    auto c = expr(source);
    if (!c.result) return value(std::string("<compile error: ") + c.errors.at(0).message + ">");
    return c.result->evaluate(env);
}

inline value eval(std::string_view source) {
    fake_environment env = make_environment();
    return eval(source, env);
}

inline std::string render(std::string_view source, fake_environment& env) {
    auto c = compile_template(source, make_symbols());
    if (!c.result) return "<compile error: " + c.errors.at(0).message + ">";
    return c.result->render(env);
}

inline std::string render(std::string_view source) {
    fake_environment env = make_environment();
    return render(source, env);
}

inline std::int64_t as_int(const value& v) {
    const auto* n = std::get_if<std::int64_t>(&v);
    return n ? *n : -999999;
}

}  // namespace swarm::tmpl::test
