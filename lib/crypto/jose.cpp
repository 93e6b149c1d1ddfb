#include "crypto/jose.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <array>
#include <climits>

#include "crypto/openssl_util.hpp"

namespace certtool::crypto {

namespace {

using BnPtr = std::unique_ptr<BIGNUM, ossl::Deleter<BIGNUM, BN_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, ossl::Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, ossl::Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, ossl::Deleter<OSSL_PARAM, OSSL_PARAM_free>>;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

EVP_PKEY* require(const PrivateKey& key) {
    if (!key.impl().pkey) throw CryptoError("key.empty", "the private key object holds no key");
    return key.impl().pkey.get();
}

// Field size in bytes of the key's curve: R, S, x and y are padded to it.
std::size_t ec_field_bytes(const EVP_PKEY* pkey) { return static_cast<std::size_t>((EVP_PKEY_get_bits(pkey) + 7) / 8); }

const char* ec_digest(int bits) {
    if (bits <= 256) return "SHA256";
    if (bits <= 384) return "SHA384";
    return "SHA512";
}

BnPtr bn_param(const EVP_PKEY* pkey, const char* name) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1 || bn == nullptr) throw ossl::error("key.invalid", "cannot read the public key");
    return BnPtr(bn);
}

std::string bn_bytes(const BIGNUM* bn, std::size_t pad) {
    const std::size_t size = pad != 0 ? pad : static_cast<std::size_t>(BN_num_bytes(bn));
    std::string out(size, '\0');
    if (BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size)) < 0)
        throw CryptoError("key.invalid", "a key component is larger than its field");
    return out;
}

BnPtr bn_from(std::string_view bytes) {
    return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
}

int checked_int(std::size_t n) {
    if (n > static_cast<std::size_t>(INT_MAX)) throw CryptoError("jws.too-large", "input too large");
    return static_cast<int>(n);
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto at = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
        for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
    }
    if (bytes.size() - i == 1) {
        const unsigned v = at(i) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
    } else if (bytes.size() - i == 2) {
        const unsigned v = (at(i) << 16) | (at(i + 1) << 8);
        for (int shift : {18, 12, 6}) out += kAlphabet[(v >> shift) & 63];
    }
    return out;
}

std::string base64url_decode(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1) throw CryptoError("base64url.invalid", "not base64url: impossible length");
    std::string out;
    unsigned v = 0;
    int bits = 0;
    for (const char c : text) {
        int d = -1;
        if (c >= 'A' && c <= 'Z') d = c - 'A';
        else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
        else if (c >= '0' && c <= '9') d = c - '0' + 52;
        else if (c == '-') d = 62;
        else if (c == '_') d = 63;
        if (d < 0) throw CryptoError("base64url.invalid", "not base64url: a character outside A-Z a-z 0-9 - _");
        v = (v << 6) | static_cast<unsigned>(d);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((v >> bits) & 0xff);
        }
    }
    return out;
}

std::string sha256_bytes(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1)
        throw ossl::error("digest.failed", "SHA-256 failed");
    return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    if (HMAC(EVP_sha256(), key.data(), checked_int(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
             mac.data(), &length) == nullptr)
        throw ossl::error("hmac.failed", "HMAC-SHA256 failed");
    return std::string(reinterpret_cast<const char*>(mac.data()), length);
}

JwkMembers public_jwk(const PrivateKey& key) {
    const EVP_PKEY* pkey = require(key);
    JwkMembers jwk;
    if (EVP_PKEY_is_a(pkey, "EC")) {
        const std::size_t size = ec_field_bytes(pkey);
        jwk.kty = "EC";
        jwk.crv = size == 32 ? "P-256" : size == 48 ? "P-384" : size == 66 ? "P-521" : "";
        if (jwk.crv.empty()) throw CryptoError("key.algorithm", "only P-256, P-384 and P-521 keys can sign ACME requests");
        jwk.x = base64url_encode(bn_bytes(bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X).get(), size));
        jwk.y = base64url_encode(bn_bytes(bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y).get(), size));
        return jwk;
    }
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        jwk.kty = "RSA";
        jwk.n = base64url_encode(bn_bytes(bn_param(pkey, OSSL_PKEY_PARAM_RSA_N).get(), 0));
        jwk.e = base64url_encode(bn_bytes(bn_param(pkey, OSSL_PKEY_PARAM_RSA_E).get(), 0));
        return jwk;
    }
    throw CryptoError("key.algorithm", "only EC (P-256, P-384, P-521) and RSA keys can sign ACME requests");
}

std::string jws_algorithm(const PrivateKey& key) {
    const EVP_PKEY* pkey = require(key);
    if (EVP_PKEY_is_a(pkey, "RSA")) return "RS256";
    if (EVP_PKEY_is_a(pkey, "EC")) {
        const int bits = EVP_PKEY_get_bits(pkey);
        if (bits == 256) return "ES256";
        if (bits == 384) return "ES384";
        if (bits == 521) return "ES512";
    }
    throw CryptoError("key.algorithm", "only EC (P-256, P-384, P-521) and RSA keys can sign ACME requests");
}

