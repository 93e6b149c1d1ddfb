// Checks across roles: the findings that no single role rule can see alone.
// Each finding code is stable and documented in README.md ("Finding codes").
#include <algorithm>
#include <map>

#include "model/builder.hpp"
#include "model/web_pool.hpp"
#include "names/names.hpp"

namespace certtool::model::detail {

namespace {

// ---- wildcards (G5, C3, WILDCARD) -------------------------------------------

void check_wildcards(Builder& b) {
    const auto& topo = b.topology();
    auto forbid = [&](const std::optional<std::string>& name, const std::string& path, const std::string& why) {
        if (name && names::is_wildcard(*name))
            b.finding(Severity::error, "wildcard-forbidden", "wildcard " + *name + " is not allowed here: " + why, path);
    };
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.edge_pools) {
            const std::string edge = "Edge external names must be explicit (G5, PLAN-EDGE, EXT-REQ, C3)";
            forbid(pool.external.access, pool.path + "/external/access", edge);
            forbid(pool.external.webconf, pool.path + "/external/webconf", edge);
            forbid(pool.external.av, pool.path + "/external/av", edge);
            for (std::size_t i = 0; i < pool.internal_extra_sans.size(); ++i)
                if (names::is_wildcard(pool.internal_extra_sans[i]))
                    b.finding(Severity::warning, "wildcard-edge-internal",
                              "wildcard SAN " + pool.internal_extra_sans[i] +
                                  " on the Edge internal certificate: accepted, of little value (WILDCARD, EXT-REQ; "
                                  "PLAN-EDGE forbids it, C3)",
                              pool.path + "/internal_extra_sans/" + std::to_string(i), "", "C3");
        }
        auto web = [&](const topology::WebServices& ws, const std::string& path) {
            const std::string why = "web services FQDNs name real hosts; use policy simple_url_wildcards for wildcards";
            forbid(ws.internal, path + "/web_services/internal", why);
            forbid(ws.external, path + "/web_services/external", why);
        };
        for (const auto& pool : site.front_end_pools) web(pool.web_services, pool.path);
        for (const auto& director : site.directors) web(director.web_services, director.path);
    }
    const std::string simple = "a simple URL names one host; set policy simple_url_wildcards to cover them with a wildcard";
    for (std::size_t i = 0; i < topo.simple_urls.meet.size(); ++i)
        forbid(topo.simple_urls.meet[i], "/simple_urls/meet/" + std::to_string(i), simple);
    forbid(topo.simple_urls.dialin, "/simple_urls/dialin", simple);
    forbid(topo.simple_urls.admin, "/simple_urls/admin", simple);
    forbid(topo.office_web_apps.external, "/office_web_apps/external", "Office Web Apps is one host");
    forbid(topo.office_web_apps.internal, "/office_web_apps/internal", "Office Web Apps is one host");
    forbid(topo.xmpp.srv_target, "/xmpp/srv_target", "an SRV target is one host, and SIP/XMPP names are never wildcards");
    forbid(topo.oauth_subject, "/oauth/subject", "no certificate may have a wildcard subject (G5)");
}

// ---- names a public CA will not issue for ------------------------------------

void check_public_names(Builder& b) {
    for (const auto& c : b.plan().certificates) {
        if (c.ca != CaKind::public_ca) continue;
        for (const auto& san : c.sans) {
            if (names::publicly_issuable(san.name)) continue;
            b.finding(Severity::error, "public-ca-unissuable-name",
                      c.id + " needs a public CA, but no public CA issues for " + san.name +
                          (names::is_single_label(san.name)
                               ? " (a single label)"
                               : " (not under a public suffix of the Public Suffix List)") +
                          "; rename it in the topology",
                      c.topology_path, c.id);
        }
        const int limit = b.topology().policy.public_ca_max_sans;
        if (static_cast<int>(c.sans.size()) > limit)
            b.finding(Severity::error, "san-count-over-limit",
                      c.id + " has " + std::to_string(c.sans.size()) + " SANs, above the public CA limit of " +
                          std::to_string(limit) + " (policy public_ca_max_sans)",
                      c.topology_path, c.id);
    }
}

