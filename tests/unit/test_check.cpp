// The generic checks of `certtool verify FILE --name NAME` on certificates
// described field by field (no chain: that is validate_chain's, tested with
// real certificates in test_certificate.cpp).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "check/check.hpp"
#include "core/time.hpp"

namespace {

using certtool::check::check_generic;
using certtool::crypto::Certificate;
using certtool::model::Severity;

Certificate server(const std::string& cn, std::vector<std::string> dns, std::vector<std::string> ips = {}) {
    Certificate c;
    c.subject.common_name = cn;
    c.dns_names = std::move(dns);
    c.ip_addresses = std::move(ips);
    c.has_eku_extension = true;
    c.eku = {"serverAuth"};
    c.signature_hash = "sha256";
    c.not_before = *certtool::parse_utc("2024-01-01");
    c.not_after = *certtool::parse_utc("2025-01-01");
    return c;
}

certtool::check::Context at(const std::string& when) {
    certtool::check::Context ctx;
    ctx.at = *certtool::parse_utc(when);
    ctx.check_chain = false;
    return ctx;
}

// "severity code" of each finding, in order.
std::vector<std::string> findings(const Certificate& c, const std::vector<std::string>& names,
                                  const std::string& when = "2024-06-01") {
    const auto verdict = check_generic(c, {names, {"serverAuth"}}, at(when), "cert.pem");
    std::vector<std::string> out;
    for (const auto& f : verdict.findings) out.push_back(std::string(certtool::model::to_string(f.severity)) + " " + f.code);
    return out;
}

using Codes = std::vector<std::string>;

}  // namespace

TEST_CASE("check: --name with an IP address is matched against the iPAddress SANs only", "[check]") {
    CHECK(findings(server("", {}, {"127.0.0.1"}), {"127.0.0.1"}).empty());
    CHECK(findings(server("", {}, {"2001:db8::1"}), {"2001:DB8::0:1"}).empty());
    // An address written as a dNSName is no address (x509-limbo rfc5280::san::ip-in-dns).
    CHECK(findings(server("", {"8.8.8.8"}), {"8.8.8.8"}) == Codes{"error name.missing"});
    CHECK(findings(server("", {"sip.contoso.com"}, {"192.0.2.7"}), {"192.0.2.8", "sip.contoso.com"}) ==
          Codes{"error name.missing"});
}

TEST_CASE("check: a subject CN that names another server than the SANs is refused (CA/Browser Forum BR 7.1.4.3)",
          "[check]") {
    // x509-limbo webpki::cn::not-in-san and webpki::cn::punycode-not-in-san.
    CHECK(findings(server("notinsan.example.com", {"valid.example.com", "another.example.com"}), {"valid.example.com"}) ==
          Codes{"error subject.not-in-san"});
    CHECK(findings(server("xn--nxasmq6b.com", {"xn--n3h.com"}), {"xn--n3h.com"}) == Codes{"error subject.not-in-san"});
    CHECK(findings(server("192.0.2.9", {}, {"192.0.2.7"}), {"192.0.2.7"}) == Codes{"error subject.not-in-san"});

    // A CN repeating a SAN is what the rule asks for.
    CHECK(findings(server("sip.contoso.com", {"sip.contoso.com"}), {"sip.contoso.com"}).empty());
    CHECK(findings(server("192.0.2.7", {}, {"192.0.2.7"}), {"192.0.2.7"}).empty());
    CHECK(findings(server("", {"sip.contoso.com"}), {"sip.contoso.com"}).empty());

    // A CN naming no other server is still not a SAN: a warning.
    const Codes warning{"warning subject.not-in-san"};
    CHECK(findings(server("example.com", {"*.example.com"}), {"www.example.com"}) == warning);
    CHECK(findings(server("example.com", {"foo.bar.example.com"}), {"foo.bar.example.com"}) == warning);
    CHECK(findings(server("meet.contoso.com", {"*.contoso.com"}), {"meet.contoso.com"}) == warning);
    CHECK(findings(server("SIP.contoso.com", {"sip.contoso.com"}), {"sip.contoso.com"}) == warning);
    CHECK(findings(server("example.com", {}, {"127.0.0.1"}), {"127.0.0.1"}) == warning);
    CHECK(findings(server("Contoso Edge", {"sip.contoso.com"}), {"sip.contoso.com"}) == warning);
}

TEST_CASE("check: a certificate is valid through the second of its notAfter (RFC 5280 4.1.2.5)", "[check]") {
    const Certificate c = server("sip.contoso.com", {"sip.contoso.com"});
    // x509-limbo rfc5280::validity::notafter-exact and notafter-fractional.
    CHECK(findings(c, {"sip.contoso.com"}, "2025-01-01T00:00:00Z") == Codes{"warning validity.expiring"});
    CHECK(findings(c, {"sip.contoso.com"}, "2025-01-01T00:00:00.005+00:00") == Codes{"warning validity.expiring"});
    CHECK(findings(c, {"sip.contoso.com"}, "2025-01-01T00:00:01Z") == Codes{"error validity.expired"});
    CHECK(findings(c, {"sip.contoso.com"}, "2024-01-01T00:00:00Z").empty());
    CHECK(findings(c, {"sip.contoso.com"}, "2023-12-31T23:59:59.999Z") == Codes{"error validity.not-yet-valid"});
}

TEST_CASE("check: without --warn-days a certificate is expiring in the last third of its own lifetime", "[check][lifetime]") {
    const Certificate c = server("sip.contoso.com", {"sip.contoso.com"});  // 2024-01-01 .. 2025-01-01: 366 days
    // A third is 122 days: from 2024-09-01 on.
    CHECK(findings(c, {"sip.contoso.com"}, "2024-08-31T00:00:00Z").empty());
    CHECK(findings(c, {"sip.contoso.com"}, "2024-09-02T00:00:00Z") == Codes{"warning validity.expiring"});
    auto ctx = at("2024-10-01");
    const auto by_lifetime = check_generic(c, {{"sip.contoso.com"}, {"serverAuth"}}, ctx, "cert.pem");
    REQUIRE(by_lifetime.findings.size() == 1);
    CHECK(by_lifetime.findings[0].message == "expires in 92 days (warning window: a third of its 366-day lifetime)");
    ctx.warn_days = 30;  // --warn-days overrides
    CHECK(check_generic(c, {{"sip.contoso.com"}, {"serverAuth"}}, ctx, "cert.pem").findings.empty());
}
