// Private keys: generation, PKCS#8 PEM in and out, public-key fingerprints.
// lib/crypto is the only place that includes OpenSSL or Botan headers; callers
// see only these types.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace certtool::crypto {

// Errors from key and certificate handling. `code` is stable ("key.encrypted",
// "key.wrong-passphrase", "key.not-a-key", "key.mismatch", "csr.invalid", ...).
class CryptoError : public std::runtime_error {
public:
    CryptoError(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
    [[nodiscard]] const std::string& code() const noexcept { return code_; }

private:
    std::string code_;
};

enum class KeyType { rsa, ec };

struct KeyParams {
    KeyType type = KeyType::rsa;
    int bits = 2048;  // RSA modulus bits, or 256 / 384 / 521 for P-256 / P-384 / P-521
};

// A private key. Movable, not copyable; the key material is freed (and
// OpenSSL cleanses it) when the object goes.
class PrivateKey {
public:
    PrivateKey();
    ~PrivateKey();
    PrivateKey(PrivateKey&&) noexcept;
    PrivateKey& operator=(PrivateKey&&) noexcept;
    PrivateKey(const PrivateKey&) = delete;
    PrivateKey& operator=(const PrivateKey&) = delete;

    [[nodiscard]] KeyParams params() const;
    // SHA-256 of the DER SubjectPublicKeyInfo, 64 lower-case hex digits: the
    // same value for the key, its CSR and its certificate.
    [[nodiscard]] std::string public_key_sha256() const;

    struct Impl;
    [[nodiscard]] Impl& impl() const { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

// Generates a fresh key. Thread-safe: several keys may be generated at once.
PrivateKey generate_key(const KeyParams& params);

// PKCS#8 PEM ("BEGIN PRIVATE KEY"), or encrypted PKCS#8 with AES-256-CBC and a
// PBKDF2 key derivation ("BEGIN ENCRYPTED PRIVATE KEY") when a passphrase is given.
std::string to_pkcs8_pem(const PrivateKey& key, const std::optional<std::string>& passphrase);

// Reads a PEM private key (PKCS#8, encrypted PKCS#8, or traditional RSA/EC).
// Throws CryptoError: "key.encrypted" (encrypted and no passphrase given),
// "key.wrong-passphrase", "key.not-a-key" (no private key in the text),
// "key.iterations" (with a passphrase: an encrypted PKCS#8 key asking for more
// than 1,000,000 PBKDF2 iterations or scrypt N*r*p, checked before deriving anything).
PrivateKey load_private_key_pem(std::string_view pem, const std::optional<std::string>& passphrase);

// Overwrites a string that held a secret (key PEM, passphrase) in a way the
// compiler cannot optimise away, then empties it.
void cleanse(std::string& secret);

}  // namespace certtool::crypto