// ---- keys and signatures (G3, G4, C7) ----------------------------------------

void check_keys(Builder& b) {
    const auto& policy = b.topology().policy;
    if (policy.key_algorithm == topology::KeyAlgorithm::rsa) {
        if (policy.key_bits < 2048) {
            b.finding(policy.allow_weak_keys ? Severity::warning : Severity::error, "key.too-small",
                      "RSA " + std::to_string(policy.key_bits) +
                          "-bit keys: Lync accepts 1024 but 2048 or more is recommended (INFRA); public CAs refuse "
                          "them" +
                          (policy.allow_weak_keys ? " (allowed by policy allow_weak_keys)"
                                                  : "; set policy allow_weak_keys to accept them") +
                          ". The OAuth certificate always gets 2048 (C7)",
                      "/policy/key_bits");
        } else if (policy.key_bits != 2048 && policy.key_bits != 4096) {
            b.finding(Severity::warning, "key.size-unsupported",
                      "RSA " + std::to_string(policy.key_bits) +
                          "-bit keys: Lync documents 1024, 2048 and 4096 only (INFRA, Request-CsCertificate -KeySize)",
                      "/policy/key_bits");
        }
    }
    if (policy.signature_hash == "sha1")
        b.finding(Severity::warning, "signature.sha1",
                  "SHA-1: Lync accepts it (INFRA), but public CAs no longer issue SHA-1 certificates; use sha256",
                  "/policy/signature_hash");
}

// ---- one FQDN, two services ----------------------------------------------------

// edge_standby: sip.<domain> on a pool that stands by for it (failover_domains):
// it shares the name with the sign-in pool by design.
enum class Use { edge_access, edge_webconf, edge_av, edge_standby, published, web_external, internal };

struct NameUse {
    std::string name;
    Use use;
    std::string owner;  // pool / group the use belongs to
    std::string path;
};

std::vector<NameUse> collect_name_uses(const topology::Topology& topo, const Routes& routes) {
    std::vector<NameUse> uses;
    auto add = [&](const std::string& name, Use use, const std::string& owner, const std::string& path) {
        uses.push_back({name, use, owner, path});
    };
    // sip.<domain> resolves to the Access Edge that answers sign-in for it (routes.cpp).
    for (std::size_t i = 0; i < topo.sip_domains.size(); ++i) {
        const auto path = "/sip_domains/" + std::to_string(i);
        if (const auto* pool = routes.sign_in[i].pool) add(sip_name(topo.sip_domains[i]), Use::edge_access, pool->fqdn, path);
        for (const auto* pool : routes.failover[i])
            add(sip_name(topo.sip_domains[i]), Use::edge_standby, pool->fqdn, pool->path + "/failover_domains");
    }
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.edge_pools) {
            add(pool.external.access, Use::edge_access, pool.fqdn, pool.path + "/external/access");
            add(pool.external.webconf, Use::edge_webconf, pool.fqdn, pool.path + "/external/webconf");
            add(pool.external.av, Use::edge_av, pool.fqdn, pool.path + "/external/av");
            add(pool.fqdn, Use::internal, pool.fqdn, pool.path + "/fqdn");
            for (const auto& m : pool.members) add(m.fqdn, Use::internal, pool.fqdn, m.path + "/fqdn");
            if (&pool == routes.xmpp && topo.xmpp.srv_target)
                add(*topo.xmpp.srv_target, Use::edge_access, pool.fqdn, "/xmpp/srv_target");
        }
        auto server_pool = [&](const std::string& fqdn, const std::string& path,
                               const std::vector<topology::ServerMember>& members, const topology::WebServices& web) {
            add(fqdn, Use::internal, fqdn, path + "/fqdn");
            for (const auto& m : members) add(m.fqdn, Use::internal, fqdn, m.path + "/fqdn");
            add(web.internal, Use::internal, fqdn, path + "/web_services/internal");
            if (web.external) add(*web.external, Use::web_external, fqdn, path + "/web_services/external");
        };
        for (const auto& pool : site.front_end_pools) server_pool(pool.fqdn, pool.path, pool.members, pool.web_services);
        for (const auto& d : site.directors) server_pool(d.fqdn, d.path, d.members, d.web_services);
    }
    for (std::size_t i = 0; i < topo.simple_urls.meet.size(); ++i)
        add(topo.simple_urls.meet[i], Use::published, "simple URLs", "/simple_urls/meet/" + std::to_string(i));
    if (topo.simple_urls.dialin) add(*topo.simple_urls.dialin, Use::published, "simple URLs", "/simple_urls/dialin");
    if (topo.office_web_apps.external)
        add(*topo.office_web_apps.external, Use::published, "Office Web Apps", "/office_web_apps/external");
    return uses;
}

