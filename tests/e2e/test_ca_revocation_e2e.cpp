// `certtool ca` with revocation checking on, as Windows and Lync always check
// it: the root and the intermediate each publish a CRL at their own URL, and
// the CRLs `ca crl` writes let OpenSSL (`verify -crl_check_all`) and GnuTLS
// (/usr/bin/certtool --verify --load-crl) validate every issued chain, and
// reject a revoked leaf or a revoked intermediate.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cert_lab.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

using certtool::test::CertLab;
using certtool::test::contains;
using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::serial_of;
using certtool::test::run_guarded;
using certtool::test::run_openssl;
using certtool::test::run_process;
using certtool::test::TempDir;
using certtool::test::transcript;
using certtool::test::write_bytes;
using nlohmann::json;

namespace fs = std::filesystem;

namespace {

const std::string& kGnutls = certtool::test::kGnutlsCli;
const std::string kIssuingUrl = CertLab::kCrlUrl;  // http://crl.contoso.com/lab.crl
const std::string kRootUrl = "http://crl.contoso.com/lab-root.crl";

bool have(const std::string& program) { return ::access(program.c_str(), X_OK) == 0; }

ProcessResult certtool_ok(const std::vector<std::string>& args) {
    const auto r = run_guarded(args);
    INFO(transcript(args, r));
    REQUIRE(r.exit_code == 0);
    return r;
}


std::vector<std::string> crl_urls_of(const std::string& cert) {
    const std::vector<std::string> args{"x509", "-in", cert, "-noout", "-ext", "crlDistributionPoints"};
    const auto r = run_openssl(args);
    INFO(transcript(certtool::test::kOpensslCli, args, r));
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> urls;
    for (std::size_t at = r.out.find("URI:"); at != std::string::npos; at = r.out.find("URI:", at + 4)) {
        const auto end = r.out.find_first_of(" ,\n", at);
        urls.push_back(r.out.substr(at + 4, end - at - 4));
    }
    return urls;
}

// openssl verify -crl_check_all with the CA's root as the only anchor (the kit's check).
ProcessResult openssl_verify(const CertLab& lab, const std::vector<std::string>& crl_files, const std::string& leaf,
                             bool with_intermediate = true) {
    std::vector<std::string> untrusted;
    if (with_intermediate) untrusted.push_back(lab.ca + "/intermediate.pem");
    return certtool::test::openssl_verify_revocation(lab.root(), untrusted, crl_files, leaf);
}

// GnuTLS: the chain (leaf then intermediate) in one file, the CRLs in another.
ProcessResult gnutls_verify(const CertLab& lab, const std::vector<std::string>& pem_crls, const std::string& leaf,
                            const std::string& name) {
    const std::string chain = lab.dir.file(name + ".chain.pem", read_file(leaf) + read_file(lab.ca + "/intermediate.pem"));
    return certtool::test::gnutls_verify_revocation(lab.dir, lab.root(), pem_crls, chain);
}

}  // namespace

