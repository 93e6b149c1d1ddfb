// Routes: which pool answers each name clients and partners look up (routes.hpp).
// Every choice here is made on FQDNs and flags, never on the order of sites or
// pools in the topology, so that reordering a topology never changes its plan.
#include "model/routes.hpp"

#include <algorithm>

#include "model/builder.hpp"

namespace certtool::model::detail {

namespace {

using topology::EdgePool;

bool fqdn_less(const EdgePool* a, const EdgePool* b) { return a->fqdn < b->fqdn; }

std::string fqdn_list(std::vector<const EdgePool*> pools) {
    std::sort(pools.begin(), pools.end(), fqdn_less);
    std::string out;
    for (std::size_t i = 0; i < pools.size(); ++i)
        out += (i == 0 ? "" : i + 1 == pools.size() ? " and " : ", ") + pools[i]->fqdn;
    return out;
}

bool has(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

// One pool out of several that all claim the same job: the lowest FQDN, and an
// error at every other one (the plan is wrong until the topology chooses).
const EdgePool* only_one(Builder& b, std::vector<const EdgePool*> claimants, const std::string& code,
                         const std::string& why, const std::string& field) {
    if (claimants.empty()) return nullptr;
    std::sort(claimants.begin(), claimants.end(), fqdn_less);
    for (std::size_t i = 1; i < claimants.size(); ++i)
        b.finding(Severity::error, code, why + "; it is claimed by " + fqdn_list(claimants), claimants[i]->path + field);
    return claimants.front();
}

SignInRoute choose_sign_in(Builder& b, const std::vector<const EdgePool*>& pools, const Routes& routes,
                           std::size_t index) {
    const auto& domain = b.topology().sip_domains[index];
    const std::string sip = sip_name(domain);
    std::vector<const EdgePool*> listed, named;
    for (const auto* pool : pools) {
        if (has(pool->sign_in_domains, domain)) listed.push_back(pool);
        if (pool->external.access == sip) named.push_back(pool);
    }
    if (!listed.empty()) {
        const auto* pool = only_one(b, listed, "sign-in-pool-multiple",
                                    "only one Edge pool can answer external sign-in for " + domain + " (" + sip +
                                        " and _sip._tls." + domain + " point at one place)",
                                    "/sign_in_domains");
        return {pool, "listed in sign_in_domains"};
    }
    if (named.size() == 1) return {named.front(), "its Access FQDN is " + sip};
    if (routes.federation != nullptr) return {routes.federation, "the federation route"};
    if (pools.size() == 1) return {pools.front(), ""};
    if (pools.empty()) return {};

    std::string fields;
    for (const auto* pool : pools) fields += (fields.empty() ? "" : ", ") + pool->path + "/sign_in_domains";
    b.finding(Severity::error, "sign-in-pool-undecided",
              std::to_string(pools.size()) + " Edge pools (" + fqdn_list(pools) +
                  "), none of them the federation route or named " + sip + ": say which one answers external sign-in "
                  "for " + domain + " by adding \"" + domain + "\" to its sign_in_domains (" + fields + ")",
              "/sip_domains/" + std::to_string(index));
    return {};
}

template <typename Pool>
std::vector<const Pool*> by_fqdn(std::vector<const Pool*> pools) {
    std::sort(pools.begin(), pools.end(), [](const Pool* a, const Pool* b) { return a->fqdn < b->fqdn; });
    return pools;
}

void choose_internal_routes(Builder& b, Routes& routes) {
    const auto& topo = b.topology();
    std::vector<const topology::FrontEndPool*> front_ends, auto_logon;
    std::vector<const topology::Director*> directors;
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.front_end_pools) {
            front_ends.push_back(&pool);
            if (pool.auto_logon) auto_logon.push_back(&pool);
        }
        for (const auto& director : site.directors) directors.push_back(&director);
    }
    front_ends = by_fqdn(front_ends);
    auto_logon = by_fqdn(auto_logon);
    directors = by_fqdn(directors);

