#include "crypto/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace certtool::crypto {

namespace {

// Fetched once per process: an implicit fetch (EVP_sha256() with the default
// library context) looks the algorithm up anew at every use, which costs more
// than hashing a certificate. Kept reachable for the whole run.
const EVP_MD* digest_named(const char* name) {
    static const EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    static const EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    const EVP_MD* md = std::string_view(name) == "SHA1" ? sha1 : sha256;
    if (md == nullptr) throw std::runtime_error(std::string("OpenSSL has no ") + name);
    return md;
}

std::string hex_digest(std::string_view data, const char* name) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &length, digest_named(name), nullptr) != 1) {
        throw std::runtime_error(std::string(name) + " computation failed in OpenSSL");
    }
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) { return hex_digest(data, "SHA2-256"); }
std::string sha1_hex(std::string_view data) { return hex_digest(data, "SHA1"); }

}  // namespace certtool::crypto