std::string jws_sign(const PrivateKey& key, std::string_view signing_input) {
    EVP_PKEY* pkey = require(key);
    const bool ec = EVP_PKEY_is_a(pkey, "EC");
    (void)jws_algorithm(key);  // refuses other key types before signing
    ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, ec ? ec_digest(EVP_PKEY_get_bits(pkey)) : "SHA256", nullptr, nullptr,
                                      pkey, nullptr) != 1)
        throw ossl::error("jws.sign", "cannot start the signature");
    std::size_t length = 0;
    const auto* input = reinterpret_cast<const unsigned char*>(signing_input.data());
    if (EVP_DigestSign(ctx.get(), nullptr, &length, input, signing_input.size()) != 1)
        throw ossl::error("jws.sign", "cannot size the signature");
    std::string der(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &length, input, signing_input.size()) != 1)
        throw ossl::error("jws.sign", "cannot sign");
    der.resize(length);
    if (!ec) return der;  // RSASSA-PKCS1-v1_5 is already the JWS form

    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
    if (!sig) throw ossl::error("jws.sign", "cannot read the ECDSA signature");
    const std::size_t size = ec_field_bytes(pkey);
    return bn_bytes(ECDSA_SIG_get0_r(sig.get()), size) + bn_bytes(ECDSA_SIG_get0_s(sig.get()), size);
}

bool jws_verify(const JwkMembers& jwk, const std::string& alg, std::string_view signing_input, std::string_view signature) {
    try {
        ParamBldPtr bld(OSSL_PARAM_BLD_new());
        if (!bld) return false;
        std::string der_signature;
        const char* digest = "SHA256";
        BnPtr n, e;
        std::string point;
        const char* type = nullptr;
        if (jwk.kty == "EC") {
            const std::string x = base64url_decode(jwk.x), y = base64url_decode(jwk.y);
            const char* group = jwk.crv == "P-256" ? "prime256v1" : jwk.crv == "P-384" ? "secp384r1" : jwk.crv == "P-521" ? "secp521r1" : nullptr;
            const std::string expected_alg = jwk.crv == "P-256" ? "ES256" : jwk.crv == "P-384" ? "ES384" : "ES512";
            if (group == nullptr || alg != expected_alg || x.size() != y.size() || signature.size() != 2 * x.size()) return false;
            digest = jwk.crv == "P-256" ? "SHA256" : jwk.crv == "P-384" ? "SHA384" : "SHA512";
            point = std::string(1, '\x04') + x + y;
            if (OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
                OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1)
                return false;
            SigPtr sig(ECDSA_SIG_new());
            BnPtr r = bn_from(signature.substr(0, x.size())), s = bn_from(signature.substr(x.size()));
            if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return false;
            r.release();
            s.release();
            unsigned char* out = nullptr;
            const int len = i2d_ECDSA_SIG(sig.get(), &out);
            if (len <= 0) return false;
            der_signature.assign(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
            OPENSSL_free(out);
            type = "EC";
        } else if (jwk.kty == "RSA") {
            if (alg != "RS256") return false;
            n = bn_from(base64url_decode(jwk.n));
            e = bn_from(base64url_decode(jwk.e));
            if (!n || !e || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
                OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
                return false;
            der_signature = std::string(signature);
            type = "RSA";
        } else {
            return false;
        }
        ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
        ossl::PkeyCtxPtr from(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
        EVP_PKEY* raw = nullptr;
        if (!params || !from || EVP_PKEY_fromdata_init(from.get()) != 1 ||
            EVP_PKEY_fromdata(from.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
            ERR_clear_error();
            return false;
        }
        ossl::PkeyPtr pkey(raw);
        ossl::MdCtxPtr ctx(EVP_MD_CTX_new());
        const bool ok = ctx && EVP_DigestVerifyInit_ex(ctx.get(), nullptr, digest, nullptr, nullptr, pkey.get(), nullptr) == 1 &&
                        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der_signature.data()), der_signature.size(),
                                         reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
        ERR_clear_error();
        return ok;
    } catch (const CryptoError&) {
        return false;
    }
}

std::string csr_der(std::string_view pem_or_der) {
    ossl::BioPtr bio(BIO_new_mem_buf(pem_or_der.data(), checked_int(pem_or_der.size())));
    if (!bio) throw ossl::error("csr.invalid", "cannot read the request");
    ossl::ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!req) {
        ERR_clear_error();
        const auto* p = reinterpret_cast<const unsigned char*>(pem_or_der.data());
        req.reset(d2i_X509_REQ(nullptr, &p, static_cast<long>(pem_or_der.size())));
    }
    if (!req) throw ossl::error("csr.invalid", "not a PEM or DER certificate request");
    unsigned char* out = nullptr;
    const int len = i2d_X509_REQ(req.get(), &out);
    if (len <= 0) throw ossl::error("csr.invalid", "cannot encode the request as DER");
    std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
    OPENSSL_free(out);
    return der;
}

}  // namespace certtool::crypto
