#pragma once
// The one way a fallible function says how it went: `result<T>` holds a T or
// an error (Boost.System's result, 1.81). Use it at every boundary that can
// fail; keep exceptions for what no caller can handle on the spot.
//
// `error` is the plain error: a message a user may read, final as written.
// A layer whose callers branch on the kind of failure declares its own error
// type (an enum plus detail, e.g. worker/http/errors.hpp) and turns it into
// text only where the failure is recorded or shown: result<T, http::error>.

#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <utility>

namespace swarm {

// Made only by fail(): an error that a bare string could construct would make
// `return text;` in a function returning result<std::string> ambiguous
// between the value and the error (Boost's result then accepts neither).
class error {
  public:
    std::string message;  // final text, e.g. "--bind 'x': expected host:port"

    error() = default;  // an empty error, as result<T>::error() returns for a value

  private:
    explicit error(std::string m) : message(std::move(m)) {}
    friend error fail(std::string message);
};

template <class T = void, class E = error>
using result = boost::system::result<T, E>;

// Returns a plain error: `return fail("no such file");`.
inline error fail(std::string message) {
    return error(std::move(message));
}

// What result<T>::value() throws when it holds an error (found by ADL).
[[noreturn]] inline void throw_exception_from_error(const error& e, const boost::source_location&) {
    throw std::runtime_error(e.message);
}

}  // namespace swarm
