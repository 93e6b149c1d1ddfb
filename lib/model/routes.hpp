// Who answers each name the clients and partners look up: which Edge pool
// answers a SIP domain's external sign-in (sip.<domain>, _sip._tls), which one
// is the federation route and the XMPP route, which pools stand by for
// sip.<domain>, and inside, which Front End pool answers automatic sign-in and
// which pool the simple URLs and Autodiscover point at. Decided once per
// topology, never by the order of sites or pools, and asked by edge.cpp (SANs),
// dns.cpp (records) and lint.cpp (names shared by services). Not a public
// interface: only lib/model/*.cpp include it.
#pragma once

#include <string>
#include <vector>

#include "model/plan.hpp"

namespace certtool::model::detail {

class Builder;

struct SignInRoute {
    const topology::EdgePool* pool = nullptr;  // nullptr: undecided (an error finding asks for the choice)
    std::string why;                           // how it was chosen, for SAN reasons
};

// The internal pool a set of names points at, and why that one.
template <typename Pool>
struct InternalRoute {
    const Pool* pool = nullptr;
    std::string why;
};

struct Routes {
    std::size_t edge_pools = 0;
    // Indexed like topology.sip_domains.
    std::vector<SignInRoute> sign_in;
    std::vector<std::vector<const topology::EdgePool*>> failover;
    // The single federation route (SCEN) and XMPP route (CHANGES); nullptr when
    // there is none. With several (an error finding), the lowest FQDN, so that
    // the plan never depends on the order of the topology.
    const topology::EdgePool* federation = nullptr;
    const topology::EdgePool* xmpp = nullptr;
    // The Front End pool _sipinternaltls._tcp points at [DNS-FE: one pool
    // distributes sign-ins], and the pool the internal simple URL and
    // lyncdiscoverinternal records point at [DNS-HOSTS, DNS-AD].
    InternalRoute<topology::FrontEndPool> internal_sign_in;
    const topology::WebServices* web_target = nullptr;
    std::string web_target_pool;
    std::string web_target_why;

    [[nodiscard]] bool signs_in(const topology::EdgePool& pool, std::size_t domain) const {
        return sign_in[domain].pool == &pool;
    }
    [[nodiscard]] bool stands_by(const topology::EdgePool& pool, std::size_t domain) const;
};

// Decides every route and reports, as findings of the plan, the choices the
// topology leaves open or makes twice.
Routes decide_routes(Builder& builder);

}  // namespace certtool::model::detail
