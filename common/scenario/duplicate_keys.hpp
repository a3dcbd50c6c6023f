#pragma once
// yaml-cpp keeps only one of two equal keys in a map, silently: two tasks with
// the same name would lose one. This pass reads the raw YAML events and
// reports every repeated key with where it is.

#include <yaml-cpp/mark.h>

#include <functional>
#include <string>

namespace swarm::scenario::detail {

using duplicate_key_handler =
    std::function<void(const YAML::Mark& where, const std::string& path, const std::string& key)>;

// `text` must already parse (call after YAML::Load succeeded).
void find_duplicate_keys(const std::string& text, const duplicate_key_handler& on_duplicate);

}  // namespace swarm::scenario::detail
