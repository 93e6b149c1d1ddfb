// build_plan: runs the role rules in a fixed order, then the cross-cutting
// checks, then puts everything in a stable order so that the same topology
// always gives the same plan, byte for byte.
#include <algorithm>
#include <tuple>

#include "model/builder.hpp"
#include "model/roles.hpp"

namespace certtool::model {

namespace detail {

std::string id_token(const std::string& name) {
    std::string token = name;
    std::replace(token.begin(), token.end(), '.', '-');
    if (!token.empty() && token.front() == '*') token.replace(0, 1, "wildcard");
    return token;
}

void add_san(CertificateRequirement& certificate, const std::string& name, const std::string& reason) {
    for (auto& san : certificate.sans) {
        if (san.name == name) {
            if (san.reason.find(reason) == std::string::npos) san.reason += "; also " + reason;
            return;
        }
    }
    certificate.sans.push_back({name, reason});
}

void add_sans(CertificateRequirement& certificate, std::vector<SubjectAlternativeName> sans) {
    certificate.sans.reserve(certificate.sans.size() + sans.size());
    for (auto& san : sans) {
        if (certificate.has_san(san.name)) {
            add_san(certificate, san.name, san.reason);  // merges the reason
        } else {
            certificate.sans.push_back(std::move(san));
        }
    }
}

std::string sip_name(const std::string& sip_domain) { return "sip." + sip_domain; }

std::vector<std::string> addresses_or_name(const topology::Addresses& addresses, const std::string& name) {
    if (addresses.empty()) return {name};
    return addresses;
}

std::vector<std::string> server_key_usage(topology::KeyAlgorithm algorithm) {
    if (algorithm == topology::KeyAlgorithm::ecdsa) return {"digitalSignature"};
    return {"digitalSignature", "keyEncipherment"};
}

CertificateRequirement Builder::start(Role role, const std::string& pool, const std::string& topology_path,
                                      const std::string& id_suffix) const {
    CertificateRequirement c;
    c.role = role;
    c.pool = pool;
    c.topology_path = topology_path;
    c.id = std::string(to_string(role)) + "." + id_suffix;
    c.organization = topology_.organization;
    c.key.algorithm = topology_.policy.key_algorithm;
    c.key.bits = topology_.policy.key_bits;
    // C7: some roles never take a smaller RSA key than their own minimum, whatever
    // the policy (OAuth: 2048, although the Director summaries allow 1024).
    if (c.key.algorithm == topology::KeyAlgorithm::rsa) c.key.bits = std::max(c.key.bits, facts(role).min_rsa_bits);
    c.signature_hash = topology_.policy.signature_hash;
    c.eku = {"serverAuth"};  // G1: every Lync server certificate [INFRA]
    c.same_on_all_members = facts(role).same_on_all_members;  // C20
    c.key_usage = server_key_usage(c.key.algorithm);
    return c;
}

void Builder::finding(Severity severity, std::string code, std::string message, std::string path,
                      std::string certificate, std::string policy) {
    plan_.findings.push_back(
        {severity, std::move(code), std::move(message), std::move(path), std::move(certificate), std::move(policy)});
}

void Builder::policy_applied(const std::string& policy, std::string message, std::string path,
                             std::string certificate) {
    Finding candidate{Severity::info, "policy-applied", std::move(message), std::move(path), std::move(certificate),
                      policy};
    auto [it, inserted] = policies_.emplace(policy, candidate);
    if (!inserted && std::tie(candidate.certificate, candidate.path) < std::tie(it->second.certificate, it->second.path))
        it->second = std::move(candidate);
}

void Builder::report_policies() {
    for (auto& [policy, finding] : policies_) plan_.findings.push_back(std::move(finding));
    policies_.clear();
}

}  // namespace detail

namespace {

int severity_rank(Severity s) { return s == Severity::error ? 0 : s == Severity::warning ? 1 : 2; }

void make_stable(Plan& plan) {
    // Certificates keep topology order (sites, then roles in the order the rules
    // run): that is the order an admin reads the topology in. DNS and findings
    // are sorted, and exact duplicates (the same record needed for two reasons)
    // are merged.
    auto dns_key = [](const DnsRecord& r) {
        return std::tie(r.zone, r.name, r.type, r.target, r.port, r.priority, r.weight);
    };
    // The certificate and reason decide which of two equal records survives, so
    // that it never depends on which rule ran first; a record that names the
    // certificate holding its name wins over one on no certificate (an A/V Edge
    // FQDN shared with the Access Edge is still on the Access certificate).
    for (auto* records : {&plan.dns, &plan.dns_left_out}) {
        std::sort(records->begin(), records->end(), [&](const DnsRecord& a, const DnsRecord& b) {
            const bool a_none = a.certificate.empty(), b_none = b.certificate.empty();
            return std::tuple_cat(dns_key(a), std::tie(a_none, a.certificate, a.reason)) <
                   std::tuple_cat(dns_key(b), std::tie(b_none, b.certificate, b.reason));
        });
        records->erase(std::unique(records->begin(), records->end(),
                                   [&](const DnsRecord& a, const DnsRecord& b) { return dns_key(a) == dns_key(b); }),
                       records->end());
    }

    auto finding_key = [](const Finding& f) {
        return std::make_tuple(severity_rank(f.severity), std::cref(f.code), std::cref(f.path), std::cref(f.certificate),
                               std::cref(f.message));
    };
    std::stable_sort(plan.findings.begin(), plan.findings.end(),
                     [&](const Finding& a, const Finding& b) { return finding_key(a) < finding_key(b); });
    plan.findings.erase(std::unique(plan.findings.begin(), plan.findings.end(),
                                    [&](const Finding& a, const Finding& b) { return finding_key(a) == finding_key(b); }),
                        plan.findings.end());
}

}  // namespace

Plan build_plan(const topology::Topology& topology, const topology::Source& source, TimePoint at) {
    Plan plan;
    plan.source = source;
    plan.platform = platform_of(topology.product, topology.windows_server);
    detail::Builder builder(topology, plan);
    for (const auto& site : topology.sites) {
        for (const auto& pool : site.edge_pools) detail::plan_edge_pool(builder, pool);
        for (const auto& director : site.directors) detail::plan_director(builder, director);
        for (const auto& pool : site.front_end_pools) detail::plan_front_end_pool(builder, pool);
        for (const auto& proxy : site.reverse_proxies) detail::plan_reverse_proxy(builder, proxy);
    }
    detail::plan_oauth(builder);
    detail::plan_dns(builder);
    detail::settle_ca_kinds(builder);
    detail::plan_lifetimes(builder, at);
    detail::lint(builder);
    detail::check_product(builder);
    builder.report_policies();
    make_stable(plan);
    return plan;
}

}  // namespace certtool::model
