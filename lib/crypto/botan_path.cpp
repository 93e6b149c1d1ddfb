// Chain validation with Botan 2, an implementation independent of the OpenSSL
// that may have issued or read the certificates.
//
// Botan does the RFC 5280 path building and checking. These checks are done
// here, on top of it, because Botan 2 is looser than what TLS clients (and so
// Lync's peers) enforce:
//  - the name check (RFC 9525): Botan 2 falls back to the subject CN when there
//    is no dNSName SAN and accepts partial-label wildcards, so the hostname is
//    never passed to Botan; it is matched against the SANs with
//    names::sans_cover (names::matches for DNS names, octets against iPAddress
//    SANs for IP literals);
//  - max_chain_depth on the built path;
//  - name constraints (see check_name_constraints: Botan 2 cannot decode IPv6
//    or otherName constraints and wrongly applies them to self-issued
//    intermediates), so Botan's own verdicts on them are discarded;
//  - a trust anchor is trusted as it is, self-signed or not;
//  - the RFC 5280 and WebPKI rules listed at check_profile().
//
// The parts are in the files botan_path.hpp lists.
#include <botan/exceptn.h>
#include <botan/oids.h>
#include <botan/pkix_enums.h>
#include <botan/x509_ext.h>
#include <botan/x509path.h>

#include <chrono>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/botan_certificate.hpp"
#include "crypto/botan_path.hpp"
#include "crypto/certificate.hpp"
#include "crypto/digest.hpp"
#include "names/names.hpp"

