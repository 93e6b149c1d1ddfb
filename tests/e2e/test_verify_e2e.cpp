// certtool verify, end to end: certificates issued by the test CA (in process)
// from certtool's own requests, then checked against the plan. verify runs in
// process (run_in_process) except where its exit code from main, a passphrase
// file or the NO_COLOR environment variable is under test.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "monitoring_formats.hpp"
#include "plan_date.hpp"
#include "run_process.hpp"
#include "test_ca.hpp"

using namespace certtool::test;

namespace {

const std::string kTopology = source_path("templates/examples/edge-single-nat.json");
const std::string kExternal = "edge-external.lsedge-contoso-net";

// A test root CA and certtool's requests for the example topology (req/).
struct Lab {
    TempDir tmp{"certtool-verify"};
    std::string dir = tmp.path();
    TestCa ca{tmp};
    Lab() { REQUIRE(run_in_process({"csr", kTopology, "--out", dir + "/req"}).exit_code == 0); }
    std::string issue(const std::string& id, const std::string& name, const CertOptions& options = {}) const {
        return ca.issue(request(id), key(id), name, options).cert;
    }
    // A certificate for names that break a rule, on a key of its own.
    std::string hand_made(const std::string& name, const std::string& cn, const std::vector<std::string>& sans) const {
        CertOptions o;
        o.subject = "/CN=" + cn;
        o.dns_names = sans;
        return ca.issue(name, o).cert;
    }
    std::string request(const std::string& id) const { return dir + "/req/" + id + ".csr"; }
    std::string key(const std::string& id) const { return dir + "/req/" + id + ".key"; }
};

bool has_code(const std::string& out, const std::string& code) { return out.find(code) != std::string::npos; }

}  // namespace

TEST_CASE("verify: a certificate issued from certtool's request passes against its plan entry", "[verify][e2e]") {
    Lab lab;
    const auto cert = lab.issue(kExternal, "external");
    const auto r = run_certtool({"verify", kTopology, cert, "--trust", lab.dir + "/ca.pem", "--key", lab.key(kExternal)});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_code(r.out, "PASS"));
    CHECK(has_code(r.out, "->  " + kExternal));

    const auto json = run_certtool({"verify", kTopology, cert, "--trust", lab.dir + "/ca.pem", "--format", "json"});
    REQUIRE(json.exit_code == 0);
    const auto doc = nlohmann::json::parse(json.out);
    CHECK(doc["schema"] == "certtool.verify/v1");
    CHECK(doc["results"][0]["certificate_id"] == kExternal);
    CHECK(doc["results"][0]["passed"] == true);
    CHECK(doc["summary"]["failed"] == 0);
}

