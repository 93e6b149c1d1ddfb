// DNS records (section 8) and the cross-role checks of lint.cpp.
#include <catch2/catch.hpp>

#include "model/builder.hpp"
#include "model_fixture.hpp"

using namespace certtool;
using namespace certtool::test;
using Strings = std::vector<std::string>;

TEST_CASE("model: DNS-NAT records point at the public NAT addresses", "[model][dns]") {
    const auto plan = plan_of(edge_single_nat());
    CHECK(targets(plan, "A", "sip.contoso.com") == Strings{"131.107.155.10"});
    CHECK(targets(plan, "A", "webcon.contoso.com") == Strings{"131.107.155.20"});
    CHECK(targets(plan, "A", "av.contoso.com") == Strings{"131.107.155.30"});
    CHECK(targets(plan, "A", "sip.fabrikam.com") == Strings{"131.107.155.10"});
    CHECK(targets(plan, "A", "lsedge.contoso.net", "internal") == Strings{"172.25.33.10"});
    const auto* sip = srv(plan, "_sip._tls.contoso.com");
    REQUIRE(sip != nullptr);
    CHECK(sip->target == "sip.contoso.com");
    CHECK(sip->port == 443);
    CHECK(sip->certificate == "edge-external.lsedge-contoso-net");
    const auto* fed = srv(plan, "_sipfederationtls._tcp.fabrikam.com");
    REQUIRE(fed != nullptr);
    CHECK(fed->target == "sip.fabrikam.com");  // stays in its own domain (DNS-REQ) and is a SAN
    CHECK(fed->port == 5061);
}

TEST_CASE("model: one A record needed by two Edge services names the certificate that holds the name", "[model][dns]") {
    // Access, Web Conferencing and A/V on one FQDN (distinct ports): the A/V
    // record is on no certificate, the Access one is; the merged record must
    // keep the certificate, whichever rule wrote it first.
    auto t = edge_single_nat();
    auto& pool = t["sites"][0]["edge_pools"][0];
    pool["external"]["webconf"] = "sip.contoso.com";
    pool["external"]["av"] = "sip.contoso.com";
    for (auto& m : pool["members"]) m["public_ips"] = {{"access", "131.107.155.10"}, {"webconf", "131.107.155.10"}, {"av", "131.107.155.10"}};
    const auto plan = plan_of(t);
    std::vector<const model::DnsRecord*> records;
    for (const auto& r : plan.dns)
        if (r.zone == "external" && r.type == "A" && r.name == "sip.contoso.com") records.push_back(&r);
    REQUIRE(records.size() == 1);
    CHECK(records.front()->target == "131.107.155.10");
    CHECK(records.front()->certificate == "edge-external.lsedge-contoso-net");
    CHECK(records.front()->reason.find("Access Edge") == 0);
}

TEST_CASE("model: DNS load balancing lists every member, HLB lists the VIP (DNS-DNSLB-*, DNS-HLB)", "[model][dns]") {
    auto t = edge_single_nat();
    auto& pool = t["sites"][0]["edge_pools"][0];
    pool["load_balancing"] = "dns";
    pool["members"] = {edge_member(0), edge_member(1)};
    auto plan = plan_of(t);
    CHECK(targets(plan, "A", "sip.contoso.com") == Strings{"131.107.155.10", "131.107.155.11"});
    CHECK(targets(plan, "A", "lsedge.contoso.net", "internal") == Strings{"172.25.33.10", "172.25.33.11"});

    pool["load_balancing"] = "hlb";
    pool["external_addressing"] = "public";
    pool["vips"] = {{"internal", "172.25.33.20"}, {"access", "131.107.155.50"}, {"webconf", "131.107.155.60"},
                    {"av", "131.107.155.70"}};
    plan = plan_of(t);
    CHECK(targets(plan, "A", "sip.contoso.com") == Strings{"131.107.155.50"});
    CHECK(targets(plan, "A", "av.contoso.com") == Strings{"131.107.155.70"});
    CHECK(targets(plan, "A", "lsedge.contoso.net", "internal") == Strings{"172.25.33.20"});
}

TEST_CASE("model: federation SRV only with federation on", "[model][dns]") {
    auto t = edge_single_nat();
    t["sites"][0]["edge_pools"][0]["federation"] = false;
    const auto plan = plan_of(t);
    CHECK(srv(plan, "_sipfederationtls._tcp.contoso.com") == nullptr);
    CHECK(srv(plan, "_sip._tls.contoso.com") != nullptr);
}

