// certtool import (lib/import, lib/xml): each fixture of tests/topologies/import
// read field by field against what the document says, then planned; the overlay's
// merge rule; the encodings; hostile XML refused with its code.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "plan_date.hpp"
#include "core/diagnostic.hpp"
#include "core/finding_catalogue.hpp"
#include "import/import.hpp"
#include "model/plan.hpp"
#include "topology/topology.hpp"
#include "xml/xml_reader.hpp"

namespace {

using certtool::InputError;
using certtool::JsonValue;
namespace import = certtool::import;

std::string fixture_path(const std::string& name) { return std::string(CERTTOOL_SOURCE_DIR) + "/tests/topologies/import/" + name; }

std::string read(const std::string& name) {
    std::ifstream in(fixture_path(name), std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    REQUIRE(!out.str().empty());
    return out.str();
}

std::optional<import::Overlay> overlay(const std::string& name) {
    if (name.empty()) return std::nullopt;
    return import::parse_overlay(read(name), name);
}

import::Result imported(const std::string& name, const std::string& overlay_name = "") {
    return import::import_topology(read(name), name, overlay(overlay_name));
}

std::vector<std::string> codes_at(const import::Result& r, const std::string& code) {
    std::vector<std::string> out;
    for (const auto& f : r.findings)
        if (f.code == code) out.push_back(f.path);
    return out;
}

certtool::model::Plan plan_of(const import::Result& r) {
    const auto t = certtool::topology::parse(r.topology.dump(), "imported.json");
    return certtool::model::build_plan(t, {"imported.json", ""}, certtool::test::plan_date());
}

const certtool::model::CertificateRequirement& certificate(const certtool::model::Plan& plan, const std::string& id) {
    const auto it = std::find_if(plan.certificates.begin(), plan.certificates.end(), [&](const auto& c) { return c.id == id; });
    INFO(id);
    REQUIRE(it != plan.certificates.end());
    return *it;
}

std::vector<std::string> sans_of(const certtool::model::CertificateRequirement& c) {
    std::vector<std::string> out;
    for (const auto& s : c.sans) out.push_back(s.name);
    return out;
}

std::string error_code(const std::string& bytes) {
    try {
        (void)import::import_topology(bytes, "hostile.xml", std::nullopt);
    } catch (const InputError& e) {
        REQUIRE(!e.diagnostics().empty());
        CHECK(e.diagnostics().front().file == "hostile.xml");
        return e.diagnostics().front().code;
    }
    return "(accepted)";
}

// Windows PowerShell's Out-File: UTF-16LE with a BOM (ASCII input only, which the fixtures are).
std::string utf16le(const std::string& utf8) {
    std::string out = "\xFF\xFE";
    for (char c : utf8) {
        out += c;
        out += '\0';
    }
    return out;
}

}  // namespace

TEST_CASE("import: a single Edge with NAT, an Enterprise pool, SQL and a gateway skipped (published topology)", "[import]") {
    const auto r = imported("single-edge-nat.xml");
    const JsonValue& t = r.topology;
    CHECK(r.format == import::SourceFormat::published);
    CHECK(t["schema"] == "certtool.topology/v1");
    CHECK(t["product"] == "skype2015");  // ServiceVersion 7
    // InternalDomains are SIP domains; the default (contoso.com) first although the document lists it second.
    CHECK(t["sip_domains"] == JsonValue::array({"contoso.com", "contoso.net"}));
    CHECK_FALSE(t.contains("internal_domains"));
    CHECK(t["x-imported-from"]["file"] == "single-edge-nat.xml");
    CHECK(t["x-imported-from"]["sha256"].get<std::string>().size() == 64);
    REQUIRE(t["sites"].size() == 1);
    const JsonValue& site = t["sites"][0];
    CHECK(site["name"] == "Redmond");
    const JsonValue& edge = site["edge_pools"][0];
    CHECK(edge["fqdn"] == "lsedge.contoso.net");
    CHECK(edge["load_balancing"] == "none");
    CHECK(edge["external_addressing"] == "nat");
    CHECK(edge["external"] == JsonValue{{"access", "sip.contoso.com"}, {"webconf", "sip.contoso.com"}, {"av", "sip.contoso.com"}});
    CHECK(edge["federation"] == true);
    CHECK(edge["xmpp_proxy"] == false);
    CHECK(edge["next_hop"] == "pool01.contoso.net");
    REQUIRE(edge["members"].size() == 1);
    const JsonValue& m = edge["members"][0];
    CHECK(m["fqdn"] == "lsedge.contoso.net");
    CHECK(m["internal_ip"] == "10.0.2.10");
    CHECK(m["external_ips"] == JsonValue{{"access", "10.0.3.10"}, {"webconf", "10.0.3.10"}, {"av", "10.0.3.10"}});
    // One interface: the A/V public address (ConfiguredIPAddress) is every service's.
    CHECK(m["public_ips"] == JsonValue{{"access", "198.51.100.10"}, {"webconf", "198.51.100.10"}, {"av", "198.51.100.10"}});
    const JsonValue& fe = site["front_end_pools"][0];
    CHECK(fe["fqdn"] == "pool01.contoso.net");
    CHECK(fe["edition"] == "enterprise");
    CHECK(fe["members"] == JsonValue::array({JsonValue{{"fqdn", "fe01.contoso.net"}, {"ip", "10.0.1.11"}},
                                             JsonValue{{"fqdn", "fe02.contoso.net"}, {"ip", "10.0.1.12"}}}));
    CHECK(fe["web_services"] == JsonValue{{"internal", "pool01.contoso.net"}, {"external", "webext.contoso.com"}});
    CHECK(site.size() == 3);  // name, edge_pools, front_end_pools: no SQL server, no gateway
    const auto skipped = std::find_if(r.findings.begin(), r.findings.end(), [](const auto& f) { return f.code == "import.skipped"; });
    REQUIRE(skipped != r.findings.end());
    CHECK_THAT(skipped->message, Catch::Contains("sql01.contoso.net") && Catch::Contains("gw01.contoso.net"));
    // No overlay: what no topology XML holds is said, nothing is missing that the plan cannot do without.
    CHECK(codes_at(r, "import.not-in-source") == std::vector<std::string>{"/organization", "/simple_urls", "/sites/0/reverse_proxies"});
    CHECK_FALSE(r.has_errors());
    // The OAuth certificate is planned without an overlay: the finding says whose subject it takes.
    const auto oauth = std::find_if(r.findings.begin(), r.findings.end(), [](const auto& f) { return f.path == "/oauth"; });
    REQUIRE(oauth != r.findings.end());
    CHECK(oauth->code == "import.default-applies");
    CHECK_THAT(oauth->message, Catch::Contains("the first SIP domain (C7)") && !Catch::Contains("no server-to-server"));

    const auto plan = plan_of(imported("single-edge-nat.xml", "overlay-common.json"));
    CHECK_FALSE(plan.has_errors());
    CHECK(certificate(plan, "oauth.global").common_name == "contoso.com");
    const auto& ext = certificate(plan, "edge-external.lsedge-contoso-net");
    CHECK(ext.common_name == "sip.contoso.com");
    CHECK(sans_of(ext) == std::vector<std::string>{"sip.contoso.com", "sip.contoso.net"});
    CHECK(ext.install_on == std::vector<std::string>{"lsedge.contoso.net"});
    CHECK(sans_of(certificate(plan, "edge-internal.lsedge-contoso-net")) == std::vector<std::string>{"lsedge.contoso.net"});
    const auto rp = sans_of(certificate(plan, "reverse-proxy.rp01"));
    CHECK(rp.front() == "webext.contoso.com");
    CHECK(std::find(rp.begin(), rp.end(), "meet.contoso.com") != rp.end());
}

TEST_CASE("import: UTF-16LE with a BOM (Windows PowerShell's Out-File) and UTF-8 with a BOM give the same topology", "[import]") {
    const std::string utf8 = read("single-edge-nat.xml");
    const auto a = import::import_topology(utf8, "t.xml", std::nullopt);
    const auto b = import::import_topology(utf16le(utf8), "t.xml", std::nullopt);
    const auto c = import::import_topology("\xEF\xBB\xBF" + utf8, "t.xml", std::nullopt);
    auto without_source = [](JsonValue t) {
        t.erase("x-imported-from");
        return t;
    };
    CHECK(without_source(b.topology) == without_source(a.topology));
    CHECK(without_source(c.topology) == without_source(a.topology));
    // The source digest is of the bytes as read.
    CHECK(b.topology["x-imported-from"]["sha256"] != a.topology["x-imported-from"]["sha256"]);
    // Big-endian too.
    std::string be = "\xFE\xFF";
    for (char ch : utf8) {
        be += '\0';
        be += ch;
    }
    CHECK(without_source(import::import_topology(be, "t.xml", std::nullopt).topology) == without_source(a.topology));
}

TEST_CASE("import: a DNS-load-balanced Edge pool with public addresses and XMPP", "[import]") {
    const auto r = imported("edge-pool-dns.xml");
    const JsonValue& edge = r.topology["sites"][0]["edge_pools"][0];
    CHECK(edge["load_balancing"] == "dns");
    CHECK(edge["external_addressing"] == "public");
    CHECK(edge["xmpp_proxy"] == true);
    REQUIRE(edge["members"].size() == 2);
    CHECK(edge["members"][1]["fqdn"] == "edge02.contoso.net");
    CHECK(edge["members"][1]["internal_ip"] == "10.0.2.12");
    CHECK(edge["members"][1]["external_ips"]["access"] == "198.51.100.12");
    CHECK_FALSE(edge["members"][1].contains("public_ips"));
    // DNS or hardware load balancing is not in the XML: assumed, said, and answered by the overlay.
    CHECK(codes_at(r, "import.assumed") == std::vector<std::string>{"/sites/0/edge_pools/0/load_balancing"});
    CHECK(codes_at(r, "import.not-in-source") ==
          std::vector<std::string>{"/organization", "/simple_urls", "/sites/0/reverse_proxies", "/xmpp/domains"});
    const auto answered = import::import_topology(
        read("edge-pool-dns.xml"), "edge-pool-dns.xml",
        import::parse_overlay(R"({"sites": [{"name": "Redmond", "edge_pools": [{"fqdn": "LSEDGE.contoso.net.", "load_balancing": "dns"}]}],
                                  "xmpp": {"domains": ["contoso.com"]}})",
                              "o.json"));
    CHECK(codes_at(answered, "import.assumed").empty());
    CHECK(codes_at(answered, "import.not-in-source") == std::vector<std::string>{"/organization", "/simple_urls", "/sites/0/reverse_proxies"});

    const auto plan = plan_of(imported("edge-pool-dns.xml", "overlay-common.json"));
    const auto& ext = certificate(plan, "edge-external.lsedge-contoso-net");
    CHECK(ext.install_on == std::vector<std::string>{"edge01.contoso.net", "edge02.contoso.net"});
    CHECK(sans_of(ext) == std::vector<std::string>{"sip.contoso.com"});
}

