// Reverse proxy, Director, Front End / Standard Edition and OAuth rules (sections 4-7).
#include <catch2/catch.hpp>

#include "model_fixture.hpp"

using namespace certtool;
using namespace certtool::test;
using Strings = std::vector<std::string>;

TEST_CASE("model: CS-RP reverse proxy certificate has every published name, no admin", "[model][reverse-proxy]") {
    const auto plan = plan_of(enterprise());
    const auto& c = certificate(plan, "reverse-proxy.rp01");
    CHECK(c.common_name == "webext.contoso.com");  // RP-REQ: first Front End pool's external web FQDN
    CHECK(san_names(c) == Strings{"webext.contoso.com", "webdirext.contoso.com", "meet.contoso.com", "meet.fabrikam.com",
                                  "dialin.contoso.com", "officewebapps01.contoso.com", "lyncdiscover.contoso.com",
                                  "lyncdiscover.fabrikam.com"});
    CHECK_FALSE(c.has_san("admin.contoso.com"));
    CHECK(c.eku == Strings{"serverAuth"});  // C10
    CHECK(c.ca == model::CaKind::public_ca);
    CHECK(c.usages.empty());  // a web listener, not a Lync usage
    CHECK(c.install_on == Strings{"rp01.contoso.com"});
    CHECK(c.endpoints.size() == c.sans.size());
    CHECK(c.endpoints.front().address == "131.107.155.40");
}

TEST_CASE("model: the reverse proxy subject is a Front End pool even when a Director is listed first", "[model][reverse-proxy]") {
    auto t = enterprise();
    t["sites"][0]["reverse_proxies"][0]["publishes"] = {"dirpool01.contoso.net", "pool01.contoso.net"};
    const auto& c = certificate(plan_of(t), "reverse-proxy.rp01");
    CHECK(c.common_name == "webext.contoso.com");
    CHECK(c.sans[1].name == "webdirext.contoso.com");
}

TEST_CASE("model: Autodiscover over HTTP or off keeps lyncdiscover off the reverse proxy", "[model][reverse-proxy][mobility]") {
    auto t = enterprise();
    t["mobility"] = {{"autodiscover", "http"}};
    auto plan = plan_of(t);
    CHECK_FALSE(certificate(plan, "reverse-proxy.rp01").has_san("lyncdiscover.contoso.com"));
    CHECK(findings(plan, "autodiscover-over-http").size() == 1);
    CHECK(targets(plan, "A", "lyncdiscover.contoso.com") == Strings{"131.107.155.40"});  // still published on 80
    // The Director and Front End still answer Autodiscover.
    CHECK(certificate(plan, "director.dirpool01-contoso-net.dir01-contoso-net").has_san("lyncdiscover.contoso.com"));

    t["mobility"] = {{"autodiscover", "off"}};
    plan = plan_of(t);
    CHECK_FALSE(certificate(plan, "reverse-proxy.rp01").has_san("lyncdiscover.contoso.com"));
    CHECK_FALSE(certificate(plan, "front-end.pool01-contoso-net.fe01-contoso-net").has_san("lyncdiscoverinternal.contoso.com"));
}

TEST_CASE("model: simple URL wildcards replace meet and dialin where the policy allows (WILDCARD, CS-RP)",
          "[model][reverse-proxy][wildcard]") {
    auto t = enterprise();
    t["policy"] = {{"simple_url_wildcards", true}};
    const auto plan = plan_of(t);
    const auto& rp = certificate(plan, "reverse-proxy.rp01");
    CHECK(san_names(rp) == Strings{"webext.contoso.com", "webdirext.contoso.com", "*.contoso.com", "*.fabrikam.com",
                                   "officewebapps01.contoso.com", "lyncdiscover.contoso.com", "lyncdiscover.fabrikam.com"});
    CHECK_THAT(rp.sans[2].reason, Catch::Contains("meet.contoso.com") && Catch::Contains("dialin.contoso.com"));
    CHECK(rp.common_name == "webext.contoso.com");  // never a wildcard subject (G5)
    // Never on an Edge certificate.
    for (const auto& san : certificate(plan, "edge-external.lsedge-contoso-net").sans) CHECK(san.name.front() != '*');
    CHECK(findings(plan, "wildcard-forbidden").empty());
}