bool is_edge(Use u) { return u == Use::edge_access || u == Use::edge_webconf || u == Use::edge_av || u == Use::edge_standby; }

// nullopt: the two uses can share the name.
std::optional<std::pair<Severity, std::string>> conflict(const NameUse& a, const NameUse& b) {
    if (b.use < a.use) return conflict(b, a);  // the rules below read each pair in enum order
    if (a.use == b.use && a.owner == b.owner) return std::nullopt;
    // A failover or geo-DNS target carries the sign-in pool's sip.<domain> on purpose.
    if ((a.use == Use::edge_standby && b.use == Use::edge_access) ||
        (a.use == Use::edge_access && b.use == Use::edge_standby) ||
        (a.use == Use::edge_standby && b.use == Use::edge_standby))
        return std::nullopt;
    if (is_edge(a.use) && is_edge(b.use)) {
        if (a.owner == b.owner)
            return std::make_pair(Severity::warning,
                                  std::string("two Edge services share one FQDN: they then need distinct ports on one "
                                              "address, possible but not recommended (DNS-NAT, DNS-PUB)"));
        return std::make_pair(Severity::error, std::string("two Edge pools cannot answer for one external FQDN"));
    }
    if (is_edge(a.use) || is_edge(b.use))
        return std::make_pair(Severity::error,
                              std::string("an Edge external FQDN resolves to the Edge's public address; it cannot also "
                                          "name an internal server or a name published by the reverse proxy"));
    if (a.use == Use::web_external && b.use == Use::web_external)
        return std::make_pair(Severity::error,
                              std::string("each pool needs its own external web services FQDN; a Director's must differ "
                                          "from the Front End's (INT-REQ)"));
    if ((a.use == Use::web_external && b.use == Use::internal) || (a.use == Use::internal && b.use == Use::web_external))
        return std::make_pair(Severity::error,
                              std::string("internal and external web services FQDNs must differ: one resolves only "
                                          "inside, the other only from the Internet (MOB-TECH)"));
    if (a.use == Use::internal && b.use == Use::internal)
        return std::make_pair(Severity::error, std::string("one internal FQDN cannot name two different pools"));
    if (a.use == Use::published && b.use == Use::published)
        return std::make_pair(Severity::error,
                              std::string("simple URLs and Office Web Apps are different web services and need "
                                          "different FQDNs"));
    if (a.use == Use::published && b.use == Use::internal)
        return std::make_pair(Severity::error,
                              std::string("a published name cannot also be an internal server or pool FQDN"));
    return std::make_pair(Severity::warning,
                          std::string("a simple URL shares its FQDN with a pool's external web services; the reverse "
                                      "proxy must route both on one listener"));
}

