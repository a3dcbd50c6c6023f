#pragma once
// HTTP Basic authentication for the web UI (--web-auth user:password,
// --web-auth-file FILE). The expected Authorization values are computed once;
// a request's header is compared to each in constant time, so the time an
// answer takes does not tell how much of a guess was right.
//
// Plain values, immutable after construction: any thread may call check().

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace swarm::master::web {

class basic_auth {
  public:
    // Empty: no authentication (every request passes).
    basic_auth() = default;

    // "user:password" (the password may contain ':'); an error when
    // malformed (no ':' or an empty user): "expected USER:PASSWORD".
    static result<basic_auth> from_pair(const std::string& text);
    // One "user:password" per line; blank lines and lines starting with '#'
    // are skipped. An error names the file and line: "FILE:3: expected USER:PASSWORD".
    static result<basic_auth> from_file(const std::string& path);

    bool enabled() const { return !expected_.empty(); }
    // True when `authorization` (the header's value) carries valid credentials.
    bool check(std::string_view authorization) const;
    // Adds the credentials of `other`.
    void add(const basic_auth& other);

  private:
    std::vector<std::string> expected_;  // "Basic <base64(user:password)>"
};

std::string base64_encode(std::string_view data);

}  // namespace swarm::master::web
