// The HTML pages of lib/report/html_report (issue 16) from an audit and a plan
// made by hand: what comes from certificates and topologies is escaped, nothing
// is fetched from anywhere, the timeline has one row per certificate and member
// with today's line and each state said in words, and the plan page lists
// every SAN with its reason. The same pages in tidy and Chromium: tests/e2e/test_html_e2e.cpp.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "audit/audit.hpp"
#include "core/time.hpp"
#include "model/lifetime.hpp"
#include "model_fixture.hpp"
#include "report/html.hpp"
#include "report/html_report.hpp"

namespace audit = certtool::audit;
namespace model = certtool::model;
namespace report = certtool::report;
using certtool::TimePoint;

namespace {

const std::string kHostile = "<script>alert(\"x\")</script>&'";
const std::string kHostileEscaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;";

TimePoint at(const std::string& text) {
    const auto t = certtool::parse_utc(text);
    REQUIRE(t.has_value());
    return *t;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto p = text.find(part); p != std::string::npos; p = text.find(part, p + part.size())) ++n;
    return n;
}

model::Plan hand_plan() {
    model::Plan plan;
    plan.source = {"site <1>.json", std::string(64, 'a')};
    model::CertificateRequirement r;
    r.id = "edge-external.lsedge-contoso-net";
    r.role = model::Role::edge_external;
    r.pool = "lsedge.contoso.net";
    r.common_name = "sip.contoso.com";
    r.sans = {{"sip.contoso.com", "Access Edge FQDN"}, {"a" + kHostile + ".contoso.com", "reason " + kHostile}};
    r.ca = model::CaKind::public_ca;
    r.usages = {"AccessEdgeExternal", "AudioVideoAuthentication"};
    r.roll_lead_hours = 8;
    r.install_on = {"edge01.contoso.net", "edge02.contoso.net", "edge03.contoso.net", "edge04.contoso.net"};
    plan.certificates.push_back(r);
    plan.findings.push_back({model::Severity::warning, "some.code", "message " + kHostile, "/sites/0", r.id, ""});
    return plan;
}

audit::Observation observation(const std::string& member, const std::string& service, const std::string& fingerprint,
                               const std::string& not_before, const std::string& not_after) {
    audit::Observation o;
    o.certificate_id = "edge-external.lsedge-contoso-net";
    o.pool = "lsedge.contoso.net";
    o.member = member;
    o.service = service;
    o.source = service == "file" ? "exported/" + member + "/" + kHostile + ".pem" : "127.0.0.1:443";
    o.obtained = !fingerprint.empty();
    if (o.obtained) {
        o.certificate.emplace();
        o.certificate->sha256_fingerprint = fingerprint;
        o.certificate->subject.common_name = kHostile;
        o.certificate->dns_names = {"b" + kHostile + ".contoso.com"};
        o.certificate->not_before = at(not_before);
        o.certificate->not_after = at(not_after);
    }
    return o;
}

// edge01 expired, edge02 due (twice, one certificate on two services), edge03
// valid, edge04 not reachable.
audit::Report hand_report() {
    audit::Report rep;
    rep.topology = "site <1>.json";
    rep.at = at("2026-12-05T12:00:00Z");
    rep.observations.push_back(observation("edge01.contoso.net", "file", std::string(64, '1'), "2026-01-01", "2026-12-01"));
    rep.observations.push_back(observation("edge02.contoso.net", "access-sip", std::string(64, '2'), "2026-06-01", "2026-12-20"));
    rep.observations.push_back(observation("edge02.contoso.net", "webconf", std::string(64, '2'), "2026-06-01", "2026-12-20"));
    rep.observations.push_back(observation("edge03.contoso.net", "access-sip", std::string(64, '3'), "2026-11-01", "2027-11-01"));
    rep.observations.push_back(observation("edge04.contoso.net", "access-sip", "", "", ""));
    rep.observations[0].findings.push_back({model::Severity::error, "validity.expired", "expired " + kHostile, "", "", ""});
    rep.observations[4].findings.push_back({model::Severity::error, "tls.connect", "refused", "", "", ""});
    return rep;
}

std::string audit_page(const audit::Report& rep, const model::Plan& plan) {
    std::ostringstream out;
    report::render_audit_html(rep, plan, {}, out);
    return out.str();
}

// Nothing on the page names a resource elsewhere: no src or href, url() only
// to the page's own patterns, no URL scheme, no script, no @import or font.
void check_self_contained(const std::string& page) {
    CHECK_FALSE(std::regex_search(page, std::regex(R"((src|href|xlink:href|srcset|action)\s*=)", std::regex::icase)));
    CHECK_FALSE(std::regex_search(page, std::regex(R"(url\(\s*[^#\s])", std::regex::icase)));
    CHECK_FALSE(std::regex_search(page, std::regex(R"([a-z]+://)", std::regex::icase)));
    CHECK_FALSE(contains(page, "<script"));
    CHECK_FALSE(contains(page, "@import"));
    CHECK_FALSE(contains(page, "@font-face"));
    CHECK(page.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
    CHECK(contains(page, "<meta charset=\"utf-8\">"));
    CHECK(contains(page, "<title>"));
    CHECK(contains(page, "default-src 'none'"));
}

}  // namespace

