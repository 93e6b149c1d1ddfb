// The path from requests to certificates installed on the servers, in one run
// of the real binary (issue 13's proof): plan the enterprise example, `csr`,
// `ca init --intermediate`, `ca sign --manifest`, `ca crl`, then every issued
// certificate through `openssl verify -crl_check_all` and GnuTLS with both
// CRLs, `pfx` in bulk (the key bags read back with the Microsoft CSP name),
// `verify` with the chain files beside the leaves, the scripts for each
// product version and Windows Server, and a revoked certificate that fails.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cert_lab.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

using certtool::test::contains;
using certtool::test::kGnutlsCli;
using certtool::test::kGnutlsVerified;
using certtool::test::kOpensslCli;
using certtool::test::kPowerShellParseSkipped;
using certtool::test::powershell_parse;
using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::run_guarded;
using certtool::test::run_openssl;
using certtool::test::run_process;
using certtool::test::serial_of;
using certtool::test::source_path;
using certtool::test::TempDir;
using certtool::test::transcript;
using nlohmann::json;

namespace fs = std::filesystem;

namespace {

const std::string kCrlUrl = "http://pki.contoso.net/crl/contoso-issuing.crl";
const std::string kCspLine = "Microsoft CSP Name: Microsoft RSA SChannel Cryptographic Provider";

// Our certtool, guarded against a hang; REQUIREs the exit code.
ProcessResult ct(const std::vector<std::string>& args, int expected = 0) {
    const auto r = run_guarded(args, {}, std::chrono::seconds(120 * certtool::test::kTimeScale));
    INFO(transcript(args, r));
    REQUIRE(r.exit_code == expected);
    return r;
}

struct Ids {
    std::vector<std::string> all, internal, public_ca;
    std::set<std::string> members;  // every install_on server
};

Ids plan_ids(const std::string& topology) {
    const json plan = json::parse(ct({"plan", topology, "--format", "json"}).out);
    Ids ids;
    for (const auto& c : plan["certificates"]) {
        const auto id = c["id"].get<std::string>();
        ids.all.push_back(id);
        (c["ca"] == "public" ? ids.public_ca : ids.internal).push_back(id);
        for (const auto& m : c["install_on"]) ids.members.insert(m.get<std::string>());
    }
    return ids;
}

// Both CRLs of the CA, as `ca crl` wrote them (PEM copies beside the DER).
std::vector<std::string> crls_of(const std::string& ca) {
    return {ca + "/crl/contoso-issuing.crl.pem", ca + "/crl/contoso-issuing-root.crl.pem"};
}

ProcessResult openssl_verify(const std::string& ca, const std::string& leaf, const std::string& untrusted) {
    return certtool::test::openssl_verify_revocation(ca + "/root.pem", {untrusted}, crls_of(ca), leaf);
}

ProcessResult gnutls_verify(const TempDir& dir, const std::string& ca, const std::string& chain_file) {
    return certtool::test::gnutls_verify_revocation(dir, ca + "/root.pem", crls_of(ca), chain_file);
}

bool crlf_only(const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return false;
    return true;
}

void set_platform(const std::string& from, const std::string& to, const std::string& product, const std::string& windows) {
    json t = json::parse(read_file(from));
    t["product"] = product;
    t["windows_server"] = windows;
    // Skype for Business Server 2019 and SE have no XMPP proxy on the Edge (DEPR19).
    if (product == "skype2019" || product == "skypese")
        for (auto& site : t["sites"])
            if (site.contains("edge_pools"))
                for (auto& pool : site["edge_pools"]) pool["xmpp_proxy"] = false;
    std::ofstream(to) << t.dump(2);
}

}  // namespace