TEST_CASE("model: reverse proxy Client Authentication only by policy (C10), forced for a public CA", "[model][reverse-proxy]") {
    auto t = enterprise();
    CHECK(certificate(plan_of(t), "reverse-proxy.rp01").eku == Strings{"serverAuth"});
    t["policy"] = {{"reverse_proxy_client_auth", true}};
    auto plan = plan_of(t);
    CHECK(certificate(plan, "reverse-proxy.rp01").eku == Strings{"serverAuth"});  // public CAs no longer issue it
    REQUIRE(findings(plan, "public-ca-client-auth").size() == 1);
    CHECK(findings(plan, "public-ca-client-auth")[0].severity == model::Severity::warning);
    t["policy"]["public_client_auth"] = true;
    plan = plan_of(t);
    CHECK(certificate(plan, "reverse-proxy.rp01").eku == Strings{"serverAuth", "clientAuth"});
    CHECK(findings(plan, "public-ca-client-auth").empty());
}

TEST_CASE("model: a published pool without an external web FQDN is an error", "[model][reverse-proxy]") {
    auto t = enterprise();
    t["sites"][0]["directors"][0]["web_services"].erase("external");
    const auto plan = plan_of(t);
    REQUIRE(findings(plan, "published-pool-without-external-web").size() == 1);
    CHECK(findings(plan, "published-pool-without-external-web")[0].path == "/sites/0/directors/0/web_services");
    CHECK_FALSE(certificate(plan, "reverse-proxy.rp01").has_san("webdirext.contoso.com"));
}

TEST_CASE("model: CS-DIRHLB Director pool: one certificate per member with the pool subject (C20)", "[model][director]") {
    const auto plan = plan_of(enterprise());
    CHECK(ids_with_role(plan, model::Role::director) ==
          Strings{"director.dirpool01-contoso-net.dir01-contoso-net", "director.dirpool01-contoso-net.dir02-contoso-net"});
    const auto& c = certificate(plan, "director.dirpool01-contoso-net.dir01-contoso-net");
    CHECK(c.common_name == "dirpool01.contoso.net");
    // CS-DIR*: pool, member, dialin, meet, lyncdiscoverinternal, lyncdiscover; C11 adds the external web FQDN.
    const auto names = san_set(c);
    for (const auto* name : {"dirpool01.contoso.net", "dir01.contoso.net", "webdirext.contoso.com", "meet.contoso.com",
                             "meet.fabrikam.com", "dialin.contoso.com", "lyncdiscoverinternal.contoso.com",
                             "lyncdiscover.contoso.com", "lyncdiscover.fabrikam.com", "lyncdiscoverinternal.contoso.net"})
        CHECK(names.count(name) == 1);
    CHECK_FALSE(c.has_san("dir02.contoso.net"));
    CHECK(c.sans.front().name == "dirpool01.contoso.net");
    CHECK(c.usages == Strings{"Default", "WebServicesInternal", "WebServicesExternal"});
    CHECK_FALSE(c.exportable_key);  // C6
    CHECK_FALSE(c.same_on_all_members);
    CHECK(c.install_on == Strings{"dir01.contoso.net"});
}