TEST_CASE("ca revocation e2e: with an intermediate, both CRLs let openssl verify -crl_check_all pass, and GnuTLS agrees",
          "[ca][crl][e2e]") {
    if (!have(certtool::test::kOpensslCli)) {
        WARN("skipped: no openssl CLI");
        return;
    }
    CertLab lab("certtool-crl-e2e");
    const std::string external = lab.issue(CertLab::kExternal, "external.pem");
    const std::string internal = lab.issue(CertLab::kInternal, "internal.pem");
    certtool_ok({"ca", "crl", lab.ca});

    // The issue: crl.pem alone leaves the intermediate's revocation unknown
    // ("unable to get certificate CRL"). crl.pem now holds every current CRL.
    for (const auto& leaf : {external, internal}) {
        const auto r = openssl_verify(lab, {lab.ca + "/crl.pem"}, leaf);
        CHECK_FALSE(contains(r.out + r.err, "unable to get certificate CRL"));
        CHECK(r.exit_code == 0);
    }

    // Each CA points at its issuer's CRL: leaves at the intermediate's, the intermediate at the root's, the root at none.
    CHECK(crl_urls_of(external) == std::vector<std::string>{kIssuingUrl});
    CHECK(crl_urls_of(internal) == std::vector<std::string>{kIssuingUrl});
    CHECK(crl_urls_of(lab.ca + "/intermediate.pem") == std::vector<std::string>{kRootUrl});
    CHECK(crl_urls_of(lab.root()).empty());

    // In DER at the name each URL ends with, a PEM copy beside it.
    const std::string issuing_der = lab.ca + "/crl/lab.crl";
    const std::string root_der = lab.ca + "/crl/lab-root.crl";
    for (const auto& f : {issuing_der, root_der}) {
        REQUIRE(fs::is_regular_file(f));
        REQUIRE(fs::is_regular_file(f + ".pem"));
        CHECK(read_file(f).rfind("-----", 0) == std::string::npos);  // not PEM
        const auto der = run_openssl({"crl", "-inform", "DER", "-in", f, "-noout", "-issuer"});
        CHECK(der.exit_code == 0);
        const auto pem = run_openssl({"crl", "-in", f + ".pem", "-outform", "DER"});
        CHECK(pem.out == read_file(f));  // the same CRL
    }
    CHECK(contains(run_openssl({"crl", "-inform", "DER", "-in", issuing_der, "-noout", "-issuer"}).out, "Issuing CA"));
    CHECK_FALSE(contains(run_openssl({"crl", "-inform", "DER", "-in", root_der, "-noout", "-issuer"}).out, "Issuing CA"));
    // Each CRL verifies with the key of the CA whose URL names it.
    CHECK(run_openssl({"crl", "-inform", "DER", "-in", issuing_der, "-CAfile", lab.ca + "/chain.pem", "-noout"}).exit_code == 0);
    CHECK(run_openssl({"crl", "-inform", "DER", "-in", root_der, "-CAfile", lab.root(), "-noout"}).exit_code == 0);

    for (const auto& leaf : {external, internal}) {
        CHECK(openssl_verify(lab, {issuing_der, root_der}, leaf).exit_code == 0);
        // The issuing CA's CRL alone is what the issue saw: the intermediate's status is unknown.
        const auto half = openssl_verify(lab, {issuing_der}, leaf);
        CHECK(half.exit_code != 0);
        CHECK(contains(half.out + half.err, "unable to get certificate CRL"));
        if (have(kGnutls)) CHECK(gnutls_verify(lab, {issuing_der + ".pem", root_der + ".pem"}, leaf, "good").exit_code == 0);
    }
    // The intermediate itself, against the root's CRL.
    CHECK(openssl_verify(lab, {root_der}, lab.ca + "/intermediate.pem", false).exit_code == 0);

    // Revoke the internal leaf: only the issuing CA's CRL changes; the leaf fails as revoked, the other still passes.
    const std::string root_before = read_file(root_der);
    certtool_ok({"ca", "crl", lab.ca, "--revoke", serial_of(internal)});
    CHECK(read_file(root_der) == root_before);
    const auto revoked = openssl_verify(lab, {issuing_der, root_der}, internal);
    CHECK(revoked.exit_code != 0);
    CHECK(contains(revoked.out + revoked.err, "certificate revoked"));
    CHECK(openssl_verify(lab, {issuing_der, root_der}, external).exit_code == 0);
    if (have(kGnutls)) {
        const auto g = gnutls_verify(lab, {issuing_der + ".pem", root_der + ".pem"}, internal, "revoked");
        CHECK(g.exit_code != 0);
        CHECK(contains(g.out + g.err, "revoked"));
        CHECK(gnutls_verify(lab, {issuing_der + ".pem", root_der + ".pem"}, external, "kept").exit_code == 0);
    }

    // Revoke the intermediate: it goes into the root's CRL, and every chain through it fails as revoked.
    const auto r = run_guarded({"ca", "crl", lab.ca, "--revoke", serial_of(lab.ca + "/intermediate.pem")});
    INFO(transcript({"ca", "crl", lab.ca, "--revoke", "<intermediate>"}, r));
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out + r.err, "intermediate"));
    CHECK(read_file(root_der) != root_before);
    const auto dead = openssl_verify(lab, {issuing_der, root_der}, external);
    CHECK(dead.exit_code != 0);
    CHECK(contains(dead.out + dead.err, "certificate revoked"));
    if (have(kGnutls)) CHECK(gnutls_verify(lab, {issuing_der + ".pem", root_der + ".pem"}, external, "dead").exit_code != 0);
    // A CA whose intermediate is revoked issues nothing more.
    const std::vector<std::string> sign{"ca", "sign", lab.ca, lab.csr(CertLab::kExternal), "--topology", lab.topology, "--cert",
                                        CertLab::kExternal, "--out", lab.dir / "after.pem"};
    const auto refused = run_guarded(sign);
    INFO(transcript(sign, refused));
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "[ca.revoked]"));
    CHECK_FALSE(fs::exists(lab.dir / "after.pem"));
}

