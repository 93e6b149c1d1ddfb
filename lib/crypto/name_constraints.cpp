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
#include <botan/ber_dec.h>
#include <botan/pkix_types.h>
#include <botan/x509_ext.h>

#include <arpa/inet.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/botan_path.hpp"
#include "names/names.hpp"

namespace certtool::crypto::chain {

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

namespace {

constexpr unsigned kOtherName = 0;
constexpr unsigned kDnsName = 2;
constexpr unsigned kDirectoryName = 4;
constexpr unsigned kIpAddress = 7;


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

// `name` is `base` or lies below it; an empty base (a dNSName constraint of
// zero length) contains every name.
bool within(const std::string& name, const std::string& base) { return base.empty() || names::is_within(name, base); }

// For a dNSName, whether it lies wholly in the subtree (permitted) or
// overlaps it (excluded). A wildcard "*.B" stands for every name one label
// below B: it lies wholly in a subtree that contains B, and overlaps one that
// contains B or is a single name one label below B.
bool dns_in_subtree(const std::string& name, const std::string& base, bool overlap) {
    if (names::is_wildcard(name)) {
        const std::string under = name.substr(2);
        if (within(under, base)) return true;
        return overlap && !base.empty() && names::parent_of(base) == under && names::first_label(base) != "*";
    }
    return within(name, base);
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
    return names::lower_ascii(out);
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

}  // namespace

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
                    const std::string base = names::lower_ascii(as_string(g.value));
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
                    const std::string n = names::lower_ascii(as_string(name.value));
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

}  // namespace certtool::crypto::chain