TEST_CASE("html escape: markup, quotes, control characters and bytes that are not UTF-8", "[report][html]") {
    using certtool::report::html::escape;
    CHECK(escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    CHECK(escape(kHostile) == kHostileEscaped);
    CHECK(escape("tab\tnew\nline") == "tab\tnew\nline");
    CHECK(escape(std::string("bell\x07 esc\x1b del\x7f", 15)) == "bell? esc? del?");
    CHECK(escape("Z\xC3\xBCrich \xE2\x9C\x93") == "Z\xC3\xBCrich \xE2\x9C\x93");    // UTF-8 stays
    CHECK(escape("\xC2\x85") == "?");                                               // C1 control (NEL)
    CHECK(escape("a\xFF" "b\xC3") == "a&#xFFFD;b&#xFFFD;");                         // not UTF-8, cut short
    CHECK(escape("\xC0\xBC") == "&#xFFFD;&#xFFFD;");                                // overlong '<'
    CHECK(escape("\xED\xA0\x80") == "&#xFFFD;&#xFFFD;&#xFFFD;");                    // a surrogate
}

TEST_CASE("html audit: hostile subjects, SANs, paths and messages are text, and nothing is fetched", "[report][html]") {
    const auto page = audit_page(hand_report(), hand_plan());
    check_self_contained(page);
    CHECK(contains(page, kHostileEscaped));
    CHECK_FALSE(contains(page, kHostile));
    CHECK_FALSE(contains(page, "alert(\"x\")"));
    CHECK(contains(page, "site &lt;1&gt;.json"));
}

TEST_CASE("html audit: the timeline has one row per certificate and member, today's line and the states in words", "[report][html]") {
    const auto rep = hand_report();
    const auto plan = hand_plan();
    const auto page = audit_page(rep, plan);
    // edge02's two services show one certificate: one row.
    CHECK(count(page, "<g class=\"row\">") == 4);
    CHECK(count(page, "<g class=\"today\">") == 1);
    CHECK(contains(page, "today 2026-12-05</text>"));
    CHECK(contains(page, "<svg class=\"timeline\" role=\"img\""));
    CHECK(contains(page, "<title>Expiry timeline</title>"));
    CHECK(contains(page, "<desc>"));
    for (const char* word : {">EXPIRED</text>", ">DUE</text>", ">OK</text>", ">NOT SEEN</text>"}) CHECK(count(page, word) == 1);
    // The data table repeats the states and dates.
    CHECK(contains(page, "<span class=\"badge expired\">EXPIRED</span>"));
    CHECK(contains(page, "<td class=\"date\">2026-12-20</td>"));
    CHECK(contains(page, "<strong>FAIL</strong>"));

    const auto rows = report::timeline_rows(rep, plan);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0].standing == report::Standing::expired);
    CHECK(rows[1].standing == report::Standing::due);
    CHECK(rows[2].standing == report::Standing::ok);
    CHECK(rows[3].standing == report::Standing::not_seen);
    CHECK_FALSE(rows[3].seen);
    // -Roll: the 8-hour lead of A/V Authentication before notAfter.
    REQUIRE(rows[1].roll_effective.has_value());
    CHECK(certtool::format_datetime(*rows[1].roll_effective) == "2026-12-19T16:00:00Z");
    // Renewal window: a third of the 202-day lifetime before notAfter.
    CHECK(rows[1].renewal_from == at("2026-12-20") - model::renewal_window(at("2026-06-01"), at("2026-12-20"), 8));
    // BR 6.3.2 at notBefore: 398 days before 2026-03-15, 200 from then.
    CHECK(rows[0].br_maximum_days == 398);
    CHECK(rows[1].br_maximum_days == 200);
    REQUIRE(rows[1].br_maximum.has_value());
    CHECK(certtool::format_date(*rows[1].br_maximum) == "2026-12-18");

    // --warn-days replaces the lifetime rule: with 10 days edge02 (15 left) is no longer due.
    auto fixed = rep;
    fixed.warn_days = 10;
    CHECK(report::timeline_rows(fixed, plan)[1].standing == report::Standing::ok);
    CHECK(contains(audit_page(fixed, plan), "--warn-days 10"));

    // An internal CA's certificate has no BR maximum to draw.
    auto internal = plan;
    internal.certificates[0].ca = model::CaKind::internal_ca;
    CHECK_FALSE(report::timeline_rows(rep, internal)[0].br_maximum.has_value());
}

TEST_CASE("html plan: every certificate, every SAN with its reason, the DNS records and the findings", "[report][html]") {
    const auto plan = certtool::test::plan_of(certtool::test::enterprise());
    const auto page = report::render_plan_html(plan);
    check_self_contained(page);
    REQUIRE_FALSE(plan.certificates.empty());
    for (const auto& c : plan.certificates) {
        INFO(c.id);
        CHECK(contains(page, "<h3><code>" + c.id + "</code>"));
        for (const auto& san : c.sans) {
            INFO(san.name);
            CHECK(contains(page, "<td><code>" + report::html::escape(san.name) + "</code></td><td>" + report::html::escape(san.reason) +
                                     "</td>"));
        }
    }
    REQUIRE_FALSE(plan.dns.empty());
    for (const auto& r : plan.dns) CHECK(contains(page, "<code>" + report::html::escape(r.name) + "</code>"));
    for (const auto& f : plan.findings) CHECK(contains(page, "<code>" + f.code + "</code>"));

    // Hostile text from a topology is escaped here too.
    const auto hostile = report::render_plan_html(hand_plan());
    check_self_contained(hostile);
    CHECK(contains(hostile, "<td><code>a" + kHostileEscaped + ".contoso.com</code></td><td>reason " + kHostileEscaped + "</td>"));
    CHECK_FALSE(contains(hostile, kHostile));
}
