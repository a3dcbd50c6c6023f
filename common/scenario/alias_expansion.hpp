#pragma once
// yaml-cpp shares an aliased node instead of copying it, so a few hundred
// bytes of nested aliases ("billion laughs") stand for billions of nodes;
// every walk over the tree (checks, JSON bodies) would then visit them all.
// This pass reads the raw YAML events once, counts how many nodes the
// aliases add when expanded, and stops at the first alias that crosses the
// bound — before anything walks the tree. Called by the loader, on any thread.

#include <yaml-cpp/mark.h>

#include <cstdint>
#include <optional>
#include <string>

namespace swarm::scenario::detail {

// Nodes that aliases may add to a scenario, over the nodes written in the
// text. Generous for reuse (a block of headers or checks shared by many
// tasks), far below what makes a walk slow or a JSON body huge.
inline constexpr std::uint64_t max_alias_nodes = 100'000;

struct alias_problem {
    YAML::Mark where;     // the alias at fault
    std::string message;  // what is wrong, for a diagnostic
};

// `text` must already parse (call after YAML::Load succeeded). Reads only the
// first document, as YAML::Load does.
std::optional<alias_problem> check_alias_expansion(const std::string& text,
                                                   std::uint64_t limit = max_alias_nodes);

}  // namespace swarm::scenario::detail
