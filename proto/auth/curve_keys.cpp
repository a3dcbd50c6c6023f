// CURVE keys through libzmq's own functions (Z85 codec, key pairs), so the
// keys we write are exactly the ones ZeroMQ reads.
#include <array>
#include <stdexcept>
#include <string>

#include <zmq.h>

#include "proto/auth.hpp"

namespace swarm::proto {
namespace {

constexpr std::size_t z85_key_chars = 40;  // 32 bytes, 5 characters per 4 bytes
constexpr std::size_t key_bytes = 32;

}  // namespace

bool valid_curve_key(const std::string& z85) {
    if (z85.size() != z85_key_chars) return false;
    std::array<std::uint8_t, key_bytes> raw{};
    // Refuses characters outside the alphabet and groups that overflow 32 bits.
    return zmq_z85_decode(raw.data(), z85.c_str()) != nullptr;
}

std::string curve_public_of(const std::string& secret_z85) {
    if (!valid_curve_key(secret_z85)) return {};
    std::array<char, z85_key_chars + 1> pub{};
    if (zmq_curve_public(pub.data(), secret_z85.c_str()) != 0) return {};
    return std::string(pub.data());
}

curve_key_pair generate_curve_key_pair() {
    std::array<char, z85_key_chars + 1> pub{};
    std::array<char, z85_key_chars + 1> sec{};
    if (zmq_curve_keypair(pub.data(), sec.data()) != 0) {
        // Only when libzmq was built without CURVE support.
        throw std::runtime_error(std::string("cannot make a CURVE key pair: ") +
                                 zmq_strerror(zmq_errno()));
    }
    return {std::string(pub.data()), std::string(sec.data())};
}

}  // namespace swarm::proto
