// report::read_audit_report: the one reader of certtool.audit/v1, which renew
// --inventory and script --current share, with one strictness.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/time.hpp"
#include "report/audit_report.hpp"

namespace report = certtool::report;

namespace {

std::vector<certtool::Diagnostic> problems(const std::string& text) {
    try {
        (void)report::read_audit_report(text, "audit.json", "renew.inventory");
    } catch (const certtool::InputError& e) {
        return e.diagnostics();
    }
    return {};
}

}  // namespace

TEST_CASE("audit reader: the certificates an audit saw, as certtool audit writes them", "[audit-reader]") {
    const std::string doc = R"({"schema": "certtool.audit/v1", "at": "2026-11-24T10:00:00Z", "observations": [
        {"certificate_id": "edge-external.lsedge-contoso-net", "member": "edge01.contoso.net", "service": "file",
         "source": "exported/edge01.contoso.net/edge.pfx", "obtained": true, "passed": false, "subject": "sip.contoso.com",
         "sans": ["sip.contoso.com", "webcon.contoso.com"], "not_after": "2027-01-01", "not_after_utc": "2027-01-01T10:00:00Z",
         "days_left": 38, "sha256": "ab", "thumbprint": "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd",
         "public_key_sha256": "cd", "x-later-field": 1,
         "findings": [{"severity": "error", "code": "crl.missing", "message": "-"},
                      {"severity": "warning", "code": "signature.sha1", "message": "-"},
                      {"severity": "error", "code": "crl.missing", "message": "-"},
                      {"severity": "error", "code": "name.missing", "message": "-"}]},
        {"certificate_id": "edge-internal.lsedge-contoso-net", "member": "edge01.contoso.net", "obtained": false,
         "findings": [{"severity": "error", "code": "tls.refused", "message": "-"}]}]})";
    const auto seen = report::read_audit_report(doc, "audit.json", "renew.inventory");
    REQUIRE(seen.size() == 1);  // nothing was obtained from the second
    const auto& c = seen.front();
    CHECK(c.pointer == "/observations/0");
    CHECK(c.certificate_id == "edge-external.lsedge-contoso-net");
    CHECK(c.member == "edge01.contoso.net");
    CHECK(c.source == "exported/edge01.contoso.net/edge.pfx");
    CHECK(certtool::format_datetime(c.not_after) == "2027-01-01T10:00:00Z");
    CHECK(c.sha256 == "ab");
    CHECK(c.public_key_sha256 == "cd");
    CHECK(c.thumbprint == "AABBCCDDEEFF00112233445566778899AABBCCDD");
    CHECK(c.sans == std::vector<std::string>{"sip.contoso.com", "webcon.contoso.com"});
    CHECK(c.error_codes == std::vector<std::string>{"crl.missing", "name.missing"});
}

TEST_CASE("audit reader: what a decision needs must be there; every problem is named with its pointer and the verb's code",
          "[audit-reader]") {
    SECTION("an observation must say whether a certificate was obtained") {
        const auto p = problems(R"({"schema": "certtool.audit/v1", "observations": [{"certificate_id": "x"}]})");
        REQUIRE(p.size() == 1);
        CHECK(p[0].code == "renew.inventory");
        CHECK(p[0].file == "audit.json");
        CHECK(p[0].path == "/observations/0/obtained");
    }
    SECTION("one that was obtained: certificate_id, not_after_utc, sha256 and sans, each of its type") {
        const auto p = problems(R"({"schema": "certtool.audit/v1", "observations": [
            {"obtained": true, "certificate_id": "x", "not_after_utc": "soon", "sans": "x"},
            {"obtained": true, "certificate_id": 5, "not_after_utc": "2027-01-01T00:00:00Z", "sha256": "ab", "sans": [1],
             "thumbprint": "not hex"}]})");
        std::vector<std::string> where;
        for (const auto& d : p) {
            CHECK(d.code == "renew.inventory");
            where.push_back(d.path);
        }
        CHECK(where == std::vector<std::string>{"/observations/0/sha256", "/observations/0/not_after_utc", "/observations/0/sans",
                                                "/observations/1/certificate_id", "/observations/1/sans/0",
                                                "/observations/1/thumbprint"});
    }
    SECTION("not an audit report, or not JSON within the limits") {
        CHECK(problems(R"({"schema": "certtool.plan/v1"})").at(0).path == "/schema");
        CHECK(problems(R"({"schema": "certtool.audit/v1"})").at(0).path == "/observations");
        const auto syntax = problems("{\"schema\": \n \"certtool.audit/v1\",");
        REQUIRE(syntax.size() == 1);
        CHECK(syntax[0].line == 2);
        CHECK(problems(std::string(100, '[') + std::string(100, ']')).at(0).message.find("nested more than 64 levels") !=
              std::string::npos);
    }
}