TEST_CASE("ca revocation e2e: ca crl writes only what is due; --all writes every CRL; the root's URL is given or derived",
          "[ca][crl][e2e]") {
    TempDir dir("certtool-crl-e2e");
    const std::string ca = dir / "ca";
    certtool_ok({"ca", "init", ca, "--intermediate", "--crl-url", "http://pki.contoso.net/pki/labca.crl", "--root-crl-url",
                 "http://root.contoso.net/r/root-ca.crl", "--key-bits", "2048"});
    CHECK(crl_urls_of(ca + "/intermediate.pem") == std::vector<std::string>{"http://root.contoso.net/r/root-ca.crl"});

    const auto first = certtool_ok({"ca", "crl", ca});
    CHECK(contains(first.out, "none written yet"));
    CHECK(fs::is_regular_file(ca + "/crl/labca.crl"));
    CHECK(fs::is_regular_file(ca + "/crl/root-ca.crl"));
    const json config = json::parse(read_file(ca + "/ca.json"));
    CHECK(config["next_crl_number"] == 2);
    CHECK(config["root_next_crl_number"] == 2);
    CHECK(config["crl_published"]["intermediate"]["file"] == "crl/labca.crl");
    CHECK(config["crl_published"]["root"]["number"] == 1);

    // Nothing changed since: nothing is due, nothing is written.
    const std::string issuing = read_file(ca + "/crl/labca.crl");
    const std::string root = read_file(ca + "/crl/root-ca.crl");
    const auto again = certtool_ok({"ca", "crl", ca});
    CHECK(contains(again.out, "not due before"));
    CHECK_FALSE(contains(again.out, "wrote"));
    CHECK(read_file(ca + "/crl/labca.crl") == issuing);
    CHECK(read_file(ca + "/crl/root-ca.crl") == root);
    CHECK(json::parse(read_file(ca + "/ca.json")) == config);

    // --all writes both although neither is due (the halfway rule is tested in unit/test_ca.cpp, with a clock).
    const auto all = certtool_ok({"ca", "crl", ca, "--all", "--days", "3"});
    CHECK(read_file(ca + "/crl/labca.crl") != issuing);
    CHECK(read_file(ca + "/crl/root-ca.crl") != root);
    CHECK(json::parse(read_file(ca + "/ca.json"))["root_next_crl_number"] == 3);
    CHECK(read_file(ca + "/crl.pem") == read_file(ca + "/crl/labca.crl.pem") + read_file(ca + "/crl/root-ca.crl.pem"));

    // A lost CRL file is due again.
    fs::remove(ca + "/crl/root-ca.crl");
    const auto lost = certtool_ok({"ca", "crl", ca});
    CHECK(fs::is_regular_file(ca + "/crl/root-ca.crl"));
    CHECK(contains(lost.out, "kept " + ca + "/crl/labca.crl"));

    // Bad URLs and combinations: refused before anything is made.
    for (const auto& bad : std::vector<std::vector<std::string>>{
             {"ca", "init", dir / "a", "--crl-url", "http://pki.contoso.net/", "--key-bits", "2048"},
             {"ca", "init", dir / "b", "--crl-url", "http://pki.contoso.net/x.crl?v=1", "--key-bits", "2048"},
             {"ca", "init", dir / "c", "--crl-url", "http://pki.contoso.net/x.crl", "--root-crl-url", "http://pki.contoso.net/r.crl",
              "--key-bits", "2048"},
             {"ca", "init", dir / "d", "--intermediate", "--crl-url", "http://pki.contoso.net/x.crl", "--root-crl-url",
              "http://other.contoso.net/x.crl", "--key-bits", "2048"}}) {
        const auto r = run_guarded(bad);
        INFO(transcript(bad, r));
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "[usage.crl-url]"));
        CHECK_FALSE(fs::exists(bad[2]));
    }
}