TEST_CASE("verify: a file listing its chain root first still has its leaf checked (the one leaf rule)", "[verify][e2e]") {
    Lab lab;
    const auto cert = lab.issue(kExternal, "external");
    const std::string bundle = lab.dir + "/root-first.pem";
    {
        std::ofstream out(bundle);
        out << std::ifstream(lab.dir + "/ca.pem").rdbuf() << std::ifstream(cert).rdbuf();
    }
    const auto r = run_in_process({"verify", kTopology, bundle, "--trust", lab.dir + "/ca.pem", "--format", "json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["results"][0]["certificate_id"] == kExternal);
    CHECK(doc["results"][0]["subject"] != "certtool test root");
}

TEST_CASE("verify: colour only on a terminal by default, never under NO_COLOR unless --color always says so", "[verify][e2e]") {
    Lab lab;
    const auto cert = lab.issue(kExternal, "external");
    const std::vector<std::string> args{"verify", kTopology, cert, "--trust", lab.dir + "/ca.pem"};
    auto with = [&args](const std::string& mode) {
        auto a = args;
        a.insert(a.end(), {"--color", mode});
        return a;
    };
    const auto coloured = [](const certtool::test::ProcessResult& r) { return r.out.find("\033[") != std::string::npos; };
    CHECK_FALSE(coloured(run_certtool(args)));  // stdout is a pipe here
    CHECK_FALSE(coloured(run_certtool(args, {"NO_COLOR=1"})));
    CHECK(coloured(run_certtool(with("always"))));
    CHECK(coloured(run_certtool(with("always"), {"NO_COLOR=1"})));  // no-color.org: an explicit flag wins
    CHECK_FALSE(coloured(run_certtool(with("never"))));
    CHECK_FALSE(coloured(run_certtool(with("never"), {"NO_COLOR=1"})));
}

TEST_CASE("verify: the internal certificate is matched by its names, not the external entry", "[verify][e2e]") {
    Lab lab;
    const auto cert = lab.issue("edge-internal.lsedge-contoso-net", "internal");
    const auto r = run_in_process({"verify", kTopology, cert, "--trust", lab.dir + "/ca.pem"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_code(r.out, "->  edge-internal.lsedge-contoso-net"));
}

TEST_CASE("verify: each broken rule is a failing check with its code", "[verify][e2e]") {
    Lab lab;
    const std::string trust = lab.dir + "/ca.pem";
    SECTION("a missing sip.<domain> SAN") {
        const auto cert = lab.hand_made("nofab", "sip.contoso.com", {"sip.contoso.com", "webcon.contoso.com"});
        const auto r = run_in_process({"verify", kTopology, cert, "--trust", trust, "--cert", kExternal});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "name.missing: sip.fabrikam.com"));
    }
    SECTION("a wildcard on the Edge") {
        const auto cert = lab.hand_made("wild", "*.contoso.com", {"*.contoso.com", "*.fabrikam.com"});
        const auto r = run_in_process({"verify", kTopology, cert, "--trust", trust, "--cert", kExternal});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "subject.wildcard"));
        CHECK(has_code(r.out, "not where Lync allows wildcards"));
    }
    SECTION("expired at the check time, and expiring within the warning window") {
        const auto cert = lab.issue(kExternal, "external");
        auto r = run_in_process({"verify", kTopology, cert, "--trust", trust, "--at", "2031-01-01"});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "validity.expired"));
        // 365-day certificate: checked 20 days before its end it warns but passes.
        const auto json = nlohmann::json::parse(run_in_process({"verify", kTopology, cert, "--trust", trust, "--format", "json"}).out);
        const std::string end = json["results"][0]["not_after"];
        std::tm tm{};
        ::strptime(end.c_str(), "%Y-%m-%d", &tm);
        std::time_t t = ::timegm(&tm) - 20 * 86400;
        char when[32];
        std::strftime(when, sizeof when, "%Y-%m-%d", std::gmtime(&t));
        r = run_in_process({"verify", kTopology, cert, "--trust", trust, "--at", when});
        CHECK(r.exit_code == 0);
        CHECK(has_code(r.out, "validity.expiring"));
        // Without --warn-days the window is a third of its own lifetime (121 days of 365), not a fixed 30 days.
        const auto days_before = [&](int days) {
            std::time_t at = ::timegm(&tm) - days * 86400;
            char text[32];
            std::strftime(text, sizeof text, "%Y-%m-%d", std::gmtime(&at));
            return std::string(text);
        };
        r = run_in_process({"verify", kTopology, cert, "--trust", trust, "--at", days_before(100)});
        CHECK(r.exit_code == 0);
        CHECK(has_code(r.out, "validity.expiring"));
        CHECK(has_code(r.out, "a third of its 365-day lifetime"));
        r = run_in_process({"verify", kTopology, cert, "--trust", trust, "--at", days_before(150)});
        CHECK_FALSE(has_code(r.out, "validity.expiring"));
        r = run_in_process({"verify", kTopology, cert, "--trust", trust, "--at", days_before(100), "--warn-days", "30"});
        CHECK_FALSE(has_code(r.out, "validity.expiring"));
    }
    SECTION("no CRL distribution point (G2)") {
        CertOptions no_cdp;
        no_cdp.crl_url = "";
        const auto cert = lab.issue(kExternal, "nocdp", no_cdp);
        const auto r = run_in_process({"verify", kTopology, cert, "--trust", trust});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "crl.missing"));
    }
    SECTION("an RSASSA-PSS signature (INFRA)") {
        CertOptions pss;
        pss.rsa_pss = true;
        const auto cert = lab.issue(kExternal, "pss", pss);
        const auto r = run_in_process({"verify", kTopology, cert, "--trust", trust, "--no-chain"});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "signature.pss"));
    }
    SECTION("an unknown issuer") {
        const auto cert = lab.issue(kExternal, "external");
        const auto r = run_in_process({"verify", kTopology, cert});  // system store: the test root is not in it
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "chain.untrusted"));
    }
    SECTION("a private key that is not the certificate's") {
        const auto cert = lab.issue(kExternal, "external");
        const auto r = run_in_process({"verify", kTopology, cert, "--trust", trust, "--key", lab.key("edge-internal.lsedge-contoso-net")});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "key.mismatch"));
    }
    SECTION("a certificate for something else entirely") {
        const auto cert = lab.hand_made("other", "www.example.com", {"www.example.com"});
        const auto r = run_in_process({"verify", kTopology, cert, "--trust", trust});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "plan.no-match"));
    }
}