TEST_CASE("model: split layout gives Default, web internal and web external per member (INT-REQ, C9, C12)",
          "[model][director]") {
    auto t = enterprise();
    t["sites"][0]["directors"][0]["certificate_layout"] = "split";
    const auto plan = plan_of(t);
    const auto& def = certificate(plan, "director.dirpool01-contoso-net.dir01-contoso-net");
    CHECK(def.common_name == "dirpool01.contoso.net");
    CHECK(san_names(def) == Strings{"dirpool01.contoso.net", "dir01.contoso.net"});
    CHECK(def.usages == Strings{"Default"});

    const auto& internal = certificate(plan, "director-web-internal.dirpool01-contoso-net.dir01-contoso-net");
    CHECK(internal.common_name == "dir01.contoso.net");  // C12: server FQDN for web usages
    CHECK(internal.has_san("admin.contoso.com"));
    CHECK(internal.has_san("lyncdiscoverinternal.contoso.com"));
    CHECK_FALSE(internal.has_san("lyncdiscover.contoso.com"));
    CHECK(internal.usages == Strings{"WebServicesInternal"});

    const auto& external = certificate(plan, "director-web-external.dirpool01-contoso-net.dir01-contoso-net");
    CHECK(external.common_name == "dir01.contoso.net");
    CHECK(external.sans.front().name == "dir01.contoso.net");  // C13: subject repeated
    CHECK(external.has_san("webdirext.contoso.com"));
    CHECK(external.has_san("lyncdiscover.contoso.com"));
    CHECK_FALSE(external.has_san("admin.contoso.com"));
    CHECK(external.usages == Strings{"WebServicesExternal"});

    // C9 with CS-AD compliance: Autodiscover names on Default too.
    t["policy"] = {{"autodiscover_on_default", true}};
    CHECK(certificate(plan_of(t), "director.dirpool01-contoso-net.dir01-contoso-net").has_san("lyncdiscover.contoso.com"));
}

TEST_CASE("model: Director as internal SIP target carries sip.<domain> on Default (C11)", "[model][director]") {
    auto t = enterprise();
    t["sites"][0]["directors"][0]["sip_target"] = true;
    const auto& c = certificate(plan_of(t), "director.dirpool01-contoso-net.dir01-contoso-net");
    CHECK(c.has_san("sip.contoso.com"));
    CHECK(c.has_san("sip.fabrikam.com"));
}

TEST_CASE("model: Standard Edition server: one certificate, subject = server FQDN (INT-REQ)", "[model][front-end]") {
    auto t = enterprise();
    t["sites"][0]["front_end_pools"] = nlohmann::json::parse(R"([{"fqdn": "se01.contoso.com", "edition": "standard",
        "web_services": {"internal": "se01.contoso.com", "external": "webcon01.contoso.com"}}])");
    t["sites"][0]["reverse_proxies"][0]["publishes"] = {"se01.contoso.com", "dirpool01.contoso.net"};
    const auto plan = plan_of(t);
    CHECK(ids_with_role(plan, model::Role::front_end) == Strings{"front-end.se01-contoso-com"});
    const auto& c = certificate(plan, "front-end.se01-contoso-com");
    CHECK(c.common_name == "se01.contoso.com");
    CHECK(c.sans.front().name == "se01.contoso.com");
    CHECK(c.has_san("webcon01.contoso.com"));
    CHECK(c.install_on == Strings{"se01.contoso.com"});
}

TEST_CASE("model: Front End pool members get per-server certificates, auto-logon adds sip.<domain> (INT-REQ)",
          "[model][front-end]") {
    auto t = enterprise();
    auto plan = plan_of(t);
    const auto& fe1 = certificate(plan, "front-end.pool01-contoso-net.fe01-contoso-net");
    CHECK(fe1.common_name == "pool01.contoso.net");
    CHECK(san_names(fe1).at(1) == "fe01.contoso.net");
    CHECK_FALSE(fe1.has_san("sip.contoso.com"));
    CHECK(fe1.has_san("admin.contoso.com"));

    t["sites"][0]["front_end_pools"][0]["auto_logon"] = true;
    plan = plan_of(t);
    CHECK(certificate(plan, "front-end.pool01-contoso-net.fe02-contoso-net").has_san("sip.fabrikam.com"));
    const auto* record = srv(plan, "_sipinternaltls._tcp.fabrikam.com");
    REQUIRE(record != nullptr);
    CHECK(record->target == "sip.fabrikam.com");
    CHECK(record->zone == "internal");
    CHECK(targets(plan, "A", "sip.fabrikam.com", "internal") == Strings{"192.168.21.11", "192.168.21.12"});
    CHECK(findings(plan, "srv-target-outside-domain").empty());
}

