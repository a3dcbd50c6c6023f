#pragma once
// Signed-in users and CSRF tokens of the demo site.
//
// `session_store` is shared by all io threads (a reader/writer lock: sign-ins
// write, /account reads). `csrf_signer` is immutable after construction and
// may be used from any thread.

#include <cstddef>
#include <deque>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace swarm::target {

// 32 lowercase hex characters from OpenSSL's CSPRNG.
std::string random_token();

// Session token → email of the signed-in user. Holds at most `capacity`
// sessions; the oldest is forgotten first, so a long load test cannot grow it
// without bound.
class session_store {
  public:
    explicit session_store(std::size_t capacity = 100'000) : capacity_(capacity) {}

    // Signs `email` in and returns the new session token (the cookie value).
    std::string create(std::string_view email);
    // The email signed in under `token`, if the session is known.
    std::optional<std::string> email_of(std::string_view token) const;

  private:
    struct hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    std::size_t capacity_;
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, std::string, hash, std::equal_to<>> emails_;
    std::deque<std::string> order_;  // tokens, oldest first
};

// CSRF tokens bound to a cookie value (the session, or a visitor id): an
// HMAC-SHA256 of it under a per-process random secret, so the site keeps no
// per-form state and a token from one cookie is useless with another.
class csrf_signer {
  public:
    csrf_signer();

    // 64 hex characters.
    std::string token_for(std::string_view binding) const;
    // Constant-time comparison with token_for(binding).
    bool verify(std::string_view binding, std::string_view token) const;

  private:
    std::string secret_;
};

}  // namespace swarm::target
