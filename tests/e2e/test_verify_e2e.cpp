// certtool verify, end to end: certificates issued by a test CA (the openssl
// CLI) from certtool's own requests, then checked against the plan.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run_process.hpp"

using certtool::test::run_certtool;
using certtool::test::run_process;
using certtool::test::source_path;

namespace {

const std::string kTopology = source_path("templates/examples/edge-single-nat.json");
const std::string kExternal = "edge-external.lsedge-contoso-net";

int sh(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

// A temporary directory with a test root CA and the requests for the example topology.
struct Lab {
    std::string dir;
    Lab() {
        char templ[] = "/tmp/certtool-verify-XXXXXX";
        dir = ::mkdtemp(templ);
        REQUIRE(sh("cd " + dir +
                   " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj '/CN=certtool test root'"
                   " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign") == 0);
        std::ofstream(dir + "/cdp.cnf") << "crlDistributionPoints = URI:http://crl.contoso.com/root.crl\n";
        std::ofstream(dir + "/nocdp.cnf") << "subjectKeyIdentifier = hash\n";
        REQUIRE(run_certtool({"csr", kTopology, "--out", dir + "/req"}).exit_code == 0);
    }
    ~Lab() { sh("rm -rf '" + dir + "'"); }

    // Issues a certificate for a CSR, keeping its extensions; `extra` adds openssl x509 options.
    std::string issue(const std::string& csr, const std::string& name, const std::string& extra = "",
                      const std::string& extfile = "cdp.cnf") {
        const std::string out = dir + "/" + name + ".pem";
        REQUIRE(sh("cd " + dir + " && openssl x509 -req -in " + csr + " -CA ca.pem -CAkey ca.key -CAcreateserial -days 365"
                   " -copy_extensions copyall -extfile " + extfile + " " + extra + " -out " + out) == 0);
        return out;
    }
    std::string request(const std::string& id) const { return dir + "/req/" + id + ".csr"; }
    std::string key(const std::string& id) const { return dir + "/req/" + id + ".key"; }

    // A CSR made by hand with the openssl CLI (for certificates that break a rule).
    std::string hand_request(const std::string& name, const std::string& cn, const std::string& sans) {
        const std::string csr = dir + "/" + name + ".csr";
        REQUIRE(sh("cd " + dir + " && openssl req -new -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + csr +
                   " -subj '/CN=" + cn + "' -addext 'subjectAltName=" + sans +
                   "' -addext extendedKeyUsage=serverAuth -addext keyUsage=critical,digitalSignature,keyEncipherment") == 0);
        return csr;
    }
};

bool has_code(const std::string& out, const std::string& code) { return out.find(code) != std::string::npos; }

}  // namespace

TEST_CASE("verify: a certificate issued from certtool's request passes against its plan entry", "[verify][e2e]") {
    Lab lab;
    const auto cert = lab.issue(lab.request(kExternal), "external");
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
    const auto cert = lab.issue(lab.request(kExternal), "external");
    const std::string bundle = lab.dir + "/root-first.pem";
    {
        std::ofstream out(bundle);
        out << std::ifstream(lab.dir + "/ca.pem").rdbuf() << std::ifstream(cert).rdbuf();
    }
    const auto r = run_certtool({"verify", kTopology, bundle, "--trust", lab.dir + "/ca.pem", "--format", "json"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto doc = nlohmann::json::parse(r.out);
    CHECK(doc["results"][0]["certificate_id"] == kExternal);
    CHECK(doc["results"][0]["subject"] != "certtool test root");
}

TEST_CASE("verify: colour only on a terminal by default, never under NO_COLOR unless --color always says so", "[verify][e2e]") {
    Lab lab;
    const auto cert = lab.issue(lab.request(kExternal), "external");
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
    const auto cert = lab.issue(lab.request("edge-internal.lsedge-contoso-net"), "internal");
    const auto r = run_certtool({"verify", kTopology, cert, "--trust", lab.dir + "/ca.pem"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has_code(r.out, "->  edge-internal.lsedge-contoso-net"));
}

TEST_CASE("verify: each broken rule is a failing check with its code", "[verify][e2e]") {
    Lab lab;
    const std::string trust = lab.dir + "/ca.pem";
    SECTION("a missing sip.<domain> SAN") {
        const auto cert = lab.issue(lab.hand_request("nofab", "sip.contoso.com", "DNS:sip.contoso.com,DNS:webcon.contoso.com"), "nofab");
        const auto r = run_certtool({"verify", kTopology, cert, "--trust", trust, "--cert", kExternal});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "name.missing: sip.fabrikam.com"));
    }
    SECTION("a wildcard on the Edge") {
        const auto cert = lab.issue(lab.hand_request("wild", "*.contoso.com", "DNS:*.contoso.com,DNS:*.fabrikam.com"), "wild");
        const auto r = run_certtool({"verify", kTopology, cert, "--trust", trust, "--cert", kExternal});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "subject.wildcard"));
        CHECK(has_code(r.out, "not where Lync allows wildcards"));
    }
    SECTION("expired at the check time, and expiring within the warning window") {
        const auto cert = lab.issue(lab.request(kExternal), "external");
        auto r = run_certtool({"verify", kTopology, cert, "--trust", trust, "--at", "2031-01-01"});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "validity.expired"));
        // 365-day certificate: checked 20 days before its end it warns but passes.
        const auto json = nlohmann::json::parse(run_certtool({"verify", kTopology, cert, "--trust", trust, "--format", "json"}).out);
        const std::string end = json["results"][0]["not_after"];
        std::tm tm{};
        ::strptime(end.c_str(), "%Y-%m-%d", &tm);
        std::time_t t = ::timegm(&tm) - 20 * 86400;
        char when[32];
        std::strftime(when, sizeof when, "%Y-%m-%d", std::gmtime(&t));
        r = run_certtool({"verify", kTopology, cert, "--trust", trust, "--at", when});
        CHECK(r.exit_code == 0);
        CHECK(has_code(r.out, "validity.expiring"));
    }
    SECTION("no CRL distribution point (G2)") {
        const auto cert = lab.issue(lab.request(kExternal), "nocdp", "", "nocdp.cnf");
        const auto r = run_certtool({"verify", kTopology, cert, "--trust", trust});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "crl.missing"));
    }
    SECTION("an RSASSA-PSS signature (INFRA)") {
        const auto cert = lab.issue(lab.request(kExternal), "pss", "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32");
        const auto r = run_certtool({"verify", kTopology, cert, "--trust", trust, "--no-chain"});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "signature.pss"));
    }
    SECTION("an unknown issuer") {
        const auto cert = lab.issue(lab.request(kExternal), "external");
        const auto r = run_certtool({"verify", kTopology, cert});  // system store: the test root is not in it
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "chain.untrusted"));
    }
    SECTION("a private key that is not the certificate's") {
        const auto cert = lab.issue(lab.request(kExternal), "external");
        const auto r = run_certtool({"verify", kTopology, cert, "--trust", trust, "--key", lab.key("edge-internal.lsedge-contoso-net")});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "key.mismatch"));
    }
    SECTION("a certificate for something else entirely") {
        const auto cert = lab.issue(lab.hand_request("other", "www.example.com", "DNS:www.example.com"), "other");
        const auto r = run_certtool({"verify", kTopology, cert, "--trust", trust});
        CHECK(r.exit_code == 1);
        CHECK(has_code(r.out, "plan.no-match"));
    }
}

