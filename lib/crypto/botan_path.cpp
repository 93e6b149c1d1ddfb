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
#include <botan/certstor.h>
#include <botan/certstor_system.h>
#include <botan/ber_dec.h>
#include <botan/data_src.h>
#include <botan/exceptn.h>
#include <botan/oids.h>
#include <botan/pk_keys.h>
#include <botan/pkix_enums.h>
#include <botan/x509_ext.h>
#include <botan/x509cert.h>
#include <botan/x509path.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <set>
#include <string>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/digest.hpp"
#include "names/names.hpp"

namespace certtool::crypto {

namespace {

Botan::X509_Certificate botan_cert(const std::string& der) {
    Botan::DataSource_Memory source(reinterpret_cast<const uint8_t*>(der.data()), der.size());
    return Botan::X509_Certificate(source);
}

// Decoding a certificate with Botan 2 is not cheap (a self-signed one has its
// signature checked, which sets up the RSA key's Montgomery parameters), and
// the same trust anchors come with every validate_chain call of a run: each
// one is decoded once per process and shared. The parsed objects are never
// modified, so they are shared between threads too. Bounded, so that a
// long-running caller with ever new anchors cannot grow it without limit.
std::shared_ptr<const Botan::X509_Certificate> cached_anchor(const std::string& der) {
    constexpr std::size_t kMaxCachedAnchors = 4096;
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const Botan::X509_Certificate>> cache;  // null: unreadable
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto it = cache.find(der);
        if (it != cache.end()) return it->second;
    }
    std::shared_ptr<const Botan::X509_Certificate> parsed;
    try {
        parsed = std::make_shared<const Botan::X509_Certificate>(botan_cert(der));
    } catch (const std::exception&) {
        // An unreadable anchor cannot anchor anything.
    }
    const std::lock_guard<std::mutex> lock(mutex);
    if (cache.size() < kMaxCachedAnchors) cache.emplace(der, parsed);
    return parsed;
}

// The system store (/etc/ssl/certs), read and decoded once per process; null
// when this machine has none.
const Botan::Certificate_Store* system_store() {
    static const std::unique_ptr<const Botan::Certificate_Store> store = []() -> std::unique_ptr<const Botan::Certificate_Store> {
        try {
            return std::make_unique<const Botan::System_Certificate_Store>();
        } catch (const std::exception&) {
            return nullptr;
        }
    }();
    return store.get();
}

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

using CertPtr = std::shared_ptr<const Botan::X509_Certificate>;
using Path = std::vector<CertPtr>;

bool self_issued(const Botan::X509_Certificate& c) { return c.raw_subject_dn() == c.raw_issuer_dn(); }

// Number of intermediate CAs in the path (leaf first, anchor last), self-issued
// ones not counted (as for pathLenConstraint, RFC 5280 4.2.1.9).
std::size_t intermediate_depth(const Path& path) {
    std::size_t depth = 0;
    for (std::size_t i = 1; i + 1 < path.size(); ++i) {
        if (!self_issued(*path[i])) ++depth;
    }
    return depth;
}

// Path-building budget. Botan 2's own builder tries every path depth-first,
// which is exponential when many offered CAs share a subject, so paths are
// built here, within fixed bounds, and each is checked by Botan's
// PKIX::check_chain. The offered intermediates are first cut to those that can
// lie on a path from the leaf to an anchor by name chaining.
constexpr std::size_t kMaxIntermediates = 32;
constexpr std::size_t kMaxPathLength = 12;   // certificates, leaf and anchor included
constexpr std::size_t kMaxCandidatePaths = 32;
constexpr std::size_t kMaxBuildSteps = 4096;

std::vector<CertPtr> useful_intermediates(const Botan::X509_Certificate& leaf, const std::vector<CertPtr>& offered,
                                          const std::vector<CertPtr>& anchors, bool any_anchor) {
    const std::size_t n = offered.size();
    std::set<Botan::X509_DN> reaches_anchor;
    for (const auto& a : anchors) reaches_anchor.insert(a->subject_dn());
    std::vector<bool> up(n, false);
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t i = 0; i < n; ++i) {
            if (up[i] || !(any_anchor || reaches_anchor.count(offered[i]->issuer_dn()) != 0)) continue;
            up[i] = true;
            reaches_anchor.insert(offered[i]->subject_dn());
            changed = true;
        }
    }
    std::set<Botan::X509_DN> wanted{leaf.issuer_dn()};
    std::vector<bool> down(n, false);
    for (bool changed = true; changed;) {
        changed = false;
        for (std::size_t i = 0; i < n; ++i) {
            if (down[i] || !up[i] || wanted.count(offered[i]->subject_dn()) == 0) continue;
            down[i] = true;
            wanted.insert(offered[i]->issuer_dn());
            changed = true;
        }
    }
    std::vector<CertPtr> out;
    for (std::size_t i = 0; i < n && out.size() < kMaxIntermediates; ++i) {
        if (down[i]) out.push_back(offered[i]);
    }
    return out;
}

