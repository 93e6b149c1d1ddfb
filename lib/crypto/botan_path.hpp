// Chain validation with Botan 2, in parts that share these declarations
// (internal to lib/crypto, as they name Botan types):
//   trust_store.cpp       the system store and the decodes kept per process
//                         (trust anchors, intermediates, issuer public keys);
//   path_builder.cpp      candidate paths from the leaf to an anchor, bounded;
//   name_constraints.cpp  RFC 5280 name constraints, read and applied here;
//   webpki_profile.cpp    RFC 5280 and CA/Browser Forum rules Botan 2 does not
//                         enforce, on every certificate of a path;
//   botan_path.cpp        validate_chain: Botan's checks on each candidate
//                         path, then the ones above, then the name.
#pragma once

#include <botan/asn1_obj.h>
#include <botan/certstor.h>
#include <botan/pk_keys.h>
#include <botan/pkix_types.h>
#include <botan/x509cert.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/certificate.hpp"

namespace certtool::crypto::chain {

using CertPtr = std::shared_ptr<const Botan::X509_Certificate>;
using Path = std::vector<CertPtr>;  // leaf first, trust anchor last

// Why a path is refused: a stable chain.* code and what it means for the admin.
struct Problem {
    std::string code;
    std::string message;
};

inline const Botan::OID kSanOid{"2.5.29.17"};
inline const Botan::OID kEkuOid{"2.5.29.37"};
inline const Botan::OID kAkiOid{"2.5.29.35"};
inline const Botan::OID kSkiOid{"2.5.29.14"};
inline const Botan::OID kBcOid{"2.5.29.19"};
inline const Botan::OID kPcOid{"2.5.29.36"};
inline const Botan::OID kNcOid{"2.5.29.30"};
inline const Botan::OID kAiaOid{"1.3.6.1.5.5.7.1.1"};
inline const Botan::OID kKuOid{"2.5.29.15"};

inline bool ext_present(const Botan::X509_Certificate& c, const Botan::OID& oid) {
    return c.v3_extensions().extension_set(oid);
}
inline bool ext_critical(const Botan::X509_Certificate& c, const Botan::OID& oid) {
    return c.v3_extensions().critical_extension_set(oid);
}
inline bool self_issued(const Botan::X509_Certificate& c) { return c.raw_subject_dn() == c.raw_issuer_dn(); }
// Botan's comparison of two names (X509_DN's ==, which folds case and
// spaces), with the common case first: the same encoding is the same name.
inline bool same_name(const Botan::X509_DN& a, const std::vector<uint8_t>& a_der, const Botan::X509_DN& b,
                      const std::vector<uint8_t>& b_der) {
    return a_der == b_der || a == b;
}
inline bool issued_by_name(const Botan::X509_Certificate& subject, const Botan::X509_Certificate& issuer) {
    return same_name(subject.issuer_dn(), subject.raw_issuer_dn(), issuer.subject_dn(), issuer.raw_subject_dn());
}

// ---- trust_store.cpp
// A trusted or offered certificate, decoded once per process; null when Botan
// cannot decode it.
CertPtr cached_certificate(const std::string& der);
// SHA-256 of a trusted or offered certificate (hex), computed once per process.
std::string certificate_sha256(const std::string& der);
const Botan::Certificate_Store* system_store();
std::shared_ptr<const Botan::Public_Key> cached_public_key(const Botan::X509_Certificate& c);

// ---- path_builder.cpp
// The candidate paths from `leaf` to one of `anchors` (or a certificate of
// the system store), through the offered intermediates, within fixed bounds.
std::vector<Path> build_paths(const CertPtr& leaf, const std::vector<CertPtr>& offered, const std::vector<CertPtr>& anchors,
                              const Botan::Certificate_Store* system);
// Number of intermediate CAs in the path, self-issued ones not counted (as for
// pathLenConstraint, RFC 5280 4.2.1.9).
std::size_t intermediate_depth(const Path& path);

// ---- name_constraints.cpp
// A GeneralName: the CHOICE number and the content octets (for a
// directoryName, the DER Name it holds).
struct GenName {
    unsigned tag = 0;
    std::vector<uint8_t> value;
};
// The GeneralName `obj` is, if it is one (by its tag and form).
std::optional<GenName> read_general_name(const Botan::BER_Object& obj);
std::optional<Problem> check_name_constraints(const Path& path);
// Whether Botan's UNKNOWN_CRITICAL_EXTENSION for `c` can only be about its
// name constraints, which Botan could not decode but check_name_constraints
// reads and enforces.
bool only_name_constraints_unknown(const Botan::X509_Certificate& c);

// ---- webpki_profile.cpp
// A dNSName in preferred name syntax (RFC 5280 4.2.1.6 / RFC 1034), with an
// optional "*." leftmost label.
bool dns_syntax_ok(const std::string& name);
// Rules from RFC 5280 "MUST"s and the CA/Browser Forum profile that Botan 2
// does not enforce, applied to a built path; `leaf` is the path's first
// certificate as read.
std::optional<Problem> check_profile(const Path& path, const Certificate& leaf);

}  // namespace certtool::crypto::chain
