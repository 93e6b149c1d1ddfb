// `--only` for plan and csr: some certificates (by id or role) out of a plan,
// with the DNS records and findings that belong to them.
#include <algorithm>
#include <set>

#include "core/diagnostic.hpp"
#include "model/plan.hpp"

namespace certtool::model {

namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        out += item;
    }
    return out.empty() ? "(none)" : out;
}

}  // namespace

Plan select_certificates(const Plan& plan, const std::vector<std::string>& only) {
    auto wanted = [&](const CertificateRequirement& c) {
        return std::any_of(only.begin(), only.end(),
                           [&](const std::string& v) { return v == c.id || v == to_string(c.role); });
    };

    // Every value must match something: a typo must not silently give an empty plan.
    std::vector<Diagnostic> unknown;
    for (const auto& value : only) {
        const bool matches = std::any_of(plan.certificates.begin(), plan.certificates.end(), [&](const auto& c) {
            return value == c.id || value == to_string(c.role);
        });
        if (matches) continue;
        std::vector<std::string> roles, ids;
        for (const auto& c : plan.certificates) {
            const std::string role = to_string(c.role);
            if (std::find(roles.begin(), roles.end(), role) == roles.end()) roles.push_back(role);
            ids.push_back(c.id);
        }
        unknown.push_back(Diagnostic{"usage.unknown-certificate", plan.source.path, "", 0, 0,
                                     "'" + value + "' is neither a certificate role nor a certificate id in this plan; "
                                     "roles: " + join(roles) + "; ids: " + join(ids)});
    }
    if (!unknown.empty()) throw InputError(std::move(unknown));

    Plan out;
    out.source = plan.source;
    out.platform = plan.platform;
    std::set<std::string> kept;
    for (const auto& c : plan.certificates) {
        if (!wanted(c)) continue;
        out.certificates.push_back(c);
        kept.insert(c.id);
    }
    for (const auto& r : plan.dns)
        if (kept.count(r.certificate) != 0) out.dns.push_back(r);
    for (const auto& r : plan.dns_left_out)
        if (kept.count(r.certificate) != 0) out.dns_left_out.push_back(r);
    for (const auto& f : plan.findings)
        if (f.certificate.empty() || kept.count(f.certificate) != 0) out.findings.push_back(f);
    return out;
}

}  // namespace certtool::model