    // DNS-FE: only one pool is designated to distribute sign-ins.
    if (auto_logon.size() == 1) {
        routes.internal_sign_in = {auto_logon.front(), "auto_logon"};
    } else if (auto_logon.size() > 1) {
        routes.internal_sign_in = {auto_logon.front(), "auto_logon, lowest FQDN"};
        for (std::size_t i = 1; i < auto_logon.size(); ++i)
            b.finding(Severity::warning, "auto-logon-multiple",
                      "only one Front End pool distributes sign-ins (DNS-FE); _sipinternaltls._tcp points at " +
                          auto_logon.front()->fqdn + ", not at " + auto_logon[i]->fqdn,
                      auto_logon[i]->path + "/auto_logon");
    } else if (front_ends.size() == 1) {
        routes.internal_sign_in = {front_ends.front(), "the only Front End pool"};
    } else if (front_ends.size() > 1) {
        routes.internal_sign_in = {front_ends.front(), "lowest FQDN"};
        b.finding(Severity::warning, "auto-logon-undecided",
                  std::to_string(front_ends.size()) + " Front End pools and none has auto_logon: _sipinternaltls._tcp "
                  "points at " + front_ends.front()->fqdn + " (the lowest FQDN); set auto_logon on the pool that should "
                  "distribute sign-ins (DNS-FE)",
                  front_ends.front()->path + "/auto_logon");
    }

    // DNS-HOSTS, DNS-AD: simple URLs and lyncdiscoverinternal point at the
    // Director when there is one, else at the Front End pool. With several, the
    // next hop of the Edge pool that answers sign-in for the primary SIP domain.
    const auto* primary_edge = routes.sign_in.empty() ? nullptr : routes.sign_in.front().pool;
    const std::string next_hop = primary_edge != nullptr && primary_edge->next_hop ? *primary_edge->next_hop : "";
    auto choose = [&](const auto& candidates, const std::string& kind) {
        if (candidates.empty()) return false;
        const auto* chosen = candidates.front();
        std::string why = "the only " + kind;
        if (candidates.size() > 1) {
            const auto hop = std::find_if(candidates.begin(), candidates.end(), [&](const auto* p) { return p->fqdn == next_hop; });
            if (hop != candidates.end()) {
                chosen = *hop;
                why = "the next hop of " + primary_edge->fqdn + ", which answers external sign-in";
            } else {
                why = "the lowest FQDN of " + std::to_string(candidates.size()) + " " + kind + "s";
                b.finding(Severity::warning, "web-target-undecided",
                          "the simple URLs and lyncdiscoverinternal point at " + chosen->fqdn + ", " + why +
                              "; to choose another, make it the next_hop of the Edge pool that answers external "
                              "sign-in for " + topo.sip_domains.front() + " (DNS-HOSTS, DNS-AD)",
                          chosen->path + "/fqdn");
            }
        }
        routes.web_target = &chosen->web_services;
        routes.web_target_pool = chosen->fqdn;
        routes.web_target_why = why;
        return true;
    };
    if (!choose(directors, "Director pool")) choose(front_ends, "Front End pool");
}

}  // namespace

bool Routes::stands_by(const topology::EdgePool& pool, std::size_t domain) const {
    return std::find(failover[domain].begin(), failover[domain].end(), &pool) != failover[domain].end();
}

Routes decide_routes(Builder& b) {
    const auto& topo = b.topology();
    Routes routes;
    std::vector<const EdgePool*> pools, federation, xmpp;
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.edge_pools) {
            pools.push_back(&pool);
            if (pool.federation) federation.push_back(&pool);
            if (pool.xmpp_proxy) xmpp.push_back(&pool);
        }
    }
    routes.edge_pools = pools.size();
    routes.federation = only_one(b, federation, "federation-route-multiple",
                                 "only one Edge pool can be the federation route (SCEN)", "/federation");
    routes.xmpp = only_one(b, xmpp, "xmpp-route-multiple",
                           "XMPP federation is hosted in one site, on one Edge pool (CHANGES)", "/xmpp_proxy");

    for (std::size_t i = 0; i < topo.sip_domains.size(); ++i) {
        routes.sign_in.push_back(choose_sign_in(b, pools, routes, i));
        std::vector<const EdgePool*> standby;
        for (const auto* pool : pools) {
            if (!has(pool->failover_domains, topo.sip_domains[i])) continue;
            if (pool == routes.sign_in.back().pool) {
                b.finding(Severity::warning, "failover-is-sign-in-pool",
                          pool->fqdn + " lists " + topo.sip_domains[i] + " in failover_domains, but it already answers "
                          "external sign-in for it (" + routes.sign_in.back().why + ")",
                          pool->path + "/failover_domains");
                continue;
            }
            standby.push_back(pool);
        }
        std::sort(standby.begin(), standby.end(), fqdn_less);
        routes.failover.push_back(std::move(standby));
    }
    choose_internal_routes(b, routes);
    return routes;
}

}  // namespace certtool::model::detail