TEST_CASE("import: an Edge pool with three FQDNs and addresses, NAT, and a Director as next hop", "[import]") {
    const auto r = imported("edge-pool-separate-director.xml");
    const JsonValue& site = r.topology["sites"][0];
    const JsonValue& edge = site["edge_pools"][0];
    CHECK(edge["external"] == JsonValue{{"access", "sip.contoso.com"}, {"webconf", "webcon.contoso.com"}, {"av", "av.contoso.com"}});
    CHECK(edge["next_hop"] == "dirpool01.contoso.net");
    CHECK(edge["external_addressing"] == "nat");
    CHECK(edge["load_balancing"] == "dns");
    CHECK(codes_at(r, "import.assumed").empty());  // NAT rules out hardware load balancing
    const JsonValue& m = edge["members"][1];
    // Each service's address is the External interface its ports name (1, 2, 3).
    CHECK(m["external_ips"] == JsonValue{{"access", "10.0.3.12"}, {"webconf", "10.0.3.22"}, {"av", "10.0.3.32"}});
    CHECK(m["public_ips"] == JsonValue{{"av", "198.51.100.32"}});
    CHECK(codes_at(r, "import.missing-field") ==
          std::vector<std::string>{"/sites/0/edge_pools/0/members/0/public_ips/access", "/sites/0/edge_pools/0/members/0/public_ips/webconf",
                                   "/sites/0/edge_pools/0/members/1/public_ips/access", "/sites/0/edge_pools/0/members/1/public_ips/webconf"});
    CHECK(r.has_errors());
    REQUIRE(site["directors"].size() == 1);
    CHECK(site["directors"][0]["fqdn"] == "dirpool01.contoso.net");
    CHECK(site["directors"][0]["members"].size() == 2);
    CHECK(site["directors"][0]["web_services"]["external"] == "webdirext.contoso.com");
    CHECK(site["front_end_pools"].size() == 1);

    // The overlay gives the public addresses: nothing is missing any more, and the plan has no error.
    const auto done = imported("edge-pool-separate-director.xml", "overlay-separate.json");
    CHECK_FALSE(done.has_errors());
    const JsonValue& merged = done.topology["sites"][0]["edge_pools"][0]["members"][0]["public_ips"];
    CHECK(merged["access"] == "198.51.100.111");
    CHECK(merged["webconf"] == "198.51.100.121");
    CHECK(merged["av"] == "198.51.100.31");  // from the XML, kept
    CHECK(import::plan_errors(done.topology, "t.json", certtool::test::plan_date()).empty());
    const auto plan = plan_of(done);
    const auto ext = sans_of(certificate(plan, "edge-external.lsedge-contoso-net"));
    CHECK(ext == std::vector<std::string>{"sip.contoso.com", "webcon.contoso.com"});  // A/V FQDN never (C2)
    const auto dir = sans_of(certificate(plan, "director.dirpool01-contoso-net.dir01-contoso-net"));
    CHECK(std::find(dir.begin(), dir.end(), "webdirext.contoso.com") != dir.end());
}