void check_shared_fqdns(Builder& b) {
    auto uses = collect_name_uses(b.topology(), b.routes());
    std::stable_sort(uses.begin(), uses.end(), [](const NameUse& x, const NameUse& y) { return x.name < y.name; });
    for (std::size_t start = 0; start < uses.size();) {
        std::size_t end = start;
        while (end < uses.size() && uses[end].name == uses[start].name) ++end;
        // Report the worst conflict for this name once, at the later of the two
        // places. "Worst" is the highest severity, then the first explanation in
        // alphabetical order, so that reordering the topology moves the paths at
        // most, never the verdict.
        std::optional<std::tuple<Severity, std::string, const NameUse*, const NameUse*>> worst;
        auto worse = [](Severity s, const std::string& why, Severity than_s, const std::string& than_why) {
            return std::make_tuple(s != Severity::error, s != Severity::warning, why) <
                   std::make_tuple(than_s != Severity::error, than_s != Severity::warning, than_why);
        };
        for (std::size_t i = start; i < end; ++i) {
            for (std::size_t j = i + 1; j < end; ++j) {
                auto c = conflict(uses[i], uses[j]);
                if (c && (!worst || worse(c->first, c->second, std::get<0>(*worst), std::get<1>(*worst))))
                    worst = std::make_tuple(c->first, c->second, &uses[i], &uses[j]);
            }
        }
        if (worst) {
            const auto& [severity, why, first, second] = *worst;
            b.finding(severity, "fqdn-shared-by-services",
                      uses[start].name + " is used at " + first->path + " and at " + second->path + ": " + why,
                      second->path);
        }
        start = end;
    }
}

// ---- Edge pools, federation, XMPP, AOL -----------------------------------------

void check_edge_topology(Builder& b) {
    const auto& topo = b.topology();
    bool any_edge = false;
    bool any_xmpp_proxy = false;
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.edge_pools) {
            any_edge = true;
            if (pool.members.size() > 12)
                b.finding(Severity::error, "edge-pool-too-large",
                          "Edge pool " + pool.fqdn + " has " + std::to_string(pool.members.size()) +
                              " members: at most 12 are supported (Topology Builder accepts 20, only 12 are tested; TOPO)",
                          pool.path + "/members");
            if (pool.xmpp_proxy) {
                any_xmpp_proxy = true;
                if (topo.xmpp.domains.empty())
                    b.finding(Severity::warning, "xmpp-proxy-without-domains",
                              "xmpp_proxy is on but xmpp.domains is empty: no XMPP domain goes on the certificate",
                              pool.path + "/xmpp_proxy");
            }
            if (pool.load_balancing == topology::LoadBalancing::hlb)
                b.policy_applied("C15", "hardware load balancer default gateway: outside certificate scope; the VIP "
                                        "FQDNs from the topology are the certificate names",
                                 pool.path + "/load_balancing");
        }
    }
    if (!topo.xmpp.domains.empty() && !any_xmpp_proxy)
        b.finding(Severity::warning, "xmpp-without-proxy",
                  "xmpp.domains are listed but no Edge pool has xmpp_proxy: they go on no certificate", "/xmpp/domains");
    if (topo.aol && b.routes().federation == nullptr)
        b.finding(Severity::error, "aol-without-federation",
                  "public IM with AOL needs an Edge pool with federation on, whose certificate gets Client "
                  "Authentication (CS-FED)",
                  "/public_im/aol");

    bool any_front_end = false;
    bool any_proxy = false;
    bool any_external_web = false;
    for (const auto& site : topo.sites) {
        any_proxy = any_proxy || !site.reverse_proxies.empty();
        for (const auto& pool : site.front_end_pools) {
            any_front_end = true;
            any_external_web = any_external_web || pool.web_services.external.has_value();
        }
        for (const auto& pool : site.edge_pools) {
            if (!pool.next_hop) continue;
            bool found = false;
            for (const auto& s : topo.sites) {
                for (const auto& fe : s.front_end_pools) found = found || fe.fqdn == *pool.next_hop;
                for (const auto& d : s.directors) found = found || d.fqdn == *pool.next_hop;
            }
            if (!found)
                b.finding(Severity::warning, "next-hop-unknown",
                          "next hop " + *pool.next_hop + " is not a Front End pool or Director of this topology",
                          pool.path + "/next_hop");
        }
    }
    if (any_edge && any_external_web && !any_proxy)
        b.finding(Severity::warning, "no-reverse-proxy",
                  "remote users need a reverse proxy for the external web services, meetings and mobility (SCEN-RP); "
                  "none is in the topology",
                  "/sites");
    if (any_front_end) {
        for (std::size_t i = 0; i < topo.sip_domains.size(); ++i) {
            bool has_meet = false;
            for (const auto& meet : topo.simple_urls.meet) has_meet = has_meet || names::is_within(meet, topo.sip_domains[i]);
            if (!has_meet)
                b.finding(Severity::warning, "meet-url-missing",
                          "SIP domain " + topo.sip_domains[i] +
                              " has no meet simple URL: every SIP domain needs one (RP-REQ, INT-REQ)",
                          "/simple_urls/meet");
        }
    }
}

