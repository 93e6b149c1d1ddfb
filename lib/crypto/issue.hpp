// Issuing: self-signed CA certificates, certificates signed from a CSR, and
// CRLs, built with OpenSSL. certtool decides every field (names from the plan,
// never copied from the request); this layer only encodes and signs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/csr.hpp"
#include "crypto/keys.hpp"

namespace certtool::crypto {

// What a CSR asks for, read with OpenSSL (the signature is verified).
struct CsrContents {
    DistinguishedName subject;
    std::vector<std::string> dns_names;  // SAN dNSName entries, in order
    std::vector<std::string> eku;
    std::string public_key_der;          // SubjectPublicKeyInfo
    std::string public_key_sha256;
    KeyParams key;
};

// Throws CryptoError "csr.invalid" (not a CSR, PEM or DER) or "csr.signature"
// (its self-signature does not verify).
CsrContents read_csr(std::string_view pem_or_der);

struct IssueRequest {
    DistinguishedName subject;
    std::vector<std::string> dns_names;     // SAN, in this order (empty: no SAN extension)
    std::vector<std::string> eku;           // "serverAuth", "clientAuth" (empty: no EKU extension)
    std::vector<std::string> key_usage;     // "digitalSignature", "keyEncipherment", "keyCertSign", "cRLSign"
    std::vector<std::string> crl_urls;      // CRL distribution points (URIs)
    bool is_ca = false;                     // basicConstraints cA (critical)
    std::optional<int> path_length;         // only with is_ca
    TimePoint not_before;
    TimePoint not_after;
    std::string signature_hash = "sha256";  // PKCS#1 v1.5 or ECDSA with this hash; never PSS
    // Serial number, big-endian bytes. Empty: 16 random bytes (128 bits, top bit
    // cleared so the INTEGER stays positive, never zero).
    std::string serial;
};

// The issuer: its certificate (DER) and key. For a self-signed certificate the
// issuer is the subject's own key and no certificate.
struct Issuer {
    const Certificate* certificate = nullptr;  // nullptr: self-signed
    const PrivateKey* key = nullptr;
};

// Signs a certificate for `subject_public_key_der` (a SubjectPublicKeyInfo)
// with subject key identifier, authority key identifier (from the issuer's
// SKI, or the own key when self-signed), and the fields of `request`. Returns
// the DER. Throws CryptoError "issue.failed" (with OpenSSL's reason) or
// "issue.key-mismatch" (issuer key is not the issuer certificate's).
std::string issue_certificate(std::string_view subject_public_key_der, const IssueRequest& request, const Issuer& issuer);

// The SubjectPublicKeyInfo (DER) of a private key, for self-signed certificates.
std::string public_key_der(const PrivateKey& key);

struct RevokedEntry {
    std::string serial_hex;  // as Certificate::serial_hex
    TimePoint revoked_at;
};

struct EncodedCrl {
    std::string der;  // what a CRL distribution point serves
    std::string pem;  // the same CRL, "BEGIN X509 CRL"
};

// A version 2 CRL signed by the issuer, with CRL number and AKI extensions.
// Throws CryptoError "crl.failed".
EncodedCrl make_crl(const Issuer& issuer, const std::vector<RevokedEntry>& revoked, long crl_number, TimePoint this_update,
                         TimePoint next_update, const std::string& signature_hash = "sha256");

std::string certificate_pem(std::string_view der);  // "BEGIN CERTIFICATE"

}  // namespace certtool::crypto
