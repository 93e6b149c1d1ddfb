#include "model/plan.hpp"

#include <algorithm>

namespace certtool::model {

const char* to_string(Role role) {
    switch (role) {
        case Role::edge_external: return "edge-external";
        case Role::edge_av: return "edge-av";
        case Role::edge_internal: return "edge-internal";
        case Role::front_end: return "front-end";
        case Role::front_end_web_internal: return "front-end-web-internal";
        case Role::front_end_web_external: return "front-end-web-external";
        case Role::director: return "director";
        case Role::director_web_internal: return "director-web-internal";
        case Role::director_web_external: return "director-web-external";
        case Role::reverse_proxy: return "reverse-proxy";
        case Role::oauth: return "oauth";
    }
    return "unknown";
}

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

const CertificateRequirement* Plan::find(const std::string& id) const {
    for (const auto& c : certificates)
        if (c.id == id) return &c;
    return nullptr;
}

namespace {
bool is_web_role(Role role) {
    switch (role) {
        case Role::reverse_proxy:
        case Role::front_end:
        case Role::front_end_web_internal:
        case Role::front_end_web_external:
        case Role::director:
        case Role::director_web_internal:
        case Role::director_web_external: return true;
        default: return false;
    }
}
}  // namespace

bool wildcard_may_cover(const CertificateRequirement& r, const std::string& name) {
    if (!is_web_role(r.role)) return false;
    if (name.rfind("sip.", 0) == 0) return false;
    if (name == r.common_name || name == r.pool) return false;
    return std::find(r.install_on.begin(), r.install_on.end(), name) == r.install_on.end();
}

}  // namespace certtool::model
