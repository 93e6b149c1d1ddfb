// Edge Server and Edge pool rules (rules section 3) with Microsoft's example values.
#include <catch2/catch.hpp>

#include "model_fixture.hpp"

using namespace certtool;
using namespace certtool::test;
using Strings = std::vector<std::string>;

TEST_CASE("model: CS-NAT external certificate has the documented subject, SANs and usages", "[model][edge]") {
    const auto plan = plan_of(edge_single_nat());
    const auto& c = certificate(plan, "edge-external.lsedge-contoso-net");
    CHECK(c.role == model::Role::edge_external);
    CHECK(c.common_name == "sip.contoso.com");  // C14
    // The table's set (C1: compared without order) ...
    CHECK(san_set(c) == std::set<std::string>{"sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"});
    // ... and the deterministic order of policy C1: subject, WebConf, sip.<domain>.
    CHECK(san_names(c) == Strings{"sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"});
    CHECK_FALSE(c.has_san("av.contoso.com"));  // C2
    CHECK(c.eku == Strings{"serverAuth"});
    CHECK(c.key_usage == Strings{"digitalSignature", "keyEncipherment"});
    CHECK(c.ca == model::CaKind::public_ca);
    CHECK(c.exportable_key);  // even for a single Edge Server [EXT-REQ]
    CHECK(c.same_on_all_members);
    CHECK(c.install_on == Strings{"lsedge.contoso.net"});
    CHECK(c.usages == Strings{"AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication"});
    CHECK(c.key.bits == 2048);
    CHECK(c.signature_hash == "sha256");
    for (const auto& san : c.sans) CHECK_FALSE(san.reason.empty());
}

TEST_CASE("model: the subject is repeated as a SAN with both reasons when sip.<domain> is the Access FQDN",
          "[model][edge]") {
    const auto plan = plan_of(edge_single_nat());
    const auto c = certificate(plan, "edge-external.lsedge-contoso-net");
    const auto& first = c.sans.front();
    CHECK(first.name == "sip.contoso.com");
    CHECK_THAT(first.reason, Catch::Contains("G6"));
    CHECK_THAT(first.reason, Catch::Contains("SIP domain contoso.com"));
}

TEST_CASE("model: CS-NAT endpoints use the server's own external addresses and the service names as SNI",
          "[model][edge]") {
    const auto plan = plan_of(edge_single_nat());
    const auto eps = certificate(plan, "edge-external.lsedge-contoso-net").endpoints;
    REQUIRE(eps.size() == 3);
    CHECK(eps[0].address == "10.45.16.10");
    CHECK(eps[0].port == 443);
    CHECK(eps[0].sni == "sip.contoso.com");
    CHECK(eps[1].port == 5061);
    CHECK(eps[1].service == "access-federation");
    CHECK(eps[2].address == "10.45.16.20");
    CHECK(eps[2].sni == "webcon.contoso.com");
    const auto internal = certificate(plan, "edge-internal.lsedge-contoso-net").endpoints;
    REQUIRE(internal.size() == 1);
    CHECK(internal[0].address == "172.25.33.10");
    CHECK(internal[0].port == 5061);
}

TEST_CASE("model: internal certificate is the Edge pool FQDN, Internal usage, copied to every member",
          "[model][edge]") {
    auto t = edge_single_nat();
    auto& pool = t["sites"][0]["edge_pools"][0];
    pool["load_balancing"] = "dns";
    pool["members"] = {edge_member(0), edge_member(1)};
    const auto plan = plan_of(t);
    const auto& c = certificate(plan, "edge-internal.lsedge-contoso-net");
    CHECK(c.common_name == "lsedge.contoso.net");
    CHECK(san_names(c) == Strings{"lsedge.contoso.net"});  // C21: members optional
    CHECK(c.usages == Strings{"Internal"});
    CHECK(c.exportable_key);
    CHECK(c.same_on_all_members);
    CHECK(c.install_on == Strings{"edge01.contoso.net", "edge02.contoso.net"});
    CHECK(c.ca == model::CaKind::either);
}

TEST_CASE("model: policy edge_internal_member_sans adds member FQDNs after the pool FQDN (C21)", "[model][edge]") {
    auto t = edge_single_nat();
    t["sites"][0]["edge_pools"][0]["load_balancing"] = "dns";
    t["sites"][0]["edge_pools"][0]["members"] = {edge_member(0), edge_member(1)};
    t["policy"] = {{"edge_internal_member_sans", true}};
    const auto& c = certificate(plan_of(t), "edge-internal.lsedge-contoso-net");
    CHECK(san_names(c) == Strings{"lsedge.contoso.net", "edge01.contoso.net", "edge02.contoso.net"});
}