namespace certtool::crypto {

namespace {

using chain::CertPtr;
using chain::Path;
using chain::Problem;
using chain::cached_public_key;

const Botan::OID kRsaPssSignature("1.2.840.113549.1.1.10");

ValidationResult fail(std::string code, std::string message) {
    ValidationResult r;
    r.valid = false;
    r.code = std::move(code);
    r.message = std::move(message);
    return r;
}

struct Mapped {
    const char* code;
    const char* gloss;
};

// Botan 2's Certificate_Status_Code (cert_status.h / pkix_enums.h) to our
// stable codes, with what each means for the administrator.
Mapped map_status(Botan::Certificate_Status_Code status) {
    using S = Botan::Certificate_Status_Code;
    switch (status) {
        case S::OK: return {"chain.ok", "the chain is valid"};
        case S::SIGNATURE_METHOD_TOO_WEAK:
            return {"chain.weak-algorithm", "a key in the chain is too small (less than 2048-bit RSA or 224-bit EC)"};
        case S::UNTRUSTED_HASH:
            return {"chain.weak-algorithm", "a certificate is signed with a hash that is not trusted (MD5 or SHA-1); reissue it with SHA-256"};
        case S::CERT_NOT_YET_VALID: return {"chain.not-yet-valid", "a certificate in the chain is not valid yet (check the clocks)"};
        case S::CERT_HAS_EXPIRED: return {"chain.expired", "a certificate in the chain has expired; renew it"};
        case S::CERT_ISSUER_NOT_FOUND:
            return {"chain.untrusted", "the issuer of a certificate was not found: install the intermediate CA certificates"};
        case S::CANNOT_ESTABLISH_TRUST:
        case S::CHAIN_LACKS_TRUST_ROOT:
            return {"chain.untrusted", "the chain does not end at a trusted root CA"};
        case S::CERT_CHAIN_LOOP: return {"chain.invalid", "the issuers form a loop"};
        case S::CHAIN_NAME_MISMATCH:
            return {"chain.invalid", "a certificate's issuer name does not match the subject of the CA above it"};
        case S::CERT_NAME_NOMATCH: return {"chain.name-mismatch", "the certificate is not valid for the name"};
        case S::INVALID_USAGE: return {"chain.eku", "the certificate may not be used for TLS server authentication"};
        case S::CERT_CHAIN_TOO_LONG:
            return {"chain.basic-constraints", "the chain is longer than a CA's path length constraint allows"};
        case S::CA_CERT_NOT_FOR_CERT_ISSUER:
            return {"chain.basic-constraints", "an issuer is not a CA certificate allowed to sign certificates (basicConstraints / keyCertSign)"};
        case S::NAME_CONSTRAINT_ERROR: return {"chain.name-constraints", "a name is outside a CA's name constraints"};
        case S::SIGNATURE_ERROR: return {"chain.signature", "a signature in the chain does not verify"};
        case S::CERT_PUBKEY_INVALID: return {"chain.signature", "a public key in the chain is invalid"};
        case S::SIGNATURE_ALGO_UNKNOWN:
            return {"chain.weak-algorithm", "a certificate uses a signature algorithm that is not supported"};
        case S::SIGNATURE_ALGO_BAD_PARAMS: return {"chain.signature", "a signature algorithm has bad parameters"};
        case S::CERT_IS_REVOKED: return {"chain.invalid", "a certificate is revoked"};
        case S::UNKNOWN_CRITICAL_EXTENSION:
            return {"chain.invalid", "a certificate has a critical extension that is not understood"};
        case S::DUPLICATE_CERT_EXTENSION: return {"chain.invalid", "a certificate repeats an extension"};
        case S::EXT_IN_V1_V2_CERT: return {"chain.invalid", "a version 1 or 2 certificate carries extensions"};
        case S::V2_IDENTIFIERS_IN_V1_CERT: return {"chain.invalid", "a version 1 certificate carries unique identifiers"};
        case S::DUPLICATE_CERT_POLICY: return {"chain.invalid", "a certificate repeats a policy"};
        case S::POLICY_ERROR: return {"chain.invalid", "the certificate policies of the chain are inconsistent"};
        default: return {"chain.invalid", "the chain is not valid"};
    }
}

// RFC 9525: DNS reference identifiers are matched against dNSName SANs only
// (no CN fallback, wildcard only as the whole leftmost label), an IP literal
// only against iPAddress SANs, by octets (names::sans_cover).
bool name_matches(const Certificate& leaf, const std::string& hostname) {
    return names::sans_cover(leaf.dns_names, leaf.ip_addresses, hostname);
}

std::string der_string(const Botan::X509_Certificate& c) {
    const std::vector<uint8_t> der = c.BER_encode();
    return std::string(reinterpret_cast<const char*>(der.data()), der.size());
}

// What Botan says of a signature algorithm OID, looked up in its (locked)
// OID table once per OID rather than for every certificate: whether it knows
// the OID, and the hash it names (RSASSA-PSS names its hash in parameters,
// which differ from one certificate to the next, so it is not kept).
struct SignatureAlgorithm {
    bool known = false;
    std::string hash;  // as X509_Certificate::hash_used_for_signature gives it, "" when it throws
};

const SignatureAlgorithm& signature_algorithm(const Botan::X509_Certificate& c) {
    static std::mutex mutex;
    static std::map<Botan::OID, SignatureAlgorithm> known;
    const Botan::OID& oid = c.signature_algorithm().get_oid();
    const std::lock_guard<std::mutex> lock(mutex);
    const auto it = known.find(oid);
    if (it != known.end()) return it->second;
    SignatureAlgorithm a;
    a.known = !Botan::OIDS::oid2str_or_empty(oid).empty();
    try {
        a.hash = c.hash_used_for_signature();
    } catch (const std::exception&) {
    }
    // std::map never moves its elements: the reference stays valid.
    return known.emplace(oid, std::move(a)).first->second;
}

bool known_signature_algorithm(const Botan::X509_Certificate& c) { return signature_algorithm(c).known; }

// Throws, as Botan does, where the hash cannot be told.
std::string signature_hash(const Botan::X509_Certificate& c) {
    if (c.signature_algorithm().get_oid() == kRsaPssSignature) return c.hash_used_for_signature();
    const SignatureAlgorithm& a = signature_algorithm(c);
    return a.hash.empty() ? c.hash_used_for_signature() : a.hash;
}

// Botan::PKIX::check_chain of Botan 2.19, step for step, with the hostname
// always empty, except that each issuer key comes from cached_public_key
// instead of being decoded again for every certificate it signed (twice per
// path for a self-signed anchor: for the certificate below it and for its own
// self-signature). The status codes are the same, inserted under the same
// conditions; the checks of the extensions are Botan's own.
Botan::CertificatePathStatusCodes check_chain(const Path& cert_path, std::chrono::system_clock::time_point ref_time,
                                              Botan::Usage_Type usage, std::size_t min_signature_algo_strength,
                                              const std::set<std::string>& trusted_hashes) {
    using S = Botan::Certificate_Status_Code;
    if (cert_path.empty()) throw Botan::Invalid_Argument("PKIX::check_chain cert_path empty");
    const bool self_signed_ee_cert = cert_path.size() == 1;
    const Botan::X509_Time validation_time(ref_time);
    Botan::CertificatePathStatusCodes cert_status(cert_path.size());

    if (!cert_path[0]->allowed_usage(usage)) cert_status[0].insert(S::INVALID_USAGE);
    // RFC 5280: keyCertSign asserted requires the cA bit.
    if (!cert_path[0]->is_CA_cert() && cert_path[0]->has_constraints(Botan::KEY_CERT_SIGN)) {
        cert_status[0].insert(S::INVALID_USAGE);
    }

    for (std::size_t i = 0; i != cert_path.size(); ++i) {
        std::set<S>& status = cert_status.at(i);
        const bool at_self_signed_root = i == cert_path.size() - 1;
        const CertPtr& subject = cert_path[i];
        const CertPtr& issuer = cert_path[at_self_signed_root ? i : i + 1];

        if (at_self_signed_root && !issuer->is_self_signed()) status.insert(S::CHAIN_LACKS_TRUST_ROOT);
        if (!chain::issued_by_name(*subject, *issuer)) status.insert(S::CHAIN_NAME_MISMATCH);
        if (subject->is_serial_negative()) status.insert(S::CERT_SERIAL_NEGATIVE);
        for (const auto& dn_pair : subject->subject_dn().dn_info()) {
            const std::size_t dn_ub = Botan::X509_DN::lookup_ub(dn_pair.first);
            if (dn_ub > 0 && dn_pair.second.size() > dn_ub) status.insert(S::DN_TOO_LONG);
        }
        if (validation_time < subject->not_before()) status.insert(S::CERT_NOT_YET_VALID);
        if (validation_time > subject->not_after()) status.insert(S::CERT_HAS_EXPIRED);
        if (!issuer->is_CA_cert() && !self_signed_ee_cert) status.insert(S::CA_CERT_NOT_FOR_CERT_ISSUER);

        const std::shared_ptr<const Botan::Public_Key> issuer_key = cached_public_key(*issuer);
        if (!known_signature_algorithm(*subject)) {
            status.insert(S::SIGNATURE_ALGO_UNKNOWN);
        } else {
            if (!issuer_key) {
                status.insert(S::CERT_PUBKEY_INVALID);
            } else {
                const S sig_status = subject->verify_signature(*issuer_key);
                if (sig_status != S::VERIFIED) status.insert(sig_status);
                if (issuer_key->estimated_strength() < min_signature_algo_strength) status.insert(S::SIGNATURE_METHOD_TOO_WEAK);
            }
            // Untrusted hashes are ignored on self-signed roots.
            if (!trusted_hashes.empty() && !at_self_signed_root &&
                trusted_hashes.count(signature_hash(*subject)) == 0) {
                status.insert(S::UNTRUSTED_HASH);
            }
        }

        if (subject->x509_version() == 1 &&
            (!subject->v2_issuer_key_id().empty() || !subject->v2_subject_key_id().empty())) {
            status.insert(S::V2_IDENTIFIERS_IN_V1_CERT);
        }
        const Botan::Extensions& extensions = subject->v3_extensions();
        const auto extensions_vec = extensions.extensions();
        if (subject->x509_version() < 3 && !extensions_vec.empty()) status.insert(S::EXT_IN_V1_V2_CERT);
        for (const auto& extension : extensions_vec) {
            extension.first->validate(*subject, *issuer, cert_path, cert_status, i);
        }
        if (extensions.extensions().size() != extensions.get_extension_oids().size()) {
            status.insert(S::DUPLICATE_CERT_EXTENSION);
        }
    }

    // Path length (RFC 5280 6.1.4 (l), (m)).
    std::size_t max_path_length = cert_path.size();
    for (std::size_t i = cert_path.size() - 1; i > 0; --i) {
        std::set<S>& status = cert_status.at(i);
        const CertPtr& subject = cert_path[i];
        if (!chain::issued_by_name(*subject, *subject)) {
            if (max_path_length > 0) {
                --max_path_length;
            } else {
                status.insert(S::CERT_CHAIN_TOO_LONG);
            }
        }
        if (subject->path_limit() != Botan::Cert_Extension::NO_CERT_PATH_LIMIT && subject->path_limit() < max_path_length) {
            max_path_length = subject->path_limit();
        }
    }
    return cert_status;
}

}  // namespace

ValidationResult validate_chain(const Certificate& leaf, const ValidationRequest& request) {
    using namespace chain;
    try {
        const CertPtr leaf_cert = botan_certificate(leaf);
        // Where each offered or trusted certificate came from, for the
        // fingerprints of the path returned.
        std::map<const Botan::X509_Certificate*, const std::string*> der_of;
        std::vector<CertPtr> offered;
        offered.reserve(request.intermediates_der.size());
        for (const std::string& der : request.intermediates_der) {
            // An unreadable offered intermediate (null) is simply not usable for path building.
            if (CertPtr intermediate = cached_certificate(der)) {
                der_of.emplace(intermediate.get(), &der);
                offered.push_back(std::move(intermediate));
            }
        }
        std::vector<CertPtr> anchors;
        for (const std::string& der : request.trusted_der) {
            // An unreadable anchor (null) cannot anchor anything.
            if (CertPtr anchor = cached_certificate(der)) {
                der_of.emplace(anchor.get(), &der);
                anchors.push_back(std::move(anchor));
            }
        }
        auto fingerprints = [&](const Path& path) {
            std::vector<std::string> out{leaf.sha256_fingerprint};
            for (std::size_t i = 1; i < path.size(); ++i) {
                const auto known = der_of.find(path[i].get());
                out.push_back(known != der_of.end() ? certificate_sha256(*known->second) : sha256_hex(der_string(*path[i])));
            }
            return out;
        };
        // Without a system store on this machine, only the explicit anchors count.
        const Botan::Certificate_Store* system =
            request.use_system_store || request.trusted_der.empty() ? system_store() : nullptr;

        // RFC 5280 times have one-second granularity: compare at that granularity.
        const auto when = std::chrono::time_point_cast<std::chrono::seconds>(
            request.at.value_or(std::chrono::system_clock::now()));
        // No revocation checking; Botan's default minimum strength of a
        // signing key (110 bits of security: RSA >= 2048, EC >= 224); only the
        // SHA-2 family is trusted for signatures, so MD5 and SHA-1 fail
        // (Botan does not check the self-signature of a trust anchor).
        const std::set<std::string> trusted_hashes{"SHA-224", "SHA-256", "SHA-384", "SHA-512"};
        const auto usage = request.require_server_auth ? Botan::Usage_Type::TLS_SERVER_AUTH : Botan::Usage_Type::UNSPECIFIED;

        std::vector<Path> paths = build_paths(leaf_cert, offered, anchors, system);
        if (paths.empty()) {
            const bool self_signed = leaf_cert->is_self_signed();
            return fail("chain.untrusted", self_signed
                                               ? "the certificate is self-signed and not a trusted root"
                                               : "no chain to a trusted root CA could be built: the issuer (" +
                                                     leaf_cert->issuer_dn().to_string() +
                                                     ") is neither trusted nor among the intermediates offered");
        }

        std::optional<ValidationResult> first_failure;
        for (Path& path : paths) {
            ValidationResult out;
            Botan::CertificatePathStatusCodes statuses =
                check_chain(path, when, usage, 110, trusted_hashes);
            // Botan checks the last certificate as a self-signed root; a trust
            // anchor that is an intermediate CA is trusted as it is.
            if (!statuses.empty() && !path.back()->is_self_signed()) {
                using S = Botan::Certificate_Status_Code;
                for (const S code : {S::SIGNATURE_ERROR, S::CHAIN_NAME_MISMATCH, S::CANNOT_ESTABLISH_TRUST,
                                     S::CHAIN_LACKS_TRUST_ROOT, S::UNTRUSTED_HASH, S::SIGNATURE_METHOD_TOO_WEAK}) {
                    statuses.back().erase(code);
                }
            }
            // Name constraints are enforced by check_name_constraints instead.
            for (std::size_t i = 0; i < path.size() && i < statuses.size(); ++i) {
                statuses[i].erase(Botan::Certificate_Status_Code::NAME_CONSTRAINT_ERROR);
                if (only_name_constraints_unknown(*path[i])) {
                    statuses[i].erase(Botan::Certificate_Status_Code::UNKNOWN_CRITICAL_EXTENSION);
                }
            }
            const Botan::Path_Validation_Result result(std::move(statuses), std::vector<CertPtr>(path));
            std::optional<Problem> problem;
            if (!result.successful_validation()) {
                const Mapped m = map_status(result.result());
                problem = Problem{m.code, std::string(Botan::to_string(result.result())) + ": " + m.gloss};
            } else if (request.max_chain_depth && intermediate_depth(path) > *request.max_chain_depth) {
                problem = Problem{"chain.basic-constraints",
                                  "the chain has " + std::to_string(intermediate_depth(path)) +
                                      " intermediate CA certificates; at most " +
                                      std::to_string(*request.max_chain_depth) + " are allowed"};
            } else {
                problem = check_profile(path, leaf);
            }
            if (!problem) {
                out.chain_sha256 = fingerprints(path);
                out.valid = true;
                out.code = "chain.ok";
                out.message = "Verified: the chain is valid";
                if (request.hostname && !name_matches(leaf, *request.hostname)) {
                    out.valid = false;
                    out.code = "chain.name-mismatch";
                    out.message = "the certificate is not valid for \"" + *request.hostname +
                                  "\": no subjectAltName entry matches it (the subject CN is not used, RFC 9525)";
                }
                return out;
            }
            if (!first_failure) {
                out.chain_sha256 = fingerprints(path);
                out.code = problem->code;
                out.message = problem->message;
                first_failure = std::move(out);
            }
        }
        return *first_failure;
    } catch (const std::exception& e) {
        return fail("chain.invalid", std::string("a certificate cannot be read for validation: ") + e.what());
    }
}

}  // namespace certtool::crypto