TEST_CASE("verify: PKCS#12 with the chain and key, password from a file", "[verify][e2e]") {
    Lab lab;
    const auto cert = lab.issue(lab.request(kExternal), "external");
    std::ofstream(lab.dir + "/pass") << "pfx secret\n";
    REQUIRE(sh("cd " + lab.dir + " && openssl pkcs12 -export -in external.pem -inkey req/" + kExternal +
               ".key -certfile ca.pem -passout file:pass -out external.pfx") == 0);
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
    const auto cert = lab.issue(lab.request(kExternal), "external");
    const std::string trust = lab.dir + "/ca.pem";
    CHECK(run_certtool({"verify", cert, "--name", "sip.contoso.com", "--name", "sip.fabrikam.com", "--trust", trust}).exit_code == 0);
    const auto r = run_certtool({"verify", cert, "--name", "meet.contoso.com", "--trust", trust});
    CHECK(r.exit_code == 1);
    CHECK(has_code(r.out, "name.missing"));
}

TEST_CASE("verify: unreadable input is exit 2 naming the file", "[verify][e2e]") {
    Lab lab;
    std::ofstream(lab.dir + "/garbage.pem") << "this is not a certificate\n";
    auto r = run_certtool({"verify", kTopology, lab.dir + "/garbage.pem"});
    CHECK(r.exit_code == 2);
    CHECK(has_code(r.err, "garbage.pem"));
    r = run_certtool({"verify", kTopology, lab.dir + "/missing.pem"});
    CHECK(r.exit_code == 2);
    CHECK(has_code(r.err, "missing.pem"));
    r = run_certtool({"verify", kTopology, lab.dir + "/req/" + kExternal + ".csr", "--at", "yesterday"});
    CHECK(r.exit_code == 2);
    CHECK(has_code(r.err, "usage.at"));
}
