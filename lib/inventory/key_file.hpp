// Private key files (PEM, PKCS#8 or traditional, encrypted or not): one reader
// for every verb that takes a key, with one size limit, the file's bytes held
// as a Secret (wiped however the read ends).
#pragma once

#include <cstddef>
#include <string>

#include "core/secret.hpp"
#include "crypto/keys.hpp"

namespace certtool::inventory {

inline constexpr std::size_t kMaxKeyFile = 1u << 20;

struct KeyFile {
    crypto::PrivateKey key;
    bool encrypted = false;  // the file holds it encrypted
};

// Reads `path` (at most kMaxKeyFile bytes) and opens the key with `passphrase`.
// Throws InputError "<code_prefix>.io" / "<code_prefix>.too-large" naming the
// file when it cannot be read, and crypto::CryptoError (key.encrypted,
// key.wrong-passphrase, key.not-a-key, ...) when it is no key `passphrase`
// opens; the callers say what to do about each in their own words.
KeyFile read_key_file(const std::string& path, const Secret& passphrase, const std::string& code_prefix);

// The file's bytes unparsed, as a Secret: a key kept beside its replacement.
Secret read_key_bytes(const std::string& path, const std::string& code_prefix);

}  // namespace certtool::inventory
