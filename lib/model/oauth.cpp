// The one global OAuthTokenIssuer certificate (rules 6 "OAuthTokenIssuer", 3.3; policy C7).
#include "model/builder.hpp"

namespace certtool::model::detail {

void plan_oauth(Builder& b) {
    const auto& topo = b.topology();
    std::vector<std::string> servers;
    std::string first_pool_path;
    for (const auto& site : topo.sites) {
        for (const auto& pool : site.front_end_pools) {
            if (first_pool_path.empty()) first_pool_path = pool.path;
            for (const auto& m : pool.members) servers.push_back(m.fqdn);
        }
    }
    if (first_pool_path.empty()) return;  // no Front End: no server-to-server authentication here
    for (const auto& site : topo.sites)
        for (const auto& director : site.directors)
            for (const auto& m : director.members) servers.push_back(m.fqdn);

    const bool subject_given = topo.oauth_subject.has_value();
    CertificateRequirement c = b.start(Role::oauth, "global", subject_given ? "/oauth/subject" : "/sip_domains/0", "global");
    // C7: one global certificate with the SIP domain in the subject [S2S].
    c.common_name = subject_given ? *topo.oauth_subject : topo.sip_domains.front();
    add_san(c, c.common_name,
            subject_given ? "OAuth subject from the topology, repeated as a SAN (S2S, C7)"
                          : "primary SIP domain: the OAuthTokenIssuer subject must contain the SIP domain (S2S, C7)");
    // C7: at least 2048 bits, whatever the Director summaries allow.
    if (c.key.algorithm == topology::KeyAlgorithm::rsa && c.key.bits < 2048) c.key.bits = 2048;
    c.ca = CaKind::either;
    c.exportable_key = true;        // C6: copied to every Front End, staged with -Roll [ROLL, S2S]
    c.same_on_all_members = true;   // replicated by the Central Management store [S2S]
    c.install_on = servers;
    c.usages = {"OAuthTokenIssuer"};
    b.policy_applied("C7",
                     "one global OAuthTokenIssuer certificate, at least 2048 bits, SIP domain in the subject; import it "
                     "once with -Identity Global and stage renewals with -Roll at least 24 hours ahead",
                     c.topology_path, c.id);
    b.add(std::move(c));
}

}  // namespace certtool::model::detail
