// Private keys with OpenSSL 3 EVP APIs only (no deprecated RSA_* / EC_KEY_*).
#include "crypto/keys.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include <climits>
#include <cstring>
#include <new>
#include <string>

#include "crypto/digest.hpp"
#include "crypto/openssl_util.hpp"
#include "crypto/pbe_limits.hpp"

namespace certtool::crypto {

namespace {

const char* curve_for_bits(int bits) {
    switch (bits) {
        case 256: return "P-256";
        case 384: return "P-384";
        case 521: return "P-521";
        default: return nullptr;
    }
}

// The EC curves we accept, as OpenSSL may name them, and their sizes.
int bits_for_curve(const std::string& group) {
    if (group == "prime256v1" || group == "P-256" || group == "secp256r1") return 256;
    if (group == "secp384r1" || group == "P-384") return 384;
    if (group == "secp521r1" || group == "P-521") return 521;
    return 0;
}

std::string group_name(const EVP_PKEY* pkey) {
    char name[80] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_group_name(pkey, name, sizeof name, &len) != 1) return {};
    return std::string(name, len);
}

const EVP_PKEY* require_key(const std::unique_ptr<PrivateKey::Impl>& impl) {
    if (!impl || !impl->pkey) throw CryptoError("key.empty", "the private key object holds no key");
    return impl->pkey.get();
}

// Whether the key holds its private half (a public key PEM must not pass
// for a private key).
bool has_private_component(const EVP_PKEY* pkey) {
    const char* param = EVP_PKEY_is_a(pkey, "RSA") ? OSSL_PKEY_PARAM_RSA_D : OSSL_PKEY_PARAM_PRIV_KEY;
    BIGNUM* secret = nullptr;
    const bool ok = EVP_PKEY_get_bn_param(pkey, param, &secret) == 1 && secret != nullptr;
    BN_clear_free(secret);
    ERR_clear_error();
    return ok;
}

// Password callback state for load_private_key_pem.
struct PassState {
    const std::optional<std::string>* passphrase = nullptr;
    bool asked = false;
};

int load_password_cb(char* buf, int size, int /*rwflag*/, void* u) {
    auto* state = static_cast<PassState*>(u);
    state->asked = true;
    if (state->passphrase == nullptr || !state->passphrase->has_value()) return -1;
    const std::string& pass = **state->passphrase;
    if (size < 0 || pass.size() > static_cast<std::size_t>(size)) return -1;
    std::memcpy(buf, pass.data(), pass.size());
    return static_cast<int>(pass.size());
}

}  // namespace

PrivateKey::PrivateKey() : impl_(std::make_unique<Impl>()) {}
PrivateKey::~PrivateKey() = default;

// A moved-from key keeps an (empty) Impl so that impl() stays valid; its
// use then throws "key.empty".
PrivateKey::PrivateKey(PrivateKey&& other) noexcept : impl_(std::move(other.impl_)) {
    other.impl_.reset(new (std::nothrow) Impl());
}

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
    if (this != &other) {
        if (impl_ && other.impl_) {
            impl_->pkey.reset(other.impl_->pkey.release());
        } else {
            impl_.swap(other.impl_);
        }
    }
    return *this;
}

KeyParams PrivateKey::params() const {
    const EVP_PKEY* pkey = require_key(impl_);
    KeyParams out;
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        out.type = KeyType::rsa;
        out.bits = EVP_PKEY_get_bits(pkey);
    } else if (EVP_PKEY_is_a(pkey, "EC")) {
        out.type = KeyType::ec;
        out.bits = bits_for_curve(group_name(pkey));
        if (out.bits == 0) out.bits = EVP_PKEY_get_bits(pkey);
    } else {
        throw CryptoError("key.unsupported-type", "the key is neither RSA nor EC");
    }
    return out;
}

std::string PrivateKey::public_key_sha256() const {
    const EVP_PKEY* pkey = require_key(impl_);
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(pkey, &der);
    if (len <= 0 || der == nullptr) throw ossl::error("key.encode", "cannot encode the public key");
    std::string hash;
    try {
        hash = sha256_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
    } catch (...) {
        OPENSSL_free(der);
        throw;
    }
    OPENSSL_free(der);
    return hash;
}

