// DNS records that must agree with the certificates (rules section 8; C4, C16).
// Each record names the certificate whose SANs must hold it, so lint.cpp can
// check the hard rule of 8.2: every SRV target is a SAN of the certificate
// serving that port.
#include <algorithm>
#include <optional>

#include "model/builder.hpp"
#include "model/web_pool.hpp"
#include "names/names.hpp"

namespace certtool::model::detail {

namespace {

using topology::EdgePool;
using topology::ServiceAddresses;
using AddressField = topology::Addresses ServiceAddresses::*;

// The addresses of one member (none when the topology does not say), with
// where they are written.
struct MemberAddress {
    std::string member;
    std::string field_path;  // JSON Pointer of the field that gives (or would give) them
    topology::Addresses addresses;
};

std::vector<std::string> present(const std::vector<MemberAddress>& list) {
    std::vector<std::string> out;
    for (const auto& m : list) out.insert(out.end(), m.addresses.begin(), m.addresses.end());
    return out;
}

class DnsWriter {
public:
    explicit DnsWriter(Builder& b) : b_(b) {}

    // A records for IPv4 addresses, AAAA for IPv6 (8.2: publish AAAA beside A
    // wherever IPv6 is configured [DNS-REQ, CHANGES]).
    void a(const std::string& zone, const std::string& name, const std::vector<std::string>& addresses,
           const std::string& certificate, const std::string& reason, const std::string& path) {
        if (addresses.empty()) {
            b_.finding(Severity::info, "dns-address-unknown",
                       "no address for " + name + " in the topology: its " + zone +
                           " A record is left out of the plan; add the IP addresses to list it",
                       path);
            b_.plan().dns_left_out.push_back({zone, "A", name, "", 0, 0, 0, certificate, reason});
            return;
        }
        for (const auto& address : addresses) {
            const char* type = address.find(':') != std::string::npos ? "AAAA" : "A";
            b_.plan().dns.push_back({zone, type, name, address, 0, 0, 0, certificate, reason});
        }
    }

    void cname(const std::string& zone, const std::string& name, const std::string& target, const std::string& reason) {
        if (name == target) return;
        b_.plan().dns.push_back({zone, "CNAME", name, target, 0, 0, 0, "", reason});
    }

    // SRV "_service._proto.<domain>". DNS-REQ: its target must be in the same
    // domain; C16: Microsoft's own examples break that, so it is a warning,
    // and an error in strict-DNS mode.
    void srv(const std::string& zone, const std::string& service, const std::string& domain, const std::string& target,
             int port, const std::string& certificate, const std::string& reason, const std::string& path) {
        const std::string name = service + "." + domain;
        b_.plan().dns.push_back({zone, "SRV", name, target, port, 0, 0, certificate, reason});
        if (!names::is_within(target, domain)) {
            const bool strict = b_.topology().policy.strict_dns;
            b_.finding(strict ? Severity::error : Severity::warning, "srv-target-outside-domain",
                       "SRV " + name + " targets " + target + ", outside " + domain +
                           ": Lync 2010 and later clients show a trust prompt (DNS-REQ, C16)" +
                           (strict ? "; policy strict_dns makes this an error" : ""),
                       path, certificate, "C16");
        }
    }

