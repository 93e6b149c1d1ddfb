// The profile of a certificate path: RFC 5280 "MUST"s and the CA/Browser
// Forum's WebPKI rules that Botan 2 does not enforce (keys, serials, key
// identifiers, critical flags, basicConstraints and keyUsage of CAs,
// authorityInfoAccess, and the server certificate's EKU, SANs and CN).
#include <botan/ber_dec.h>
#include <botan/bigint.h>
#include <botan/pkix_types.h>
#include <botan/x509_ext.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/botan_path.hpp"
#include "names/names.hpp"

namespace certtool::crypto::chain {

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

namespace {

const Botan::OID kRsaEncryption("1.2.840.113549.1.1.1");
const Botan::OID kRsaPss("1.2.840.113549.1.1.10");
const Botan::OID kEcPublicKey("1.2.840.10045.2.1");

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
    if (c.subject_public_key_algo().get_oid() == kRsaEncryption &&
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
    const Botan::OID& alg = c.subject_public_key_algo().get_oid();
    if (alg == kEcPublicKey) {  // id-ecPublicKey: a named P-256 / P-384 / P-521 curve only
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
    if (alg == kRsaEncryption || alg == kRsaPss) {
        const std::size_t bits = rsa_modulus_bits(c);
        if (bits < 2048) {
            return Problem{"chain.weak-algorithm", "the " + role + " has a " + std::to_string(bits) + "-bit RSA key; at least 2048 bits are required"};
        }
        if (bits % 8 != 0) {
            return Problem{"chain.weak-algorithm", "the " + role + " has an RSA key of " + std::to_string(bits) + " bits, not a multiple of 8"};
        }
        return std::nullopt;
    }
    return Problem{"chain.weak-algorithm", "the " + role + " has a key type other than RSA or ECDSA (" + alg.to_string() + ")"};
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

}  // namespace

std::optional<Problem> check_profile(const Path& path, const Certificate& leaf_info) {
    const Botan::X509_Certificate& leaf = *path.front();
    const std::size_t last = path.size() - 1;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const Botan::X509_Certificate& c = *path[i];
        const bool is_leaf = i == 0;
        const bool is_anchor = i == last;
        const std::string role = is_leaf ? "server certificate" : is_anchor ? "root CA certificate" : "intermediate CA certificate";
        // Named in the message of a problem only (writing a DN out is not cheap).
        auto subject = [&c] { return " (" + c.subject_dn().to_string() + ")"; };

        if (auto p = check_key(c, role)) return p;
        std::vector<uint8_t> serial = c.serial_number();
        while (serial.size() > 1 && serial.front() == 0) serial.erase(serial.begin());
        if (serial.size() > 20) return Problem{"chain.invalid", "the " + role + " has a serial number longer than 20 octets" + subject()};
        if (!is_anchor && (serial.empty() || (serial.size() == 1 && serial[0] == 0))) {
            return Problem{"chain.invalid", "the " + role + " has serial number zero" + subject()};
        }
        if (ext_present(c, kAkiOid) && ext_critical(c, kAkiOid)) {
            return Problem{"chain.invalid", "the " + role + " marks authorityKeyIdentifier critical" + subject()};
        }
        if (!is_anchor && c.authority_key_id().empty()) {
            return Problem{"chain.invalid", "the " + role + " has no authorityKeyIdentifier" + subject()};
        }
        if (is_anchor && !anchor_aki_ok(c)) {
            return Problem{"chain.invalid", "the root CA's authorityKeyIdentifier must hold only a keyIdentifier" + subject()};
        }
        if (ext_present(c, kAiaOid)) {
            if (ext_critical(c, kAiaOid)) return Problem{"chain.invalid", "the " + role + " marks authorityInfoAccess critical" + subject()};
            if (!access_descriptions_ok(c.v3_extensions().get_extension_bits(kAiaOid))) {
                return Problem{"chain.invalid", "the " + role + " has an empty or malformed authorityInfoAccess" + subject()};
            }
        }
        // Botan reads a keyUsage without a bit as no keyUsage at all.
        if (ext_present(c, kKuOid) && c.constraints() == Botan::NO_CONSTRAINTS) {
            return Problem{"chain.key-usage", "the " + role + " has a keyUsage extension with no usage in it (RFC 5280 4.2.1.3)" + subject()};
        }
        if (ext_present(c, kPcOid) && !ext_critical(c, kPcOid)) {
            return Problem{"chain.invalid", "the " + role + " has a policyConstraints extension not marked critical" + subject()};
        }
        if (!is_leaf) {
            if (!ext_present(c, kSkiOid)) return Problem{"chain.invalid", "the " + role + " has no subjectKeyIdentifier" + subject()};
            if (!ext_critical(c, kBcOid)) {
                return Problem{"chain.basic-constraints", "the " + role + " does not mark basicConstraints critical" + subject()};
            }
            if (ext_present(c, kKuOid) && (c.constraints() & Botan::KEY_CERT_SIGN) == 0) {
                return Problem{"chain.key-usage", "the " + role + " is a CA but its keyUsage lacks keyCertSign" + subject()};
            }
            if (is_anchor && ext_present(c, kEkuOid)) {
                return Problem{"chain.eku", "the root CA certificate carries an extendedKeyUsage extension" + subject()};
            }
            if (c.raw_subject_dn().size() <= 2) {
                return Problem{"chain.invalid", "the " + role + " is a CA certificate with an empty subject (RFC 5280 4.1.2.6)"};
            }
            // CA/B Forum BR 7.1.2.1.3: a root's authorityKeyIdentifier, when
            // present, names its own key.
            if (is_anchor && self_issued(c) && !c.authority_key_id().empty() && !c.subject_key_id().empty() &&
                c.authority_key_id() != c.subject_key_id()) {
                return Problem{"chain.invalid", "the root CA's authorityKeyIdentifier does not match its subjectKeyIdentifier" + subject()};
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

}  // namespace certtool::crypto::chain
