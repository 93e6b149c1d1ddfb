// Edge Server and Edge pool certificates: rules section 3 of
// ../shared/spec/lync2013-certificate-rules.md, with the section-11 policies
// C1-C6, C14, C17-C21. Source keys in brackets name the Microsoft page.
#include "model/builder.hpp"

namespace certtool::model::detail {

namespace {

using topology::EdgeMember;
using topology::EdgePool;
using topology::LoadBalancing;

bool is_hlb(const EdgePool& pool) { return pool.load_balancing == LoadBalancing::hlb; }

std::vector<std::string> member_fqdns(const EdgePool& pool) {
    std::vector<std::string> out;
    for (const auto& m : pool.members) out.push_back(m.fqdn);
    return out;
}

// Where audit connects for one external service of one member: the server's
// own external addresses, else its public (NAT) addresses, else the service FQDN
// for DNS to resolve.
std::vector<std::string> external_addresses(const EdgeMember& member, topology::Addresses topology::ServiceAddresses::*field,
                                            const std::string& service_fqdn) {
    if (!(member.external_ips.*field).empty()) return member.external_ips.*field;
    return addresses_or_name(member.public_ips.*field, service_fqdn);
}

std::string sign_in_pool_name(const Routes& routes, std::size_t domain) {
    return routes.sign_in[domain].pool != nullptr ? routes.sign_in[domain].pool->fqdn : "the sign-in pool";
}

// 3.2: the external certificate. With av_certificate "separate" it carries
// Access + Web Conferencing only, and plan_av_certificate adds the second one.
void plan_external_certificate(Builder& b, const EdgePool& pool) {
    const auto& topo = b.topology();
    const bool combined = pool.av_certificate == topology::AvCertificate::combined;
    CertificateRequirement c = b.start(Role::edge_external, pool.fqdn, pool.path, id_token(pool.fqdn));

    // C14: the subject is the Access FQDN (the HLB VIP FQDN behind a load balancer),
    // as in every table and the wizard, though EXT-REQ calls it optional since 2010.
    c.common_name = pool.external.access;
    const std::string access_what = is_hlb(pool) ? "Access Edge VIP FQDN" : "Access Edge FQDN";
    // C1: deterministic order: subject, Web Conferencing, sip.<domain> in topology order, XMPP.
    add_san(c, pool.external.access,
            access_what + ", repeated from the subject: TLS checks only the SAN list (G6, EXT-REQ)");
    add_san(c, pool.external.webconf,
            std::string(is_hlb(pool) ? "Web Conferencing Edge VIP FQDN" : "Web Conferencing Edge FQDN") +
                " (EXT-REQ, SETUP-EXT)");
    // 3.6: sip.<domain> for every SIP domain whose external sign-in this pool
    // answers, and for those it stands by for (routes.cpp decides which).
    const auto& routes = b.routes();
    std::vector<SubjectAlternativeName> sip_names;
    for (std::size_t i = 0; i < topo.sip_domains.size(); ++i) {
        const auto& domain = topo.sip_domains[i];
        if (routes.signs_in(pool, i)) {
            std::string reason = "sip.<domain> for SIP domain " + domain +
                                 ": automatic client configuration and federation (EXT-REQ, 3.6)";
            if (routes.edge_pools > 1)
                reason += "; this pool answers external sign-in for " + domain + " (" + routes.sign_in[i].why + ")";
            sip_names.push_back({sip_name(domain), reason});
        } else if (routes.stands_by(pool, i)) {
            sip_names.push_back({sip_name(domain), "sip.<domain> for SIP domain " + domain +
                                                       ": failover or geo-DNS target (failover_domains); DNS points it "
                                                       "at " + sign_in_pool_name(routes, i) + " until it is switched here (3.6)"});
        }
    }
    add_sans(c, std::move(sip_names));
    if (pool.xmpp_proxy) {
        // C4: each XMPP domain as a bare SAN, as the wizard pre-fills it [XMPP-SETUP].
        for (const auto& domain : topo.xmpp.domains)
            add_san(c, domain, "XMPP federation domain, served by the XMPP proxy on the Access Edge (CS-XMPP, XMPP-SETUP, C4)");
        if (topo.xmpp.srv_target)
            add_san(c, *topo.xmpp.srv_target,
                    "target of the _xmpp-server._tcp SRV record: an SRV target must be on the certificate (8.2, C4)");
        b.policy_applied("C4", "XMPP domains go on the Access Edge certificate as bare domains; the XMPP SRV "
                               "targets xmpp.srv_target when given, else the Access FQDN",
                         pool.path + "/xmpp_proxy", c.id);
        b.policy_applied("C18", "no XmppServer usage is assigned: no Lync 2013 page defines it",
                         pool.path + "/xmpp_proxy", c.id);
    }

    // AOL public IM needed Client Authentication on every member's certificate [CS-FED, SETUP-EXT];
    // the service ended and public CAs no longer issue that EKU, so this public-CA
    // certificate asks for it only when policy.public_client_auth forces it.
    if (topo.aol && routes.federation == &pool) {
        const bool forced = topo.policy.public_client_auth;
        if (forced) {
            c.eku.push_back("clientAuth");
            b.policy_applied("C19", "AOL public IM: Client Authentication added to the combined external certificate "
                                    "(policy.public_client_auth); the CA must allow it "
                                    "(Request-CsCertificate -ClientEku $true -Template ...)",
                             "/public_im/aol", c.id);
        }
        b.finding(Severity::warning, "aol-public-im-ended",
                  std::string("AOL public IM ended on 2017-12-15, and public CAs no longer issue the Client "
                              "Authentication EKU (Let's Encrypt since 2026-07-08): ") +
                      (forced ? "requested anyway because policy.public_client_auth forces it; the CA may refuse"
                              : "the public-CA certificate asks for Server Authentication only "
                                "(policy.public_client_auth forces Client Authentication)"),
                  "/public_im/aol", c.id);
    }

    c.ca = CaKind::public_ca;  // federation partners and remote clients must trust it [EXT-REQ, CS-*]
    // C6: always exportable: the A/V Authentication service needs the same private
    // key on every member, and certtool generates the key off the server [EXT-REQ, PLAN-EDGE].
    c.exportable_key = true;
    c.install_on = member_fqdns(pool);
    c.usages = {"AccessEdgeExternal", "DataEdgeExternal"};
    if (combined) c.usages.push_back("AudioVideoAuthentication");  // C5

    for (const auto& member : pool.members) {
        for (const auto& access : external_addresses(member, &topology::ServiceAddresses::access, pool.external.access)) {
            c.endpoints.push_back({member.fqdn, access, 443, pool.external.access, "access-sip"});
            if (pool.federation)
                c.endpoints.push_back({member.fqdn, access, 5061, pool.external.access, "access-federation"});
        }
        for (const auto& webconf : external_addresses(member, &topology::ServiceAddresses::webconf, pool.external.webconf))
            c.endpoints.push_back({member.fqdn, webconf, 443, pool.external.webconf, "webconf"});
    }

    b.policy_applied("C1", "SANs are ordered subject first, then Web Conferencing, then sip.<domain> in topology "
                           "order, then XMPP; verification compares them as a set",
                     pool.path, c.id);
    b.policy_applied("C14", "the subject is the Access Edge FQDN, as in every Microsoft table and the wizard",
                     pool.path + "/external/access", c.id);
    b.policy_applied("C3", "no wildcard is ever generated on the Edge external certificate", pool.path, c.id);
    b.policy_applied("C5", "AudioVideoAuthentication is assigned to the external certificate (or the separate A/V one), "
                           "not to the internal one",
                     pool.path + "/av_certificate", c.id);
    b.policy_applied("C6", "exportable keys: Edge external, A/V, Edge internal, reverse proxy and OAuth yes; "
                           "Front End and Director no",
                     pool.path, c.id);
    b.finding(Severity::info, "av-fqdn-not-needed",
              "A/V Edge FQDN " + pool.external.av +
                  " is not put on any certificate: the A/V Authentication service uses neither subject nor SAN "
                  "(EXT-REQ; PLAN-EDGE disagrees, policy C2). Verification accepts it if present.",
              pool.path + "/external/av", c.id, "C2");
    b.add(std::move(c));
}

// 3.3: the decoupled A/V Authentication certificate, for -Roll staging.
void plan_av_certificate(Builder& b, const EdgePool& pool) {
    CertificateRequirement c = b.start(Role::edge_av, pool.fqdn, pool.path + "/av_certificate", id_token(pool.fqdn));
    // Its names are never checked [EXT-REQ, ROLL]; the Access FQDN is one the CA
    // already validates for this organisation, and no wildcard is ever used (G5).
    c.common_name = pool.external.access;
    add_san(c, pool.external.access,
            "subject repeated (G6); the A/V Authentication service itself uses neither subject nor SAN (EXT-REQ, 3.3)");
    c.ca = CaKind::public_ca;  // 2013 pages put A/V Authentication on the public external certificate [EXT-REQ]
    c.exportable_key = true;   // [ROLL]: same certificate and key on every member
    c.install_on = member_fqdns(pool);
    c.usages = {"AudioVideoAuthentication"};
    b.finding(Severity::info, "edge-av-not-served",
              "the A/V Authentication certificate signs media relay tokens and is never presented on a TLS port: audit "
              "it from files exported from each member. Stage its renewal with Set-CsCertificate -Roll "
              "-EffectiveDate at least 8 hours before the old one expires (ROLL).",
              pool.path + "/av_certificate", c.id);
    b.add(std::move(c));
}

// 3.4: the internal interface certificate.
void plan_internal_certificate(Builder& b, const EdgePool& pool) {
    const auto& policy = b.topology().policy;
    CertificateRequirement c = b.start(Role::edge_internal, pool.fqdn, pool.path, id_token(pool.fqdn));
    // C21/C17: subject = the Edge pool FQDN from the topology (the internal VIP FQDN with HLB).
    c.common_name = pool.fqdn;
    const std::string what = is_hlb(pool)                      ? "internal VIP FQDN of the Edge pool"
                             : pool.members.size() == 1 && pool.load_balancing == LoadBalancing::none
                                 ? "Edge Server internal FQDN"
                                 : "Edge pool internal FQDN";
    add_san(c, pool.fqdn, what + ", repeated from the subject (C13; the tables require no SAN, repeating it is harmless)");
    if (policy.edge_internal_member_sans && pool.members.size() > 1) {
        for (const auto& member : pool.members)
            add_san(c, member.fqdn, "member FQDN, requested by policy edge_internal_member_sans (C21)");
        b.policy_applied("C21", "per-member internal FQDNs added as optional SANs (policy edge_internal_member_sans)",
                         "/policy/edge_internal_member_sans", c.id);
    }
    for (const auto& name : pool.internal_extra_sans)
        add_san(c, name, "requested in the topology (internal_extra_sans); allowed, not required (REQ-CSCERT example 6)");
    c.ca = CaKind::either;  // internal enterprise CA or public CA [EXT-REQ, CS-*]
    c.exportable_key = true;  // C6: pooled, or requested off the server
    c.install_on = member_fqdns(pool);
    c.usages = {"Internal"};
    for (const auto& member : pool.members)
        for (const auto& address : addresses_or_name(member.internal_ips, member.fqdn))
            c.endpoints.push_back({member.fqdn, address, 5061, pool.fqdn, "edge-internal"});
    if (pool.members.size() > 1)
        b.policy_applied("C20", "the same certificate and key are required on every Edge pool member (external, A/V, "
                                "internal) and for OAuth; Director and Front End members get their own",
                         pool.path + "/members", c.id);
    b.add(std::move(c));
}

}  // namespace

void plan_edge_pool(Builder& builder, const EdgePool& pool) {
    plan_external_certificate(builder, pool);
    if (pool.av_certificate == topology::AvCertificate::separate) plan_av_certificate(builder, pool);
    plan_internal_certificate(builder, pool);
}

}  // namespace certtool::model::detail
