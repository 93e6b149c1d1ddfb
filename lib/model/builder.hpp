// Shared plumbing for the role rules (edge.cpp, reverse_proxy.cpp, ...). Not a
// public interface: only lib/model/*.cpp include it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model/plan.hpp"
#include "model/routes.hpp"

namespace certtool::model::detail {

// What every role rule gets: the topology, the plan being filled, and helpers
// that keep certificates, findings and ids uniform across roles.
class Builder {
public:
    // Decides the routes first (their findings go into the plan): every role rule
    // can then ask who answers which name.
    Builder(const topology::Topology& topology, Plan& plan)
        : topology_(topology), plan_(plan), routes_(decide_routes(*this)) {}

    [[nodiscard]] const topology::Topology& topology() const { return topology_; }
    [[nodiscard]] Plan& plan() { return plan_; }
    // Who answers which name (routes.hpp); decided once, before any role rule runs.
    [[nodiscard]] const Routes& routes() const { return routes_; }

    // A requirement with the fields every Lync server certificate shares:
    // organization, key and hash from the policy, Server Authentication EKU (G1).
    [[nodiscard]] CertificateRequirement start(Role role, const std::string& pool, const std::string& topology_path,
                                               const std::string& id_suffix) const;

    void add(CertificateRequirement certificate) { plan_.certificates.push_back(std::move(certificate)); }

    void finding(Severity severity, std::string code, std::string message, std::string path,
                 std::string certificate = {}, std::string policy = {});
    // A section-11 policy that shaped this plan (info, code "policy-applied").
    // Reported once per plan: the admin needs to know which reading was taken, not
    // to see it repeated for every pool. Of all the places it applied, the one
    // named is the lowest certificate id, so the order of the topology never
    // changes it; report_policies() adds them to the plan at the end.
    void policy_applied(const std::string& policy, std::string message, std::string path,
                        std::string certificate = {});
    void report_policies();

private:
    std::map<std::string, Finding> policies_;  // by policy key
    const topology::Topology& topology_;
    Plan& plan_;
    Routes routes_;  // last: decide_routes uses the members above
};

// "lsedge.contoso.net" -> "lsedge-contoso-net": ids stay one token per dot-separated part.
std::string id_token(const std::string& name);

// Key usage that goes with the key algorithm: RSA keys encipher session keys;
// ECDSA keys only sign.
std::vector<std::string> server_key_usage(topology::KeyAlgorithm algorithm);

// Adds a SAN with its reason; a name that is already there keeps its place and
// gains the new reason ("...; also ...").
void add_san(CertificateRequirement& certificate, const std::string& name, const std::string& reason);
// The same for many names at once, in order.
void add_sans(CertificateRequirement& certificate, std::vector<SubjectAlternativeName> sans);

// Where audit connects: every address the topology gives (IPv4 and IPv6 of a
// dual-stack server), else the name, for DNS to resolve.
std::vector<std::string> addresses_or_name(const topology::Addresses& addresses, const std::string& name);

// "sip." + domain: the Access Edge name clients and federation partners look up per SIP domain.
std::string sip_name(const std::string& sip_domain);

// Names shared by several roles (published_names.cpp). Each comes with its reason.
// Simple URLs: every meet URL, dialin, and admin when include_admin (internal web
// only, C12). With policy simple_url_wildcards, names directly under one parent
// domain collapse into "*.<parent>" (WILDCARD, CS-RP).
std::vector<SubjectAlternativeName> simple_url_sans(Builder& builder, bool include_admin, const std::string& certificate_id);
// lyncdiscover.<sipdomain> for every SIP domain (external Autodiscover) [CS-AD, MOB-CERT].
std::vector<SubjectAlternativeName> lyncdiscover_sans(const topology::Topology& topology);
// lyncdiscoverinternal.<sipdomain> for every SIP domain, plus .<internal domain>
// for each internal domain that is not a SIP domain (C8).
std::vector<SubjectAlternativeName> lyncdiscoverinternal_sans(Builder& builder, const std::string& certificate_id);

// The role rules, each in its own file, called once per site in topology order.
void plan_edge_pool(Builder& builder, const topology::EdgePool& pool);             // edge.cpp
void plan_director(Builder& builder, const topology::Director& director);          // director.cpp
void plan_front_end_pool(Builder& builder, const topology::FrontEndPool& pool);    // front_end.cpp
void plan_reverse_proxy(Builder& builder, const topology::ReverseProxy& proxy);    // reverse_proxy.cpp
// Then once per plan:
void plan_oauth(Builder& builder);  // oauth.cpp
void plan_dns(Builder& builder);    // dns.cpp
void settle_ca_kinds(Builder& builder);  // lint.cpp: "either" becomes "internal" for unissuable names
void lint(Builder& builder);        // lint.cpp
void plan_lifetimes(Builder& builder, TimePoint at);  // lifetime.cpp: validity, renewals, -Roll lead (issue 14)
void check_product(Builder& builder);  // product_checks.cpp: what the product and its Windows Server allow

}  // namespace certtool::model::detail
