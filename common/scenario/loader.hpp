#pragma once
// Scenario loading: YAML source (+ its data files) → validated, immutable plan.
//
// The master reads a scenario *bundle* from disk (read_bundle) and ships it to
// workers as is; master and workers both compile() the same bundle with the
// same code, so they cannot disagree about what a scenario means.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/scenario/bundle.hpp"
#include "common/scenario/plan.hpp"
#include "common/with_errors.hpp"

namespace swarm::scenario {

using read_result = with_errors<std::optional<bundle>, diagnostic>;

// Reads `path` and the data files it references (relative to its folder).
read_result read_bundle(const std::string& path);

// The plan (shared read-only by every user) when `errors` is empty.
// `warnings` are kept either way: what compiles but is probably not what the
// author meant (a defaulted pool size, an ignored key, a class that
// --tags left empty). `swarm check` and `swarm run` print them as "warning: ...".
struct compile_result {
    std::shared_ptr<const plan> result;
    std::vector<diagnostic> errors;
    std::vector<diagnostic> warnings{};
};

compile_result compile(const bundle& b, const compile_options& opts = {});

// read_bundle + compile.
compile_result load_file(const std::string& path, const compile_options& opts = {});

}  // namespace swarm::scenario