// Whether `issuer` may have issued `subject`, by name and key identifier.
bool may_issue(const Botan::X509_Certificate& issuer, const Botan::X509_Certificate& subject) {
    if (issuer.subject_dn() != subject.issuer_dn()) return false;
    const auto& aki = subject.authority_key_id();
    const auto& ski = issuer.subject_key_id();
    return aki.empty() || ski.empty() || aki == ski;
}

struct Builder {
    const std::vector<CertPtr>& anchors;
    const std::vector<CertPtr>& intermediates;
    const Botan::Certificate_Store* system = nullptr;
    std::vector<Path> paths;
    std::size_t steps = 0;

    void extend(Path& path) {
        if (paths.size() >= kMaxCandidatePaths || ++steps > kMaxBuildSteps) return;
        const Botan::X509_Certificate& last = *path.back();
        std::vector<CertPtr> candidates = anchors;
        if (system != nullptr) {
            for (auto& c : system->find_all_certs(last.issuer_dn(), {})) candidates.push_back(std::move(c));
        }
        for (const auto& a : candidates) {
            if (may_issue(*a, last)) {
                path.push_back(a);
                paths.push_back(path);
                path.pop_back();
                if (paths.size() >= kMaxCandidatePaths) return;
            }
        }
        if (path.size() + 1 >= kMaxPathLength) return;
        for (const auto& c : intermediates) {
            if (!may_issue(*c, last)) continue;
            bool seen = false;
            for (const auto& p : path) seen = seen || *p == *c;
            if (seen) continue;
            path.push_back(c);
            extend(path);
            path.pop_back();
        }
    }
};

const Botan::OID kSanOid("2.5.29.17");
const Botan::OID kEkuOid("2.5.29.37");
const Botan::OID kAkiOid("2.5.29.35");
const Botan::OID kSkiOid("2.5.29.14");
const Botan::OID kBcOid("2.5.29.19");
const Botan::OID kPcOid("2.5.29.36");
const Botan::OID kNcOid("2.5.29.30");
const Botan::OID kAiaOid("1.3.6.1.5.5.7.1.1");
const Botan::OID kKuOid("2.5.29.15");
const Botan::OID kAnyEku("2.5.29.37.0");

struct Problem {
    std::string code;
    std::string message;
};

bool ext_present(const Botan::X509_Certificate& c, const Botan::OID& oid) { return c.v3_extensions().extension_set(oid); }
bool ext_critical(const Botan::X509_Certificate& c, const Botan::OID& oid) {
    return c.v3_extensions().critical_extension_set(oid);
}

// A dNSName in preferred name syntax (RFC 5280 4.2.1.6 / RFC 1034), with an
// optional "*." leftmost label.
bool dns_syntax_ok(const std::string& name) {
    std::string_view n = name;
    if (n.size() > 2 && n.substr(0, 2) == "*.") n.remove_prefix(2);
    if (n.empty() || n.size() > 253) return false;
    std::size_t label = 0;
    for (std::size_t i = 0; i < n.size(); ++i) {
        const char ch = n[i];
        if (ch == '.') {
            if (label == 0 || n[i - 1] == '-') return false;
            label = 0;
            continue;
        }
        const bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && !(ch == '-' && label > 0)) return false;
        if (++label > 63) return false;
    }
    return label > 0 && n.back() != '-';
}

// A wildcard over a suffix of the ICANN section of the Public Suffix List
// ("*.com", "*.co.uk"), or over a single label: no CA may issue one (CA/B Forum
// BR 3.2.2.6). A wildcard over a private-section suffix ("*.s3.amazonaws.com")
// can be issued to the company that owns the suffix; it is refused only as a
// match for the names under it (names::sans_cover), which belong to others.
bool wildcard_over_public_suffix(const std::string& name) {
    if (!names::is_wildcard(name)) return false;
    const std::string base = name.substr(2);
    return names::is_single_label(base) || names::public_suffix_section(base) == names::SuffixSection::icann;
}

// The AKI of a trust anchor, if present, must hold only a keyIdentifier.
bool anchor_aki_ok(const Botan::X509_Certificate& c) {
    if (!ext_present(c, kAkiOid)) return true;
    const std::vector<uint8_t> bits = c.v3_extensions().get_extension_bits(kAkiOid);
    Botan::BER_Decoder outer(bits);
    Botan::BER_Decoder seq = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
    bool key_id = false;
    while (seq.more_items()) {
        const Botan::BER_Object obj = seq.get_next_object();
        if (obj.is_a(0, Botan::CONTEXT_SPECIFIC)) {
            key_id = true;
        } else {
            return false;  // authorityCertIssuer [1] / authorityCertSerialNumber [2]
        }
    }
    return key_id;
}