TEST_CASE("model: an SRV target outside its domain warns, and is an error with strict_dns (C16)", "[model][dns]") {
    auto t = enterprise();  // _sipinternaltls._tcp.contoso.com -> pool01.contoso.net
    auto plan = plan_of(t);
    const auto* record = srv(plan, "_sipinternaltls._tcp.contoso.com");
    REQUIRE(record != nullptr);
    CHECK(record->target == "pool01.contoso.net");
    auto found = findings(plan, "srv-target-outside-domain");
    REQUIRE(found.size() == 2);  // one per SIP domain
    CHECK(found[0].severity == model::Severity::warning);
    CHECK(found[0].path == "/sip_domains/0");
    CHECK(found[0].policy == "C16");

    t["policy"] = {{"strict_dns", true}};
    plan = plan_of(t);
    found = findings(plan, "srv-target-outside-domain");
    REQUIRE(found.size() == 2);
    CHECK(found[0].severity == model::Severity::error);
}

TEST_CASE("model: every SRV target is a SAN of the certificate serving its port (8.2)", "[model][dns]") {
    auto t = enterprise();
    t["xmpp"] = {{"domains", {"contoso.com", "fabrikam.com"}}, {"srv_target", "xmpp.contoso.com"}};
    t["sites"][0]["edge_pools"][0]["xmpp_proxy"] = true;
    t["sites"][0]["front_end_pools"][0]["auto_logon"] = true;
    const auto plan = plan_of(t);
    int srv_count = 0;
    for (const auto& record : plan.dns) {
        if (record.type != "SRV") continue;
        ++srv_count;
        INFO(record.name);
        REQUIRE_FALSE(record.certificate.empty());
        CHECK(certificate(plan, record.certificate).has_san(record.target));
    }
    CHECK(srv_count == 2 + 2 + 2 + 2);  // _sip._tls, _sipfederationtls, _xmpp-server, _sipinternaltls x 2 domains
    CHECK(findings(plan, "srv-target-not-on-certificate").empty());
}

TEST_CASE("model: the SRV check catches a certificate that lost the target", "[model][dns]") {
    auto plan = plan_of(edge_single_nat());
    auto& sans = const_cast<model::CertificateRequirement*>(plan.find("edge-external.lsedge-contoso-net"))->sans;
    sans.erase(std::remove_if(sans.begin(), sans.end(), [](const auto& s) { return s.name == "sip.fabrikam.com"; }),
               sans.end());
    plan.findings.clear();
    const auto topology = topology::parse(edge_single_nat().dump(), "test.json");
    model::detail::Builder builder(topology, plan);
    model::detail::lint(builder);
    const auto found = findings(plan, "srv-target-not-on-certificate");
    REQUIRE(found.size() == 2);  // _sip._tls and _sipfederationtls for fabrikam.com
    CHECK_THAT(found[0].message, Catch::Contains("sip.fabrikam.com"));
}

TEST_CASE("model: names no public CA issues for are errors on public certificates", "[model][lint]") {
    auto t = edge_single_nat();
    t["sites"][0]["edge_pools"][0]["external"]["webconf"] = "webcon.contoso.local";
    const auto plan = plan_of(t);
    const auto found = findings(plan, "public-ca-unissuable-name");
    REQUIRE(found.size() == 1);
    CHECK_THAT(found[0].message, Catch::Contains("webcon.contoso.local"));
    CHECK(found[0].path == "/sites/0/edge_pools/0");
    CHECK(found[0].certificate == "edge-external.lsedge-contoso-net");
}

TEST_CASE("model: a certificate for either CA with .local names must come from the internal CA", "[model][lint]") {
    auto t = edge_single_nat();
    t["sites"][0]["edge_pools"][0]["fqdn"] = "lsedge.contoso.local";
    t["sites"][0]["edge_pools"][0]["members"][0]["fqdn"] = "lsedge.contoso.local";
    const auto plan = plan_of(t);
    CHECK(certificate(plan, "edge-internal.lsedge-contoso-local").ca == model::CaKind::internal_ca);
    CHECK(findings(plan, "internal-ca-required").size() == 1);
    CHECK(findings(plan, "public-ca-unissuable-name").empty());
    CHECK_FALSE(plan.has_errors());
}

TEST_CASE("model: SAN count above the public CA limit is an error", "[model][lint]") {
    auto t = edge_single_nat();
    t["policy"] = {{"public_ca_max_sans", 2}};
    const auto found = findings(plan_of(t), "san-count-over-limit");
    REQUIRE(found.size() == 1);
    CHECK(found[0].certificate == "edge-external.lsedge-contoso-net");
    t["policy"] = {{"public_ca_max_sans", 3}};
    CHECK(findings(plan_of(t), "san-count-over-limit").empty());
}

