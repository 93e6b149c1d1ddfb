// `certtool plan --format zone` and `--format dns-powershell` (lib/report/dns_zone):
// the zone of a name, the grouping by zone, and both renderings, on the bundled
// enterprise example and on plans made by hand for what the examples lack (an
// apex, hostile reasons, a record left out).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/diagnostic.hpp"
#include "model_fixture.hpp"
#include "names/names.hpp"
#include "report/dns_zone.hpp"
#include "script/script.hpp"
#include "topology/topology.hpp"

using namespace certtool;
using Catch::Contains;

namespace {

struct Example {
    topology::Topology topology;
    model::Plan plan;
    std::vector<std::string> domains;
};

const Example& enterprise() {
    static const Example example = [] {
        auto loaded = topology::load_file(std::string(CERTTOOL_SOURCE_DIR) + "/templates/examples/enterprise.json");
        Example e{loaded.topology, model::build_plan(loaded.topology, loaded.source, test::plan_date()), {}};
        e.domains = report::own_domains(e.topology);
        return e;
    }();
    return example;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// A record as zone-file data says it: absolute owner name, type, data.
using Rr = std::tuple<std::string, std::string, std::string>;

// Reads render_zone_file's output back as a zone-file parser would: $ORIGIN
// sets the origin, '@' is the apex, a relative name gets the origin, ';' starts
// a comment. Any line that is neither blank, comment, directive nor a record
// "NAME IN TYPE DATA" fails the test.
std::multiset<Rr> parse_zone(const std::string& text, std::vector<std::string>* origins = nullptr) {
    std::multiset<Rr> out;
    std::string origin;
    for (const auto& line : lines_of(text)) {
        INFO(line);
        const auto data = line.substr(0, line.find(';'));
        const auto w = words(data);
        if (w.empty()) continue;
        if (w[0] == "$ORIGIN") {
            REQUIRE(w.size() == 2);
            REQUIRE(w[1].back() == '.');
            origin = w[1].substr(0, w[1].size() - 1);
            if (origins) origins->push_back(origin);
            continue;
        }
        if (w[0] == "$TTL") {
            CHECK(w == std::vector<std::string>{"$TTL", "3600"});
            continue;
        }
        REQUIRE(w.size() >= 4);
        REQUIRE(w[1] == "IN");
        REQUIRE_FALSE(origin.empty());
        CHECK(w[0].back() != '.');  // relative to the origin
        const std::string name = w[0] == "@" ? origin : w[0] + "." + origin;
        std::string rdata;
        for (std::size_t i = 3; i < w.size(); ++i) rdata += (i > 3 ? " " : "") + w[i];
        out.insert({name, w[2], rdata});
    }
    return out;
}

// The plan's records of a view, as parse_zone gives them.
std::multiset<Rr> planned(const model::Plan& plan, const std::string& view) {
    std::multiset<Rr> out;
    for (const auto& r : plan.dns) {
        if (r.zone != view) continue;
        std::string data = r.target;
        if (r.type == "CNAME") data += ".";
        if (r.type == "SRV")
            data = std::to_string(r.priority) + " " + std::to_string(r.weight) + " " + std::to_string(r.port) + " " + r.target + ".";
        out.insert({r.name, r.type, data});
    }
    return out;
}

std::vector<std::string> zones_of(const std::vector<report::ZoneGroup>& groups) {
    std::vector<std::string> out;
    for (const auto& g : groups) out.push_back(g.zone);
    return out;
}

std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

model::Plan hand_plan() {
    model::Plan plan;
    plan.source = {"hand.json", ""};
    plan.dns = {
        {"external", "A", "contoso.com", "192.0.2.1", 0, 0, 0, "", "the apex"},
        {"external", "AAAA", "sip.contoso.com", "2001:db8::10", 0, 0, 0, "", "it's the Access Edge \xe2\x80\x99quoted\xe2\x80\x99"},
        {"external", "CNAME", "lyncdiscover.contoso.com", "webext.contoso.com", 0, 0, 0, "", "line one\n$INCLUDE /etc/passwd"},
        {"external", "SRV", "_sip._tls.contoso.com", "sip.contoso.com", 443, 10, 20, "", "SRV with priority and weight"},
    };
    return plan;
}

}  // namespace

TEST_CASE("names: the registrable domain of a name", "[names][dns-zone]") {
    CHECK(names::registrable_domain("sip.contoso.com") == "contoso.com");
    CHECK(names::registrable_domain("SIP.Contoso.COM.") == "contoso.com");
    CHECK(names::registrable_domain("_sip._tls.contoso.com") == "contoso.com");
    CHECK(names::registrable_domain("a.b.contoso.co.uk") == "contoso.co.uk");
    CHECK(names::registrable_domain("contoso.com") == "contoso.com");
    // Not under a public suffix: the last two labels.
    CHECK(names::registrable_domain("fe01.corp.contoso.local") == "contoso.local");
    CHECK(names::registrable_domain("pool01.contoso.corp") == "contoso.corp");
    // A public suffix, and a single label, stay as they are.
    CHECK(names::registrable_domain("co.uk") == "co.uk");
    CHECK(names::registrable_domain("lyncpool") == "lyncpool");
}

TEST_CASE("dns zone: a name goes in the longest domain of the topology it is within, else its registrable domain",
          "[dns-zone]") {
    const std::vector<std::string> domains{"contoso.com", "lync.contoso.com", "corp.contoso.local", "co.uk"};
    CHECK(report::dns_zone_of("sip.contoso.com", domains) == "contoso.com");
    CHECK(report::dns_zone_of("sip.lync.contoso.com", domains) == "lync.contoso.com");
    CHECK(report::dns_zone_of("_sip._tls.lync.contoso.com", domains) == "lync.contoso.com");
    CHECK(report::dns_zone_of("lync.contoso.com", domains) == "lync.contoso.com");
    CHECK(report::dns_zone_of("fe01.corp.contoso.local", domains) == "corp.contoso.local");
    CHECK(report::dns_zone_of("fe01.other.contoso.local", domains) == "contoso.local");
    CHECK(report::dns_zone_of("sip.fabrikam.com", domains) == "fabrikam.com");
    // A domain above the registrable domain is no zone of the organisation's.
    CHECK(report::dns_zone_of("sip.contoso.co.uk", domains) == "contoso.co.uk");
}

TEST_CASE("dns zone: the enterprise example's records, grouped by zone per view, all of them once", "[dns-zone]") {
    const auto& e = enterprise();
    CHECK(e.domains == std::vector<std::string>{"contoso.com", "fabrikam.com", "contoso.net"});
    const auto external = report::zone_groups(e.plan, "external", e.domains);
    const auto internal = report::zone_groups(e.plan, "internal", e.domains);
    CHECK(zones_of(external) == std::vector<std::string>{"contoso.com", "fabrikam.com"});
    CHECK(zones_of(internal) == std::vector<std::string>{"contoso.com", "contoso.net", "fabrikam.com"});
    std::size_t total = 0;
    for (const auto* groups : {&external, &internal})
        for (const auto& g : *groups)
            for (const auto* r : g.records) {
                CHECK(names::is_within(r->name, g.zone));
                ++total;
            }
    CHECK(total == e.plan.dns.size());
    CHECK(total == 52);
}

TEST_CASE("dns zone: the zone file holds every record of the view, relative to its origin, and nothing else",
          "[dns-zone]") {
    const auto& e = enterprise();
    for (const std::string view : {"external", "internal"}) {
        INFO(view);
        const auto text = report::render_zone_file(e.plan, {view, "", false, e.domains});
        std::vector<std::string> origins;
        CHECK(parse_zone(text, &origins) == planned(e.plan, view));
        CHECK(origins == zones_of(report::zone_groups(e.plan, view, e.domains)));
        CHECK(count(text, "$TTL 3600\n") == origins.size());
        CHECK(count(text, ", " + view + " view: ") == origins.size());
        for (const auto& rr : parse_zone(text)) CHECK((std::get<1>(rr) != "SOA" && std::get<1>(rr) != "NS"));  // a fragment
        for (const auto& line : lines_of(text)) CHECK((line.empty() || line.back() != ' '));
        CHECK(report::render_zone_file(e.plan, {view, "", false, e.domains}) == text);  // deterministic
    }
    const auto text = report::render_zone_file(e.plan, {"external", "", false, e.domains});
    // The head of a group, and records as an admin reads them.
    CHECK_THAT(text, Contains("; Zone contoso.com, external view: 17 records from the certificate plan of "));
    CHECK_THAT(text, Contains("\n$ORIGIN contoso.com.\n$TTL 3600\n"));
    CHECK_THAT(text, Contains("\n$ORIGIN fabrikam.com.\n$TTL 3600\n"));
    const auto lines = lines_of(text);
    const auto line_of = [&](const std::string& start) {
        const auto it = std::find_if(lines.begin(), lines.end(), [&](const std::string& l) { return words(l).size() > 2 && l.rfind(start, 0) == 0; });
        return it == lines.end() ? std::string() : *it;
    };
    CHECK(words(line_of("_sip._tls ")) ==
          words("_sip._tls IN SRV 0 0 443 sip.contoso.com. ; external client automatic configuration (DNS-NAT, DNS-PUB; not "
                "needed with GPO-configured clients)"));
    CHECK(words(line_of("_xmpp-server._tcp ")) ==
          words("_xmpp-server._tcp IN SRV 0 0 5269 xmpp.contoso.com. ; XMPP federation to the XMPP proxy on the Access Edge "
                "(DNS-XMPP, C4)"));
    CHECK(words(line_of("av ")) == words("av IN A 131.107.155.30 ; A/V Edge; on no certificate (EXT-REQ, C2)"));
}

TEST_CASE("dns zone: --zone writes one zone's block, in any spelling; an unknown zone is a usage error naming the zones",
          "[dns-zone]") {
    const auto& e = enterprise();
    for (const std::string zone : {"fabrikam.com", "Fabrikam.COM."}) {
        const auto text = report::render_zone_file(e.plan, {"internal", zone, true, e.domains});
        std::vector<std::string> origins;
        const auto records = parse_zone(text, &origins);
        CHECK(origins == std::vector<std::string>{"fabrikam.com"});
        CHECK(records.size() == 6);  // _sipinternaltls._tcp, lyncdiscoverinternal, meet, sip.fabrikam.com x3
        std::multiset<Rr> expected;
        for (const auto& rr : planned(e.plan, "internal"))
            if (names::is_within(std::get<0>(rr), "fabrikam.com")) expected.insert(rr);
        CHECK(records == expected);
    }
    for (const std::string zone : {"contoso.net", "example.com", ""}) {
        INFO(zone);
        try {
            (void)report::render_zone_file(e.plan, {"external", zone, true, e.domains});
            FAIL("no error for --zone " << zone);
        } catch (const InputError& error) {
            REQUIRE(error.diagnostics().size() == 1);
            CHECK(error.diagnostics()[0].code == "usage.unknown-zone");
            CHECK_THAT(error.diagnostics()[0].message, Contains("its zones: contoso.com, fabrikam.com"));
        }
    }
    // The same error from the script, which groups the records in the same place.
    CHECK_THROWS_AS(report::render_dns_powershell(e.plan, {"internal", "example.com", true, e.domains}), InputError);
}

TEST_CASE("dns zone: the apex is '@', targets end in a dot, SRV data is priority weight port target", "[dns-zone]") {
    const auto text = report::render_zone_file(hand_plan(), {"external", "", false, {"contoso.com"}});
    const auto records = parse_zone(text);
    CHECK(records == std::multiset<Rr>{{"contoso.com", "A", "192.0.2.1"},
                                       {"sip.contoso.com", "AAAA", "2001:db8::10"},
                                       {"lyncdiscover.contoso.com", "CNAME", "webext.contoso.com."},
                                       {"_sip._tls.contoso.com", "SRV", "10 20 443 sip.contoso.com."}});
    CHECK_THAT(text, Contains("\n@ "));
    // A reason is a comment on one line: a newline in it cannot start a directive.
    CHECK_THAT(text, Contains("; line one?$INCLUDE /etc/passwd\n"));
    for (const auto& line : lines_of(text)) CHECK(line.rfind("$INCLUDE", 0) == std::string::npos);
}

TEST_CASE("dns zone: a record the plan leaves out for want of an address is a comment in its zone, in both renderings",
          "[dns-zone]") {
    auto t = test::edge_single_nat();
    auto& member = t["sites"][0]["edge_pools"][0]["members"][0];
    member["public_ips"].erase("av");
    const auto plan = test::plan_of(t);
    REQUIRE_FALSE(test::findings(plan, "dns-address-unknown").empty());
    REQUIRE(plan.dns_left_out.size() == 1);
    CHECK(plan.dns_left_out[0].name == "av.contoso.com");

    const std::vector<std::string> domains{"contoso.com", "fabrikam.com", "contoso.net"};
    const auto text = report::render_zone_file(plan, {"external", "contoso.com", true, domains});
    CHECK_THAT(text, Contains("\n; not written: av A, no address for av.contoso.com in the topology (dns-address-unknown); A/V "
                              "Edge; on no certificate (EXT-REQ, C2)\n"));
    CHECK(parse_zone(text).count({"av.contoso.com", "A", ""}) == 0);

    const auto script = report::render_dns_powershell(plan, {"external", "", false, domains});
    CHECK_THAT(script, Contains("Write-Warning 'not in the plan: av.contoso.com (A) has no address in the topology "
                                "(dns-address-unknown): A/V Edge; on no certificate (EXT-REQ, C2)'\n"));
}

TEST_CASE("dns powershell: one Add command per record, with the zone, the relative name, the computer and the data",
          "[dns-zone]") {
    const auto& e = enterprise();
    const auto script = report::render_dns_powershell(e.plan, {"internal", "", false, e.domains});
    CHECK(script.rfind("# The internal DNS records of the certificate plan of ", 0) == 0);
    CHECK_THAT(script, Contains("\nparam([string]$ComputerName = $env:COMPUTERNAME)\n"));
    std::map<std::string, std::size_t> types;
    for (const auto& r : e.plan.dns)
        if (r.zone == "internal") ++types[r.type];
    CHECK(count(script, "Add-DnsServerResourceRecordA -ZoneName ") == types["A"]);
    CHECK(count(script, "Add-DnsServerResourceRecordAAAA -ZoneName ") == types["AAAA"]);
    CHECK(count(script, "Add-DnsServerResourceRecordCName -ZoneName ") == types["CNAME"]);
    CHECK(count(script, "Add-DnsServerResourceRecord -Srv -ZoneName ") == types["SRV"]);
    const auto records = types["A"] + types["AAAA"] + types["CNAME"] + types["SRV"];
    CHECK(count(script, "    Add-PlannedRecord ") == records);
    CHECK(count(script, " @data -TimeToLive $ttl -ComputerName $ComputerName\n") == records);
    CHECK_THAT(script, Contains("if (Test-Zone 'contoso.net' 15) {\n"));
    CHECK_THAT(script, Contains("    Add-PlannedRecord 'contoso.com' '_sipinternaltls._tcp' 'Srv' '0 0 5061 sip.contoso.com.' "
                                "'internal client automatic sign-in (DNS-FE, DNS-SIGNIN)' {\n"
                                "        $data = @{ DomainName = 'sip.contoso.com.'; Priority = 0; Weight = 0; Port = 5061 }\n"
                                "        Add-DnsServerResourceRecord -Srv -ZoneName 'contoso.com' -Name '_sipinternaltls._tcp' @data "
                                "-TimeToLive $ttl -ComputerName $ComputerName\n    }\n"));
    CHECK_THAT(script, Contains("        $data = @{ IPv4Address = '192.168.21.11' }\n"
                                "        Add-DnsServerResourceRecordA -ZoneName 'contoso.net' -Name 'fe01' @data -TimeToLive $ttl "
                                "-ComputerName $ComputerName\n"));
    CHECK_THAT(script, Contains("        $data = @{ HostNameAlias = 'dirpool01.contoso.net.' }\n"
                                "        Add-DnsServerResourceRecordCName -ZoneName 'contoso.com' -Name 'meet' @data -TimeToLive $ttl "
                                "-ComputerName $ComputerName\n"));
    // Re-runnable and never destructive.
    CHECK_THAT(script, Contains("already there: {0}"));
    CHECK_FALSE(Contains("Remove-DnsServer").match(script));
    CHECK(report::render_dns_powershell(e.plan, {"internal", "", false, e.domains}) == script);
}

TEST_CASE("dns powershell: every value is quoted by the scripts' one quoting function", "[dns-zone]") {
    const auto plan = hand_plan();
    const auto script = report::render_dns_powershell(plan, {"external", "", false, {"contoso.com"}});
    CHECK_THAT(script, Contains("$data = @{ IPv4Address = '192.0.2.1' }\n        Add-DnsServerResourceRecordA -ZoneName "
                                "'contoso.com' -Name '@' @data"));
    CHECK_THAT(script, Contains("$data = @{ IPv6Address = '2001:db8::10' }\n        Add-DnsServerResourceRecordAAAA -ZoneName "
                                "'contoso.com' -Name 'sip' @data"));
    CHECK_THAT(script, Contains("$data = @{ DomainName = 'sip.contoso.com.'; Priority = 10; Weight = 20; Port = 443 }\n"));
    for (const auto& r : plan.dns) CHECK_THAT(script, Contains(" " + script::ps_quote(r.reason) + " {\n"));
    CHECK_THAT(script, Contains("'it''s the Access Edge \xe2\x80\x99\xe2\x80\x99quoted\xe2\x80\x99\xe2\x80\x99'"));
    // The topology path is only ever in comments, made one line.
    auto odd = plan;
    odd.source.path = "site\nRemove-Item C:\\ -Recurse.json";
    const auto odd_script = report::render_dns_powershell(odd, {"external", "", false, {"contoso.com"}});
    CHECK_THAT(odd_script, Contains("# The external DNS records of the certificate plan of site?Remove-Item"));
    for (const auto& line : lines_of(odd_script)) CHECK(line.rfind("Remove-Item", 0) == std::string::npos);
}
