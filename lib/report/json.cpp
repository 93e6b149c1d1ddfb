// The certtool.plan/v1 document. Field names and their order are the public
// contract (topology-and-plan-v1.md section 2); ordered_json keeps the order as
// written here, and san_reasons is filled from a sorted map, so the same plan
// always serialises to the same bytes.
#include <map>

#include "report/report.hpp"

namespace certtool::report {

namespace {

using nlohmann::ordered_json;

void put_if_set(ordered_json& object, const char* key, const std::string& value) {
    if (!value.empty()) object[key] = value;
}

ordered_json subject_json(const model::CertificateRequirement& c) {
    ordered_json subject = ordered_json::object();
    put_if_set(subject, "common_name", c.common_name);
    put_if_set(subject, "organization", c.organization.organization);
    put_if_set(subject, "organizational_unit", c.organization.organizational_unit);
    put_if_set(subject, "locality", c.organization.locality);
    put_if_set(subject, "state", c.organization.state);
    put_if_set(subject, "country", c.organization.country);
    return subject;
}

ordered_json key_json(const model::KeySpec& key) {
    ordered_json out = ordered_json::object();
    out["algorithm"] = key.algorithm_name();
    out["bits"] = key.bits;
    if (key.algorithm == topology::KeyAlgorithm::ecdsa) out["curve"] = key.curve_name();
    return out;
}

ordered_json certificate_json(const model::CertificateRequirement& c) {
    ordered_json out = ordered_json::object();
    out["id"] = c.id;
    out["role"] = model::to_string(c.role);
    out["pool"] = c.pool;
    out["topology_path"] = c.topology_path;
    out["subject"] = subject_json(c);

    ordered_json sans = ordered_json::array();
    std::map<std::string, std::string> reasons;
    for (const auto& san : c.sans) {
        sans.push_back(san.name);
        reasons.emplace(san.name, san.reason);
    }
    out["sans"] = std::move(sans);
    ordered_json san_reasons = ordered_json::object();
    for (const auto& [name, reason] : reasons) san_reasons[name] = reason;
    out["san_reasons"] = std::move(san_reasons);

    out["eku"] = c.eku;
    out["key_usage"] = c.key_usage;
    out["key"] = key_json(c.key);
    out["signature_hash"] = c.signature_hash;
    out["ca"] = model::to_string(c.ca);
    out["exportable_key"] = c.exportable_key;
    out["same_on_all_members"] = c.same_on_all_members;
    out["install_on"] = c.install_on;
    out["usages"] = c.usages;

    ordered_json endpoints = ordered_json::array();
    for (const auto& e : c.endpoints) {
        ordered_json endpoint = ordered_json::object();
        endpoint["member"] = e.member;
        endpoint["address"] = e.address;
        endpoint["port"] = e.port;
        endpoint["sni"] = e.sni;
        endpoint["service"] = e.service;
        endpoints.push_back(std::move(endpoint));
    }
    out["endpoints"] = std::move(endpoints);
    return out;
}

ordered_json dns_json(const model::DnsRecord& r) {
    ordered_json out = ordered_json::object();
    out["zone"] = r.zone;
    out["type"] = r.type;
    out["name"] = r.name;
    out["target"] = r.target;
    if (r.type == "SRV") {  // port, priority and weight mean nothing for A or CNAME
        out["port"] = r.port;
        out["priority"] = r.priority;
        out["weight"] = r.weight;
    }
    put_if_set(out, "certificate", r.certificate);
    out["reason"] = r.reason;
    return out;
}

ordered_json finding_json(const model::Finding& f) {
    ordered_json out = ordered_json::object();
    out["severity"] = model::to_string(f.severity);
    out["code"] = f.code;
    out["message"] = f.message;
    out["path"] = f.path;
    put_if_set(out, "certificate", f.certificate);
    put_if_set(out, "policy", f.policy);
    return out;
}

}  // namespace

ordered_json plan_to_json(const model::Plan& plan) {
    ordered_json out = ordered_json::object();
    out["schema"] = model::kPlanSchema;
    ordered_json topology = ordered_json::object();
    topology["path"] = plan.source.path;
    topology["sha256"] = plan.source.sha256;
    out["topology"] = std::move(topology);

    ordered_json certificates = ordered_json::array();
    for (const auto& c : plan.certificates) certificates.push_back(certificate_json(c));
    out["certificates"] = std::move(certificates);

    ordered_json dns = ordered_json::array();
    for (const auto& r : plan.dns) dns.push_back(dns_json(r));
    out["dns"] = std::move(dns);

    ordered_json findings = ordered_json::array();
    int errors = 0, warnings = 0, infos = 0;
    for (const auto& f : plan.findings) {
        findings.push_back(finding_json(f));
        switch (f.severity) {
            case model::Severity::error: ++errors; break;
            case model::Severity::warning: ++warnings; break;
            case model::Severity::info: ++infos; break;
        }
    }
    out["findings"] = std::move(findings);

    ordered_json summary = ordered_json::object();
    summary["certificates"] = plan.certificates.size();
    summary["dns_records"] = plan.dns.size();
    summary["errors"] = errors;
    summary["warnings"] = warnings;
    summary["info"] = infos;
    out["summary"] = std::move(summary);
    return out;
}

std::string render_json(const model::Plan& plan) {
    // Invalid UTF-8 (only possible in text quoted from a broken input) becomes
    // U+FFFD rather than an exception halfway through the document.
    return plan_to_json(plan).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace certtool::report