TEST_CASE("model: one FQDN for two services that cannot share it", "[model][lint]") {
    SECTION("Director and Front End external web FQDNs must differ (INT-REQ)") {
        auto t = enterprise();
        t["sites"][0]["directors"][0]["web_services"]["external"] = "webext.contoso.com";
        const auto found = findings(plan_of(t), "fqdn-shared-by-services");
        REQUIRE(found.size() == 1);
        CHECK(found[0].severity == model::Severity::error);
        CHECK(found[0].path == "/sites/0/directors/0/web_services/external");
    }
    SECTION("internal and external web FQDNs must differ (MOB-TECH)") {
        auto t = enterprise();
        t["sites"][0]["front_end_pools"][0]["web_services"]["external"] = "pool01.contoso.net";
        const auto found = findings(plan_of(t), "fqdn-shared-by-services");
        REQUIRE(found.size() == 1);
        CHECK(found[0].severity == model::Severity::error);
    }
    SECTION("a meet URL cannot be the Access Edge FQDN") {
        auto t = enterprise();
        t["simple_urls"]["meet"] = {"sip.contoso.com", "meet.fabrikam.com"};
        const auto found = findings(plan_of(t), "fqdn-shared-by-services");
        REQUIRE(found.size() == 1);
        CHECK(found[0].severity == model::Severity::error);
    }
    SECTION("Access and Web Conferencing on one FQDN is only a warning (distinct ports)") {
        auto t = edge_single_nat();
        t["sites"][0]["edge_pools"][0]["external"]["webconf"] = "sip.contoso.com";
        const auto plan = plan_of(t);
        const auto found = findings(plan, "fqdn-shared-by-services");
        REQUIRE(found.size() == 1);
        CHECK(found[0].severity == model::Severity::warning);
        CHECK(certificate(plan, "edge-external.lsedge-contoso-net").sans.size() == 2);
    }
    SECTION("meet and dialin may share one host (path-based simple URLs)") {
        auto t = enterprise();
        t["simple_urls"] = {{"meet", {"lync.contoso.com", "lync.fabrikam.com"}}, {"dialin", "lync.contoso.com"}};
        CHECK(findings(plan_of(t), "fqdn-shared-by-services").empty());
    }
}

TEST_CASE("model: every SIP domain needs a meet simple URL (RP-REQ)", "[model][lint]") {
    auto t = enterprise();
    t["simple_urls"]["meet"] = {"meet.contoso.com"};
    const auto found = findings(plan_of(t), "meet-url-missing");
    REQUIRE(found.size() == 1);
    CHECK_THAT(found[0].message, Catch::Contains("fabrikam.com"));
}

TEST_CASE("model: wildcard simple URLs written into the topology are refused", "[model][lint][wildcard]") {
    auto t = enterprise();
    t["simple_urls"]["dialin"] = "*.contoso.com";
    const auto found = findings(plan_of(t), "wildcard-forbidden");
    REQUIRE(found.size() == 1);
    CHECK(found[0].path == "/simple_urls/dialin");
}

TEST_CASE("model: section-11 policies that shaped the plan are reported once each", "[model][policy]") {
    const auto plan = plan_of(enterprise());
    std::set<std::string> policies;
    for (const auto& f : plan.findings)
        if (f.code == "policy-applied") {
            CHECK(f.severity == model::Severity::info);
            CHECK(policies.insert(f.policy).second);  // once each
        }
    for (const auto* p : {"C1", "C3", "C5", "C6", "C7", "C8", "C10", "C11", "C12", "C13", "C14", "C16" /* via finding */})
        if (std::string(p) != "C16") CHECK(policies.count(p) == 1);
}

TEST_CASE("model: the plan is deterministic", "[model]") {
    const auto a = plan_of(enterprise());
    const auto b = plan_of(enterprise());
    REQUIRE(a.certificates.size() == b.certificates.size());
    for (std::size_t i = 0; i < a.certificates.size(); ++i) {
        CHECK(a.certificates[i].id == b.certificates[i].id);
        CHECK(san_names(a.certificates[i]) == san_names(b.certificates[i]));
    }
    REQUIRE(a.dns.size() == b.dns.size());
    for (std::size_t i = 0; i < a.dns.size(); ++i) CHECK(a.dns[i].name + a.dns[i].target == b.dns[i].name + b.dns[i].target);
    CHECK(a.findings.size() == b.findings.size());
    std::set<std::string> ids;
    for (const auto& c : a.certificates) CHECK(ids.insert(c.id).second);  // ids unique
}
