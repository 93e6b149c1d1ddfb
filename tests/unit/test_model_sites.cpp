// Several sites, IPv6 and partial data: who answers sip.<domain> (routes.cpp),
// records never dropped silently (dns.cpp), one-member pools (the loader), and
// the plan never depending on the order of the topology.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <tuple>

#include "plan_date.hpp"
#include "core/diagnostic.hpp"
#include "model/builder.hpp"
#include "model/roles.hpp"
#include "model_fixture.hpp"

using namespace certtool;
using namespace certtool::test;
using nlohmann::json;
using Strings = std::vector<std::string>;

namespace {

json edge_pool(const std::string& prefix, const std::string& access, bool federation, int octet) {
    const auto ip = [&](int service) { return "131.107.15" + std::to_string(service) + "." + std::to_string(octet); };
    return {{"fqdn", prefix + "edge.contoso.net"},
            {"load_balancing", "none"},
            {"external_addressing", "public"},
            {"external", {{"access", access}, {"webconf", prefix + "webcon.contoso.com"}, {"av", prefix + "av.contoso.com"}}},
            {"federation", federation},
            {"members",
             {{{"fqdn", prefix + "edge.contoso.net"},
               {"internal_ip", "172.25.33." + std::to_string(octet)},
               {"external_ips", {{"access", ip(0)}, {"webconf", ip(1)}, {"av", ip(2)}}}}}}};
}

// The trial's topology: a Seattle Edge without federation in the first site,
// the federation route (whose Access FQDN is sip.contoso.com) in the second.
json two_sites() {
    json t = {{"schema", "certtool.topology/v1"},
              {"organization", {{"organization", "Contoso Ltd"}, {"country", "US"}}},
              {"sip_domains", {"contoso.com", "fabrikam.com"}},
              {"sites", json::array()}};
    t["sites"].push_back({{"name", "Seattle"}, {"edge_pools", {edge_pool("sea", "seasip.contoso.com", false, 20)}}});
    t["sites"].push_back({{"name", "Redmond"}, {"edge_pools", {edge_pool("red", "sip.contoso.com", true, 10)}}});
    return t;
}

json reversed_sites(json t) {
    std::reverse(t["sites"].begin(), t["sites"].end());
    return t;
}

std::vector<Diagnostic> load_errors(const json& t) {
    try {
        topology::parse(t.dump(), "test.json");
    } catch (const InputError& e) {
        return e.diagnostics();
    }
    return {};
}

bool has_code(const std::vector<Diagnostic>& list, const std::string& code, const std::string& path) {
    return std::any_of(list.begin(), list.end(), [&](const Diagnostic& d) { return d.code == code && d.path == path; });
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("sites: the federation route in the second site is no false shared-FQDN error (site order)", "[model][sites]") {
    for (const auto& t : {two_sites(), reversed_sites(two_sites())}) {
        const auto plan = plan_of(t);
        INFO(t["sites"][0]["name"]);
        CHECK(findings(plan, "fqdn-shared-by-services").empty());
        CHECK_FALSE(plan.has_errors());
        CHECK(certificate(plan, "edge-external.rededge-contoso-net").has_san("sip.fabrikam.com"));
        CHECK(targets(plan, "A", "sip.fabrikam.com") == Strings{"131.107.150.10"});
        REQUIRE(srv(plan, "_sip._tls.contoso.com") != nullptr);
        CHECK(srv(plan, "_sip._tls.contoso.com")->certificate == "edge-external.rededge-contoso-net");
    }
}

TEST_CASE("sites: an Edge pool that answers no SIP domain's sign-in carries no sip.<domain>", "[model][sites]") {
    const auto plan = plan_of(two_sites());
    const auto sea = certificate(plan, "edge-external.seaedge-contoso-net");
    CHECK(san_names(sea) == Strings{"seasip.contoso.com", "seawebcon.contoso.com"});
    // The pool that does answer says why, now that there is a choice.
    const auto red = certificate(plan, "edge-external.rededge-contoso-net");
    REQUIRE(red.sans.size() == 3);
    CHECK_THAT(red.sans[2].reason, Catch::Contains("answers external sign-in for fabrikam.com (the federation route)"));
}

TEST_CASE("sites: sign_in_domains chooses the pool per domain, failover_domains adds a standby name", "[model][sites]") {
    auto t = two_sites();
    t["sites"][0]["edge_pools"][0]["sign_in_domains"] = {"fabrikam.com"};
    t["sites"][1]["edge_pools"][0]["failover_domains"] = {"fabrikam.com"};
    const auto plan = plan_of(t);
    CHECK_FALSE(plan.has_errors());
    const auto sea = certificate(plan, "edge-external.seaedge-contoso-net");
    const auto red = certificate(plan, "edge-external.rededge-contoso-net");
    CHECK(sea.has_san("sip.fabrikam.com"));
    CHECK_FALSE(sea.has_san("sip.contoso.com"));
    CHECK(red.has_san("sip.contoso.com"));  // its own Access FQDN: the default for contoso.com
    REQUIRE(red.has_san("sip.fabrikam.com"));
    const auto standby = std::find_if(red.sans.begin(), red.sans.end(), [](const auto& s) { return s.name == "sip.fabrikam.com"; });
    CHECK_THAT(standby->reason, Catch::Contains("failover or geo-DNS target (failover_domains)"));
    CHECK_THAT(standby->reason, Catch::Contains("seaedge.contoso.net"));
    // DNS points at the sign-in pool only; the standby is told how to take over.
    CHECK(targets(plan, "A", "sip.fabrikam.com") == Strings{"131.107.150.20"});
    CHECK(srv(plan, "_sip._tls.fabrikam.com")->certificate == "edge-external.seaedge-contoso-net");
    // Federation stays with the federation route, at its own Access FQDN.
    CHECK(srv(plan, "_sipfederationtls._tcp.fabrikam.com")->certificate == "edge-external.rededge-contoso-net");
    CHECK(srv(plan, "_sipfederationtls._tcp.fabrikam.com")->target == "sip.contoso.com");
    const auto failover = findings(plan, "sign-in-failover");
    REQUIRE(failover.size() == 1);
    CHECK(failover[0].path == "/sites/1/edge_pools/0/failover_domains");
    CHECK(findings(plan, "fqdn-shared-by-services").empty());
}

TEST_CASE("sites: with several Edge pools and nothing to decide by, the plan asks for the choice", "[model][sites]") {
    auto t = two_sites();
    t["sites"][1]["edge_pools"][0]["federation"] = false;
    t["sites"][1]["edge_pools"][0]["external"]["access"] = "redsip.contoso.com";
    const auto plan = plan_of(t);
    const auto undecided = findings(plan, "sign-in-pool-undecided");
    REQUIRE(undecided.size() == 2);  // one per SIP domain
    CHECK(undecided[0].severity == model::Severity::error);
    CHECK(undecided[0].path == "/sip_domains/0");
    CHECK_THAT(undecided[0].message, Catch::Contains("/sites/0/edge_pools/0/sign_in_domains"));
    CHECK_THAT(undecided[0].message, Catch::Contains("/sites/1/edge_pools/0/sign_in_domains"));
    CHECK(srv(plan, "_sip._tls.contoso.com") == nullptr);
    CHECK_FALSE(certificate(plan, "edge-external.seaedge-contoso-net").has_san("sip.contoso.com"));

    // Naming the pool settles it.
    t["sites"][1]["edge_pools"][0]["sign_in_domains"] = {"contoso.com", "fabrikam.com"};
    CHECK_FALSE(plan_of(t).has_errors());
}

TEST_CASE("sites: two pools cannot both answer one domain's sign-in; unknown domains are refused", "[model][sites]") {
    auto t = two_sites();
    t["sites"][0]["edge_pools"][0]["sign_in_domains"] = {"fabrikam.com"};
    t["sites"][1]["edge_pools"][0]["sign_in_domains"] = {"fabrikam.com"};
    const auto multiple = findings(plan_of(t), "sign-in-pool-multiple");
    REQUIRE(multiple.size() == 1);
    CHECK(multiple[0].path == "/sites/0/edge_pools/0/sign_in_domains");  // seaedge sorts after rededge

    t["sites"][0]["edge_pools"][0]["sign_in_domains"] = {"example.org"};
    t["sites"][1]["edge_pools"][0]["failover_domains"] = {"fabrikam.com"};
    const auto errors = load_errors(t);
    CHECK(has_code(errors, "topology.unknown-sip-domain", "/sites/0/edge_pools/0/sign_in_domains/0"));
    CHECK(has_code(errors, "topology.invalid-value", "/sites/1/edge_pools/0/failover_domains/0"));
}

TEST_CASE("dns: IPv6 addresses are AAAA records, dual-stack members get both and audit both", "[model][dns]") {
    auto t = two_sites();
    auto& member = t["sites"][0]["edge_pools"][0]["members"][0];
    member["external_ips"]["access"] = {"131.107.150.20", "2001:DB8:0::0011"};
    member["external_ips"]["webconf"] = "2001:db8::12";
    const auto plan = plan_of(t);
    CHECK(targets(plan, "A", "seasip.contoso.com") == Strings{"131.107.150.20"});
    CHECK(targets(plan, "AAAA", "seasip.contoso.com") == Strings{"2001:db8::11"});  // canonical form
    CHECK(targets(plan, "A", "seawebcon.contoso.com").empty());
    CHECK(targets(plan, "AAAA", "seawebcon.contoso.com") == Strings{"2001:db8::12"});
    Strings audited;
    for (const auto& e : certificate(plan, "edge-external.seaedge-contoso-net").endpoints)
        if (e.service == "access-sip") audited.push_back(e.address);
    CHECK(audited == Strings{"131.107.150.20", "2001:db8::11"});

    member["external_ips"]["av"] = {"2001:db8::13", "2001:db8::13"};
    CHECK(has_code(load_errors(t), "topology.duplicate-value", "/sites/0/edge_pools/0/members/0/external_ips/av/1"));
}

TEST_CASE("dns: a member without an address its pool peers have is named, never dropped silently", "[model][dns]") {
    auto t = edge_single_nat();
    auto& pool = t["sites"][0]["edge_pools"][0];
    pool["load_balancing"] = "dns";
    pool["members"] = {edge_member(0), edge_member(1)};
    pool["members"][1].erase("public_ips");
    const auto plan = plan_of(t);
    CHECK(targets(plan, "A", "sip.contoso.com") == Strings{"131.107.155.10"});
    const auto partial = findings(plan, "dns-address-partial");
    REQUIRE(partial.size() == 3);  // access, webconf and av
    for (const auto& f : partial) {
        CHECK(f.severity == model::Severity::warning);
        CHECK_THAT(f.message, Catch::StartsWith("edge02.contoso.net has no public_ips."));
    }
    CHECK(partial[0].path == "/sites/0/edge_pools/0/members/1/public_ips/access");

    // Nobody has one: nothing is partial, the record is reported missing (info) as before.
    pool["members"][0].erase("public_ips");
    CHECK(findings(plan_of(t), "dns-address-partial").empty());
    CHECK_FALSE(findings(plan_of(t), "dns-address-unknown").empty());
}

TEST_CASE("dns: Standard Edition servers, Director members and Edge members get internal records", "[model][dns]") {
    auto t = enterprise();
    t["sites"][0]["directors"][0]["members"][0]["ip"] = "192.168.21.31";
    t["sites"][0]["directors"][0]["members"][1]["ip"] = "192.168.21.32";
    t["sites"][0]["front_end_pools"].push_back(
        {{"fqdn", "se01.contoso.net"}, {"edition", "standard"}, {"members", {{{"fqdn", "se01.contoso.net"}, {"ip", "192.168.30.5"}}}}});
    const auto plan = plan_of(t);
    CHECK(targets(plan, "A", "se01.contoso.net", "internal") == Strings{"192.168.30.5"});
    CHECK(targets(plan, "A", "dir01.contoso.net", "internal") == Strings{"192.168.21.31"});
    CHECK(targets(plan, "A", "dir02.contoso.net", "internal") == Strings{"192.168.21.32"});
    CHECK(targets(plan, "A", "dirpool01.contoso.net", "internal") == Strings{"192.168.21.31", "192.168.21.32"});
    CHECK(targets(plan, "A", "edge01.contoso.net", "internal") == Strings{"172.25.33.10"});
    CHECK(targets(plan, "A", "edge02.contoso.net", "internal") == Strings{"172.25.33.11"});
    CHECK(targets(plan, "A", "lsedge.contoso.net", "internal") == Strings{"172.25.33.10", "172.25.33.11"});
}

TEST_CASE("topology: one-member pools: a single server is its pool, a pool's FQDN is no member's", "[topology]") {
    auto t = edge_single_nat();  // load_balancing none, the member is lsedge.contoso.net
    t["sites"][0]["edge_pools"][0]["members"][0]["fqdn"] = "edge01.contoso.net";
    CHECK(has_code(load_errors(t), "topology.single-server", "/sites/0/edge_pools/0/members/0/fqdn"));

    t = edge_single_nat();
    t["sites"][0]["edge_pools"][0]["load_balancing"] = "dns";  // a pool of one under the server's own name
    CHECK(has_code(load_errors(t), "topology.member-is-pool", "/sites/0/edge_pools/0/members/0/fqdn"));

    t = enterprise();
    t["sites"][0]["front_end_pools"][0]["members"][1]["fqdn"] = "pool01.contoso.net";
    CHECK(has_code(load_errors(t), "topology.member-is-pool", "/sites/0/front_end_pools/0/members/1/fqdn"));
    t = enterprise();
    t["sites"][0]["directors"][0]["members"][0]["fqdn"] = "dirpool01.contoso.net";
    CHECK(has_code(load_errors(t), "topology.member-is-pool", "/sites/0/directors/0/members/0/fqdn"));
    // A single Director: one member under the pool's own name is fine.
    t["sites"][0]["directors"][0]["members"] = {{{"fqdn", "dirpool01.contoso.net"}}};
    CHECK(load_errors(t).empty());
    // A member named like another pool.
    t = enterprise();
    t["sites"][0]["directors"][0]["members"][0]["fqdn"] = "pool01.contoso.net";
    CHECK(has_code(load_errors(t), "topology.duplicate-member", "/sites/0/directors/0/members/0/fqdn"));
}

TEST_CASE("model: public-CA subjects carry no OU; internal-CA subjects keep it", "[model]") {
    auto t = enterprise();
    t["organization"]["organizational_unit"] = "IT";
    const auto plan = plan_of(t);
    CHECK(certificate(plan, "edge-external.lsedge-contoso-net").organization.organizational_unit.empty());
    CHECK(certificate(plan, "reverse-proxy.rp01").organization.organizational_unit.empty());
    CHECK(certificate(plan, "edge-internal.lsedge-contoso-net").organization.organizational_unit == "IT");
    CHECK(certificate(plan, "oauth.global").organization.organizational_unit == "IT");
    const auto found = findings(plan, "public-ca-organizational-unit");
    REQUIRE(found.size() == 1);
    CHECK(found[0].severity == model::Severity::warning);
    CHECK(found[0].path == "/organization/organizational_unit");
    CHECK_THAT(found[0].message, Catch::Contains("SC47"));

    t["organization"].erase("organizational_unit");
    CHECK(findings(plan_of(t), "public-ca-organizational-unit").empty());
}

TEST_CASE("model: the role facts table has one row per role, found by name", "[model]") {
    for (const auto& row : model::all_roles()) {
        INFO(row.name);
        CHECK(model::role_named(row.name) == row.role);
        CHECK(std::string(model::to_string(row.role)) == row.name);
        CHECK(&model::facts(row.role) == &row);
    }
    CHECK_FALSE(model::role_named("edge"));
    CHECK(model::facts(model::Role::oauth).min_rsa_bits == 2048);
    CHECK(model::facts(model::Role::reverse_proxy).web);
    CHECK_FALSE(model::facts(model::Role::edge_external).web);
}

// ---- order never matters --------------------------------------------------------

namespace {

// Everything a plan says, with JSON paths taken out (paths in messages too):
// what a permutation of the topology may change and nothing else.
struct Comparable {
    std::vector<std::tuple<std::string, std::string, Strings, Strings, std::string, bool, bool, Strings, Strings,
                           std::vector<std::tuple<std::string, std::string, int, std::string, std::string>>>>
        certificates;
    std::vector<std::tuple<std::string, std::string, std::string, std::string, int, std::string, std::string>> dns;
    std::vector<std::tuple<int, std::string, std::string, std::string, std::string>> findings;
    bool operator==(const Comparable&) const = default;
};

std::string without_paths(const std::string& text) {
    static const std::regex path(R"(/(sites|sip_domains|xmpp|simple_urls|policy|organization|oauth|public_im|mobility|internal_domains|office_web_apps)(/[A-Za-z0-9_.~-]+)*)");
    return std::regex_replace(text, path, "<path>");
}

Comparable comparable(const model::Plan& plan) {
    Comparable out;
    for (const auto& c : plan.certificates) {
        Strings sans, reasons;
        for (const auto& s : c.sans) {
            sans.push_back(s.name);
            reasons.push_back(s.reason);
        }
        std::vector<std::tuple<std::string, std::string, int, std::string, std::string>> endpoints;
        for (const auto& e : c.endpoints) endpoints.emplace_back(e.member, e.address, e.port, e.sni, e.service);
        out.certificates.emplace_back(c.id, c.common_name + "|" + c.organization.organizational_unit, sans, reasons,
                                      std::string(model::to_string(c.ca)), c.exportable_key, c.same_on_all_members,
                                      c.install_on, c.usages, endpoints);
    }
    std::sort(out.certificates.begin(), out.certificates.end());
    for (const auto& r : plan.dns) out.dns.emplace_back(r.zone, r.type, r.name, r.target, r.port, r.certificate, r.reason);
    for (const auto& f : plan.findings)
        out.findings.emplace_back(static_cast<int>(f.severity), f.code, f.certificate, f.policy, without_paths(f.message));
    std::sort(out.findings.begin(), out.findings.end());
    return out;
}

// Every order of the sites, and of the pools of each kind within each site.
std::vector<json> permutations(const json& topology) {
    std::vector<json> out;
    std::vector<std::size_t> site_order(topology["sites"].size());
    for (std::size_t i = 0; i < site_order.size(); ++i) site_order[i] = i;
    do {
        json t = topology;
        t["sites"] = json::array();
        for (auto i : site_order) t["sites"].push_back(topology["sites"][i]);
        std::vector<json> partial = {t};
        for (std::size_t s = 0; s < t["sites"].size(); ++s) {
            for (const char* kind : {"edge_pools", "front_end_pools", "directors", "reverse_proxies"}) {
                std::vector<json> next;
                for (const auto& p : partial) {
                    if (!p["sites"][s].contains(kind)) {
                        next.push_back(p);
                        continue;
                    }
                    auto pools = p["sites"][s][kind];
                    std::vector<std::size_t> order(pools.size());
                    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
                    do {
                        json q = p;
                        q["sites"][s][kind] = json::array();
                        for (auto i : order) q["sites"][s][kind].push_back(pools[i]);
                        next.push_back(std::move(q));
                    } while (std::next_permutation(order.begin(), order.end()));
                }
                partial = std::move(next);
            }
        }
        out.insert(out.end(), partial.begin(), partial.end());
    } while (std::next_permutation(site_order.begin(), site_order.end()));
    return out;
}

}  // namespace

TEST_CASE("sites: any order of sites and of pools within a site gives the same plan", "[model][sites]") {
    // The multi-site example, with a second Edge pool and a second Front End pool
    // in London and a Director in Seattle, so that every kind has something to reorder.
    json t = json::parse(read_text(std::string(CERTTOOL_SOURCE_DIR) + "/templates/examples/multisite.json"));
    auto& london = t["sites"][0];
    REQUIRE(london["name"] == "London");
    json second_edge = london["edge_pools"][0];
    second_edge["fqdn"] = "lonedgepool2.corp.northwindtraders.com";
    second_edge["external"] = {{"access", "lonsip2.northwindtraders.com"},
                               {"webconf", "lonwebcon2.northwindtraders.com"},
                               {"av", "lonav2.northwindtraders.com"}};
    second_edge["federation"] = false;
    second_edge.erase("sign_in_domains");
    second_edge["failover_domains"] = {"northwindtraders.co.uk"};
    second_edge["members"] = {{{"fqdn", "lonedge11.corp.northwindtraders.com"}, {"internal_ip", "10.10.1.21"}},
                              {{"fqdn", "lonedge12.corp.northwindtraders.com"}}};  // partial addresses
    london["edge_pools"].push_back(second_edge);
    london["front_end_pools"].push_back({{"fqdn", "lonpool2.corp.northwindtraders.com"},
                                         {"members", {{{"fqdn", "lonfe11.corp.northwindtraders.com"}}}},
                                         {"web_services", {{"internal", "lonweb2.corp.northwindtraders.com"},
                                                           {"external", "lonweb2.northwindtraders.com"}}},
                                         {"auto_logon", true}});  // two auto-logon pools: a warning
    t["sites"][1]["directors"] = {{{"fqdn", "seadirpool.corp.northwindtraders.com"},
                                   {"members", {{{"fqdn", "seadir01.corp.northwindtraders.com"}, {"ip", "10.20.2.11"}}}},
                                   {"web_services", {{"internal", "seadirweb.corp.northwindtraders.com"},
                                                     {"external", "seadirweb.northwindtraders.com"}}}}};

    const auto orders = permutations(t);
    REQUIRE(orders.size() == 6 * 2 * 2);
    const auto reference = comparable(plan_of(t));
    REQUIRE(reference.certificates.size() > 15);
    for (std::size_t i = 0; i < orders.size(); ++i) {
        INFO("permutation " << i << ": sites " << orders[i]["sites"][0]["name"] << ", " << orders[i]["sites"][1]["name"]);
        const auto plan = plan_of(orders[i]);
        const auto seen = comparable(plan);
        CHECK(seen.certificates == reference.certificates);
        CHECK(seen.dns == reference.dns);
        CHECK(seen.findings == reference.findings);
    }
}

TEST_CASE("sites: the multi-site example plans with no error, and what each site's Edge carries", "[model][sites]") {
    const auto loaded = topology::load_file(std::string(CERTTOOL_SOURCE_DIR) + "/templates/examples/multisite.json");
    const auto plan = model::build_plan(loaded.topology, loaded.source, certtool::test::plan_date());
    CHECK_FALSE(plan.has_errors());
    const auto london = certificate(plan, "edge-external.lonedgepool-corp-northwindtraders-com");
    CHECK(san_names(london) == Strings{"sip.northwindtraders.com", "webcon.northwindtraders.com", "sip.northwindtraders.co.uk"});
    const auto seattle = certificate(plan, "edge-external.seaedge-corp-northwindtraders-com");
    CHECK(san_names(seattle) ==
          Strings{"seasip.northwindtraders.com", "seawebcon.northwindtraders.com", "sip.northwindtraders.com"});
    CHECK(targets(plan, "AAAA", "seasip.northwindtraders.com") == Strings{"2001:db8:20::11"});
    CHECK(targets(plan, "A", "seasip.northwindtraders.com") == Strings{"198.51.100.11"});
    CHECK(targets(plan, "A", "ledsfe01.corp.northwindtraders.com", "internal") == Strings{"10.30.3.11"});
}