TEST_CASE("model: the five Edge topologies give the same certificate names (3.5)", "[model][edge]") {
    struct Case {
        const char* lb;
        const char* addressing;
        int members;
    };
    for (auto [lb, addressing, members] : {Case{"none", "nat", 1}, Case{"none", "public", 1}, Case{"dns", "nat", 2},
                                           Case{"dns", "public", 2}, Case{"hlb", "public", 2}}) {
        auto t = edge_single_nat();
        auto& pool = t["sites"][0]["edge_pools"][0];
        pool["load_balancing"] = lb;
        pool["external_addressing"] = addressing;
        if (members == 2) pool["members"] = {edge_member(0), edge_member(1)};
        if (std::string(lb) == "hlb")
            pool["vips"] = {{"internal", "172.25.33.10"}, {"access", "131.107.155.10"},
                            {"webconf", "131.107.155.20"}, {"av", "131.107.155.30"}};
        INFO(lb << "/" << addressing);
        const auto plan = plan_of(t);
        CHECK_FALSE(plan.has_errors());
        const auto& c = certificate(plan, "edge-external.lsedge-contoso-net");
        CHECK(san_names(c) == Strings{"sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"});
        CHECK(c.exportable_key);
        CHECK(c.install_on.size() == static_cast<std::size_t>(members));
        CHECK(certificate(plan, "edge-internal.lsedge-contoso-net").common_name == "lsedge.contoso.net");
    }
}

TEST_CASE("model: separate A/V certificate takes AudioVideoAuthentication off the external one (3.3)",
          "[model][edge]") {
    auto t = edge_single_nat();
    t["sites"][0]["edge_pools"][0]["av_certificate"] = "separate";
    const auto plan = plan_of(t);
    const auto& ext = certificate(plan, "edge-external.lsedge-contoso-net");
    CHECK(ext.usages == Strings{"AccessEdgeExternal", "DataEdgeExternal"});
    const auto& av = certificate(plan, "edge-av.lsedge-contoso-net");
    CHECK(av.usages == Strings{"AudioVideoAuthentication"});
    CHECK(av.exportable_key);
    CHECK(av.same_on_all_members);
    CHECK(av.endpoints.empty());  // never presented on a TLS port
    CHECK_FALSE(findings(plan, "edge-av-not-served").empty());
    // Combined layout has no edge-av certificate at all.
    CHECK(plan_of(edge_single_nat()).find("edge-av.lsedge-contoso-net") == nullptr);
}

TEST_CASE("model: AOL public IM asks a public CA for Server Authentication only, with a warning", "[model][edge]") {
    auto t = edge_single_nat();
    t["public_im"] = {{"aol", true}};
    auto plan = plan_of(t);
    CHECK(certificate(plan, "edge-external.lsedge-contoso-net").eku == Strings{"serverAuth"});
    const auto ended = findings(plan, "aol-public-im-ended");
    REQUIRE(ended.size() == 1);
    CHECK(ended[0].severity == model::Severity::warning);
    CHECK_THAT(ended[0].message, Catch::Contains("2017-12-15") && Catch::Contains("2026-07-08") &&
                                      Catch::Contains("Server Authentication only"));
}

TEST_CASE("model: policy.public_client_auth forces Client Authentication for AOL (CS-FED)", "[model][edge]") {
    auto t = edge_single_nat();
    t["public_im"] = {{"aol", true}};
    t["policy"] = {{"public_client_auth", true}};
    auto plan = plan_of(t);
    CHECK(certificate(plan, "edge-external.lsedge-contoso-net").eku == Strings{"serverAuth", "clientAuth"});
    CHECK(certificate(plan, "edge-internal.lsedge-contoso-net").eku == Strings{"serverAuth"});
    REQUIRE(findings(plan, "aol-public-im-ended").size() == 1);
    CHECK_THAT(findings(plan, "aol-public-im-ended")[0].message, Catch::Contains("forces"));

    t["sites"][0]["edge_pools"][0]["federation"] = false;
    plan = plan_of(t);
    CHECK(certificate(plan, "edge-external.lsedge-contoso-net").eku == Strings{"serverAuth"});
    REQUIRE(findings(plan, "aol-without-federation").size() == 1);
    CHECK(findings(plan, "aol-without-federation")[0].path == "/public_im/aol");
    CHECK(plan.has_errors());
}

TEST_CASE("model: several SIP domains give one sip.<domain> SAN each, in topology order (3.6)", "[model][edge]") {
    auto t = edge_single_nat();
    t["sip_domains"] = {"contoso.com", "fabrikam.com", "litwareinc.com"};
    const auto& c = certificate(plan_of(t), "edge-external.lsedge-contoso-net");
    CHECK(san_names(c) == Strings{"sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com", "sip.litwareinc.com"});
}

