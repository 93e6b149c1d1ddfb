// Front End / Standard Edition / Director certificates (rules sections 5-7;
// policies C6, C8, C9, C11, C12, C13, C20). One certificate per member that
// carries the pool subject [CS-DIRHLB, INT-REQ].
#include "model/web_pool.hpp"

namespace certtool::model::detail {

namespace {

using topology::CertificateLayout;

std::string id_suffix(const std::string& pool_fqdn, const std::string& member_fqdn) {
    if (member_fqdn == pool_fqdn) return id_token(pool_fqdn);  // Standard Edition, single Director
    return id_token(pool_fqdn) + "." + id_token(member_fqdn);
}

void add_member_identity(CertificateRequirement& c, const WebPool& pool, const std::string& member) {
    add_san(c, pool.fqdn, pool.kind + " FQDN, repeated from the subject (INT-REQ, C13)");
    if (member != pool.fqdn)
        add_san(c, member,
                "this member's FQDN: each member has its own certificate with the pool subject (CS-DIRHLB, INT-REQ, C20)");
}

void add_sip_names(Builder& b, CertificateRequirement& c, const WebPool& pool) {
    if (!pool.sip_names) return;
    std::vector<SubjectAlternativeName> sans;
    for (const auto& domain : b.topology().sip_domains) sans.push_back({sip_name(domain), pool.sip_names_reason});
    add_sans(c, std::move(sans));
}

void add_web_internal(CertificateRequirement& c, const WebPool& pool) {
    add_san(c, pool.web_services->internal, "internal web services FQDN (INT-REQ)");
}

void add_web_external(CertificateRequirement& c, const WebPool& pool) {
    if (pool.web_services->external)
        add_san(c, *pool.web_services->external,
                "external web services FQDN, published by the reverse proxy to port 4443 (INT-REQ, C11)");
}

void add_endpoints(CertificateRequirement& c, const WebPool& pool, const topology::ServerMember& member, bool sip,
                   bool web_internal, bool web_external) {
    for (const auto& address : addresses_or_name(member.ips, member.fqdn)) {
        if (sip) c.endpoints.push_back({member.fqdn, address, 5061, pool.fqdn, "sip"});
        if (web_internal) c.endpoints.push_back({member.fqdn, address, 443, pool.web_services->internal, "web-internal"});
        if (web_external && pool.web_services->external)
            c.endpoints.push_back({member.fqdn, address, 4443, *pool.web_services->external, "web-external"});
    }
}

// Fields every certificate of these roles shares (C6: keys not exportable unless
// the admin chooses to copy them; internal CA recommended, public allowed [INT-REQ]).
void finish(CertificateRequirement& c, const std::string& member) {
    c.ca = CaKind::either;
    c.exportable_key = false;
    c.install_on = {member};
}

}  // namespace

std::string default_certificate_id(Role default_role, const std::string& pool_fqdn, const std::string& member_fqdn) {
    return std::string(to_string(default_role)) + "." + id_suffix(pool_fqdn, member_fqdn);
}

void plan_web_pool(Builder& b, const WebPool& pool) {
    const auto& topo = b.topology();
    const bool autodiscover = topo.autodiscover != topology::Autodiscover::off;
    if (pool.members->empty()) {
        b.finding(Severity::error, "pool-without-members",
                  pool.kind + " " + pool.fqdn + " has no members: each member needs its own certificate (C20)",
                  pool.path + "/members");
        return;
    }

    for (const auto& member : *pool.members) {
        const std::string suffix = id_suffix(pool.fqdn, member.fqdn);
        if (pool.layout == CertificateLayout::combined) {
            // One certificate for Default, WebServicesInternal and WebServicesExternal
            // (Set-CsCertificate example 2); then C9 does not matter.
            CertificateRequirement c = b.start(pool.default_role, pool.fqdn, pool.path, suffix);
            c.common_name = pool.fqdn;  // C12: subject = pool FQDN for Default
            add_member_identity(c, pool, member.fqdn);
            add_web_internal(c, pool);
            add_web_external(c, pool);
            add_sip_names(b, c, pool);
            add_sans(c, simple_url_sans(b, true, c.id));
            if (autodiscover) {
                add_sans(c, lyncdiscoverinternal_sans(b, c.id));
                add_sans(c, lyncdiscover_sans(topo));
            }
            finish(c, member.fqdn);
            c.usages = {"Default", "WebServicesInternal", "WebServicesExternal"};
            add_endpoints(c, pool, member, true, true, true);
            b.add(std::move(c));
            continue;
        }

        // Split layout: three certificates [INT-REQ].
        CertificateRequirement def = b.start(pool.default_role, pool.fqdn, pool.path, suffix);
        def.common_name = pool.fqdn;
        add_member_identity(def, pool, member.fqdn);
        add_sip_names(b, def, pool);
        if (autodiscover && topo.policy.autodiscover_on_default) {
            add_sans(def, lyncdiscoverinternal_sans(b, def.id));
            add_sans(def, lyncdiscover_sans(topo));
        }
        finish(def, member.fqdn);
        def.usages = {"Default"};
        add_endpoints(def, pool, member, true, false, false);

        // C12: web certificates have the server FQDN as subject (INT-REQ examples,
        // -ComputerFqdn); C13: the subject is repeated as a SAN even where the
        // INT-REQ web external example leaves it out.
        CertificateRequirement internal = b.start(pool.web_internal_role, pool.fqdn, pool.path, suffix);
        internal.common_name = member.fqdn;
        add_san(internal, member.fqdn, "server FQDN, repeated from the subject (INT-REQ, C12, C13)");
        add_web_internal(internal, pool);
        add_sans(internal, simple_url_sans(b, true, internal.id));
        if (autodiscover) add_sans(internal, lyncdiscoverinternal_sans(b, internal.id));
        finish(internal, member.fqdn);
        internal.usages = {"WebServicesInternal"};
        add_endpoints(internal, pool, member, false, true, false);

        CertificateRequirement external = b.start(pool.web_external_role, pool.fqdn, pool.path, suffix);
        external.common_name = member.fqdn;
        add_san(external, member.fqdn, "server FQDN, repeated from the subject (INT-REQ, C12, C13)");
        add_web_external(external, pool);
        add_sans(external, simple_url_sans(b, false, external.id));
        if (autodiscover) add_sans(external, lyncdiscover_sans(topo));
        finish(external, member.fqdn);
        external.usages = {"WebServicesExternal"};
        add_endpoints(external, pool, member, false, false, true);

        b.policy_applied("C9", std::string("split layout: lyncdiscover on WebServicesExternal, lyncdiscoverinternal on "
                                           "WebServicesInternal") +
                                   (topo.policy.autodiscover_on_default ? ", and both on Default (CS-AD)" : ""),
                         pool.path + "/certificate_layout", def.id);
        b.add(std::move(def));
        b.add(std::move(internal));
        b.add(std::move(external));
    }
    b.policy_applied("C12", "Default has the pool FQDN as subject, web certificates the server FQDN; every meet URL is on "
                            "both web certificates, admin on the internal one only",
                     pool.path, default_certificate_id(pool.default_role, pool.fqdn, pool.members->front().fqdn));
    b.policy_applied("C13", "the subject is always repeated as a SAN", pool.path,
                     default_certificate_id(pool.default_role, pool.fqdn, pool.members->front().fqdn));
}

}  // namespace certtool::model::detail
