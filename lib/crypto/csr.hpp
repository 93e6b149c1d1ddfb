// PKCS#10 certificate signing requests: built with OpenSSL, and read back with
// Botan, an independent implementation, before anything is written.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/keys.hpp"

namespace certtool::crypto {

struct DistinguishedName {
    std::string common_name;
    std::string organization;
    std::string organizational_unit;
    std::string locality;
    std::string state;
    std::string country;
};

struct CsrRequest {
    DistinguishedName subject;
    std::vector<std::string> dns_names;  // SAN extension, in this order
    std::vector<std::string> eku;        // "serverAuth", "clientAuth"
    std::vector<std::string> key_usage;  // "digitalSignature", "keyEncipherment"
    std::string signature_hash = "sha256";  // sha1, sha256, sha384, sha512; never RSASSA-PSS
    // Microsoft certificate template name: adds the szOID_ENROLL_CERTTYPE_EXTENSION
    // (1.3.6.1.4.1.311.20.2, a BMPString) so that an enterprise CA applies it.
    std::optional<std::string> ms_template;
};

// Builds and signs a CSR; returns PEM ("BEGIN CERTIFICATE REQUEST").
// Throws CryptoError on failure ("csr.build").
std::string make_csr_pem(const PrivateKey& key, const CsrRequest& request);

// What an independent parser (Botan) reads back from a CSR.
struct ParsedCsr {
    bool signature_valid = false;
    std::string signature_algorithm;  // e.g. "RSA/EMSA3(SHA-256)" as Botan names it
    DistinguishedName subject;
    std::vector<std::string> dns_names;  // in the order they appear
    std::vector<std::string> eku;        // "serverAuth", "clientAuth", or the dotted OID for others
    std::vector<std::string> key_usage;  // "digitalSignature", "keyEncipherment", ...
    std::optional<std::string> ms_template;
    std::string public_key_sha256;  // SHA-256 of the DER SubjectPublicKeyInfo
};

// Parses a PEM or DER CSR with Botan and verifies its self-signature.
// Throws CryptoError "csr.invalid" if it cannot be parsed.
ParsedCsr parse_csr_independently(std::string_view csr);

}  // namespace certtool::crypto