TEST_CASE("import: two sites, a Standard Edition branch, dual-stack Edge, mixed versions", "[import]") {
    const auto r = imported("two-sites-se-ipv6.xml");
    const JsonValue& t = r.topology;
    REQUIRE(t["sites"].size() == 2);
    CHECK(t["sites"][1]["name"] == "Dublin");
    const JsonValue& se = t["sites"][1]["front_end_pools"][0];
    CHECK(se["fqdn"] == "se01.contoso.net");
    CHECK(se["edition"] == "standard");
    CHECK(se["members"] == JsonValue::array({JsonValue{{"fqdn", "se01.contoso.net"}, {"ip", "10.1.1.10"}}}));
    CHECK(codes_at(r, "import.derived") == std::vector<std::string>{"/sites/1/front_end_pools/0/edition", "/product"});
    const JsonValue& m = t["sites"][0]["edge_pools"][0]["members"][0];
    CHECK(m["internal_ip"] == JsonValue::array({"10.0.2.10", "2001:db8:10::10"}));
    CHECK(m["external_ips"]["av"] == JsonValue::array({"198.51.100.10", "2001:db8:20::10"}));
    CHECK(t["sites"][0]["edge_pools"][0]["external_addressing"] == "public");
    // Skype for Business Server 2019 in Redmond, 2015 in Dublin: planned for the oldest.
    CHECK(t["product"] == "skype2015");
    CHECK(codes_at(r, "import.product-mixed") == std::vector<std::string>{"/product"});

    const auto plan = plan_of(imported("two-sites-se-ipv6.xml", "overlay-common.json"));
    CHECK_FALSE(plan.has_errors());
    const auto sans = sans_of(certificate(plan, "front-end.se01-contoso-net"));
    CHECK(sans.front() == "se01.contoso.net");
    CHECK(std::find(sans.begin(), sans.end(), "se01ext.contoso.com") != sans.end());
    const auto& ext = certificate(plan, "edge-external.lsedge-contoso-net");
    const bool v6 = std::any_of(ext.endpoints.begin(), ext.endpoints.end(), [](const auto& e) { return e.address == "2001:db8:20::10"; });
    CHECK(v6);
}