// The key length of an RSA public key, as c.load_subject_public_key()->key_length()
// gives it (the bits of the modulus). Loading the key makes Botan 2 set up its
// Montgomery parameters, a costly division done for nothing here; so the
// RSAPublicKey is decoded just as Botan's RSA_PublicKey does it, and whenever
// that decoding does not give a key Botan would accept (a malformed encoding,
// a bad modulus or exponent) the key is loaded after all, for Botan's own
// verdict and exception.
std::size_t rsa_modulus_bits(const Botan::X509_Certificate& c) {
    if (c.subject_public_key_algo().get_oid() == Botan::OID("1.2.840.113549.1.1.1") &&
        !c.subject_public_key_bitstring().empty()) {
        try {
            Botan::BigInt n;
            Botan::BigInt e;
            Botan::BER_Decoder(c.subject_public_key_bitstring())
                .start_cons(Botan::SEQUENCE, Botan::UNIVERSAL)
                .decode(n)
                .decode(e)
                .end_cons();
            if (!(n < 5 || n.is_even() || e < 2 || e.is_even())) return n.bits();
        } catch (const std::exception&) {
            // Left to Botan's own loading below.
        }
    }
    return c.load_subject_public_key()->key_length();
}

std::optional<Problem> check_key(const Botan::X509_Certificate& c, const std::string& role) {
    const std::string alg = c.subject_public_key_algo().get_oid().to_string();
    if (alg == "1.2.840.10045.2.1") {  // id-ecPublicKey: a named P-256 / P-384 / P-521 curve only
        const std::vector<uint8_t>& params = c.subject_public_key_algo().get_parameters();
        if (params.empty() || params[0] != 0x06) {
            return Problem{"chain.weak-algorithm", "the " + role + " uses an explicitly encoded EC curve (only named curves are allowed)"};
        }
        Botan::OID curve;
        Botan::BER_Decoder(params).decode(curve);
        const std::string oid = curve.to_string();
        if (oid != "1.2.840.10045.3.1.7" && oid != "1.3.132.0.34" && oid != "1.3.132.0.35") {
            return Problem{"chain.weak-algorithm", "the " + role + " uses an EC curve other than P-256, P-384 or P-521"};
        }
        return std::nullopt;
    }
    if (alg == "1.2.840.113549.1.1.1" || alg == "1.2.840.113549.1.1.10") {
        const std::size_t bits = rsa_modulus_bits(c);
        if (bits < 2048) {
            return Problem{"chain.weak-algorithm", "the " + role + " has a " + std::to_string(bits) + "-bit RSA key; at least 2048 bits are required"};
        }
        if (bits % 8 != 0) {
            return Problem{"chain.weak-algorithm", "the " + role + " has an RSA key of " + std::to_string(bits) + " bits, not a multiple of 8"};
        }
        return std::nullopt;
    }
    return Problem{"chain.weak-algorithm", "the " + role + " has a key type other than RSA or ECDSA (" + alg + ")"};
}

// ---------------------------------------------------------------------------
// Name constraints (RFC 5280 4.2.1.10 and 6.1.3 (b)/(c)), checked here rather
// than by Botan 2, which cannot decode iPAddress constraints of IPv6 length or
// otherName constraints (it then reports the extension as an unknown critical
// one) and applies constraints to self-issued intermediates as well.
//
// Each CA's constraints are applied to every certificate below it in the
// path, except self-issued intermediates (the final certificate is always
// checked). The names of a certificate are its subjectAltName entries and its
// subject, as a directoryName, when that is not empty. dNSName, iPAddress
// and directoryName constraints are evaluated; a constraint of another form
// restricts only certificates that carry a name of that form, and such a
// certificate is rejected, as RFC 5280 requires of forms that are not
// processed. A constraint form no name of a certificate has does not restrict
// it.

// A GeneralName: the CHOICE number and the content octets (for a
// directoryName, the DER Name it holds).
struct GenName {
    unsigned tag = 0;
    std::vector<uint8_t> value;
};

constexpr unsigned kOtherName = 0;
constexpr unsigned kDnsName = 2;
constexpr unsigned kDirectoryName = 4;
constexpr unsigned kIpAddress = 7;

std::optional<GenName> read_general_name(const Botan::BER_Object& obj) {
    const unsigned cls = static_cast<unsigned>(obj.get_class());
    const unsigned tag = static_cast<unsigned>(obj.type());
    if ((cls & ~static_cast<unsigned>(Botan::CONSTRUCTED)) != static_cast<unsigned>(Botan::CONTEXT_SPECIFIC) || tag > 8) {
        return std::nullopt;
    }
    const bool constructed = (cls & static_cast<unsigned>(Botan::CONSTRUCTED)) != 0;
    // otherName, x400Address, directoryName and ediPartyName are structured;
    // the string forms, iPAddress and registeredID are primitive.
    const bool want_constructed = tag == 0 || tag == 3 || tag == 4 || tag == 5;
    if (constructed != want_constructed) return std::nullopt;
    GenName g;
    g.tag = tag;
    g.value.assign(obj.bits(), obj.bits() + obj.length());
    return g;
}