TEST_CASE("ca revocation e2e: without an intermediate the root is the one CA with the one CRL", "[ca][crl][e2e]") {
    TempDir dir("certtool-crl-e2e");
    const std::string ca = dir / "ca";
    certtool_ok({"ca", "init", ca, "--crl-url", "http://pki.contoso.net/single.crl", "--key-bits", "2048"});
    CHECK(crl_urls_of(ca + "/root.pem").empty());
    CHECK_FALSE(json::parse(read_file(ca + "/ca.json")).contains("root_crl_url"));
    const auto r = certtool_ok({"ca", "crl", ca});
    CHECK(fs::is_regular_file(ca + "/crl/single.crl"));
    CHECK(fs::is_regular_file(ca + "/crl/single.crl.pem"));
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(ca + "/crl")) ++files;
    CHECK(files == 2);
    CHECK(contains(r.out, "CRL of the root"));
    // The root's serial cannot be revoked by its own CRL.
    const auto refused = run_guarded({"ca", "crl", ca, "--revoke", serial_of(ca + "/root.pem")});
    INFO(transcript({"ca", "crl", ca, "--revoke", "<root>"}, refused));
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "[ca.revoke-root]"));
}

TEST_CASE("ca revocation e2e: a CA directory of the earlier format keeps working, the root's CRL URL derived and said so",
          "[ca][crl][e2e]") {
    if (!have(certtool::test::kOpensslCli)) {
        WARN("skipped: no openssl CLI");
        return;
    }
    CertLab lab("certtool-crl-e2e");
    // ca.json as certtool wrote it before the root had its own CRL.
    json config = json::parse(read_file(lab.ca + "/ca.json"));
    config.erase("root_crl_url");
    config.erase("root_next_crl_number");
    write_bytes(lab.ca + "/ca.json", config.dump(2) + "\n");
    const std::string leaf = lab.issue(CertLab::kInternal, "internal.pem");
    const auto r = certtool_ok({"ca", "crl", lab.ca});
    CHECK(contains(r.err, "names no CRL URL for the root"));
    CHECK(contains(r.err, kRootUrl));
    CHECK(fs::is_regular_file(lab.ca + "/crl/lab.crl"));
    CHECK(fs::is_regular_file(lab.ca + "/crl/lab-root.crl"));
    CHECK(openssl_verify(lab, {lab.ca + "/crl/lab.crl", lab.ca + "/crl/lab-root.crl"}, leaf).exit_code == 0);

    // An intermediate that names another CRL than the one derived (as an older certtool's named the leaves'): said, not hidden.
    const std::string old = lab.dir / "old";
    certtool_ok({"ca", "init", old, "--intermediate", "--crl-url", kIssuingUrl, "--root-crl-url", "http://crl.contoso.com/elsewhere.crl",
                 "--key-bits", "2048"});
    json old_config = json::parse(read_file(old + "/ca.json"));
    old_config.erase("root_crl_url");
    old_config.erase("root_next_crl_number");
    write_bytes(old + "/ca.json", old_config.dump(2) + "\n");
    const auto noted = certtool_ok({"ca", "crl", old});
    CHECK(contains(noted.err, "intermediate.pem names http://crl.contoso.com/elsewhere.crl, not the root's CRL " + kRootUrl));
    CHECK(contains(noted.err, "create a new one"));
}