TEST_CASE("import: a Topology Builder file: Edge pool of three with NAT and XMPP, simple URLs, GUID references", "[import]") {
    const auto r = imported("edge-pool-nat.tbxml");
    const JsonValue& t = r.topology;
    CHECK(r.format == import::SourceFormat::topology_builder);
    CHECK(t["simple_urls"] == JsonValue{{"dialin", "https://dialin.contoso.com"}, {"admin", "https://admin.contoso.com"},
                                        {"meet", JsonValue::array({"https://meet.contoso.com"})}});
    const JsonValue& edge = t["sites"][0]["edge_pools"][0];
    CHECK(edge["next_hop"] == "pool01.contoso.net");  // Dependency@ServiceUniqueId -> Registrar -> its cluster
    CHECK(edge["xmpp_proxy"] == true);
    CHECK(edge["external_addressing"] == "nat");
    REQUIRE(edge["members"].size() == 3);
    CHECK(edge["members"][2]["public_ips"]["access"] == "198.51.100.13");
    CHECK(edge["members"][2]["internal_ip"] == "10.0.2.13");
    CHECK(t["sites"][0]["front_end_pools"][0]["members"].size() == 2);
    CHECK(codes_at(r, "import.not-in-source") ==
          std::vector<std::string>{"/organization", "/sites/0/reverse_proxies", "/xmpp/domains"});
    const auto plan = plan_of(r);
    const auto& ext = certificate(plan, "edge-external.lsedge-contoso-net");
    CHECK(ext.install_on.size() == 3);
}