TEST_CASE("rollout: plan, csr, ca with intermediate, sign --manifest, crl, verify with revocation, pfx in bulk, scripts",
          "[e2e][rollout][ca][pfx][script]") {
    for (const auto& program : {kOpensslCli, kGnutlsCli})
        if (::access(program.c_str(), X_OK) != 0) FAIL(program << " is needed (packages openssl, gnutls-bin)");

    TempDir dir{"certtool-rollout"};
    const std::string topology = source_path("templates/examples/enterprise.json");
    const std::string req = dir / "req", ca = dir / "ca", issued = dir / "issued", pfx = dir / "pfx";
    const std::string pass = dir.file("pfx.pass", "Lab pfx pass 13\n");
    const Ids ids = plan_ids(topology);
    REQUIRE(ids.internal.size() >= 10);
    REQUIRE(ids.public_ca.size() >= 2);

    ct({"csr", topology, "--out", req});
    ct({"ca", "init", ca, "--intermediate", "--name", "Contoso Lab CA", "--crl-url", kCrlUrl, "--key-bits", "2048"});

    // One run signs what an internal CA may issue and leaves the public-CA ones out, saying why.
    const auto signed_run = ct({"ca", "sign", ca, "--manifest", req + "/manifest.json", "--topology", topology, "--out", issued});
    const json index = json::parse(read_file(issued + "/issued.json"));
    CHECK(index["schema"] == "certtool.ca-issued/v1");
    CHECK(index["certificates"].size() == ids.internal.size());
    CHECK(index["skipped"].size() == ids.public_ca.size());
    for (const auto& id : ids.internal) {
        CHECK(fs::is_regular_file(issued + "/" + id + ".pem"));
        CHECK(fs::is_regular_file(issued + "/" + id + ".chain.pem"));
    }
    for (const auto& id : ids.public_ca) {
        CHECK_FALSE(fs::exists(issued + "/" + id + ".pem"));
        CHECK(contains(signed_run.out + signed_run.err, id));
    }
    // For a lab, the public-CA ones too, said to be untrusted outside.
    std::vector<std::string> lab{"ca", "sign", ca, "--manifest", req + "/manifest.json", "--topology", topology,
                                 "--out", issued, "--lab-public"};
    for (const auto& id : ids.public_ca) lab.insert(lab.end(), {"--only", id});
    const auto lab_run = ct(lab);
    CHECK(contains(lab_run.out + lab_run.err, "federation"));
    CHECK(json::parse(read_file(issued + "/issued.json"))["certificates"].size() == ids.all.size());

    // Both CRLs, in DER at their URL's names, PEM beside.
    ct({"ca", "crl", ca});
    for (const auto& name : {"contoso-issuing.crl", "contoso-issuing-root.crl"}) {
        const std::string der = ca + "/crl/" + name;
        const std::vector<std::string> args{"crl", "-inform", "DER", "-in", der, "-noout", "-issuer"};
        const auto r = run_openssl(args);
        INFO(transcript(kOpensslCli, args, r));
        CHECK(r.exit_code == 0);
        CHECK(fs::is_regular_file(der + ".pem"));
    }

    // Every certificate verifies with revocation on, by OpenSSL and by GnuTLS,
    // and by certtool verify with the chain file beside it as intermediates.
    for (const auto& id : ids.all) {
        const std::string leaf = issued + "/" + id + ".pem", chain = issued + "/" + id + ".chain.pem";
        INFO(id);
        CHECK(openssl_verify(ca, leaf, chain).exit_code == 0);
        const auto g = gnutls_verify(dir, ca, chain);
        CHECK(g.exit_code == 0);
        CHECK(contains(g.out, kGnutlsVerified));
        const auto v = ct({"verify", topology, leaf, "--cert", id, "--trust", ca + "/root.pem"});
        CHECK(contains(v.out, id + ".chain.pem"));
    }

    // The one-request form keeps working, and writes the chain beside its --out as well.
    {
        const std::string id = ids.internal.front(), one = dir / "one.pem";
        ct({"ca", "sign", ca, req + "/" + id + ".csr", "--topology", topology, "--cert", id, "--out", one});
        CHECK(read_file(dir / "one.chain.pem") == read_file(one) + read_file(ca + "/intermediate.pem"));
        const auto v = ct({"verify", topology, one, "--cert", id, "--trust", ca + "/root.pem"});
        CHECK(contains(v.out, "one.chain.pem"));
        // A chain file in the way refuses before anything is issued.
        const std::string in_the_way = dir.file("three.chain.pem", "not mine\n");
        const std::string index_before = read_file(ca + "/index.json");
        const auto refused = run_guarded({"ca", "sign", ca, req + "/" + id + ".csr", "--topology", topology, "--cert", id,
                                          "--out", dir / "three.pem"});
        INFO(transcript({"ca", "sign", "--out", dir / "three.pem"}, refused));
        CHECK(refused.exit_code == 2);
        CHECK(contains(refused.err, "[output.exists]"));
        CHECK_FALSE(fs::exists(dir / "three.pem"));
        CHECK(read_file(in_the_way) == "not mine\n");
        CHECK(read_file(ca + "/index.json") == index_before);
    }

    // One PFX per certificate, the key bag naming the legacy SChannel provider.
    ct({"pfx", "--requests", req, "--certs", issued, "--chain", ca + "/root.pem", "--out", pfx, "--topology", topology,
        "--passphrase-file", pass});
    for (const auto& id : ids.all) {
        const std::string file = pfx + "/" + id + ".pfx";
        const std::vector<std::string> args{"pkcs12", "-info", "-nodes", "-in", file, "-passin", "file:" + pass};
        const auto info = run_openssl(args);
        INFO(transcript(kOpensslCli, args, info));
        REQUIRE(info.exit_code == 0);
        CHECK(contains(info.out + info.err, kCspLine));
        CHECK(contains(info.out + info.err, "friendlyName: " + id));
    }
    {
        const std::string file = pfx + "/" + ids.internal.front() + ".pfx";
        // GnuTLS does not print the attribute's value; at debug level 2 it names its OID on the key bag.
        const std::vector<std::string> args{"--p12-info", "--inder", "--infile", file, "--password", "Lab pfx pass 13", "-d", "2"};
        const auto g = run_process(kGnutlsCli, args);
        INFO(transcript(kGnutlsCli, args, g));
        CHECK(g.exit_code == 0);
        CHECK(contains(g.out + g.err, "1.3.6.1.4.1.311.17.1"));
    }

    // The scripts for each product version and Windows Server the topology can say.
    const std::vector<std::pair<std::string, std::string>> platforms{
        {"lync2013", "2008r2"}, {"lync2013", "2012r2"}, {"skype2015", "2012r2"}, {"skype2019", "2019"}, {"skypese", "2022"}};
    for (const auto& [product, windows] : platforms) {
        const std::string variant = dir / (product + "-" + windows + ".json");
        set_platform(topology, variant, product, windows);
        const std::string out = dir / ("scripts-" + product + "-" + windows);
        ct({"script", variant, "--pfx", pfx, "--out", out, "--ca", ca, "--passphrase-file", pass});
        std::set<std::string> scripts;
        for (const auto& e : fs::directory_iterator(out)) {
            if (e.path().extension() != ".ps1") continue;
            scripts.insert(e.path().filename().string());
            const std::string text = read_file(e.path().string());
            INFO(e.path().string());
            CHECK(text.rfind("\xEF\xBB\xBF", 0) == 0);
            CHECK(crlf_only(text));
            CHECK_FALSE(contains(text, "Lab pfx pass 13"));
        }
        // Every server gets its install script and its export script; only those with staged
        // (-Roll) certificates get a cleanup script, and nothing else is written.
        for (const auto& member : ids.members) {
            INFO(member);
            CHECK(scripts.count(member + ".ps1") == 1);
            CHECK(scripts.count(member + ".export.ps1") == 1);
        }
        for (const auto& name : scripts) {
            INFO(name);
            std::string member = name;
            for (const std::string suffix : {".cleanup.ps1", ".export.ps1", ".ps1"})
                if (member.size() > suffix.size() && member.compare(member.size() - suffix.size(), suffix.size(), suffix) == 0) {
                    member.resize(member.size() - suffix.size());
                    break;
                }
            CHECK(ids.members.count(member) == 1);
        }
        // The scripts parse as PowerShell (tree-sitter-powershell).
        const auto parsed = powershell_parse(out);
        if (parsed.exit_code == kPowerShellParseSkipped) WARN("PowerShell parse check skipped: " << parsed.err);
        else CHECK(parsed.exit_code == 0);
        CHECK(fs::is_regular_file(out + "/ca-root.cer"));
        CHECK(fs::is_regular_file(out + "/ca-intermediate.cer"));
    }

    // Revoke one: its chain now fails the check (OpenSSL and GnuTLS), the others still pass.
    const std::string victim = ids.internal.front(), other = ids.internal.back();
    const std::string serial = serial_of(issued + "/" + victim + ".pem");
    ct({"ca", "crl", ca, "--revoke", serial});
    const auto revoked = openssl_verify(ca, issued + "/" + victim + ".pem", issued + "/" + victim + ".chain.pem");
    CHECK(revoked.exit_code != 0);
    CHECK(contains(revoked.out + revoked.err, "certificate revoked"));
    const auto g_revoked = gnutls_verify(dir, ca, issued + "/" + victim + ".chain.pem");
    CHECK_FALSE(contains(g_revoked.out, kGnutlsVerified));
    CHECK(contains(g_revoked.out, "revoked"));
    CHECK(openssl_verify(ca, issued + "/" + other + ".pem", issued + "/" + other + ".chain.pem").exit_code == 0);
}