    // Records are never dropped silently: when some members of a pool have an
    // address that others lack, the records list only the ones given, and the
    // admin is told which members are missing from them.
    void check_partial(const std::vector<MemberAddress>& list, const std::string& what) {
        std::vector<const MemberAddress*> missing;
        std::string given;
        std::size_t given_count = 0;
        for (const auto& m : list) {
            if (m.addresses.empty()) {
                missing.push_back(&m);
                continue;
            }
            given += (given.empty() ? "" : ", ") + m.member;
            ++given_count;
        }
        if (missing.empty() || given_count == 0) return;
        for (const auto* m : missing)
            b_.finding(Severity::warning, "dns-address-partial",
                       m->member + " has no " + what + " while " + given + (given_count == 1 ? " has one" : " have one") +
                           ": the DNS records built from them leave it out, so no client is sent to it",
                       m->field_path);
    }

private:
    Builder& b_;
};

const char* field_name(AddressField field) {
    if (field == &ServiceAddresses::access) return "access";
    if (field == &ServiceAddresses::webconf) return "webconf";
    return "av";
}

// Public addresses of one Edge service, member by member: each member's public
// (NAT) address, else its own external address when that is public. (With a
// hardware load balancer the VIP is published instead: see public_addresses.)
std::vector<MemberAddress> member_public_addresses(const EdgePool& pool, AddressField field) {
    const bool nat = pool.external_addressing == topology::Addressing::nat;
    std::vector<MemberAddress> out;
    for (const auto& m : pool.members) {
        MemberAddress a{m.fqdn, m.path + (nat ? "/public_ips/" : "/external_ips/") + field_name(field), {}};
        if (!(m.public_ips.*field).empty()) a.addresses = m.public_ips.*field;
        else if (!nat) a.addresses = m.external_ips.*field;
        out.push_back(std::move(a));
    }
    return out;
}

std::vector<std::string> public_addresses(const EdgePool& pool, AddressField field) {
    if (pool.load_balancing == topology::LoadBalancing::hlb) return pool.vips.external.*field;
    return present(member_public_addresses(pool, field));
}

std::vector<MemberAddress> member_internal_addresses(const EdgePool& pool) {
    std::vector<MemberAddress> out;
    for (const auto& m : pool.members) out.push_back({m.fqdn, m.path + "/internal_ip", m.internal_ips});
    return out;
}

std::vector<MemberAddress> server_addresses(const std::vector<topology::ServerMember>& members) {
    std::vector<MemberAddress> out;
    for (const auto& m : members) out.push_back({m.fqdn, m.path + "/ip", m.ips});
    return out;
}

std::string edge_external_id(const EdgePool& pool) {
    return std::string(to_string(Role::edge_external)) + "." + id_token(pool.fqdn);
}

void edge_pool_records(DnsWriter& dns, const EdgePool& pool) {
    const auto cert = edge_external_id(pool);
    const auto internal_cert = std::string(to_string(Role::edge_internal)) + "." + id_token(pool.fqdn);
    const bool hlb = pool.load_balancing == topology::LoadBalancing::hlb;
    if (!hlb) {
        for (AddressField field : {&ServiceAddresses::access, &ServiceAddresses::webconf, &ServiceAddresses::av})
            dns.check_partial(member_public_addresses(pool, field),
                              std::string(pool.external_addressing == topology::Addressing::nat ? "public_ips."
                                                                                                 : "external_ips.") +
                                  field_name(field));
    }
    dns.a("external", pool.external.access, public_addresses(pool, &ServiceAddresses::access), cert,
          "Access Edge (DNS-NAT, DNS-PUB, DNS-DNSLB-*, DNS-HLB)", pool.path + "/external/access");
    dns.a("external", pool.external.webconf, public_addresses(pool, &ServiceAddresses::webconf), cert,
          "Web Conferencing Edge", pool.path + "/external/webconf");
    dns.a("external", pool.external.av, public_addresses(pool, &ServiceAddresses::av), "",
          "A/V Edge; on no certificate (EXT-REQ, C2)", pool.path + "/external/av");

    const auto internal = member_internal_addresses(pool);
    dns.check_partial(internal, "internal_ip");
    const auto pool_internal = hlb && !pool.vips.internal.empty() ? pool.vips.internal : present(internal);
    dns.a("internal", pool.fqdn, pool_internal, internal_cert,
          "Edge pool internal FQDN: every member's internal address, or the internal VIP", pool.path + "/fqdn");
    // The Central Management Store replicates to each Edge Server by its own FQDN
    // (HTTPS 4443 on the internal interface, rules 9), and an Edge Server's
    // computer FQDN must resolve inside (DNS-EDGECFG).
    for (const auto& m : internal)
        if (!m.addresses.empty() && m.member != pool.fqdn)
            dns.a("internal", m.member, m.addresses, "",
                  "Edge Server internal FQDN: the Central Management Store replicates to each Edge Server by its FQDN "
                  "(DNS-EDGECFG, 9)",
                  m.field_path);
}

void sign_in_records(DnsWriter& dns, Builder& b) {
    const auto& topo = b.topology();
    const auto& routes = b.routes();
    for (std::size_t i = 0; i < topo.sip_domains.size(); ++i) {
        const auto* pool = routes.sign_in[i].pool;
        if (pool == nullptr) continue;  // undecided: routes.cpp asked for the choice
        const auto& domain = topo.sip_domains[i];
        const auto path = "/sip_domains/" + std::to_string(i);
        const auto sip = sip_name(domain);
        const auto cert = edge_external_id(*pool);
        if (sip != pool->external.access)
            dns.a("external", sip, public_addresses(*pool, &ServiceAddresses::access), cert,
                  "sip.<domain> resolves to the Access Edge that answers external sign-in for " + domain +
                      " (EXT-REQ, 3.6)",
                  path);
        // The SRV target stays inside the SRV's domain (DNS-REQ): the Access FQDN
        // when it is in this SIP domain, else sip.<domain>, which is on the certificate.
        const auto& target = names::is_within(pool->external.access, domain) ? pool->external.access : sip;
        dns.srv("external", "_sip._tls", domain, target, 443, cert,
                "external client automatic configuration (DNS-NAT, DNS-PUB; not needed with GPO-configured clients)", path);
        // Federation goes to the federation route (SCEN): the same target when it
        // also answers sign-in, else its own Access FQDN.
        if (const auto* federation = routes.federation) {
            const bool same = federation == pool;
            dns.srv("external", "_sipfederationtls._tcp", domain, same ? target : federation->external.access, 5061,
                    edge_external_id(*federation),
                    "discoverable federation and mobile push notifications, to the federation route (DNS-FED, FED-PLAN)",
                    path);
        }
        for (const auto* standby : routes.failover[i])
            b.finding(Severity::info, "sign-in-failover",
                      standby->fqdn + " carries " + sip + " as a failover or geo-DNS target: to fail external sign-in "
                      "for " + domain + " over to it, point " + sip + " at its Access Edge addresses" +
                          (target == sip ? "" : " and _sip._tls." + domain + " at " + sip) + " (3.6)",
                      standby->path + "/failover_domains", edge_external_id(*standby));
    }

    // XMPP: C4. The proxy runs on one Edge pool in one site [CHANGES].
    if (const auto* pool = routes.xmpp) {
        const auto target = topo.xmpp.srv_target.value_or(pool->external.access);
        for (std::size_t i = 0; i < topo.xmpp.domains.size(); ++i)
            dns.srv("external", "_xmpp-server._tcp", topo.xmpp.domains[i], target, 5269, edge_external_id(*pool),
                    "XMPP federation to the XMPP proxy on the Access Edge (DNS-XMPP, C4)",
                    "/xmpp/domains/" + std::to_string(i));
        if (topo.xmpp.srv_target && *topo.xmpp.srv_target != pool->external.access)
            dns.a("external", *topo.xmpp.srv_target, public_addresses(*pool, &ServiceAddresses::access),
                  edge_external_id(*pool), "XMPP SRV target resolves to the Access Edge (DNS-XMPP)", "/xmpp/srv_target");
    }
}

void reverse_proxy_records(DnsWriter& dns, Builder& b) {
    const auto& topo = b.topology();
    std::vector<std::string> every_proxy;  // lyncdiscover over HTTP goes to the proxies
    for (const auto& site : topo.sites) {
        for (const auto& proxy : site.reverse_proxies) {
            const auto addresses = server_addresses(proxy.members);
            dns.check_partial(addresses, "ip");
            for (const auto& a : present(addresses)) every_proxy.push_back(a);
            const auto id = std::string(to_string(Role::reverse_proxy)) + "." + id_token(proxy.name);
            const auto* cert = b.plan().find(id);
            if (cert == nullptr) continue;
            for (const auto& san : cert->sans) {
                if (names::is_wildcard(san.name)) continue;
                dns.a("external", san.name, present(addresses), id,
                      "published by reverse proxy " + proxy.name + " (DNS-RP)", proxy.path + "/members");
            }
        }
    }
    bool any_proxy = false;
    for (const auto& site : topo.sites) any_proxy = any_proxy || !site.reverse_proxies.empty();
    if (topo.autodiscover == topology::Autodiscover::http && any_proxy) {
        std::sort(every_proxy.begin(), every_proxy.end());
        for (const auto& domain : topo.sip_domains)
            dns.a("external", "lyncdiscover." + domain, every_proxy, "",
                  "Autodiscover first request over HTTP/80 through the reverse proxy (MOB-TECH, CS-AD)",
                  "/mobility/autodiscover");
    }
}

// Internal web names point at the Director when there is one [DNS-HOSTS, DNS-AD],
// else at the Front End pool; routes.cpp chooses among several.
void internal_web_records(DnsWriter& dns, Builder& b) {
    const auto& topo = b.topology();
    const auto& routes = b.routes();
    if (routes.web_target == nullptr) return;
    const auto& target_pool = routes.web_target_pool;

    std::vector<std::string> simple;
    for (const auto& meet : topo.simple_urls.meet) simple.push_back(meet);
    if (topo.simple_urls.dialin) simple.push_back(*topo.simple_urls.dialin);
    if (topo.simple_urls.admin) simple.push_back(*topo.simple_urls.admin);
    for (const auto& name : simple)
        dns.cname("internal", name, target_pool, "simple URL, served by " + target_pool + " inside (DNS-FE, DNS-HOSTS)");

    if (topo.autodiscover == topology::Autodiscover::off) return;
    std::vector<std::string> internal_names;
    for (const auto& d : topo.sip_domains) internal_names.push_back("lyncdiscoverinternal." + d);
    for (const auto& d : topo.internal_domains) {
        const auto name = "lyncdiscoverinternal." + d;
        if (std::find(internal_names.begin(), internal_names.end(), name) == internal_names.end())
            internal_names.push_back(name);
    }
    for (const auto& name : internal_names)
        dns.cname("internal", name, routes.web_target->internal,
                  "internal Autodiscover to the internal web services (DNS-AD, AUTODISC; always create it)");
    // Without a reverse proxy certificate holding lyncdiscover, point it at the external web services.
    bool has_proxy = false;
    for (const auto& site : topo.sites) has_proxy = has_proxy || !site.reverse_proxies.empty();
    if (!has_proxy && routes.web_target->external) {
        for (const auto& d : topo.sip_domains)
            dns.cname("external", "lyncdiscover." + d, *routes.web_target->external,
                      "external Autodiscover to the external web services (DNS-AD, AUTODISC)");
    }
}

void server_records(DnsWriter& dns, Builder& b) {
    const auto& topo = b.topology();
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.front_end_pools) {
            const auto addresses = server_addresses(pool.members);
            dns.check_partial(addresses, "ip");
            const bool standard = pool.edition == topology::Edition::standard;
            if (!standard && !present(addresses).empty())
                dns.a("internal", pool.fqdn, present(addresses), "",
                      "Front End pool FQDN: one record per member for DNS load balancing (DNS-FE)", pool.path + "/fqdn");
            for (const auto& m : addresses)
                if (!m.addresses.empty() && (standard || m.member != pool.fqdn))
                    dns.a("internal", m.member, m.addresses, "",
                          standard ? "Standard Edition server: the pool of one is the server (DNS-FE)"
                                   : "Front End Server (DNS-FE)",
                          m.field_path);
        }
        for (const auto& director : site.directors) {
            const auto addresses = server_addresses(director.members);
            dns.check_partial(addresses, "ip");
            if (!present(addresses).empty())
                dns.a("internal", director.fqdn, present(addresses), "",
                      "Director pool FQDN (DNS-DIR1, DNS-DIRDH)", director.path + "/fqdn");
            for (const auto& m : addresses)
                if (!m.addresses.empty() && m.member != director.fqdn)
                    dns.a("internal", m.member, m.addresses, "", "Director (DNS-DIR1, DNS-DIRHLB)", m.field_path);
            if (director.sip_target)
                for (std::size_t i = 0; i < topo.sip_domains.size(); ++i)
                    dns.a("internal", sip_name(topo.sip_domains[i]), present(addresses),
                          default_certificate_id(Role::director, director.fqdn, director.members.front().fqdn),
                          "inbound SIP from the Edge internal side goes to the Director (DNS-DIR1, C11)",
                          director.path + "/sip_target");
        }
    }
    const auto* sign_in = b.routes().internal_sign_in.pool;
    if (sign_in == nullptr || sign_in->members.empty()) return;

