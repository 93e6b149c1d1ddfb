// Reverse proxy certificate (rules section 4; C10, C11).
#include <algorithm>
#include <optional>

#include "model/builder.hpp"
#include "names/names.hpp"

namespace certtool::model::detail {

namespace {

struct Published {
    std::string kind;  // "Front End pool" / "Director"
    std::string fqdn;
    std::string path;
    const topology::WebServices* web = nullptr;
};

std::optional<Published> find_published(const topology::Topology& topology, const std::string& fqdn) {
    for (const auto& site : topology.sites) {
        for (const auto& pool : site.front_end_pools)
            if (pool.fqdn == fqdn) return Published{"Front End pool", pool.fqdn, pool.path, &pool.web_services};
        for (const auto& director : site.directors)
            if (director.fqdn == fqdn) return Published{"Director", director.fqdn, director.path, &director.web_services};
    }
    return std::nullopt;
}

}  // namespace

void plan_reverse_proxy(Builder& b, const topology::ReverseProxy& proxy) {
    const auto& topo = b.topology();

    // RP-REQ: the subject is the external web FQDN of the (first) Front End pool;
    // Directors are published too, after it [SCEN-DIR, DNS-RP].
    std::vector<Published> pools;
    for (std::size_t i = 0; i < proxy.publishes.size(); ++i) {
        auto published = find_published(topo, proxy.publishes[i]);
        if (!published) continue;  // the loader already rejected unknown pools
        if (!published->web->external) {
            b.finding(Severity::error, "published-pool-without-external-web",
                      published->kind + " " + published->fqdn +
                          " is published by reverse proxy " + proxy.name +
                          " but has no web_services.external FQDN to publish",
                      published->path + "/web_services");
            continue;
        }
        pools.push_back(*published);
    }
    std::stable_partition(pools.begin(), pools.end(), [](const Published& p) { return p.kind == "Front End pool"; });
    if (pools.empty()) {
        b.finding(Severity::error, "reverse-proxy-publishes-nothing",
                  "reverse proxy " + proxy.name + " publishes no pool with an external web services FQDN",
                  proxy.path + "/publishes");
        return;
    }

    CertificateRequirement c = b.start(Role::reverse_proxy, proxy.name, proxy.path, id_token(proxy.name));
    c.common_name = *pools.front().web->external;
    add_san(c, c.common_name,
            "external web services FQDN of " + pools.front().kind + " " + pools.front().fqdn +
                ", repeated from the subject (RP-REQ, CS-RP, G6)");
    for (std::size_t i = 1; i < pools.size(); ++i) {
        const bool director = pools[i].kind == "Director";
        add_san(c, *pools[i].web->external,
                "external web services FQDN of " + pools[i].kind + " " + pools[i].fqdn +
                    (director ? ": Directors are published beside the Front End pools (SCEN-DIR, CS-RP, C11)"
                              : " (RP-REQ, CS-RP)"));
    }
    add_sans(c, simple_url_sans(b, false, c.id));
    if (topo.office_web_apps.external)
        add_san(c, *topo.office_web_apps.external, "Office Web Apps Server external FQDN (CS-RP, RP-REQ)");
    if (topo.autodiscover == topology::Autodiscover::https) {
        auto sans = lyncdiscover_sans(topo);
        for (auto& san : sans) san.reason += "; published over HTTPS (MOB-TECH)";
        add_sans(c, std::move(sans));
    } else if (topo.autodiscover == topology::Autodiscover::http) {
        b.finding(Severity::info, "autodiscover-over-http",
                  "mobility.autodiscover is http: lyncdiscover names are published on port 80 and left off the reverse "
                  "proxy certificate (MOB-TECH, CS-AD; supported, not recommended)",
                  "/mobility/autodiscover", c.id);
    }

    // C10: Server Authentication required, Client Authentication optional (RP-REQ adds it). The
    // certificate comes from a public CA, and public CAs no longer issue Client Authentication:
    // it is asked for only when policy.public_client_auth forces it too.
    const bool client_auth = topo.policy.reverse_proxy_client_auth && topo.policy.public_client_auth;
    if (client_auth) c.eku.push_back("clientAuth");
    b.policy_applied("C10",
                     std::string("reverse proxy EKU is Server Authentication") +
                         (client_auth ? " plus Client Authentication (policy)" : " only"),
                     "/policy/reverse_proxy_client_auth", c.id);
    if (topo.policy.reverse_proxy_client_auth && !client_auth)
        b.finding(Severity::warning, "public-ca-client-auth",
                  "policy.reverse_proxy_client_auth asks for Client Authentication, but public CAs no longer issue "
                  "that EKU (Let's Encrypt since 2026-07-08): the reverse proxy certificate asks for Server "
                  "Authentication only (policy.public_client_auth forces it)",
                  "/policy/reverse_proxy_client_auth", c.id);
    c.ca = CaKind::public_ca;      // remote clients and partners reach it [CS-RP, SETUP-RP]
    c.exportable_key = true;       // generated off the proxy; a farm shares it [RP-REQ]
    for (const auto& member : proxy.members) c.install_on.push_back(member.fqdn);
    // Not a Lync usage: a web listener on TMG / IIS ARR / other proxy [RP-REQ].
    for (const auto& member : proxy.members) {
        for (const auto& san : c.sans) {
            if (names::is_wildcard(san.name)) continue;
            for (const auto& address : addresses_or_name(member.ips, member.fqdn))
                c.endpoints.push_back({member.fqdn, address, 443, san.name, "reverse-proxy"});
        }
    }
    b.add(std::move(c));
}

}  // namespace certtool::model::detail
