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
using AddressField = std::optional<std::string> ServiceAddresses::*;

class DnsWriter {
public:
    explicit DnsWriter(Builder& b) : b_(b) {}

    void a(const std::string& zone, const std::string& name, const std::vector<std::string>& addresses,
           const std::string& certificate, const std::string& reason, const std::string& path) {
        if (addresses.empty()) {
            b_.finding(Severity::info, "dns-address-unknown",
                       "no address for " + name + " in the topology: its " + zone +
                           " A record is left out of the plan; add the IP addresses to list it",
                       path);
            return;
        }
        for (const auto& address : addresses) b_.plan().dns.push_back({zone, "A", name, address, 0, 0, 0, certificate, reason});
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

private:
    Builder& b_;
};

// Public addresses of one Edge service: the VIP with HLB, else each member's
// public (NAT) address, else its own external address when that is public.
std::vector<std::string> public_addresses(const EdgePool& pool, AddressField field) {
    std::vector<std::string> out;
    if (pool.load_balancing == topology::LoadBalancing::hlb) {
        if (const auto& vip = pool.vips.external.*field) out.push_back(*vip);
        return out;
    }
    for (const auto& m : pool.members) {
        if (const auto& published = m.public_ips.*field) {
            out.push_back(*published);
        } else if (pool.external_addressing == topology::Addressing::public_ip) {
            if (const auto& own = m.external_ips.*field) out.push_back(*own);
        }
    }
    return out;
}

std::vector<std::string> internal_addresses(const EdgePool& pool) {
    std::vector<std::string> out;
    if (pool.load_balancing == topology::LoadBalancing::hlb && pool.vips.internal) return {*pool.vips.internal};
    for (const auto& m : pool.members)
        if (m.internal_ip) out.push_back(*m.internal_ip);
    return out;
}

std::vector<std::string> member_addresses(const std::vector<topology::ServerMember>& members) {
    std::vector<std::string> out;
    for (const auto& m : members)
        if (m.ip) out.push_back(*m.ip);
    return out;
}

std::string edge_external_id(const EdgePool& pool) {
    return std::string(to_string(Role::edge_external)) + "." + id_token(pool.fqdn);
}

// The Edge pool that external SRV records point at: the federation route (only
// one Edge deployment can be it [SCEN]), else the first pool.
const EdgePool* primary_edge_pool(const topology::Topology& topo) {
    const EdgePool* first = nullptr;
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.edge_pools) {
            if (pool.federation) return &pool;
            if (first == nullptr) first = &pool;
        }
    }
    return first;
}

void edge_records(DnsWriter& dns, const topology::Topology& topo) {
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.edge_pools) {
            const auto cert = edge_external_id(pool);
            dns.a("external", pool.external.access, public_addresses(pool, &ServiceAddresses::access), cert,
                  "Access Edge (DNS-NAT, DNS-PUB, DNS-DNSLB-*, DNS-HLB)", pool.path + "/external/access");
            dns.a("external", pool.external.webconf, public_addresses(pool, &ServiceAddresses::webconf), cert,
                  "Web Conferencing Edge", pool.path + "/external/webconf");
            dns.a("external", pool.external.av, public_addresses(pool, &ServiceAddresses::av), "",
                  "A/V Edge; on no certificate (EXT-REQ, C2)", pool.path + "/external/av");
            dns.a("internal", pool.fqdn, internal_addresses(pool),
                  std::string(to_string(Role::edge_internal)) + "." + id_token(pool.fqdn),
                  "Edge pool internal FQDN: every member's internal address, or the internal VIP", pool.path + "/fqdn");
        }
    }

    const EdgePool* primary = primary_edge_pool(topo);
    if (primary == nullptr) return;
    const auto cert = edge_external_id(*primary);
    const auto access_addresses = public_addresses(*primary, &ServiceAddresses::access);
    for (std::size_t i = 0; i < topo.sip_domains.size(); ++i) {
        const auto& domain = topo.sip_domains[i];
        const auto path = "/sip_domains/" + std::to_string(i);
        const auto sip = sip_name(domain);
        if (sip != primary->external.access)
            dns.a("external", sip, access_addresses, cert, "sip.<domain> resolves to the Access Edge (EXT-REQ, 3.6)", path);
        // The SRV target stays inside the SRV's domain (DNS-REQ): the Access FQDN
        // when it is in this SIP domain, else sip.<domain>, which is on the certificate.
        const auto& target = names::is_within(primary->external.access, domain) ? primary->external.access : sip;
        dns.srv("external", "_sip._tls", domain, target, 443, cert,
                "external client automatic configuration (DNS-NAT, DNS-PUB; not needed with GPO-configured clients)", path);
        if (primary->federation)
            dns.srv("external", "_sipfederationtls._tcp", domain, target, 5061, cert,
                    "discoverable federation and mobile push notifications (DNS-FED, FED-PLAN)", path);
    }

    // XMPP: C4. The proxy runs in one site only [CHANGES].
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.edge_pools) {
            if (!pool.xmpp_proxy) continue;
            const auto target = topo.xmpp.srv_target.value_or(pool.external.access);
            for (std::size_t i = 0; i < topo.xmpp.domains.size(); ++i)
                dns.srv("external", "_xmpp-server._tcp", topo.xmpp.domains[i], target, 5269, edge_external_id(pool),
                        "XMPP federation to the XMPP proxy on the Access Edge (DNS-XMPP, C4)",
                        "/xmpp/domains/" + std::to_string(i));
            if (topo.xmpp.srv_target && *topo.xmpp.srv_target != pool.external.access)
                dns.a("external", *topo.xmpp.srv_target, public_addresses(pool, &ServiceAddresses::access),
                      edge_external_id(pool), "XMPP SRV target resolves to the Access Edge (DNS-XMPP)", "/xmpp/srv_target");
            return;
        }
    }
}

