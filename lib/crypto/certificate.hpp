// Certificates as the checks see them: loaded from PEM, DER or PKCS#12 (OpenSSL)
// into plain data, and chains validated by Botan (an implementation independent
// of the OpenSSL that may have built them). No OpenSSL or Botan type leaks out.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/csr.hpp"
#include "crypto/keys.hpp"

namespace certtool::crypto {

struct DecodedCertificate;  // botan_certificate.hpp

using TimePoint = std::chrono::system_clock::time_point;

struct Certificate {
    std::string der;                  // the encoded certificate
    std::string sha256_fingerprint;   // SHA-256 of der, lower-case hex (Windows shows SHA-1 as the thumbprint)
    std::string sha1_thumbprint;      // what Get-CsCertificate / the Windows store call the thumbprint
    std::string public_key_sha256;    // SHA-256 of the DER SubjectPublicKeyInfo (same as PrivateKey::public_key_sha256)
    DistinguishedName subject;
    DistinguishedName issuer;
    std::string serial_hex;
    std::vector<std::string> dns_names;   // SAN dNSName entries, in order
    std::vector<std::string> ip_addresses;  // SAN iPAddress entries, textual
    std::vector<std::string> eku;         // "serverAuth", "clientAuth", "anyExtendedKeyUsage", or dotted OIDs
    bool has_eku_extension = false;
    std::vector<std::string> key_usage;   // "digitalSignature", "keyEncipherment", "keyCertSign", ...
    bool has_key_usage_extension = false;
    std::vector<std::string> crl_distribution_points;  // URIs
    bool is_ca = false;                   // basicConstraints cA
    KeyParams key;                        // RSA bits, or EC curve size
    std::string key_algorithm;            // "RSA", "EC", or the OpenSSL short name of anything else
    std::string signature_algorithm;      // OpenSSL long name, e.g. "sha256WithRSAEncryption", "rsassaPss", "md5WithRSAEncryption"
    std::string signature_hash;           // "sha1", "sha256", ... ("" if none, e.g. Ed25519)
    bool signature_is_pss = false;
    TimePoint not_before;                 // both clamped to 1950 .. 2200 (core/time.hpp time_point_of)
    TimePoint not_after;
    std::string ms_template;              // 1.3.6.1.4.1.311.20.2 or the v2 template OID, if present
    // The one decode of der (by Botan), which validate_chain reuses; null when
    // Botan cannot decode it. Not data: a copy kept for reporting may drop it.
    std::shared_ptr<const DecodedCertificate> decoded;
};

// What a file (or a TLS handshake) gave us: certificates in order (the first
// is taken as the leaf), and the private key if the file held one.
struct CertificateBundle {
    std::vector<Certificate> certificates;
    std::optional<PrivateKey> key;
    std::string format;  // "PEM", "DER", "PKCS#12"
};

// Reads PEM (one or many CERTIFICATE blocks, garbage between blocks ignored,
// an optional private key block), DER, or PKCS#12 (with the password when one
// is needed). Throws CryptoError: "cert.unreadable" (none of the formats),
// "cert.pkcs12-password" (wrong or missing password), "cert.pkcs12-mac" (MAC
// broken), "cert.pkcs12-iterations" (a MAC or key derivation of more than
// 1,000,000 iterations, or 4,000,000 in all: see crypto/pbe_limits.hpp),
// "key.iterations" (the same for an encrypted PEM key), "cert.empty" (no certificate in it).
CertificateBundle load_certificates(std::string_view data, const std::optional<std::string>& pkcs12_password);

Certificate parse_certificate_der(std::string_view der);

// Whether `key` is the private key of `certificate` (same public key).
bool key_matches(const PrivateKey& key, const Certificate& certificate);

// Path validation (RFC 5280 with WebPKI-style leaf rules) done by Botan.
struct ValidationRequest {
    std::vector<std::string> trusted_der;       // trust anchors; empty = the system store (/etc/ssl/certs)
    bool use_system_store = false;              // add the system store to trusted_der
    std::vector<std::string> intermediates_der; // untrusted, offered for path building
    std::optional<TimePoint> at;                // validation time (default: now)
    std::optional<std::string> hostname;        // DNS name or IP literal to match (RFC 9525; no CN fallback)
    bool require_server_auth = true;            // leaf EKU must allow serverAuth when present
    std::optional<std::size_t> max_chain_depth;
};

struct ValidationResult {
    bool valid = false;
    std::string code;     // stable: "chain.ok", "chain.untrusted", "chain.expired", "chain.not-yet-valid",
                          // "chain.name-mismatch", "chain.eku", "chain.key-usage", "chain.signature",
                          // "chain.weak-algorithm", "chain.name-constraints", "chain.basic-constraints",
                          // "chain.invalid" (anything else)
    std::string message;  // Botan's status text and what it means for the admin
    std::vector<std::string> chain_sha256;  // fingerprints of the built path, leaf first (when one was built)
};

ValidationResult validate_chain(const Certificate& leaf, const ValidationRequest& request);

}  // namespace certtool::crypto
