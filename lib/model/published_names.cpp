// Names that several certificates carry: simple URLs and Autodiscover (rules
// sections 4-7; policies C8, C12 and the wildcard allowance of WILDCARD/CS-RP).
#include <map>

#include "model/builder.hpp"
#include "names/names.hpp"

namespace certtool::model::detail {

namespace {

// With simple_url_wildcards, "meet.contoso.com" and "dialin.contoso.com" become one
// "*.contoso.com" (CS-RP's optional wildcard "replaces both meet and dialin").
// A name whose parent is a single label cannot be covered: it stays explicit.
std::vector<SubjectAlternativeName> collapse_to_wildcards(Builder& b, std::vector<SubjectAlternativeName> sans,
                                                          const std::string& certificate_id) {
    if (!b.topology().policy.simple_url_wildcards) return sans;
    std::vector<SubjectAlternativeName> out;
    std::map<std::string, std::size_t> wildcard_index;  // parent -> position in out
    for (auto& san : sans) {
        const std::string parent = names::parent_of(san.name);
        if (names::is_wildcard(san.name) || parent.empty() || names::is_single_label(parent)) {
            out.push_back(std::move(san));
            continue;
        }
        const std::string covered = san.name;
        auto [it, inserted] = wildcard_index.emplace(parent, out.size());
        if (inserted) {
            out.push_back({"*." + parent, "wildcard for simple URLs (policy simple_url_wildcards; WILDCARD, CS-RP): " + covered});
        } else {
            out[it->second].reason += ", " + covered;
        }
    }
    b.policy_applied("C3", "wildcards are used only for simple URLs on web certificates (policy simple_url_wildcards), "
                           "never on Edge certificates",
                     "/policy/simple_url_wildcards", certificate_id);
    return out;
}

}  // namespace

std::vector<SubjectAlternativeName> simple_url_sans(Builder& b, bool include_admin, const std::string& certificate_id) {
    const auto& urls = b.topology().simple_urls;
    std::vector<SubjectAlternativeName> sans;
    for (const auto& meet : urls.meet)
        sans.push_back({meet, "meet simple URL: every meet URL must be on the certificate (RP-REQ, INT-REQ)"});
    if (urls.dialin) sans.push_back({*urls.dialin, "dial-in simple URL (RP-REQ, INT-REQ)"});
    if (include_admin && urls.admin)
        sans.push_back({*urls.admin, "admin simple URL: internal web services only, never published (INT-REQ, C12)"});
    return collapse_to_wildcards(b, std::move(sans), certificate_id);
}

std::vector<SubjectAlternativeName> lyncdiscover_sans(const topology::Topology& topology) {
    std::vector<SubjectAlternativeName> sans;
    for (const auto& domain : topology.sip_domains)
        sans.push_back({"lyncdiscover." + domain,
                        "external Autodiscover for SIP domain " + domain + ": mobile and Store clients (CS-AD, MOB-CERT)"});
    return sans;
}

std::vector<SubjectAlternativeName> lyncdiscoverinternal_sans(Builder& b, const std::string& certificate_id) {
    const auto& topology = b.topology();
    std::vector<SubjectAlternativeName> sans;
    for (const auto& domain : topology.sip_domains)
        sans.push_back({"lyncdiscoverinternal." + domain,
                        "internal Autodiscover for SIP domain " + domain + " (CS-AD, MOB-CERT, C8)"});
    for (const auto& domain : topology.internal_domains) {
        bool is_sip_domain = false;
        for (const auto& sip : topology.sip_domains) is_sip_domain = is_sip_domain || sip == domain;
        if (!is_sip_domain)
            sans.push_back({"lyncdiscoverinternal." + domain,
                            "internal Autodiscover in internal domain " + domain + " (CS-AD, DNS-AD, C8)"});
    }
    b.policy_applied("C8", "lyncdiscoverinternal.<sipdomain> for every SIP domain, plus .<internal domain> for each "
                           "internal domain that differs",
                     "/internal_domains", certificate_id);
    return sans;
}

}  // namespace certtool::model::detail