TEST_CASE("model: XMPP domains are bare SANs, plus the SRV target host (C4)", "[model][edge][xmpp]") {
    auto t = edge_single_nat();
    t["xmpp"] = {{"domains", {"contoso.com"}}, {"srv_target", "xmpp.contoso.com"}};
    t["sites"][0]["edge_pools"][0]["xmpp_proxy"] = true;
    auto plan = plan_of(t);
    CHECK(san_names(certificate(plan, "edge-external.lsedge-contoso-net")) ==
          Strings{"sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com", "contoso.com", "xmpp.contoso.com"});
    const auto* record = srv(plan, "_xmpp-server._tcp.contoso.com");
    REQUIRE(record != nullptr);
    CHECK(record->target == "xmpp.contoso.com");
    CHECK(record->port == 5269);
    CHECK(targets(plan, "A", "xmpp.contoso.com") == Strings{"131.107.155.10"});

    // Without a separate host the SRV targets the Access FQDN, which is already a SAN.
    t["xmpp"].erase("srv_target");
    plan = plan_of(t);
    CHECK_FALSE(certificate(plan, "edge-external.lsedge-contoso-net").has_san("xmpp.contoso.com"));
    REQUIRE(srv(plan, "_xmpp-server._tcp.contoso.com") != nullptr);
    CHECK(srv(plan, "_xmpp-server._tcp.contoso.com")->target == "sip.contoso.com");
    CHECK(findings(plan, "srv-target-not-on-certificate").empty());
}

TEST_CASE("model: XMPP domains without an XMPP proxy go nowhere and are reported", "[model][edge][xmpp]") {
    auto t = edge_single_nat();
    t["xmpp"] = {{"domains", {"contoso.com"}}};
    const auto plan = plan_of(t);
    CHECK_FALSE(certificate(plan, "edge-external.lsedge-contoso-net").has_san("contoso.com"));
    CHECK(findings(plan, "xmpp-without-proxy").size() == 1);
}

TEST_CASE("model: more than 12 Edge pool members is an error, 12 is fine (TOPO)", "[model][edge]") {
    auto t = edge_single_nat();
    auto& pool = t["sites"][0]["edge_pools"][0];
    pool["load_balancing"] = "dns";
    pool["external_addressing"] = "public";
    auto members = nlohmann::json::array();
    for (int i = 0; i < 13; ++i)
        members.push_back({{"fqdn", "edge" + std::to_string(i) + ".contoso.net"}, {"internal_ip", "172.25.33." + std::to_string(i + 1)}});
    pool["members"] = members;
    auto plan = plan_of(t);
    REQUIRE(findings(plan, "edge-pool-too-large").size() == 1);
    CHECK(findings(plan, "edge-pool-too-large")[0].path == "/sites/0/edge_pools/0/members");
    CHECK(findings(plan, "edge-pool-too-large")[0].severity == model::Severity::error);

    pool["members"].erase(12);
    plan = plan_of(t);
    CHECK(findings(plan, "edge-pool-too-large").empty());
    CHECK(certificate(plan, "edge-external.lsedge-contoso-net").install_on.size() == 12);
}

TEST_CASE("model: a wildcard Edge external name is an error at its JSON path (G5, C3)", "[model][edge][wildcard]") {
    auto t = edge_single_nat();
    t["sites"][0]["edge_pools"][0]["external"]["webconf"] = "*.contoso.com";
    const auto plan = plan_of(t);
    const auto found = findings(plan, "wildcard-forbidden");
    REQUIRE(found.size() == 1);
    CHECK(found[0].path == "/sites/0/edge_pools/0/external/webconf");
    CHECK(plan.has_errors());
}

TEST_CASE("model: a wildcard SAN on the Edge internal certificate is accepted with a warning (C3)",
          "[model][edge][wildcard]") {
    auto t = edge_single_nat();
    t["sites"][0]["edge_pools"][0]["internal_extra_sans"] = {"*.contoso.net"};
    const auto plan = plan_of(t);
    CHECK(certificate(plan, "edge-internal.lsedge-contoso-net").has_san("*.contoso.net"));
    const auto found = findings(plan, "wildcard-edge-internal");
    REQUIRE(found.size() == 1);
    CHECK(found[0].severity == model::Severity::warning);
    CHECK(found[0].path == "/sites/0/edge_pools/0/internal_extra_sans/0");
    CHECK_FALSE(plan.has_errors());
}

TEST_CASE("model: only one Edge pool can be the federation route (SCEN)", "[model][edge]") {
    auto t = edge_single_nat();
    auto second = t["sites"][0]["edge_pools"][0];
    second["fqdn"] = "lsedge2.contoso.net";
    second["external"] = {{"access", "sip2.contoso.com"}, {"webconf", "webcon2.contoso.com"}, {"av", "av2.contoso.com"}};
    second["members"][0]["fqdn"] = "lsedge2.contoso.net";
    t["sites"][0]["edge_pools"].push_back(second);
    const auto plan = plan_of(t);
    REQUIRE(findings(plan, "federation-route-multiple").size() == 1);
    CHECK(findings(plan, "federation-route-multiple")[0].path == "/sites/0/edge_pools/1/federation");
}

TEST_CASE("model: the A/V FQDN is reported as not needed, citing policy C2", "[model][edge]") {
    const auto plan = plan_of(edge_single_nat());
    const auto found = findings(plan, "av-fqdn-not-needed");
    REQUIRE(found.size() == 1);
    CHECK(found[0].severity == model::Severity::info);
    CHECK(found[0].policy == "C2");
    CHECK(found[0].path == "/sites/0/edge_pools/0/external/av");
}