TEST_CASE("verify: PKCS#12 with the chain and key, password from a file", "[verify][e2e]") {
    Lab lab;
    const auto cert = lab.issue(kExternal, "external");
    std::ofstream(lab.dir + "/pass") << "pfx secret\n";
    (void)lab.ca.pfx({cert, lab.key(kExternal)}, "external.pfx", "pfx secret");
    auto r = run_certtool({"verify", kTopology, lab.dir + "/external.pfx", "--trust", lab.dir + "/ca.pem", "--passphrase-file", lab.dir + "/pass"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("pfx secret") == std::string::npos);
    std::ofstream(lab.dir + "/wrong") << "not it\n";
    r = run_certtool({"verify", kTopology, lab.dir + "/external.pfx", "--passphrase-file", lab.dir + "/wrong"});
    CHECK(r.exit_code == 2);
    CHECK(has_code(r.err, "external.pfx"));
    CHECK(has_code(r.err, "cert.pkcs12-password"));
}

TEST_CASE("verify: generic checks against names, without a topology", "[verify][e2e]") {
    Lab lab;
    const auto cert = lab.issue(kExternal, "external");
    const std::string trust = lab.dir + "/ca.pem";
    CHECK(run_in_process({"verify", cert, "--name", "sip.contoso.com", "--name", "sip.fabrikam.com", "--trust", trust}).exit_code == 0);
    const auto r = run_in_process({"verify", cert, "--name", "meet.contoso.com", "--trust", trust});
    CHECK(r.exit_code == 1);
    CHECK(has_code(r.out, "name.missing"));
}

TEST_CASE("verify: unreadable input is exit 2 naming the file", "[verify][e2e]") {
    Lab lab;
    std::ofstream(lab.dir + "/garbage.pem") << "this is not a certificate\n";
    auto r = run_in_process({"verify", kTopology, lab.dir + "/garbage.pem"});
    CHECK(r.exit_code == 2);
    CHECK(has_code(r.err, "garbage.pem"));
    r = run_in_process({"verify", kTopology, lab.dir + "/missing.pem"});
    CHECK(r.exit_code == 2);
    CHECK(has_code(r.err, "missing.pem"));
    r = run_in_process({"verify", kTopology, lab.dir + "/req/" + kExternal + ".csr", "--at", "yesterday"});
    CHECK(r.exit_code == 2);
    CHECK(has_code(r.err, "usage.at"));
}

TEST_CASE("verify --format nagios: OK, WARNING at the lifetime's window, CRITICAL when expired, UNKNOWN on a missing file",
          "[verify][e2e][monitoring]") {
    Lab lab;
    const auto cert = lab.issue(kExternal, "external");  // 365 days from now
    const std::vector<std::string> base{"verify", kTopology, cert, "--trust", lab.dir + "/ca.pem", "--format", "nagios"};
    const auto with = [&](const std::vector<std::string>& more) {
        auto args = base;
        args.insert(args.end(), more.begin(), more.end());
        return run_certtool(args);
    };

    const auto ok = with({});
    INFO(ok.out << ok.err);
    CHECK(ok.exit_code == 0);
    CHECK(check_nagios_output(ok.out) == "OK");
    CHECK(ok.out.rfind("CERTTOOL OK - 1 certificate file; soonest: " + kExternal + " in " + cert + " expires in 36", 0) == 0);
    CHECK(ok.out.find("'" + kExternal + " " + cert + "'=") != std::string::npos);

    // 280 days on: 85 days left, under the 121-day window (a third of 365), over its half.
    const auto later = with({"--at", days_from_now(280)});
    INFO(later.out << later.err);
    CHECK(later.exit_code == 1);
    CHECK(check_nagios_output(later.out) == "WARNING");
    CHECK(later.out.find("expires in 8") != std::string::npos);
    const auto nearly = with({"--at", days_from_now(350)});
    INFO(nearly.out << nearly.err);
    CHECK(nearly.exit_code == 2);
    CHECK(check_nagios_output(nearly.out) == "CRITICAL");

    const auto expired_cert = lab.issue(kExternal, "expired", [] {
        CertOptions o;
        o.not_before = utc_time("20240101000000Z");
        o.not_after = utc_time("20250101000000Z");
        return o;
    }());
    const auto expired = run_certtool({"verify", kTopology, expired_cert, "--trust", lab.dir + "/ca.pem", "--format", "nagios"});
    INFO(expired.out << expired.err);
    CHECK(expired.exit_code == 2);
    CHECK(check_nagios_output(expired.out) == "CRITICAL");
    CHECK(expired.out.find("\n[CRITICAL] " + kExternal + " in " + expired_cert + ": validity.expired: ") != std::string::npos);

    const auto missing = run_certtool({"verify", kTopology, lab.dir + "/absent.pem", "--format", "nagios"});
    INFO(missing.out << missing.err);
    CHECK(missing.exit_code == 3);
    CHECK(check_nagios_output(missing.out) == "UNKNOWN");
    CHECK(missing.out.find("absent.pem") != std::string::npos);
}
