#include "target/sessions.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <mutex>
#include <stdexcept>

namespace swarm::target {
namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 0x0f];
    }
    return out;
}

std::string random_bytes(std::size_t size) {
    std::string out(size, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) != 1) {
        throw std::runtime_error("swarm target: RAND_bytes failed");
    }
    return out;
}

}  // namespace

std::string random_token() {
    const std::string bytes = random_bytes(16);
    return to_hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string session_store::create(std::string_view email) {
    std::string token = random_token();
    std::unique_lock lock(mutex_);
    if (emails_.size() >= capacity_ && !order_.empty()) {
        emails_.erase(order_.front());
        order_.pop_front();
    }
    emails_.emplace(token, std::string(email));
    order_.push_back(token);
    return token;
}

std::optional<std::string> session_store::email_of(std::string_view token) const {
    std::shared_lock lock(mutex_);
    auto it = emails_.find(token);
    if (it == emails_.end()) return std::nullopt;
    return it->second;
}

csrf_signer::csrf_signer() : secret_(random_bytes(32)) {}

std::string csrf_signer::token_for(std::string_view binding) const {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int size = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(binding.data()), binding.size(), mac.data(), &size);
    return to_hex(mac.data(), size);
}

bool csrf_signer::verify(std::string_view binding, std::string_view token) const {
    const std::string expected = token_for(binding);
    return token.size() == expected.size() &&
           CRYPTO_memcmp(token.data(), expected.data(), expected.size()) == 0;
}

}  // namespace swarm::target