PrivateKey generate_key(const KeyParams& params) {
    ossl::PkeyCtxPtr ctx;
    OSSL_PARAM settings[3];
    unsigned int bits = 0;
    unsigned int exponent = 65537;
    char group[16] = {0};
    char encoding[] = OSSL_PKEY_EC_ENCODING_GROUP;  // "named_curve"

    if (params.type == KeyType::rsa) {
        if (params.bits < 1024 || params.bits > 16384) {
            throw CryptoError("key.params", "RSA key size must be between 1024 and 16384 bits, not " +
                                                std::to_string(params.bits));
        }
        bits = static_cast<unsigned int>(params.bits);
        ctx.reset(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
        settings[0] = OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_BITS, &bits);
        settings[1] = OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_E, &exponent);
        settings[2] = OSSL_PARAM_construct_end();
    } else {
        const char* curve = curve_for_bits(params.bits);
        if (curve == nullptr) {
            throw CryptoError("key.params", "EC key size must be 256, 384 or 521 (P-256, P-384, P-521), not " +
                                                std::to_string(params.bits));
        }
        std::strncpy(group, curve, sizeof group - 1);
        ctx.reset(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
        settings[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
        settings[1] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, encoding, 0);
        settings[2] = OSSL_PARAM_construct_end();
    }

    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_params(ctx.get(), settings) != 1) {
        throw ossl::error("key.generate", "cannot set up key generation");
    }
    EVP_PKEY* raw = nullptr;
    if (EVP_PKEY_generate(ctx.get(), &raw) != 1 || raw == nullptr) {
        EVP_PKEY_free(raw);
        throw ossl::error("key.generate", "key generation failed");
    }
    PrivateKey key;
    key.impl().pkey.reset(raw);
    return key;
}

std::string to_pkcs8_pem(const PrivateKey& key, const std::optional<std::string>& passphrase) {
    const EVP_PKEY* pkey = key.impl().pkey.get();
    if (pkey == nullptr) throw CryptoError("key.empty", "the private key object holds no key");
    if (passphrase && passphrase->empty()) {
        throw CryptoError("key.empty-passphrase", "an empty passphrase cannot protect a private key");
    }
    if (passphrase && passphrase->size() > static_cast<std::size_t>(INT_MAX)) {
        throw CryptoError("key.encode", "the passphrase is too long");
    }
    ossl::BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) throw ossl::error("key.encode", "cannot allocate a memory BIO");

    int ok = 0;
    if (passphrase) {
        // PBES2: PBKDF2 (OpenSSL 3 default PRF hmacWithSHA256) and AES-256-CBC.
        // No callback: OpenSSL 3.0 lets a callback override the passphrase
        // given here, and with the passphrase given it never prompts.
        ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey, EVP_aes_256_cbc(), passphrase->data(),
                                           static_cast<int>(passphrase->size()), nullptr, nullptr);
    } else {
        ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr);
    }
    if (ok != 1) {
        // Wipe whatever part of the key text was written before the failure.
        (void)ossl::bio_to_string(bio.get(), true);
        throw ossl::error("key.encode", "cannot write the private key as PKCS#8 PEM");
    }
    return ossl::bio_to_string(bio.get(), true);
}

PrivateKey load_private_key_pem(std::string_view pem, const std::optional<std::string>& passphrase) {
    if (pem.size() > static_cast<std::size_t>(INT_MAX)) throw CryptoError("key.not-a-key", "the key text is too large");
    if (passphrase) pbe::check_pem_keys(pem.data(), static_cast<int>(pem.size()));  // "key.iterations"
    ossl::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) throw ossl::error("key.load", "cannot allocate a memory BIO");

    ERR_clear_error();
    PassState state;
    state.passphrase = &passphrase;
    ossl::PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, load_password_cb, &state));
    if (!pkey) {
        if (state.asked && !passphrase) {
            ERR_clear_error();
            throw CryptoError("key.encrypted", "the private key is encrypted and no passphrase was given");
        }
        if (state.asked) {
            ERR_clear_error();
            throw CryptoError("key.wrong-passphrase", "the passphrase does not decrypt the private key");
        }
        ERR_clear_error();
        throw CryptoError("key.not-a-key", "the text holds no PEM private key");
    }
    ERR_clear_error();
    if (!EVP_PKEY_is_a(pkey.get(), "RSA") && !EVP_PKEY_is_a(pkey.get(), "EC")) {
        throw CryptoError("key.unsupported-type", "only RSA and EC private keys are supported");
    }
    if (EVP_PKEY_is_a(pkey.get(), "EC") && bits_for_curve(group_name(pkey.get())) == 0) {
        throw CryptoError("key.unsupported-type", "only EC keys on P-256, P-384 or P-521 are supported");
    }
    if (!has_private_component(pkey.get())) {
        throw CryptoError("key.not-a-key", "the text holds a public key, not a private key");
    }
    PrivateKey key;
    key.impl().pkey = std::move(pkey);
    return key;
}

void cleanse(std::string& secret) {
    if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
    secret.clear();
}

}  // namespace certtool::crypto