TEST_CASE("import: a Topology Builder file with a Director, separate Edge FQDNs and a Standard Edition site", "[import]") {
    const auto r = imported("director-separate-se.tbxml", "overlay-separate.json");
    const JsonValue& t = r.topology;
    CHECK(t["sites"][0]["edge_pools"][0]["next_hop"] == "dirpool01.contoso.net");
    CHECK(t["sites"][0]["edge_pools"][0]["external"]["webconf"] == "webcon.contoso.com");
    CHECK(t["sites"][0]["directors"][0]["fqdn"] == "dirpool01.contoso.net");
    CHECK(t["sites"][1]["front_end_pools"][0]["edition"] == "standard");
    CHECK(t["simple_urls"]["meet"] == JsonValue::array({"https://meet.contoso.com"}));
    CHECK_FALSE(t["simple_urls"].contains("admin"));
    CHECK_FALSE(r.has_errors());
    CHECK_FALSE(plan_of(r).has_errors());
}

TEST_CASE("import: the overlay merge rule", "[import]") {
    const JsonValue base = JsonValue::parse(R"({"a": {"b": 1, "c": [1, 2]}, "s": "x",
        "sites": [{"name": "One", "edge_pools": [{"fqdn": "e.contoso.net", "members": [{"fqdn": "m1.contoso.net", "x": 1}]}]}]})");
    const JsonValue over = JsonValue::parse(R"({"a": {"c": [3], "d": true}, "s": null,
        "sites": [{"name": "Two"}, {"name": "One", "edge_pools": [{"fqdn": "E.Contoso.Net.", "members": [{"fqdn": "m1.contoso.net", "y": 2}]}]}]})");
    std::vector<std::string> written;
    const JsonValue merged = import::merge_overlay(base, over, &written);
    CHECK(merged["a"] == JsonValue{{"b", 1}, {"c", JsonValue::array({3})}, {"d", true}});  // objects merged, arrays replaced
    CHECK_FALSE(merged.contains("s"));                                                      // null removes
    REQUIRE(merged["sites"].size() == 2);
    CHECK(merged["sites"][0]["name"] == "One");  // matched by name, kept in place; the new site appended
    CHECK(merged["sites"][0]["edge_pools"][0]["fqdn"] == "e.contoso.net");
    CHECK(merged["sites"][0]["edge_pools"][0]["members"][0] == JsonValue{{"fqdn", "m1.contoso.net"}, {"x", 1}, {"y", 2}});
    CHECK(merged["sites"][1] == JsonValue{{"name", "Two"}});
    CHECK(std::find(written.begin(), written.end(), "/sites/0/edge_pools/0/members/0/y") != written.end());
    CHECK(std::find(written.begin(), written.end(), "/sites/1") != written.end());

    CHECK(import::overlay_path(merged, "/sites/0/edge_pools/0/members/0/y") ==
          "sites[name=One].edge_pools[fqdn=e.contoso.net].members[fqdn=m1.contoso.net].y");
    CHECK(import::overlay_path(merged, "/a/c/0") == "a.c[0]");
    CHECK(import::overlay_path(merged, "/sites/7/x") == "sites[7].x");
    CHECK(import::overlay_path(merged, "") == "");

    CHECK_THROWS_AS(import::parse_overlay("[1]", "o.json"), InputError);
    CHECK_THROWS_AS(import::parse_overlay(R"({"a": 1, "a": 2})", "o.json"), InputError);
    CHECK_THROWS_AS(import::parse_overlay("{", "o.json"), InputError);
}

