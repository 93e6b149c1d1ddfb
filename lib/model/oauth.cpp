// The one global OAuthTokenIssuer certificate (rules 6 "OAuthTokenIssuer", 3.3; policy C7).
#include <algorithm>

#include "model/builder.hpp"

namespace certtool::model::detail {

void plan_oauth(Builder& b) {
    const auto& topo = b.topology();
    // Front End pools, then Directors, each kind by pool FQDN (members in the
    // topology's order): the same servers in the same order however the sites
    // are ordered.
    std::vector<const topology::FrontEndPool*> front_ends;
    std::vector<const topology::Director*> directors;
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.front_end_pools) front_ends.push_back(&pool);
        for (const auto& director : site.directors) directors.push_back(&director);
    }
    if (front_ends.empty()) return;  // no Front End: no server-to-server authentication here
    auto by_fqdn = [](const auto* x, const auto* y) { return x->fqdn < y->fqdn; };
    std::sort(front_ends.begin(), front_ends.end(), by_fqdn);
    std::sort(directors.begin(), directors.end(), by_fqdn);
    std::vector<std::string> servers;
    for (const auto* pool : front_ends)
        for (const auto& m : pool->members) servers.push_back(m.fqdn);
    for (const auto* director : directors)
        for (const auto& m : director->members) servers.push_back(m.fqdn);

    const bool subject_given = topo.oauth_subject.has_value();
    CertificateRequirement c = b.start(Role::oauth, "global", subject_given ? "/oauth/subject" : "/sip_domains/0", "global");
    // C7: one global certificate with the SIP domain in the subject [S2S].
    c.common_name = subject_given ? *topo.oauth_subject : topo.sip_domains.front();
    add_san(c, c.common_name,
            subject_given ? "OAuth subject from the topology, repeated as a SAN (S2S, C7)"
                          : "primary SIP domain: the OAuthTokenIssuer subject must contain the SIP domain (S2S, C7)");
    c.ca = CaKind::either;
    c.exportable_key = true;        // C6: copied to every Front End, staged with -Roll [ROLL, S2S]
    c.install_on = servers;
    c.usages = {"OAuthTokenIssuer"};
    b.policy_applied("C7",
                     "one global OAuthTokenIssuer certificate, at least 2048 bits, SIP domain in the subject; import it "
                     "once with -Identity Global and stage renewals with -Roll at least 24 hours ahead",
                     c.topology_path, c.id);
    b.add(std::move(c));
}

}  // namespace certtool::model::detail