std::optional<Botan::X509_DN> decode_dn(const std::vector<uint8_t>& der) {
    try {
        Botan::X509_DN dn;
        Botan::BER_Decoder(der).decode(dn).verify_end();
        return dn;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

struct Subtrees {
    std::vector<GenName> permitted;
    std::vector<GenName> excluded;
};

// GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree. minimum and
// maximum are not used in this profile (RFC 5280: minimum MUST be zero, so
// absent in DER, and maximum MUST be absent); a subtree with them is refused.
bool read_subtrees(const Botan::BER_Object& obj, std::vector<GenName>& out) {
    Botan::BER_Decoder list(obj.bits(), obj.length());
    while (list.more_items()) {
        Botan::BER_Decoder subtree = list.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
        const std::optional<GenName> base = read_general_name(subtree.get_next_object());
        if (!base || subtree.more_items()) return false;
        subtree.end_cons();
        out.push_back(*base);
    }
    return !out.empty();
}

// The NameConstraints of a certificate; nullopt if it is malformed, or is an
// empty sequence (RFC 5280 forbids one; so does CA/B Forum BR 7.1.2.5.2).
std::optional<Subtrees> parse_name_constraints(const Botan::X509_Certificate& c) {
    try {
        const std::vector<uint8_t> bits = c.v3_extensions().get_extension_bits(kNcOid);
        Botan::BER_Decoder outer(bits);
        Botan::BER_Decoder seq = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
        outer.verify_end();
        Subtrees out;
        bool seen_permitted = false;
        bool seen_excluded = false;
        while (seq.more_items()) {
            const Botan::BER_Object obj = seq.get_next_object();
            if (obj.is_a(0, Botan::ASN1_Tag(Botan::CONTEXT_SPECIFIC | Botan::CONSTRUCTED)) && !seen_permitted && !seen_excluded) {
                seen_permitted = true;
                if (!read_subtrees(obj, out.permitted)) return std::nullopt;
            } else if (obj.is_a(1, Botan::ASN1_Tag(Botan::CONTEXT_SPECIFIC | Botan::CONSTRUCTED)) && !seen_excluded) {
                seen_excluded = true;
                if (!read_subtrees(obj, out.excluded)) return std::nullopt;
            } else {
                return std::nullopt;
            }
        }
        if (!seen_permitted && !seen_excluded) return std::nullopt;
        return out;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// The names a certificate is constrained by (see above); nullopt if its
// subjectAltName cannot be read.
std::optional<std::vector<GenName>> constrained_names(const Botan::X509_Certificate& c) {
    std::vector<GenName> out;
    if (c.raw_subject_dn().size() > 2) out.push_back(GenName{kDirectoryName, c.raw_subject_dn()});
    if (!ext_present(c, kSanOid)) return out;
    try {
        const std::vector<uint8_t> bits = c.v3_extensions().get_extension_bits(kSanOid);
        Botan::BER_Decoder outer(bits);
        Botan::BER_Decoder seq = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
        while (seq.more_items()) {
            const std::optional<GenName> g = read_general_name(seq.get_next_object());
            if (!g) return std::nullopt;
            out.push_back(*g);
        }
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return out;
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& ch : out) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    return out;
}

std::string as_string(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

// A dNSName constraint: empty (every name), or a host or domain name in
// preferred name syntax; no wildcard and no leading period (RFC 5280 4.2.1.10).
std::optional<std::string> dns_constraint_problem(const std::string& base) {
    if (base.empty()) return std::nullopt;
    if (base[0] == '.') return "a dNSName name constraint starts with a period";
    if (base.find('*') != std::string::npos || !dns_syntax_ok(base)) {
        return "the dNSName name constraint \"" + base + "\" is not a valid domain name";
    }
    return std::nullopt;
}

// An iPAddress constraint: an IPv4 or IPv6 address and a contiguous mask
// (CIDR, RFC 5280 4.2.1.10: 8 or 32 octets).
bool ip_constraint_ok(const std::vector<uint8_t>& v) {
    if (v.size() != 8 && v.size() != 32) return false;
    const std::size_t half = v.size() / 2;
    bool zeros = false;
    for (std::size_t i = half; i < v.size(); ++i) {
        for (int bit = 7; bit >= 0; --bit) {
            const bool one = ((v[i] >> bit) & 1) != 0;
            if (one && zeros) return false;
            if (!one) zeros = true;
        }
    }
    return true;
}

// `name` is `domain` or has more labels on its left (case-insensitive, both
// already lower case); an empty domain contains every name.
bool dns_within(const std::string& name, const std::string& domain) {
    if (domain.empty() || name == domain) return true;
    return name.size() > domain.size() && name.compare(name.size() - domain.size(), domain.size(), domain) == 0 &&
           name[name.size() - domain.size() - 1] == '.';
}

// For a dNSName, whether it lies wholly in the subtree (permitted) or
// overlaps it (excluded). A wildcard "*.B" stands for every name one label
// below B: it lies wholly in a subtree that contains B, and overlaps one that
// contains B or is a single name one label below B.
bool dns_in_subtree(const std::string& name, const std::string& base, bool overlap) {
    if (names::is_wildcard(name)) {
        const std::string under = name.substr(2);
        if (dns_within(under, base)) return true;
        return overlap && !base.empty() && names::parent_of(base) == under && names::first_label(base) != "*";
    }
    return dns_within(name, base);
}

bool ip_in_subtree(const std::vector<uint8_t>& ip, const std::vector<uint8_t>& constraint) {
    if (constraint.size() != ip.size() * 2) return false;  // another address family
    for (std::size_t i = 0; i < ip.size(); ++i) {
        const uint8_t mask = constraint[ip.size() + i];
        if ((ip[i] & mask) != (constraint[i] & mask)) return false;
    }
    return true;
}

// X.500 attribute values compared as caseIgnoreMatch does, approximately:
// leading and trailing spaces dropped, inner runs of spaces folded, ASCII
// letters case-folded.
std::string fold_value(const std::string& v) {
    std::string out;
    bool space = false;
    for (const char ch : v) {
        if (ch == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(ch);
    }
    return lower_ascii(out);
}

// RFC 5280 4.2.1.10 / 7.1: a Name is in a directoryName subtree when the
// subtree's attributes are its leading ones.
bool dn_in_subtree(const Botan::X509_DN& name, const Botan::X509_DN& base) {
    const auto& n = name.dn_info();
    const auto& b = base.dn_info();
    if (b.size() > n.size()) return false;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (n[i].first != b[i].first || fold_value(n[i].second.value()) != fold_value(b[i].second.value())) return false;
    }
    return true;
}

std::string describe(const GenName& g) {
    switch (g.tag) {
        case kDnsName: return "dNSName " + as_string(g.value);
        case kIpAddress: {
            char text[INET6_ADDRSTRLEN] = {};
            if (g.value.size() == 4 || g.value.size() == 16) {
                inet_ntop(g.value.size() == 4 ? AF_INET : AF_INET6, g.value.data(), text, sizeof text);
                return std::string("iPAddress ") + text;
            }
            return "iPAddress of " + std::to_string(g.value.size()) + " octets";
        }
        case kDirectoryName: {
            const auto dn = decode_dn(g.value);
            return "directoryName " + (dn ? dn->to_string() : std::string("(unreadable)"));
        }
        case kOtherName: return "otherName";
        default: return "GeneralName [" + std::to_string(g.tag) + "]";
    }
}

// Work bound: (constraints x names) comparisons over the whole path. Larger
// products are refused rather than evaluated (quadratic cost).
constexpr std::size_t kMaxNameConstraintChecks = std::size_t{1} << 20;

std::optional<Problem> check_name_constraints(const Path& path) {
    if (ext_present(*path.front(), kNcOid)) {
        return Problem{"chain.name-constraints", "the server certificate carries a name constraints extension (only CA certificates may)"};
    }
    std::size_t budget = kMaxNameConstraintChecks;
    std::vector<std::optional<std::vector<GenName>>> names_of(path.size());
    for (std::size_t k = 1; k < path.size(); ++k) {
        const Botan::X509_Certificate& ca = *path[k];
        if (!ext_present(ca, kNcOid)) continue;
        const std::string subject = " (" + ca.subject_dn().to_string() + ")";
        const std::optional<Subtrees> nc = parse_name_constraints(ca);
        if (!nc) return Problem{"chain.name-constraints", "a name constraints extension is malformed or empty" + subject};

        // The constraints themselves, in the forms that are evaluated.
        std::vector<std::string> dns_bases[2];
        std::vector<Botan::X509_DN> dn_bases[2];
        std::set<unsigned> forms[2];
        for (int excluded = 0; excluded < 2; ++excluded) {
            for (const GenName& g : excluded ? nc->excluded : nc->permitted) {
                forms[excluded].insert(g.tag);
                if (g.tag == kDnsName) {
                    const std::string base = lower_ascii(as_string(g.value));
                    if (auto why = dns_constraint_problem(base)) return Problem{"chain.name-constraints", *why + subject};
                    dns_bases[excluded].push_back(base);
                } else if (g.tag == kIpAddress) {
                    if (!ip_constraint_ok(g.value)) {
                        return Problem{"chain.name-constraints", "an iPAddress name constraint is not an address and contiguous mask" + subject};
                    }
                } else if (g.tag == kDirectoryName) {
                    const auto dn = decode_dn(g.value);
                    if (!dn) return Problem{"chain.name-constraints", "a directoryName name constraint is malformed" + subject};
                    dn_bases[excluded].push_back(*dn);
                }
            }
        }

        for (std::size_t j = 0; j < k; ++j) {
            // Self-issued intermediates are exempt (RFC 5280 6.1.3 (b), (c)).
            if (j != 0 && self_issued(*path[j])) continue;
            if (!names_of[j]) names_of[j] = constrained_names(*path[j]);
            if (!names_of[j]) return Problem{"chain.name-constraints", "a subjectAltName in the chain cannot be read" + subject};
            const std::size_t work = names_of[j]->size() * (nc->permitted.size() + nc->excluded.size() + 1);
            if (work > budget) {
                return Problem{"chain.name-constraints", "too many names and name constraints to check (more than " +
                                                             std::to_string(kMaxNameConstraintChecks) + " comparisons)" + subject};
            }
            budget -= work;
            for (const GenName& name : *names_of[j]) {
                const bool constrained = forms[0].count(name.tag) != 0 || forms[1].count(name.tag) != 0;
                if (!constrained) continue;
                bool permitted = forms[0].count(name.tag) == 0;
                bool excluded = false;
                if (name.tag == kDnsName) {
                    const std::string n = lower_ascii(as_string(name.value));
                    for (const auto& b : dns_bases[0]) permitted = permitted || dns_in_subtree(n, b, false);
                    for (const auto& b : dns_bases[1]) excluded = excluded || dns_in_subtree(n, b, true);
                } else if (name.tag == kIpAddress) {
                    for (const GenName& g : nc->permitted) permitted = permitted || (g.tag == kIpAddress && ip_in_subtree(name.value, g.value));
                    for (const GenName& g : nc->excluded) excluded = excluded || (g.tag == kIpAddress && ip_in_subtree(name.value, g.value));
                } else if (name.tag == kDirectoryName) {
                    const auto dn = decode_dn(name.value);
                    if (!dn) return Problem{"chain.name-constraints", "a directoryName in the chain cannot be read" + subject};
                    for (const auto& b : dn_bases[0]) permitted = permitted || dn_in_subtree(*dn, b);
                    for (const auto& b : dn_bases[1]) excluded = excluded || dn_in_subtree(*dn, b);
                } else {
                    return Problem{"chain.name-constraints", "a CA constrains names of a form that is not checked (" +
                                                                 describe(name) + ") and a certificate below it has one" + subject};
                }
                if (excluded) {
                    return Problem{"chain.name-constraints", "the " + describe(name) + " is in a CA's excluded name constraints" + subject};
                }
                if (!permitted) {
                    return Problem{"chain.name-constraints", "the " + describe(name) + " is outside a CA's permitted name constraints" + subject};
                }
            }
        }
    }
    return std::nullopt;
}

// The public key of `c`, as c.subject_public_key() gives it, decoded once per
// process for each distinct SubjectPublicKeyInfo and shared (a decoded key is
// never modified, so threads share it too): decoding an RSA key makes Botan 2
// set up its Montgomery parameters, which costs more than the signature check
// it is wanted for, and the same CA keys come with every validation of a run.
// Bounded like the anchors; a key that cannot be decoded is not kept, so it
// fails again, with the same exception, each time.
std::shared_ptr<const Botan::Public_Key> cached_public_key(const Botan::X509_Certificate& c) {
    constexpr std::size_t kMaxCachedKeys = 4096;
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const Botan::Public_Key>> cache;
    const std::vector<uint8_t>& info = c.subject_public_key_info();
    const std::string spki(info.begin(), info.end());
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto it = cache.find(spki);
        if (it != cache.end()) return it->second;
    }
    std::shared_ptr<const Botan::Public_Key> key(c.subject_public_key());
    if (key) {
        const std::lock_guard<std::mutex> lock(mutex);
        if (cache.size() < kMaxCachedKeys) cache.emplace(spki, key);
    }
    return key;
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
        if (subject->issuer_dn() != issuer->subject_dn()) status.insert(S::CHAIN_NAME_MISMATCH);
        if (subject->is_serial_negative()) status.insert(S::CERT_SERIAL_NEGATIVE);
        for (const auto& dn_pair : subject->subject_dn().dn_info()) {
            const std::size_t dn_ub = Botan::X509_DN::lookup_ub(dn_pair.first);
            if (dn_ub > 0 && dn_pair.second.size() > dn_ub) status.insert(S::DN_TOO_LONG);
        }
        if (validation_time < subject->not_before()) status.insert(S::CERT_NOT_YET_VALID);
        if (validation_time > subject->not_after()) status.insert(S::CERT_HAS_EXPIRED);
        if (!issuer->is_CA_cert() && !self_signed_ee_cert) status.insert(S::CA_CERT_NOT_FOR_CERT_ISSUER);

        const std::shared_ptr<const Botan::Public_Key> issuer_key = cached_public_key(*issuer);
        if (Botan::OIDS::oid2str_or_empty(subject->signature_algorithm().get_oid()).empty()) {
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
                trusted_hashes.count(subject->hash_used_for_signature()) == 0) {
                status.insert(S::UNTRUSTED_HASH);
            }
        }

        if (subject->x509_version() == 1 &&
            (!subject->v2_issuer_key_id().empty() || !subject->v2_subject_key_id().empty())) {
            status.insert(S::V2_IDENTIFIERS_IN_V1_CERT);
        }
        const Botan::Extensions extensions = subject->v3_extensions();
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
        if (subject->subject_dn() != subject->issuer_dn()) {
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

// AuthorityInfoAccessSyntax (RFC 5280 4.2.2.1): one or more AccessDescriptions,
// each an access method OID and a GeneralName.
bool access_descriptions_ok(const std::vector<uint8_t>& extension_value) {
    try {
        Botan::BER_Decoder outer(extension_value);
        Botan::BER_Decoder list = outer.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
        outer.verify_end();
        std::size_t count = 0;
        while (list.more_items()) {
            Botan::BER_Decoder description = list.start_cons(Botan::SEQUENCE, Botan::UNIVERSAL);
            Botan::OID method;
            description.decode(method);
            if (!read_general_name(description.get_next_object())) return false;
            description.end_cons();
            ++count;
        }
        return count > 0;
    } catch (const std::exception&) {
        return false;
    }
}

// Whether Botan's UNKNOWN_CRITICAL_EXTENSION for `c` can only be about its
// name constraints, which Botan could not decode but check_name_constraints
// reads and enforces.
bool only_name_constraints_unknown(const Botan::X509_Certificate& c) {
    if (!ext_present(c, kNcOid) || !parse_name_constraints(c)) return false;
    for (const auto& [ext, critical] : c.v3_extensions().extensions()) {
        if (critical && dynamic_cast<const Botan::Cert_Extension::Unknown_Extension*>(ext.get()) != nullptr &&
            ext->oid_of() != kNcOid) {
            return false;
        }
    }
    return true;
}

// Rules from RFC 5280 "MUST"s and the CA/Browser Forum profile that Botan 2
// does not enforce, applied to a built path (leaf first, anchor last).
std::optional<Problem> check_profile(const Path& path, const Certificate& leaf_info) {
    const Botan::X509_Certificate& leaf = *path.front();
    const std::size_t last = path.size() - 1;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const Botan::X509_Certificate& c = *path[i];
        const bool is_leaf = i == 0;
        const bool is_anchor = i == last;
        const std::string role = is_leaf ? "server certificate" : is_anchor ? "root CA certificate" : "intermediate CA certificate";
        const std::string subject = " (" + c.subject_dn().to_string() + ")";

        if (auto p = check_key(c, role)) return p;
        std::vector<uint8_t> serial = c.serial_number();
        while (serial.size() > 1 && serial.front() == 0) serial.erase(serial.begin());
        if (serial.size() > 20) return Problem{"chain.invalid", "the " + role + " has a serial number longer than 20 octets" + subject};
        if (!is_anchor && (serial.empty() || (serial.size() == 1 && serial[0] == 0))) {
            return Problem{"chain.invalid", "the " + role + " has serial number zero" + subject};
        }
        if (ext_present(c, kAkiOid) && ext_critical(c, kAkiOid)) {
            return Problem{"chain.invalid", "the " + role + " marks authorityKeyIdentifier critical" + subject};
        }
        if (!is_anchor && c.authority_key_id().empty()) {
            return Problem{"chain.invalid", "the " + role + " has no authorityKeyIdentifier" + subject};
        }
        if (is_anchor && !anchor_aki_ok(c)) {
            return Problem{"chain.invalid", "the root CA's authorityKeyIdentifier must hold only a keyIdentifier" + subject};
        }
        if (ext_present(c, kAiaOid)) {
            if (ext_critical(c, kAiaOid)) return Problem{"chain.invalid", "the " + role + " marks authorityInfoAccess critical" + subject};
            if (!access_descriptions_ok(c.v3_extensions().get_extension_bits(kAiaOid))) {
                return Problem{"chain.invalid", "the " + role + " has an empty or malformed authorityInfoAccess" + subject};
            }
        }
        // Botan reads a keyUsage without a bit as no keyUsage at all.
        if (ext_present(c, kKuOid) && c.constraints() == Botan::NO_CONSTRAINTS) {
            return Problem{"chain.key-usage", "the " + role + " has a keyUsage extension with no usage in it (RFC 5280 4.2.1.3)" + subject};
        }
        if (ext_present(c, kPcOid) && !ext_critical(c, kPcOid)) {
            return Problem{"chain.invalid", "the " + role + " has a policyConstraints extension not marked critical" + subject};
        }
        if (!is_leaf) {
            if (!ext_present(c, kSkiOid)) return Problem{"chain.invalid", "the " + role + " has no subjectKeyIdentifier" + subject};
            if (!ext_critical(c, kBcOid)) {
                return Problem{"chain.basic-constraints", "the " + role + " does not mark basicConstraints critical" + subject};
            }
            if (ext_present(c, kKuOid) && (c.constraints() & Botan::KEY_CERT_SIGN) == 0) {
                return Problem{"chain.key-usage", "the " + role + " is a CA but its keyUsage lacks keyCertSign" + subject};
            }
            if (is_anchor && ext_present(c, kEkuOid)) {
                return Problem{"chain.eku", "the root CA certificate carries an extendedKeyUsage extension" + subject};
            }
            if (c.raw_subject_dn().size() <= 2) {
                return Problem{"chain.invalid", "the " + role + " is a CA certificate with an empty subject (RFC 5280 4.1.2.6)"};
            }
            // CA/B Forum BR 7.1.2.1.3: a root's authorityKeyIdentifier, when
            // present, names its own key.
            if (is_anchor && self_issued(c) && !c.authority_key_id().empty() && !c.subject_key_id().empty() &&
                c.authority_key_id() != c.subject_key_id()) {
                return Problem{"chain.invalid", "the root CA's authorityKeyIdentifier does not match its subjectKeyIdentifier" + subject};
            }
        }
    }
    if (auto p = check_name_constraints(path)) return p;

    // The server certificate itself.
    if (leaf.is_CA_cert() || leaf_info.is_ca) {
        return Problem{"chain.basic-constraints", "the server certificate is a CA certificate (basicConstraints cA is TRUE)"};
    }
    if (ext_present(leaf, kEkuOid)) {
        if (leaf_info.eku.empty()) return Problem{"chain.eku", "the server certificate's extendedKeyUsage lists no purpose"};
        if (ext_critical(leaf, kEkuOid)) return Problem{"chain.eku", "the server certificate marks extendedKeyUsage critical"};
        for (const std::string& e : leaf_info.eku) {
            if (e == "anyExtendedKeyUsage") return Problem{"chain.eku", "the server certificate's extendedKeyUsage contains anyExtendedKeyUsage"};
        }
    }
    const bool empty_subject = leaf.raw_subject_dn().size() <= 2;
    if (ext_present(leaf, kSanOid)) {
        if (empty_subject && !ext_critical(leaf, kSanOid)) {
            return Problem{"chain.invalid", "the subject is empty, so subjectAltName must be critical"};
        }
        if (!empty_subject && ext_critical(leaf, kSanOid)) {
            return Problem{"chain.invalid", "subjectAltName is critical although the subject is not empty"};
        }
    }
    for (const std::string& name : leaf_info.dns_names) {
        if (!dns_syntax_ok(name)) return Problem{"chain.invalid", "the subjectAltName \"" + name + "\" is not a valid DNS name"};
        if (wildcard_over_public_suffix(name)) {
            return Problem{"chain.invalid", "the wildcard subjectAltName \"" + name + "\" spans a public suffix"};
        }
    }
    for (const std::string& ip : leaf_info.ip_addresses) {
        if (ip.find('.') == std::string::npos && ip.find(':') == std::string::npos) {
            return Problem{"chain.invalid", "a subjectAltName iPAddress is not 4 or 16 octets long"};
        }
    }
    // CA/Browser Forum BR 7.1.4.3: a CN is a character-for-character copy of
    // a dNSName, or the RFC 5952 / dotted-decimal text of an iPAddress. Since
    // clients ignore the CN (RFC 9525), a CN naming some other host is
    // tolerated, but not one that is a disguised variant of a SAN entry: a
    // case variant, a non-ASCII (U-label) form, or an IP literal that is not
    // the canonical text of an iPAddress entry.
    for (const std::string& cn : leaf.subject_dn().get_attribute("CN")) {
        bool exact = false;
        for (const std::string& d : leaf_info.dns_names) exact = exact || d == cn;
        for (const std::string& ip : leaf_info.ip_addresses) exact = exact || ip == cn;
        if (exact) continue;
        bool non_ascii = false;
        for (const char ch : cn) non_ascii = non_ascii || static_cast<unsigned char>(ch) >= 0x80;
        bool case_variant = false;
        for (const std::string& d : leaf_info.dns_names) case_variant = case_variant || names::matches(d, cn);
        in_addr v4{};
        unsigned char v6[16];
        const bool ip_literal = inet_aton(cn.c_str(), &v4) != 0 || inet_pton(AF_INET6, cn.c_str(), v6) == 1;
        if (non_ascii || case_variant || ip_literal) {
            return Problem{"chain.name-mismatch", "the subject CN \"" + cn + "\" is not a character-for-character copy of a subjectAltName entry"};
        }
    }
    return std::nullopt;
}

}  // namespace

ValidationResult validate_chain(const Certificate& leaf, const ValidationRequest& request) {
    try {
        const auto leaf_cert = std::make_shared<const Botan::X509_Certificate>(botan_cert(leaf.der));
        std::vector<CertPtr> offered;
        offered.reserve(request.intermediates_der.size());
        for (const std::string& der : request.intermediates_der) {
            try {
                offered.push_back(std::make_shared<const Botan::X509_Certificate>(botan_cert(der)));
            } catch (const std::exception&) {
                // An unreadable offered intermediate is simply not usable for path building.
            }
        }
        std::vector<CertPtr> anchors;
        for (const std::string& der : request.trusted_der) {
            // An unreadable anchor (null) cannot anchor anything.
            if (CertPtr anchor = cached_anchor(der)) anchors.push_back(std::move(anchor));
        }
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

        const std::vector<CertPtr> intermediates = useful_intermediates(*leaf_cert, offered, anchors, system != nullptr);
        Builder builder{anchors, intermediates, system, {}, 0};
        Path start{leaf_cert};
        builder.extend(start);
        if (builder.paths.empty()) {
            const bool self_signed = leaf_cert->is_self_signed();
            return fail("chain.untrusted", self_signed
                                               ? "the certificate is self-signed and not a trusted root"
                                               : "no chain to a trusted root CA could be built: the issuer (" +
                                                     leaf_cert->issuer_dn().to_string() +
                                                     ") is neither trusted nor among the intermediates offered");
        }

        std::optional<ValidationResult> first_failure;
        for (Path& path : builder.paths) {
            ValidationResult out;
            for (const auto& c : path) out.chain_sha256.push_back(sha256_hex(der_string(*c)));
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
            out.code = problem->code;
            out.message = problem->message;
            if (!first_failure) first_failure = std::move(out);
        }
        return *first_failure;
    } catch (const std::exception& e) {
        return fail("chain.invalid", std::string("a certificate cannot be read for validation: ") + e.what());
    }
}

}  // namespace certtool::crypto