TEST_CASE("import: hostile and broken XML is refused with its code, naming the file", "[import][hostile]") {
    const std::string ns = R"( xmlns="urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008")";
    CHECK(error_code(R"(<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]><Topology)" +
                     ns + ">&lol2;</Topology>") == "import.xml-doctype");
    CHECK(error_code(R"(<!DOCTYPE Topology [<!ENTITY x SYSTEM "file:///etc/passwd">]><Topology)" + ns + ">&x;</Topology>") ==
          "import.xml-doctype");
    CHECK(error_code(R"(<!DOCTYPE Topology SYSTEM "http://127.0.0.1:9/t.dtd"><Topology)" + ns + "/>") == "import.xml-doctype");
    // An entity used without a DOCTYPE is not well-formed (never looked up).
    CHECK(error_code("<Topology" + ns + ">&x;</Topology>") == "import.xml-syntax");
    std::string deep;
    for (int i = 0; i < 100; ++i) deep += "<a>";
    CHECK(error_code("<Topology" + ns + ">" + deep) == "import.xml-syntax");  // truncated as well as deep
    std::string nested = "<Topology" + ns + ">";
    for (int i = 0; i < 70; ++i) nested += "<a>";
    for (int i = 0; i < 70; ++i) nested += "</a>";
    CHECK(error_code(nested + "</Topology>") == "import.xml-too-deep");
    CHECK(error_code("<Topology" + ns + "><Sites><CentralSite SiteId=\"1\">") == "import.xml-syntax");
    CHECK(error_code("<Topology><Sites/></Topology>") == "import.wrong-root");  // no namespace
    CHECK(error_code("<html><body/></html>") == "import.wrong-root");
    CHECK(error_code("Name      : Topology\r\nSites     : {Redmond}\r\n") == "import.not-xml");
    CHECK(error_code("") == "import.not-xml");
    CHECK(error_code(std::string("<\0T\0o\0p\0", 8)) == "import.xml-encoding");  // UTF-16 without a BOM
    CHECK(error_code(std::string("\xFF\xFE<\0\x00\xD8", 6)) == "import.xml-encoding");  // an unpaired surrogate
    CHECK(error_code("<Topology" + ns + " a=\"" + std::string(11'000'000, 'x') + "\"/>") == "import.xml-syntax");  // libxml2's 10 MB cap
    CHECK(error_code(std::string(33u << 20, ' ')) == "import.source.too-large");
    CHECK(error_code("<Topology" + ns + "><Clusters><Cluster Fqdn=\"a.contoso.net\"/></Clusters></Topology>") == "import.structure");
}

TEST_CASE("import: every finding of every fixture is in the catalogue with the severity it is emitted with", "[import][catalogue]") {
    for (const std::string name : {"single-edge-nat.xml", "edge-pool-dns.xml", "edge-pool-separate-director.xml", "two-sites-se-ipv6.xml",
                                   "edge-pool-nat.tbxml", "director-separate-se.tbxml"}) {
        for (const std::string over : {"", "overlay-common.json"}) {
            auto r = imported(name, over);
            for (auto& f : import::plan_errors(r.topology, "t.json", certtool::test::plan_date())) r.findings.push_back(f);
            for (const auto& f : r.findings) {
                INFO(name << " " << over << ": " << f.code);
                const auto* entry = certtool::find_code(f.code);
                REQUIRE(entry != nullptr);
                if (entry->severity != certtool::CodeSeverity::varies)
                    CHECK(certtool::to_string(entry->severity) == certtool::model::to_string(f.severity));
            }
        }
    }
}
