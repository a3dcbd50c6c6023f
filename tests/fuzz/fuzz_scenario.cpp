// libFuzzer target over the scenario loader: YAML parsing, validation, template
// compilation and evaluation, CSV data files. Any crash, hang, leak or UB is a bug.
//
// The first byte picks what the rest of the input is:
//   0: a whole scenario (with two data files available to it)
//   1: a CSV data file
//   2: a template, compiled and (if it compiles) rendered
//   3: a threshold expression (and --threshold's option form); one that
//      parses must parse again from its normalised form to the same form
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

#include "common/scenario/data_files.hpp"
#include "common/scenario/loader.hpp"
#include "common/scenario/threshold_expr.hpp"
#include "common/template/template.hpp"

namespace {

class fuzz_environment : public swarm::tmpl::environment {
  public:
    const swarm::tmpl::value* variable(std::string_view name) const override {
        return name == "token" ? &token_ : nullptr;
    }
    std::int64_t user_id() const override { return 3; }
    std::int64_t worker_id() const override { return 1; }
    std::int64_t iteration() const override { return 9; }
    int last_status() const override { return 200; }
    std::string_view last_body() const override { return "body"; }
    std::mt19937_64& rng() override { return rng_; }
    std::size_t next_index(const swarm::tmpl::data_set& ds) override {
        return next_++ % ds.items.size();
    }
    std::size_t unique_index(const swarm::tmpl::data_set& ds) override {
        return ds.items.empty() ? no_item : 0;
    }

  private:
    swarm::tmpl::value token_ = std::string("abc");
    std::mt19937_64 rng_{1};
    std::size_t next_ = 0;
};

void fuzz_scenario(std::string text) {
    swarm::scenario::bundle b;
    b.name = "fuzz.yaml";
    b.source = std::move(text);
    b.files = {{"words.txt", "alpha\nbeta\n"}, {"a.csv", "email,pw\nx@e,1\n"}};
    (void)swarm::scenario::compile(b);
    // And through the --tags/--exclude-tags filter (tags the seeds use).
    (void)swarm::scenario::compile(b, {"", true, {"checkout", "browse"}, {"slow"}});
}

void fuzz_csv(std::string_view text) {
    (void)swarm::scenario::parse_data_set("d", text, swarm::scenario::data_format::csv);
}

void fuzz_template(std::string_view text) {
    swarm::tmpl::symbols syms;
    syms.is_variable = [](std::string_view name) { return name == "token"; };
    syms.data_sets.push_back(std::make_shared<const swarm::tmpl::data_set>(
        swarm::tmpl::data_set{"words", {std::string("alpha"), std::string("beta")}}));
    auto t = swarm::tmpl::compile_template(text, syms);
    if (t.result) {
        fuzz_environment env;
        (void)t.result->render(env);
        std::string json;  // typed rendering, as a json: body leaf
        t.result->render_json(env, json);
    }
    (void)swarm::tmpl::referenced_names(text);
}

void fuzz_threshold(std::string_view text) {
    (void)swarm::scenario::parse_threshold_option(text);
    const auto parsed = swarm::scenario::parse_threshold(text);
    if (!parsed) return;
    const auto normal = parsed->normalised();
    const auto again = swarm::scenario::parse_threshold(normal);
    if (!again || again->normalised() != normal) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0 || size > 64 * 1024) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
        case 0:
            fuzz_scenario(std::string(rest));
            break;
        case 1:
            fuzz_csv(rest);
            break;
        case 2:
            fuzz_template(rest);
            break;
        default:
            fuzz_threshold(rest);
            break;
    }
    return 0;
}