    const auto cert = default_certificate_id(Role::front_end, sign_in->fqdn, sign_in->members.front().fqdn);
    const auto addresses = present(server_addresses(sign_in->members));
    for (std::size_t i = 0; i < topo.sip_domains.size(); ++i) {
        const auto& domain = topo.sip_domains[i];
        const auto path = "/sip_domains/" + std::to_string(i);
        // With auto-logon the pool carries sip.<domain> (INT-REQ), which keeps the
        // SRV target inside its domain; otherwise the pool FQDN, often outside it (C16).
        const auto target = sign_in->auto_logon ? sip_name(domain) : sign_in->fqdn;
        if (sign_in->auto_logon)
            dns.a("internal", target, addresses, cert,
                  "sip.<domain> inside resolves to the automatic sign-in pool (DNS-SIGNIN, INT-REQ)", path);
        dns.srv("internal", "_sipinternaltls._tcp", domain, target, 5061, cert,
                "internal client automatic sign-in (DNS-FE, DNS-SIGNIN)", path);
    }
}

}  // namespace

void plan_dns(Builder& builder) {
    DnsWriter dns(builder);
    for (const auto& site : builder.topology().sites)
        for (const auto& pool : site.edge_pools) edge_pool_records(dns, pool);
    sign_in_records(dns, builder);
    reverse_proxy_records(dns, builder);
    internal_web_records(dns, builder);
    server_records(dns, builder);
}

}  // namespace certtool::model::detail
