#include "model/plan.hpp"

#include "core/plural.hpp"
#include "model/roles.hpp"

#include <algorithm>

namespace certtool::model {

const char* to_string(CaKind ca) {
    switch (ca) {
        case CaKind::public_ca: return "public";
        case CaKind::internal_ca: return "internal";
        case CaKind::either: return "either";
    }
    return "either";
}

const char* to_string(Severity severity) {
    switch (severity) {
        case Severity::error: return "error";
        case Severity::warning: return "warning";
        case Severity::info: return "info";
    }
    return "info";
}

std::string KeySpec::algorithm_name() const { return algorithm == topology::KeyAlgorithm::rsa ? "RSA" : "ECDSA"; }

std::string KeySpec::curve_name() const {
    if (algorithm == topology::KeyAlgorithm::rsa) return "";
    return bits == 521 ? "P-521" : bits == 384 ? "P-384" : "P-256";
}

bool CertificateRequirement::has_san(const std::string& name) const {
    return std::any_of(sans.begin(), sans.end(), [&](const SubjectAlternativeName& s) { return s.name == name; });
}

bool Plan::has_errors() const {
    return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::error; });
}

std::vector<const Finding*> Plan::errors() const {
    std::vector<const Finding*> found;
    for (const auto& f : findings)
        if (f.severity == Severity::error) found.push_back(&f);
    return found;
}

std::string error_summary(const Plan& plan) {
    const auto errors = plan.errors();
    if (errors.empty()) return "";
    const Finding& first = *errors.front();
    return "the plan has " + plural(errors.size(), "error finding", "error findings") + ", first " + first.code +
           (first.path.empty() ? "" : " at " + first.path) + ": " + first.message;
}

const CertificateRequirement* Plan::find(const std::string& id) const {
    for (const auto& c : certificates)
        if (c.id == id) return &c;
    return nullptr;
}

bool wildcard_may_cover(const CertificateRequirement& r, const std::string& name) {
    if (!facts(r.role).web) return false;
    if (name.rfind("sip.", 0) == 0) return false;
    if (name == r.common_name || name == r.pool) return false;
    return std::find(r.install_on.begin(), r.install_on.end(), name) == r.install_on.end();
}

}  // namespace certtool::model