void reverse_proxy_records(DnsWriter& dns, Builder& b) {
    const auto& topo = b.topology();
    const topology::ReverseProxy* first_proxy = nullptr;
    for (const auto& site : topo.sites) {
        for (const auto& proxy : site.reverse_proxies) {
            if (first_proxy == nullptr) first_proxy = &proxy;
            const auto id = std::string(to_string(Role::reverse_proxy)) + "." + id_token(proxy.name);
            const auto* cert = b.plan().find(id);
            if (cert == nullptr) continue;
            for (const auto& san : cert->sans) {
                if (names::is_wildcard(san.name)) continue;
                dns.a("external", san.name, member_addresses(proxy.members), id,
                      "published by reverse proxy " + proxy.name + " (DNS-RP)", proxy.path + "/members");
            }
        }
    }
    if (topo.autodiscover == topology::Autodiscover::http && first_proxy != nullptr) {
        for (const auto& domain : topo.sip_domains)
            dns.a("external", "lyncdiscover." + domain, member_addresses(first_proxy->members), "",
                  "Autodiscover first request over HTTP/80 through the reverse proxy (MOB-TECH, CS-AD)",
                  "/mobility/autodiscover");
    }
}

// Internal web names point at the Director when there is one [DNS-HOSTS, DNS-AD],
// else at the first Front End pool.
void internal_web_records(DnsWriter& dns, const topology::Topology& topo) {
    const topology::WebServices* target_web = nullptr;
    std::string target_pool;
    for (const auto& site : topo.sites) {
        if (!site.directors.empty() && target_pool.empty()) {
            target_web = &site.directors.front().web_services;
            target_pool = site.directors.front().fqdn;
        }
    }
    for (const auto& site : topo.sites) {
        if (!site.front_end_pools.empty() && target_pool.empty()) {
            target_web = &site.front_end_pools.front().web_services;
            target_pool = site.front_end_pools.front().fqdn;
        }
    }
    if (target_web == nullptr) return;

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
        dns.cname("internal", name, target_web->internal,
                  "internal Autodiscover to the internal web services (DNS-AD, AUTODISC; always create it)");
    // Without a reverse proxy certificate holding lyncdiscover, point it at the external web services.
    bool has_proxy = false;
    for (const auto& site : topo.sites) has_proxy = has_proxy || !site.reverse_proxies.empty();
    if (!has_proxy && target_web->external) {
        for (const auto& d : topo.sip_domains)
            dns.cname("external", "lyncdiscover." + d, *target_web->external,
                      "external Autodiscover to the external web services (DNS-AD, AUTODISC)");
    }
}

void server_records(DnsWriter& dns, const topology::Topology& topo) {
    const topology::FrontEndPool* sign_in = nullptr;  // only one pool distributes sign-ins [DNS-FE]
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.front_end_pools) {
            if (sign_in == nullptr || (pool.auto_logon && !sign_in->auto_logon)) sign_in = &pool;
            if (pool.edition == topology::Edition::enterprise && !member_addresses(pool.members).empty())
                dns.a("internal", pool.fqdn, member_addresses(pool.members), "",
                      "Front End pool FQDN: one record per member for DNS load balancing (DNS-FE)", pool.path + "/fqdn");
            for (std::size_t i = 0; i < pool.members.size(); ++i)
                if (pool.members[i].ip && pool.members[i].fqdn != pool.fqdn)
                    dns.a("internal", pool.members[i].fqdn, {*pool.members[i].ip}, "", "Front End Server (DNS-FE)",
                          pool.members[i].path);
        }
        for (const auto& director : site.directors) {
            if (!member_addresses(director.members).empty())
                dns.a("internal", director.fqdn, member_addresses(director.members), "",
                      "Director pool FQDN (DNS-DIR1, DNS-DIRDH)", director.path + "/fqdn");
            if (director.sip_target)
                for (std::size_t i = 0; i < topo.sip_domains.size(); ++i)
                    dns.a("internal", sip_name(topo.sip_domains[i]), member_addresses(director.members),
                          default_certificate_id(Role::director, director.fqdn, director.members.front().fqdn),
                          "inbound SIP from the Edge internal side goes to the Director (DNS-DIR1, C11)",
                          director.path + "/sip_target");
        }
    }
    if (sign_in == nullptr || sign_in->members.empty()) return;

    const auto cert = default_certificate_id(Role::front_end, sign_in->fqdn, sign_in->members.front().fqdn);
    for (std::size_t i = 0; i < topo.sip_domains.size(); ++i) {
        const auto& domain = topo.sip_domains[i];
        const auto path = "/sip_domains/" + std::to_string(i);
        // With auto-logon the pool carries sip.<domain> (INT-REQ), which keeps the
        // SRV target inside its domain; otherwise the pool FQDN, often outside it (C16).
        const auto target = sign_in->auto_logon ? sip_name(domain) : sign_in->fqdn;
        if (sign_in->auto_logon)
            dns.a("internal", target, member_addresses(sign_in->members), cert,
                  "sip.<domain> inside resolves to the automatic sign-in pool (DNS-SIGNIN, INT-REQ)", path);
        dns.srv("internal", "_sipinternaltls._tcp", domain, target, 5061, cert,
                "internal client automatic sign-in (DNS-FE, DNS-SIGNIN)", path);
    }
}

}  // namespace

void plan_dns(Builder& builder) {
    DnsWriter dns(builder);
    const auto& topo = builder.topology();
    edge_records(dns, topo);
    reverse_proxy_records(dns, builder);
    internal_web_records(dns, topo);
    server_records(dns, topo);
}

}  // namespace certtool::model::detail