// ---- 8.2: every SRV target is a SAN of the certificate serving its port ----------

void check_srv_targets(Builder& b) {
    const auto& plan = b.plan();
    std::vector<Finding> found;
    for (const auto& record : plan.dns) {
        if (record.type != "SRV" || record.certificate.empty()) continue;
        const auto* named = plan.find(record.certificate);
        if (named == nullptr) {
            found.push_back({Severity::error, "srv-target-not-on-certificate",
                             "SRV " + record.name + " is served by " + record.certificate + ", which is not in the plan",
                             "", record.certificate, ""});
            continue;
        }
        // Per-member certificates of a pool all serve the port: check each.
        for (const auto& c : plan.certificates) {
            if (c.role != named->role || c.pool != named->pool) continue;
            if (!c.has_san(record.target))
                found.push_back({Severity::error, "srv-target-not-on-certificate",
                                 "SRV " + record.name + " targets " + record.target + ", which is not a SAN of " + c.id +
                                     " serving port " + std::to_string(record.port) + " (8.2)",
                                 c.topology_path, c.id, ""});
        }
    }
    for (auto& f : found) b.plan().findings.push_back(std::move(f));
}

}  // namespace

void settle_ca_kinds(Builder& b) {
    // Public CAs have not put an OU in TLS certificates since CA/Browser Forum
    // ballot SC47 (effective 2022-09-01): a planned OU would make the issued
    // subject differ from the plan. Internal-CA certificates keep it.
    std::string without_ou;
    for (auto& c : b.plan().certificates) {
        if (c.ca != CaKind::public_ca || c.organization.organizational_unit.empty()) continue;
        c.organization.organizational_unit.clear();
        without_ou += (without_ou.empty() ? "" : ", ") + c.id;
    }
    if (!without_ou.empty())
        b.finding(Severity::warning, "public-ca-organizational-unit",
                  "organizational_unit '" + b.topology().organization.organizational_unit +
                      "' is left out of the subject of the public-CA certificates (" + without_ou +
                      "): public CAs no longer issue TLS certificates with an OU (CA/Browser Forum ballot SC47, "
                      "2022); internal-CA certificates keep it",
                  "/organization/organizational_unit");
    for (auto& c : b.plan().certificates) {
        if (c.ca != CaKind::either) continue;
        std::string unissuable;
        for (const auto& san : c.sans) {
            if (names::publicly_issuable(san.name)) continue;
            unissuable += (unissuable.empty() ? "" : ", ") + san.name;
        }
        if (unissuable.empty()) continue;
        c.ca = CaKind::internal_ca;
        b.finding(Severity::info, "internal-ca-required",
                  c.id + " carries names no public CA issues for (" + unissuable + "): request it from the internal CA",
                  c.topology_path, c.id);
    }
}

void lint(Builder& builder) {
    check_wildcards(builder);
    check_public_names(builder);
    check_keys(builder);
    check_shared_fqdns(builder);
    check_edge_topology(builder);
    check_srv_targets(builder);
}

}  // namespace certtool::model::detail
