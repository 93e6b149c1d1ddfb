// A certificate decoded once, by Botan: the decode validate_chain builds its
// paths from, and the one the fields of Certificate are read from. Internal to
// lib/crypto (it names Botan types).
#pragma once

#include <botan/x509cert.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/certificate.hpp"

namespace certtool::crypto {

struct DecodedCertificate {
    Botan::X509_Certificate x509;
};

// An iPAddress entry as text: dotted IPv4, RFC 5952 IPv6, or the octets in
// hex for any other length.
std::string ip_address_text(const uint8_t* data, std::size_t length);

// Botan's decode of exactly one DER certificate filling all of `der`; null
// when Botan cannot decode it.
std::shared_ptr<const DecodedCertificate> decode_certificate(std::string_view der);

// The fields of Certificate (all but der and the three digests) from Botan's
// decode, each as OpenSSL reads it, which certtool did before (so names,
// strings and numbers are unchanged). false, with `out` unspecified, where
// reading the key or the signature takes OpenSSL's own decoding: any key but
// RSA (rsaEncryption), and RSASSA-PSS signatures.
bool read_fields(const Botan::X509_Certificate& x509, Certificate& out);

// The Botan certificate of `c`: its decode, or one made now. Throws what
// Botan throws for a certificate it cannot decode.
std::shared_ptr<const Botan::X509_Certificate> botan_certificate(const Certificate& c);

}  // namespace certtool::crypto
