// The plan renderings, on plans built by hand so that every field is known.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "report/report.hpp"
#include "report/verify_report.hpp"
#include <nlohmann/json.hpp>

using namespace certtool;
using model::Role;
using model::Severity;

namespace {

model::CertificateRequirement edge_external() {
    model::CertificateRequirement c;
    c.id = "edge-external.lsedge-contoso-net";
    c.role = Role::edge_external;
    c.pool = "lsedge.contoso.net";
    c.topology_path = "/sites/0/edge_pools/0";
    c.common_name = "sip.contoso.com";
    c.organization = {"Contoso Ltd", "", "Redmond", "Washington", "US"};  // no OU: omitted
    c.sans = {{"sip.contoso.com", "Access Edge FQDN, repeated from the subject: TLS checks only the SAN list (G6, "
                                  "EXT-REQ); also sip.<domain> for SIP domain contoso.com: automatic client "
                                  "configuration and federation (EXT-REQ, 3.6)"},
              {"webcon.contoso.com", "Web Conferencing Edge FQDN (EXT-REQ, SETUP-EXT)"},
              {"sip.fabrikam.com", "sip.<domain> for SIP domain fabrikam.com"}};
    c.eku = {"serverAuth"};
    c.key_usage = {"digitalSignature", "keyEncipherment"};
    c.ca = model::CaKind::public_ca;
    c.exportable_key = true;
    c.same_on_all_members = true;
    c.install_on = {"edge01.contoso.net", "edge02.contoso.net"};
    c.usages = {"AccessEdgeExternal", "DataEdgeExternal", "AudioVideoAuthentication"};
    c.endpoints = {{"edge01.contoso.net", "131.107.155.10", 443, "sip.contoso.com", "access-sip"},
                   {"edge01.contoso.net", "2001:db8::10", 5061, "sip.contoso.com", "access-federation"}};
    return c;
}

// Twelve SANs (two-digit numbering), ECDSA, no usages, a '|' in the OU.
model::CertificateRequirement reverse_proxy() {
    model::CertificateRequirement c;
    c.id = "reverse-proxy.rp01";
    c.role = Role::reverse_proxy;
    c.pool = "rp01";
    c.topology_path = "/sites/0/reverse_proxies/0";
    c.common_name = "webext.contoso.com";
    c.organization = {"Contoso Ltd", "R|D", "", "", "US"};
    for (int i = 1; i <= 12; ++i)
        c.sans.push_back({"name" + std::to_string(i) + ".contoso.com", "published name " + std::to_string(i) + " | web"});
    c.eku = {"serverAuth"};
    c.key_usage = {"digitalSignature"};
    c.key.algorithm = topology::KeyAlgorithm::ecdsa;
    c.key.bits = 256;
    c.signature_hash = "sha384";
    c.ca = model::CaKind::public_ca;
    c.install_on = {"rp01.contoso.com"};
    return c;
}

model::Plan sample_plan() {
    model::Plan plan;
    plan.source = {"site.json", "0123abcd"};
    plan.certificates = {edge_external(), reverse_proxy()};
    plan.dns = {
        {"external", "SRV", "_sip._tls.contoso.com", "sip.contoso.com", 443, 0, 0, "edge-external.lsedge-contoso-net",
         "external client automatic configuration"},
        {"external", "A", "webext.contoso.com", "131.107.155.40", 0, 0, 0, "reverse-proxy.rp01", "published web services"},
        {"external", "A", "av.contoso.com", "131.107.155.30", 0, 0, 0, "", "A/V Edge; on no certificate"},
    };
    plan.findings = {
        {Severity::error, "edge.hlb-nat", "HLB with NAT is not supported", "/sites/0/edge_pools/0",
         "edge-external.lsedge-contoso-net", "C17"},
        {Severity::warning, "dns.srv-target-outside-domain", "SRV target outside its domain", "/sip_domains/1", "", ""},
        {Severity::info, "policy-applied", "C10: no client authentication", "/sites/0/reverse_proxies/0",
         "reverse-proxy.rp01", "C10"},
    };
    return plan;
}

std::vector<std::string> keys(const nlohmann::ordered_json& object) {
    std::vector<std::string> out;
    for (const auto& item : object.items()) out.push_back(item.key());
    return out;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

// Lines of the block that starts with `header`, up to the next blank line.
std::vector<std::string> block(const std::string& text, const std::string& header) {
    std::vector<std::string> out;
    bool inside = false;
    for (const auto& line : lines(text)) {
        if (line.rfind(header, 0) == 0) inside = true;
        if (!inside) continue;
        if (line.empty()) break;
        out.push_back(line);
    }
    return out;
}

}  // namespace

TEST_CASE("report: JSON has the contract's fields in the contract's order", "[report]") {
    const auto json = report::plan_to_json(sample_plan());
    CHECK(keys(json) ==
          std::vector<std::string>{"schema", "topology", "product", "certificates", "dns", "findings", "summary"});
    CHECK(json["schema"] == "certtool.plan/v1");
    CHECK(keys(json["topology"]) == std::vector<std::string>{"path", "sha256"});
    CHECK(json["topology"]["path"] == "site.json");
    CHECK(json["topology"]["sha256"] == "0123abcd");

    const auto& edge = json["certificates"][0];
    CHECK(keys(edge) == std::vector<std::string>{"id", "role", "pool", "topology_path", "subject", "sans", "san_reasons",
                                                 "eku", "key_usage", "key", "signature_hash", "ca", "exportable_key",
                                                 "same_on_all_members", "validity_days", "renewals_per_year",
                                                 "roll_lead_hours", "install_on", "usages", "endpoints"});
    CHECK(edge["id"] == "edge-external.lsedge-contoso-net");
    CHECK(edge["role"] == "edge-external");
    CHECK(edge["pool"] == "lsedge.contoso.net");
    CHECK(edge["topology_path"] == "/sites/0/edge_pools/0");
    CHECK(edge["sans"] == nlohmann::ordered_json({"sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"}));
    CHECK(edge["eku"] == nlohmann::ordered_json({"serverAuth"}));
    CHECK(edge["key_usage"] == nlohmann::ordered_json({"digitalSignature", "keyEncipherment"}));
    CHECK(edge["signature_hash"] == "sha256");
    CHECK(edge["ca"] == "public");
    CHECK(edge["exportable_key"] == true);
    CHECK(edge["same_on_all_members"] == true);
    CHECK(edge["install_on"] == nlohmann::ordered_json({"edge01.contoso.net", "edge02.contoso.net"}));
    CHECK(edge["usages"].size() == 3);
    CHECK(keys(edge["endpoints"][0]) == std::vector<std::string>{"member", "address", "port", "sni", "service"});
    CHECK(edge["endpoints"][1]["port"] == 5061);
    CHECK(edge["endpoints"][1]["service"] == "access-federation");
    CHECK(keys(json["summary"]) == std::vector<std::string>{"certificates", "dns_records", "errors", "warnings", "info"});
}

TEST_CASE("report: JSON leaves out empty subject parts and gives ECDSA keys a curve", "[report]") {
    const auto json = report::plan_to_json(sample_plan());
    const auto& edge = json["certificates"][0];
    CHECK(keys(edge["subject"]) ==
          std::vector<std::string>{"common_name", "organization", "locality", "state", "country"});
    CHECK(edge["subject"]["common_name"] == "sip.contoso.com");
    CHECK(edge["key"] == nlohmann::ordered_json({{"algorithm", "RSA"}, {"bits", 2048}}));
    CHECK(keys(edge["key"]) == std::vector<std::string>{"algorithm", "bits"});

    const auto& proxy = json["certificates"][1];
    CHECK(keys(proxy["subject"]) == std::vector<std::string>{"common_name", "organization", "organizational_unit", "country"});
    CHECK(keys(proxy["key"]) == std::vector<std::string>{"algorithm", "bits", "curve"});
    CHECK(proxy["key"]["algorithm"] == "ECDSA");
    CHECK(proxy["key"]["curve"] == "P-256");
    CHECK(proxy["usages"] == nlohmann::ordered_json::array());
    CHECK(proxy["endpoints"] == nlohmann::ordered_json::array());
}

TEST_CASE("report: JSON san_reasons are keyed by name in sorted order", "[report]") {
    const auto json = report::plan_to_json(sample_plan());
    const auto& reasons = json["certificates"][0]["san_reasons"];
    CHECK(keys(reasons) == std::vector<std::string>{"sip.contoso.com", "sip.fabrikam.com", "webcon.contoso.com"});
    CHECK(reasons["webcon.contoso.com"] == "Web Conferencing Edge FQDN (EXT-REQ, SETUP-EXT)");
    // "name10..." sorts before "name2..." as strings: byte order, not number order.
    const auto proxy_keys = keys(json["certificates"][1]["san_reasons"]);
    CHECK(proxy_keys.size() == 12);
    CHECK(std::is_sorted(proxy_keys.begin(), proxy_keys.end()));
}

TEST_CASE("report: JSON DNS records carry port, priority and weight only for SRV", "[report]") {
    const auto json = report::plan_to_json(sample_plan());
    const auto& dns = json["dns"];
    REQUIRE(dns.size() == 3);
    CHECK(keys(dns[0]) ==
          std::vector<std::string>{"zone", "type", "name", "target", "port", "priority", "weight", "certificate", "reason"});
    CHECK(dns[0]["port"] == 443);
    CHECK(dns[0]["priority"] == 0);
    CHECK(dns[0]["weight"] == 0);
    CHECK(keys(dns[1]) == std::vector<std::string>{"zone", "type", "name", "target", "certificate", "reason"});
    CHECK(keys(dns[2]) == std::vector<std::string>{"zone", "type", "name", "target", "reason"});
}

TEST_CASE("report: JSON findings leave out an empty certificate and policy, summary counts", "[report]") {
    const auto json = report::plan_to_json(sample_plan());
    const auto& findings = json["findings"];
    REQUIRE(findings.size() == 3);
    CHECK(keys(findings[0]) == std::vector<std::string>{"severity", "code", "message", "path", "certificate", "policy"});
    CHECK(findings[0]["severity"] == "error");
    CHECK(findings[0]["policy"] == "C17");
    CHECK(keys(findings[1]) == std::vector<std::string>{"severity", "code", "message", "path"});
    CHECK(json["summary"] ==
          nlohmann::ordered_json({{"certificates", 2}, {"dns_records", 3}, {"errors", 1}, {"warnings", 1}, {"info", 1}}));
}

TEST_CASE("report: render_json is indented by two, ends in a newline and is byte-stable", "[report]") {
    const auto plan = sample_plan();
    const std::string text = report::render_json(plan);
    CHECK(text.rfind("{\n  \"schema\": \"certtool.plan/v1\",\n  \"topology\": {\n    \"path\"", 0) == 0);
    CHECK(text.back() == '\n');
    CHECK(text == report::render_json(sample_plan()));
    // The streaming writer produces exactly nlohmann's canonical layout.
    CHECK(text == nlohmann::ordered_json::parse(text).dump(2) + "\n");
}

TEST_CASE("report: write_json streams exactly the bytes of render_json", "[report]") {
    auto plan = sample_plan();
    // Enough certificates to cross several 64 KiB chunks.
    for (int i = 0; i < 400; ++i) {
        auto copy = plan.certificates.front();
        copy.id += "." + std::to_string(i);
        plan.certificates.push_back(copy);
    }
    std::ostringstream streamed;
    report::write_json(plan, streamed);
    CHECK(streamed.str().size() > (1u << 17));
    CHECK(streamed.str() == report::render_json(plan));
}

TEST_CASE("report: render_json escapes control characters and keeps UTF-8, replacing invalid bytes", "[report]") {
    auto plan = sample_plan();
    plan.certificates.front().organization.organization = "Contoso \"Ltd\"\tM\xC3\xBCnchen\x01\\";
    plan.source.path = "bad\xFFname.json";
    const std::string text = report::render_json(plan);
    CHECK(text.find("\"organization\": \"Contoso \\\"Ltd\\\"\\tM\xC3\xBCnchen\\u0001\\\\\"") != std::string::npos);
    CHECK(text.find("bad\xEF\xBF\xBDname.json") != std::string::npos);
    CHECK(text == nlohmann::ordered_json::parse(text).dump(2) + "\n");
}

TEST_CASE("report: an empty plan renders in every format", "[report]") {
    model::Plan plan;
    const auto json = report::plan_to_json(plan);
    CHECK(json["certificates"].empty());
    CHECK(json["summary"]["certificates"] == 0);
    const auto table = report::render_table(plan, {});
    CHECK(table.find("No certificates.") != std::string::npos);
    CHECK(table.find("0 certificates, 0 DNS records: 0 errors, 0 warnings, 0 info") != std::string::npos);
    CHECK(report::render_markdown(plan).find("# Certificate plan") == 0);
}

TEST_CASE("report: table has a titled block per certificate with aligned rows", "[report]") {
    const std::string table = report::render_table(sample_plan(), {});
    CHECK(table.rfind("Certificate plan for site.json\n", 0) == 0);

    const auto edge = block(table, "edge-external.lsedge-contoso-net");
    REQUIRE(edge.size() > 15);
    CHECK(edge[0] == "edge-external.lsedge-contoso-net -- Edge external (Access, Web Conferencing, A/V Authentication)");
    CHECK(edge[1] == "  Subject         CN=sip.contoso.com, O=Contoso Ltd, L=Redmond, S=Washington, C=US");
    CHECK(edge[2] == "  SANs            1. sip.contoso.com");
    CHECK(edge[3] == "                  2. webcon.contoso.com");
    CHECK(edge[4] == "                  3. sip.fabrikam.com");
    CHECK(edge[5] == "  EKU             serverAuth");
    CHECK(edge[6] == "  Key usage       digitalSignature, keyEncipherment");
    CHECK(edge[7] == "  Key             RSA 2048");
    CHECK(edge[8] == "  Signature hash  sha256");
    CHECK(edge[9] == "  CA              public");
    CHECK(edge[10] == "  Lifetime        365 days, 1 renewal a year");  // a hand-made requirement: the defaults
    CHECK(edge[11] == "  Exportable key  yes, same certificate and key on every member");
    CHECK(edge[12] == "  Install on      edge01.contoso.net, edge02.contoso.net");
    CHECK(edge[13] == "  Usages          AccessEdgeExternal, DataEdgeExternal, AudioVideoAuthentication");
    CHECK(edge[14] == "  Endpoints       edge01.contoso.net  131.107.155.10:443   SNI sip.contoso.com  access-sip");
    CHECK(edge[15] == "                  edge01.contoso.net  [2001:db8::10]:5061  SNI sip.contoso.com  access-federation");

    const auto proxy = block(table, "reverse-proxy.rp01");
    REQUIRE(proxy.size() > 14);
    CHECK(proxy[0] == "reverse-proxy.rp01 -- Reverse proxy (published web services and simple URLs)");
    CHECK(proxy[2] == "  SANs             1. name1.contoso.com");
    CHECK(proxy[11] == "                  10. name10.contoso.com");
    CHECK(proxy[13] == "                  12. name12.contoso.com");
    CHECK(proxy[16] == "  Key             ECDSA P-256");
    CHECK(proxy[20] == "  Exportable key  no");
    CHECK(proxy[22] == "  Usages          -");
    CHECK(proxy[23] == "  Endpoints       -");
}

TEST_CASE("report: table lists DNS records in aligned columns and findings by severity", "[report]") {
    const std::string table = report::render_table(sample_plan(), {});
    const auto dns = block(table, "DNS records");
    REQUIRE(dns.size() == 5);
    CHECK(dns[1] == "  ZONE      TYPE  NAME                   TARGET           PORT  PRIO  WEIGHT  CERTIFICATE");
    CHECK(dns[2] == "  external  SRV   _sip._tls.contoso.com  sip.contoso.com   443     0       0  "
                    "edge-external.lsedge-contoso-net");
    CHECK(dns[3] == "  external  A     webext.contoso.com     131.107.155.40" + std::string(23, ' ') + "reverse-proxy.rp01");
    CHECK(dns[4] == "  external  A     av.contoso.com         131.107.155.30");

    const auto findings = block(table, "Findings");
    CHECK(findings == std::vector<std::string>{
                          "Findings",
                          "  Errors (1)",
                          "    edge.hlb-nat at /sites/0/edge_pools/0 (policy C17)",
                          "      HLB with NAT is not supported",
                          "  Warnings (1)",
                          "    dns.srv-target-outside-domain at /sip_domains/1",
                          "      SRV target outside its domain",
                          "  Info (1)",
                          "    policy-applied at /sites/0/reverse_proxies/0 (policy C10)",
                          "      C10: no client authentication",
                      });
    CHECK(lines(table).back() == "2 certificates, 3 DNS records: 1 error, 1 warning, 1 info");
}

TEST_CASE("report: table shows reasons only when asked, wrapped under the name", "[report]") {
    const auto plan = sample_plan();
    const std::string plain = report::render_table(plan, {});
    const std::string with_reasons = report::render_table(plan, {false, true});
    CHECK(plain.find("Web Conferencing Edge FQDN") == std::string::npos);
    CHECK(plain.find("external client automatic configuration") == std::string::npos);

    const auto edge = block(with_reasons, "edge-external.lsedge-contoso-net");
    CHECK(edge[2] == "  SANs            1. sip.contoso.com");
    CHECK(edge[3].rfind("                     Access Edge FQDN, repeated from the subject", 0) == 0);
    // The long reason wraps; every continuation stays in the reason column.
    std::size_t reason_lines = 0;
    for (std::size_t i = 3; i < edge.size() && edge[i].find(". webcon.contoso.com") == std::string::npos; ++i) {
        CHECK(edge[i].rfind(std::string(21, ' '), 0) == 0);
        CHECK(edge[i][21] != ' ');
        ++reason_lines;
    }
    CHECK(reason_lines >= 2);
    CHECK(with_reasons.find("                     Web Conferencing Edge FQDN (EXT-REQ, SETUP-EXT)\n") != std::string::npos);
    CHECK(with_reasons.find("\n    external client automatic configuration\n") != std::string::npos);
    // Prose wraps at 100 columns (tables of names may be wider).
    for (const auto& line : lines(with_reasons))
        if (line.rfind("                  ", 0) == 0) CHECK(line.size() <= 100);
}

TEST_CASE("report: table has no trailing spaces and colours only when asked", "[report]") {
    const auto plan = sample_plan();
    for (const bool reasons : {false, true}) {
        for (const auto& line : lines(report::render_table(plan, {false, reasons}))) {
            INFO(line);
            CHECK((line.empty() || line.back() != ' '));
        }
    }
    const std::string plain = report::render_table(plan, {false, true});
    CHECK(plain.find('\x1b') == std::string::npos);

    const std::string colored = report::render_table(plan, {true, false});
    CHECK(colored.find("\x1b[1medge-external.lsedge-contoso-net -- ") != std::string::npos);
    CHECK(colored.find("\x1b[1;31mErrors (1)\x1b[0m") != std::string::npos);
    CHECK(colored.find("\x1b[33mWarnings (1)\x1b[0m") != std::string::npos);
    // Values are never coloured: alignment and copy-paste stay intact.
    CHECK(colored.find("  Subject         CN=sip.contoso.com, O=Contoso Ltd") != std::string::npos);
}

TEST_CASE("report: table shows control characters from the input instead of sending them", "[report]") {
    auto plan = sample_plan();
    plan.findings[1].message = "bad \x1b[2J name";
    const std::string table = report::render_table(plan, {});
    CHECK(table.find('\x1b') == std::string::npos);
    CHECK(table.find("bad ?[2J name") != std::string::npos);
}

TEST_CASE("report: role titles are plain English and follow the A/V layout", "[report]") {
    CHECK(report::role_title(Role::edge_external) == "Edge external (Access, Web Conferencing, A/V Authentication)");
    CHECK(report::role_title(Role::oauth).find("OAuth") == 0);
    auto separate = edge_external();
    separate.usages = {"AccessEdgeExternal", "DataEdgeExternal"};
    CHECK(report::role_title(separate) == "Edge external (Access, Web Conferencing)");
    for (int r = 0; r <= static_cast<int>(Role::oauth); ++r)
        CHECK(report::role_title(static_cast<Role>(r)) != model::to_string(static_cast<Role>(r)));
}

TEST_CASE("report: markdown has a summary table, a section per certificate and escapes pipes", "[report]") {
    const std::string md = report::render_markdown(sample_plan());
    CHECK(md.rfind("# Certificate plan for `site.json`\n", 0) == 0);
    CHECK(md.find("2 certificates, 3 DNS records: 1 error, 1 warning, 1 info.") != std::string::npos);
    CHECK(md.find("| ID | Role | Subject | SANs | CA | Install on |") != std::string::npos);
    CHECK(md.find("| `edge-external.lsedge-contoso-net` | Edge external (Access, Web Conferencing, A/V Authentication) | "
                  "CN=sip.contoso.com, O=Contoso Ltd, L=Redmond, S=Washington, C=US | 3 | public | "
                  "edge01.contoso.net, edge02.contoso.net |") != std::string::npos);
    CHECK(md.find("### `edge-external.lsedge-contoso-net`\n") != std::string::npos);
    CHECK(md.find("### `reverse-proxy.rp01`\n") != std::string::npos);
    CHECK(md.find("| 2 | `webcon.contoso.com` | Web Conferencing Edge FQDN (EXT-REQ, SETUP-EXT) |") != std::string::npos);
    CHECK(md.find("| 12 | `name12.contoso.com` | published name 12 \\| web |") != std::string::npos);
    CHECK(md.find("OU=R\\|D") != std::string::npos);
    CHECK(md.find("OU=R|D") == std::string::npos);
    CHECK(md.find("| Key | ECDSA P-256 |") != std::string::npos);
    CHECK(md.find("| Endpoints | edge01.contoso.net 131.107.155.10:443 SNI sip.contoso.com (access-sip)<br>") !=
          std::string::npos);
    CHECK(md.find("| external | SRV | `_sip._tls.contoso.com` | `sip.contoso.com` | 443 | 0 | 0 |") != std::string::npos);
    CHECK(md.find("| error | `edge.hlb-nat` | `/sites/0/edge_pools/0` | `edge-external.lsedge-contoso-net` | C17 |") !=
          std::string::npos);
    // Prose is escaped so that renderers show it as written.
    CHECK(md.find("sip.\\<domain> for SIP domain fabrikam.com") != std::string::npos);
    // Every table row has the same number of unescaped pipes as its header.
    std::size_t expected = 0;
    for (const auto& line : lines(md)) {
        if (line.empty() || line[0] != '|') {
            expected = 0;
            continue;
        }
        std::size_t pipes = 0;
        for (std::size_t i = 0; i < line.size(); ++i)
            if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++pipes;
        if (expected == 0) expected = pipes;
        INFO(line);
        CHECK(pipes == expected);
    }
}

TEST_CASE("report: select keeps certificates by role and their DNS records and findings", "[report]") {
    const auto selected = model::select_certificates(sample_plan(), {"reverse-proxy"});
    REQUIRE(selected.certificates.size() == 1);
    CHECK(selected.certificates[0].id == "reverse-proxy.rp01");
    CHECK(selected.source.path == "site.json");
    REQUIRE(selected.dns.size() == 1);
    CHECK(selected.dns[0].name == "webext.contoso.com");
    REQUIRE(selected.findings.size() == 2);  // the one about no certificate in particular, and its own
    CHECK(selected.findings[0].code == "dns.srv-target-outside-domain");
    CHECK(selected.findings[1].code == "policy-applied");
}

TEST_CASE("report: select by id, and by several values at once", "[report]") {
    const auto plan = sample_plan();
    const auto by_id = model::select_certificates(plan, {"edge-external.lsedge-contoso-net"});
    REQUIRE(by_id.certificates.size() == 1);
    CHECK(by_id.certificates[0].role == Role::edge_external);
    CHECK(by_id.dns.size() == 1);
    CHECK(by_id.findings.size() == 2);
    const auto both = model::select_certificates(plan, {"reverse-proxy.rp01", "edge-external"});
    CHECK(both.certificates.size() == 2);
    CHECK(both.dns.size() == 2);  // the A/V record belongs to no certificate
    CHECK(both.findings.size() == 3);
}

TEST_CASE("report: select with a value that matches nothing is a usage error listing the choices", "[report]") {
    try {
        (void)model::select_certificates(sample_plan(), {"edge-external", "edge-ext"});
        FAIL("expected an InputError");
    } catch (const InputError& e) {
        REQUIRE(e.diagnostics().size() == 1);
        const auto& d = e.diagnostics()[0];
        CHECK(d.code == "usage.unknown-certificate");
        CHECK(d.message.find("'edge-ext'") != std::string::npos);
        CHECK(d.message.find("roles: edge-external, reverse-proxy") != std::string::npos);
        CHECK(d.message.find("ids: edge-external.lsedge-contoso-net, reverse-proxy.rp01") != std::string::npos);
    }
}

TEST_CASE("report: verify JSON replaces bytes that are not UTF-8 in a subject or file name, never throws", "[report]") {
    check::Verdict v;
    v.source = "cert\xFF.pem";
    v.certificate.subject.common_name = "sip.\xC3(contoso.com";
    v.certificate.dns_names = {"sip.contoso.com"};
    v.findings.push_back(model::Finding{model::Severity::warning, "chain.untrusted", "issuer \xFE unknown", "", "", ""});
    std::ostringstream out;
    REQUIRE_NOTHROW(report::render_verify_json({v}, {}, TimePoint{}, out));
    const auto doc = nlohmann::json::parse(out.str());
    CHECK(doc["results"][0]["source"] == "cert\xEF\xBF\xBD.pem");
    CHECK(doc["results"][0]["subject"] == "sip.\xEF\xBF\xBD(contoso.com");
    CHECK(doc["summary"]["checked"] == 1);
    std::ostringstream table;
    report::render_verify_table({v}, {}, TimePoint{}, false, table);
    CHECK(table.str().find("1 certificate checked: 1 passed, 0 failed") != std::string::npos);
}
