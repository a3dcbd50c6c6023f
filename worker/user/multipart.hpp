#pragma once
// multipart/form-data bodies (RFC 7578) for `multipart:` request steps: the
// parts in the order written, text fields rendered per request, files'
// bytes copied as they are (binary-safe), under a boundary chosen per
// request that occurs in none of the parts.
//
// Plain functions; they run on the user's thread with the user's generator.

#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/scenario/plan.hpp"

namespace swarm::worker::user {

// A boundary ("swarm-" and 32 hex digits, 128 random bits from `rng`) that
// occurs in none of `contents`; drawn again (a bounded number of times)
// when one does.
std::string choose_boundary(std::span<const std::string_view> contents, std::mt19937_64& rng);

// The request's Content-Type for `boundary`.
std::string multipart_content_type(std::string_view boundary);

// Renders `parts` into `body` and returns the boundary it used. `env` is the
// user's environment (templates of text fields and its generator).
std::string render_multipart(const std::vector<scenario::multipart_part>& parts,
                             tmpl::environment& env, std::string& body);

}  // namespace swarm::worker::user
