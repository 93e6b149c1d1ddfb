// The certificate plan: what certtool derives from a topology (certtool.plan/v1).
// These types are pure data. The rules that fill them live one file per role
// beside this header (edge.cpp, reverse_proxy.cpp, director.cpp, front_end.cpp,
// oauth.cpp), DNS in dns.cpp and the cross-cutting checks in lint.cpp.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"
#include "model/product.hpp"
#include "topology/topology.hpp"

namespace certtool::model {

inline constexpr const char* kPlanSchema = "certtool.plan/v1";

// Each role's facts (name, title, web, shared by the pool, ...) are one row of
// roles.cpp, in this order; a new role is added there, and after `oauth` only if
// the count check in roles.cpp is moved along.
enum class Role {
    edge_external,
    edge_av,
    edge_internal,
    front_end,
    front_end_web_internal,
    front_end_web_external,
    director,
    director_web_internal,
    director_web_external,
    reverse_proxy,
    oauth,
};
const char* to_string(Role role);

enum class CaKind { public_ca, internal_ca, either };
const char* to_string(CaKind ca);

struct KeySpec {
    topology::KeyAlgorithm algorithm = topology::KeyAlgorithm::rsa;
    int bits = 2048;  // RSA modulus, or the curve size for ECDSA
    [[nodiscard]] std::string algorithm_name() const;  // "RSA" / "ECDSA"
    [[nodiscard]] std::string curve_name() const;      // "P-256" ... ("" for RSA)
};

// Where audit connects to see a certificate being served.
struct Endpoint {
    std::string member;   // member FQDN
    std::string address;  // IP address, or the member FQDN when no address is known
    int port = 443;
    std::string sni;      // server name to send
    std::string service;  // e.g. "access-sip", "access-federation", "webconf", "edge-internal"
};

struct SubjectAlternativeName {
    std::string name;
    std::string reason;  // why it is there, with the source key of the rule
};

struct CertificateRequirement {
    std::string id;  // "<role>.<pool-or-name-with-dashes>[.<member>]", unique, stable
    Role role = Role::edge_external;
    std::string pool;           // pool / proxy FQDN or name this certificate belongs to ("global" for OAuth)
    std::string topology_path;  // JSON Pointer of the topology element it derives from
    std::string common_name;
    topology::Organization organization;
    std::vector<SubjectAlternativeName> sans;  // deterministic order, subject first (C1)
    std::vector<std::string> eku;              // "serverAuth", "clientAuth"
    std::vector<std::string> key_usage;        // "digitalSignature", "keyEncipherment"
    KeySpec key;
    std::string signature_hash = "sha256";
    CaKind ca = CaKind::either;
    bool exportable_key = false;
    bool same_on_all_members = false;
    std::vector<std::string> install_on;
    std::vector<std::string> usages;  // Set-CsCertificate -Type values
    std::vector<Endpoint> endpoints;
    // Lifetime (issue 14; model/lifetime.hpp), for the date the plan is made for:
    int validity_days = 365;               // what is requested: a public CA's is capped at max_validity_days
    std::optional<int> max_validity_days;  // public CA only: BR 6.3.2's maximum at the plan's date
    std::string max_validity_from;         // the date that maximum applies from ("" for the undated first row)
    int renewals_per_year = 1;             // 365 / validity_days, rounded up
    int roll_lead_hours = 0;               // the -Roll lead time of its staged usages (0: nothing staged)

    [[nodiscard]] bool has_san(const std::string& name) const;
};

struct DnsRecord {
    std::string zone;  // "external" / "internal"
    std::string type;  // "A", "CNAME", "SRV"
    std::string name;
    std::string target;  // IP address (A), host (CNAME, SRV)
    int port = 0;        // SRV only
    int priority = 0;    // SRV only
    int weight = 0;      // SRV only
    std::string certificate;  // id of the certificate whose SANs must hold this name / target ("" if none)
    std::string reason;
};

enum class Severity { error, warning, info };
const char* to_string(Severity severity);

struct Finding {
    Severity severity = Severity::info;
    std::string code;     // stable; see README.md "Finding codes"
    std::string message;
    std::string path;     // JSON Pointer in the topology
    std::string certificate;  // certificate id it concerns ("" if none)
    std::string policy;       // section-11 policy applied ("C1".."C22"), "" if none
};

struct Plan {
    topology::Source source;
    Platform platform;  // the product and oldest Windows Server: what requests, PFX files and scripts may use
    std::vector<CertificateRequirement> certificates;
    std::vector<DnsRecord> dns;
    // The records left out for want of an address (each one a dns-address-unknown
    // finding): type "A", no target, sorted as `dns`. Not part of certtool.plan/v1;
    // the zone and PowerShell renderings mention them, so that none is dropped silently.
    std::vector<DnsRecord> dns_left_out;
    std::vector<Finding> findings;

    [[nodiscard]] bool has_errors() const;
    [[nodiscard]] std::vector<const Finding*> errors() const;  // the error findings, in plan order
    [[nodiscard]] const CertificateRequirement* find(const std::string& id) const;
};

// The code every verb uses for "the plan it works from has error findings"
// (README "A plan with errors"): a refusal in the verbs that write from the
// plan, a warning in those that check against it.
inline constexpr const char* kPlanHasErrors = "plan.has-errors";

// "the plan has 2 error findings, first wildcard-forbidden at /sites/0/...: ..."
// ("" for a plan without errors).
std::string error_summary(const Plan& plan);

// WILDCARD: whether a wildcard SAN may stand for `name` on a certificate of this
// requirement: on web certificates (reverse proxy, Front End, Director) for
// simple URLs and Autodiscover names; never for SIP names, pool or server
// FQDNs, and never on Edge or OAuth certificates (G5, C3).
bool wildcard_may_cover(const CertificateRequirement& requirement, const std::string& name);

// The plan reduced to the certificates named in `only` (by role name or by id),
// the DNS records tied to them and the findings about them or about no
// certificate in particular. A value that matches nothing throws InputError
// (code usage.unknown-certificate) listing the roles and ids that would match.
Plan select_certificates(const Plan& plan, const std::vector<std::string>& only);

// The whole derivation: topology in, plan out, for certificates issued at `at`
// (which picks the public CAs' maximum lifetime, model/lifetime.hpp).
// Deterministic: the same topology and date give the same plan, element for element.
Plan build_plan(const topology::Topology& topology, const topology::Source& source, TimePoint at);

}  // namespace certtool::model
