// The primitives an ACME client (RFC 8555) needs from cryptography, kept here
// because lib/crypto is the only place that may call OpenSSL: base64url, SHA-256
// and HMAC-SHA256 as raw bytes, the public half of a key as JWK members (RFC
// 7518), JWS signatures (RFC 7515: ES256/ES384/ES512 as R||S, RS256), and the
// DER of a PEM CSR. JSON is built by the caller (lib/acme) from these values.
#pragma once

#include <string>
#include <string_view>

#include "crypto/keys.hpp"

namespace certtool::crypto {

// RFC 4648 section 5, without padding (RFC 7515 section 2).
std::string base64url_encode(std::string_view bytes);
// Accepts the unpadded form (and tolerates '=' padding); throws CryptoError
// "base64url.invalid" on any other character or an impossible length.
std::string base64url_decode(std::string_view text);

std::string sha256_bytes(std::string_view data);                         // 32 raw bytes
std::string hmac_sha256(std::string_view key, std::string_view data);    // 32 raw bytes

// The public members of a key's JWK, each already base64url where RFC 7518 says
// so: EC keys have kty "EC", crv ("P-256", "P-384", "P-521"), x, y (padded to the
// field size); RSA keys kty "RSA", n, e (no leading zero octets).
struct JwkMembers {
    std::string kty;
    std::string crv;
    std::string x;
    std::string y;
    std::string n;
    std::string e;
};
JwkMembers public_jwk(const PrivateKey& key);

// The JWS "alg" for this key: ES256, ES384, ES512 or RS256. Throws CryptoError
// "key.algorithm" for anything else.
std::string jws_algorithm(const PrivateKey& key);

// Signs `signing_input` (ASCII "protected.payload") with the key: ECDSA
// signatures come back as the fixed-size R||S concatenation RFC 7518 section
// 3.4 requires (not DER), RSA as PKCS#1 v1.5 with SHA-256.
std::string jws_sign(const PrivateKey& key, std::string_view signing_input);

// Checks a JWS signature made by the key these JWK members describe. For tests
// and for checking a signature before it is sent; false on any mismatch.
bool jws_verify(const JwkMembers& jwk, const std::string& alg, std::string_view signing_input, std::string_view signature);

// The DER of a PEM (or already DER) certificate request. Throws CryptoError
// "csr.invalid" when it is neither.
std::string csr_der(std::string_view pem_or_der);

}  // namespace certtool::crypto
