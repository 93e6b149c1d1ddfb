// Wording shared by the text and Markdown renderings, so that a certificate is
// called the same thing in a terminal and in a change ticket.
#include <algorithm>

#include "core/plural.hpp"
#include "model/roles.hpp"
#include "report/report.hpp"

namespace certtool::report {

std::string role_title(model::Role role) { return model::facts(role).title; }

std::string role_title(const model::CertificateRequirement& certificate) {
    // With av_certificate "separate" (Lync 2013 staging) the A/V Authentication
    // usage moves to the edge-av certificate; the title must not claim it.
    if (certificate.role == model::Role::edge_external &&
        std::find(certificate.usages.begin(), certificate.usages.end(), "AudioVideoAuthentication") ==
            certificate.usages.end())
        return "Edge external (Access, Web Conferencing)";
    return role_title(certificate.role);
}

std::string subject_line(const model::CertificateRequirement& certificate) {
    const auto& o = certificate.organization;
    const std::pair<const char*, const std::string*> parts[] = {
        {"CN", &certificate.common_name}, {"O", &o.organization}, {"OU", &o.organizational_unit},
        {"L", &o.locality},               {"S", &o.state},        {"C", &o.country},
    };
    std::string out;
    for (const auto& [attribute, value] : parts) {
        if (value->empty()) continue;
        if (!out.empty()) out += ", ";
        out += attribute;
        out += '=';
        out += *value;
    }
    return out;
}

std::string key_line(const model::KeySpec& key) {
    if (key.algorithm == topology::KeyAlgorithm::ecdsa) return key.algorithm_name() + " " + key.curve_name();
    return key.algorithm_name() + " " + std::to_string(key.bits);
}

std::string lifetime_line(const model::CertificateRequirement& c) {
    std::string out = plural(c.validity_days, "day", "days");
    if (c.max_validity_days) {
        const bool at_max = c.validity_days == *c.max_validity_days;
        out += std::string(" (") + (at_max ? "" : "below the ") + "public-CA maximum" +
               (c.max_validity_from.empty() ? "" : " from " + c.max_validity_from) +
               (at_max ? "" : " of " + std::to_string(*c.max_validity_days)) + ")";
    }
    out += ", " + plural(c.renewals_per_year, "renewal", "renewals") + " a year";
    if (c.roll_lead_hours > 0) out += ", -Roll lead " + std::to_string(c.roll_lead_hours) + " h";
    return out;
}

std::string severity_counts(const std::vector<model::Finding>& findings) {
    std::size_t errors = 0, warnings = 0, infos = 0;
    for (const auto& f : findings) {
        switch (f.severity) {
            case model::Severity::error: ++errors; break;
            case model::Severity::warning: ++warnings; break;
            case model::Severity::info: ++infos; break;
        }
    }
    return plural(errors, "error", "errors") + ", " + plural(warnings, "warning", "warnings") + ", " + std::to_string(infos) +
           " info";
}

std::string summary_line(const model::Plan& plan) {
    return plural(plan.certificates.size(), "certificate", "certificates") + ", " +
           plural(plan.dns.size(), "DNS record", "DNS records") + ": " + severity_counts(plan.findings);
}

}  // namespace certtool::report