TEST_CASE("model: one global OAuthTokenIssuer certificate, SIP domain subject, 2048 bits (C7)", "[model][oauth]") {
    auto t = enterprise();
    auto plan = plan_of(t);
    CHECK(ids_with_role(plan, model::Role::oauth) == Strings{"oauth.global"});
    const auto& c = certificate(plan, "oauth.global");
    CHECK(c.common_name == "contoso.com");
    CHECK(c.usages == Strings{"OAuthTokenIssuer"});
    CHECK(c.exportable_key);
    CHECK(c.same_on_all_members);
    CHECK(c.install_on == Strings{"fe01.contoso.net", "fe02.contoso.net", "dir01.contoso.net", "dir02.contoso.net"});

    t["oauth"] = {{"subject", "fabrikam.com"}};
    CHECK(certificate(plan_of(t), "oauth.global").common_name == "fabrikam.com");

    // An Edge-only topology has no Front End, so no OAuth certificate.
    CHECK(ids_with_role(plan_of(edge_single_nat()), model::Role::oauth).empty());
}

TEST_CASE("model: RSA 1024 is an error unless allowed, OAuth is always raised to 2048 (G4, C7)", "[model][keys]") {
    auto t = enterprise();
    t["policy"] = {{"key_bits", 1024}};
    auto plan = plan_of(t);
    REQUIRE(findings(plan, "key.too-small").size() == 1);
    CHECK(findings(plan, "key.too-small")[0].severity == model::Severity::error);
    CHECK(findings(plan, "key.too-small")[0].path == "/policy/key_bits");
    CHECK(certificate(plan, "edge-external.lsedge-contoso-net").key.bits == 1024);
    CHECK(certificate(plan, "oauth.global").key.bits == 2048);

    t["policy"]["allow_weak_keys"] = true;
    plan = plan_of(t);
    CHECK(findings(plan, "key.too-small")[0].severity == model::Severity::warning);
    CHECK_FALSE(plan.has_errors());

    t["policy"] = {{"key_bits", 3072}};
    CHECK(findings(plan_of(t), "key.size-unsupported").size() == 1);
}

TEST_CASE("model: ECDSA keys sign only", "[model][keys]") {
    auto t = edge_single_nat();
    t["policy"] = {{"key_algorithm", "ECDSA"}, {"key_bits", 256}};
    const auto& c = certificate(plan_of(t), "edge-external.lsedge-contoso-net");
    CHECK(c.key.algorithm_name() == "ECDSA");
    CHECK(c.key.curve_name() == "P-256");
    CHECK(c.key_usage == Strings{"digitalSignature"});
}

TEST_CASE("model: where a wildcard may stand for a planned name (WILDCARD, G5, C3)", "[model][wildcard]") {
    auto t = enterprise();
    t["sites"][0]["front_end_pools"][0]["auto_logon"] = true;
    const auto plan = plan_of(t);
    const auto rp = certificate(plan, "reverse-proxy.rp01");
    CHECK(model::wildcard_may_cover(rp, "meet.contoso.com"));
    CHECK(model::wildcard_may_cover(rp, "lyncdiscover.fabrikam.com"));
    CHECK_FALSE(model::wildcard_may_cover(rp, "webext.contoso.com"));  // the subject
    CHECK_FALSE(model::wildcard_may_cover(rp, "rp01.contoso.com"));    // a server it is installed on
    const auto fe = certificate(plan, "front-end.pool01-contoso-net.fe01-contoso-net");
    CHECK(model::wildcard_may_cover(fe, "dialin.contoso.com"));
    CHECK_FALSE(model::wildcard_may_cover(fe, "sip.contoso.com"));     // SIP names never
    CHECK_FALSE(model::wildcard_may_cover(fe, "pool01.contoso.net"));  // the pool
    CHECK_FALSE(model::wildcard_may_cover(fe, "fe01.contoso.net"));    // the server
    const auto edge = certificate(plan, "edge-external.lsedge-contoso-net");
    CHECK_FALSE(model::wildcard_may_cover(edge, "webcon.contoso.com"));  // never on the Edge
    CHECK_FALSE(model::wildcard_may_cover(certificate(plan, "oauth.global"), "contoso.com"));
}
