// `certtool ca sign --manifest`: every request of a `certtool csr` run signed in
// one run, on the enterprise example, proven by tools that did not write the
// certificates: every one passes `openssl verify -crl_check_all` with the
// CA's CRLs (and GnuTLS agrees), a revoked one fails; public-CA entries are left
// out unless for a lab; a bad entry or a file in the way issues nothing.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "cert_lab.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

using certtool::test::contains;
using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::serial_of;
using certtool::test::snapshot;
using certtool::test::run_guarded;
using certtool::test::run_openssl;
using certtool::test::run_process;
using certtool::test::source_path;
using certtool::test::TempDir;
using certtool::test::transcript;
using certtool::test::write_bytes;
using nlohmann::json;

namespace fs = std::filesystem;

namespace {

const std::string& kGnutls = certtool::test::kGnutlsCli;
const std::string kTopology = source_path("templates/examples/enterprise.json");
const std::set<std::string> kPublic{"edge-external.lsedge-contoso-net", "edge-av.lsedge-contoso-net", "reverse-proxy.rp01"};

bool have(const std::string& program) { return ::access(program.c_str(), X_OK) == 0; }

ProcessResult run_ok(const std::vector<std::string>& args) {
    const auto r = run_guarded(args, {}, std::chrono::seconds(120 * certtool::test::kTimeScale));
    INFO(transcript(args, r));
    REQUIRE(r.exit_code == 0);
    return r;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

struct Enterprise {
    TempDir dir{"certtool-bulk-e2e"};
    std::string ca = dir / "ca";
    std::string req = dir / "req";
    std::string out = dir / "out";
    std::string manifest = req + "/manifest.json";

    Enterprise() {
        run_ok({"ca", "init", ca, "--intermediate", "--crl-url", "http://pki.contoso.net/pki/contoso.crl", "--key-bits", "2048"});
        run_ok({"csr", kTopology, "--out", req, "--key-bits", "2048"});
    }
    [[nodiscard]] std::vector<std::string> sign(std::vector<std::string> extra = {}) const {
        std::vector<std::string> args{"ca", "sign", ca, "--manifest", manifest, "--topology", kTopology, "--out", out};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
};

}  // namespace

TEST_CASE("ca bulk e2e: sign --manifest issues every internal-CA certificate of a csr run, each verifies with both CRLs",
          "[ca][bulk][e2e]") {
    if (!have(certtool::test::kOpensslCli)) {
        WARN("skipped: no openssl CLI");
        return;
    }
    Enterprise lab;
    const auto r = run_ok(lab.sign());
    const json manifest = json::parse(read_file(lab.manifest));
    const json index = json::parse(read_file(lab.out + "/issued.json"));
    CHECK(index["schema"] == "certtool.ca-issued/v1");

    std::set<std::string> signed_ids;
    for (const auto& e : index["certificates"]) signed_ids.insert(e["id"].get<std::string>());
    std::set<std::string> skipped_ids;
    for (const auto& e : index["skipped"]) skipped_ids.insert(e["id"].get<std::string>());
    CHECK(skipped_ids == kPublic);
    CHECK(signed_ids.size() + skipped_ids.size() == manifest["certificates"].size());
    for (const auto& id : kPublic) {
        CHECK(contains(r.out, "not signed " + id));
        CHECK_FALSE(fs::exists(lab.out + "/" + id + ".pem"));
    }
    CHECK(contains(r.out, "public CA"));

    run_ok({"ca", "crl", lab.ca});
    const std::string issuing_crl = lab.ca + "/crl/contoso.crl";
    const std::string root_crl = lab.ca + "/crl/contoso-root.crl";
    const std::string intermediate = read_file(lab.ca + "/intermediate.pem");
    for (const auto& e : index["certificates"]) {
        const std::string id = e["id"];
        INFO(id);
        const std::string leaf = lab.out + "/" + e["files"]["certificate"].get<std::string>();
        const std::string chain = lab.out + "/" + e["files"]["chain"].get<std::string>();
        CHECK(leaf == lab.out + "/" + id + ".pem");
        CHECK(chain == lab.out + "/" + id + ".chain.pem");
        // The leaf alone; the chain file the leaf then the intermediate, never the root.
        CHECK(count(read_file(leaf), "BEGIN CERTIFICATE") == 1);
        CHECK(read_file(chain) == read_file(leaf) + intermediate);
        CHECK(e["serial"] == lower(serial_of(leaf)));
        CHECK(e["not_after"].get<std::string>().size() == 20);
        CHECK(certtool::test::openssl_verify_revocation(lab.ca + "/root.pem", {chain}, {issuing_crl, root_crl}, leaf).exit_code == 0);
        if (have(kGnutls))
            CHECK(certtool::test::gnutls_verify_revocation(lab.dir, lab.ca + "/root.pem", {issuing_crl + ".pem", root_crl + ".pem"}, chain)
                      .exit_code == 0);
    }

    // certtool pfx in bulk reads OUT as written: one PFX per signed certificate, the public-CA ones listed as missing (exit 1).
    const std::string pass = lab.dir.file("pfx.pass", "Pfx-Pass-7q!\n");
    const std::vector<std::string> pfx{"pfx", "--requests", lab.req, "--certs", lab.out, "--out", lab.dir / "pfx", "--passphrase-file", pass,
                                       "--chain", lab.ca + "/root.pem", "--topology", kTopology};
    const auto bundled = run_guarded(pfx, {}, std::chrono::seconds(120 * certtool::test::kTimeScale));
    INFO(transcript(pfx, bundled));
    CHECK(bundled.exit_code == 1);
    for (const auto& id : signed_ids) CHECK(fs::is_regular_file(lab.dir / ("pfx/" + id + ".pfx")));
    for (const auto& id : kPublic) CHECK(contains(bundled.out + bundled.err, id));

    // Revoked, one fails as revoked; the others still pass.
    const std::string victim = lab.out + "/oauth.global.pem";
    run_ok({"ca", "crl", lab.ca, "--revoke", serial_of(victim)});
    const auto revoked = certtool::test::openssl_verify_revocation(lab.ca + "/root.pem", {lab.out + "/oauth.global.chain.pem"},
                                                                  {issuing_crl, root_crl}, victim);
    CHECK(revoked.exit_code != 0);
    CHECK(contains(revoked.out + revoked.err, "certificate revoked"));
    const std::string other = lab.out + "/edge-internal.lsedge-contoso-net.pem";
    CHECK(certtool::test::openssl_verify_revocation(lab.ca + "/root.pem", {lab.ca + "/intermediate.pem"}, {issuing_crl, root_crl}, other)
              .exit_code == 0);

    // Again: every file is in the way; nothing is issued, nothing changes.
    const auto out_before = snapshot(lab.out);
    const auto index_before = read_file(lab.ca + "/index.json");
    const auto again = run_guarded(lab.sign());
    INFO(transcript(lab.sign(), again));
    CHECK(again.exit_code == 2);
    CHECK(contains(again.err, "[output.exists]"));
    CHECK(count(again.err, "[output.exists]") == 2 * signed_ids.size());
    CHECK(snapshot(lab.out) == out_before);
    CHECK(read_file(lab.ca + "/index.json") == index_before);

    // --force issues again, the old files kept beside the new.
    const auto forced = run_ok(lab.sign({"--force", "--only", "oauth.global"}));
    CHECK(contains(forced.out, "kept the previous file"));
    CHECK(read_file(victim) != out_before.at(victim));
    std::size_t kept = 0;
    for (const auto& e : fs::directory_iterator(lab.out))
        if (contains(e.path().filename().string(), "oauth.global.pem.replaced-")) {
            ++kept;
            CHECK(read_file(e.path().string()) == out_before.at(victim));
        }
    CHECK(kept == 1);
    // issued.json keeps the other entries of the earlier run.
    const json merged = json::parse(read_file(lab.out + "/issued.json"));
    CHECK(merged["certificates"].size() == signed_ids.size());
}

TEST_CASE("ca bulk e2e: public-CA entries only for a lab, usage errors, and a bad request issues nothing", "[ca][bulk][e2e]") {
    Enterprise lab;
    const std::string edge = "edge-external.lsedge-contoso-net";

    // --only names a public-CA entry: a usage error, unless --lab-public.
    const auto refused = run_guarded(lab.sign({"--only", edge}));
    INFO(transcript(lab.sign({"--only", edge}), refused));
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "[usage.public-ca]"));
    CHECK_FALSE(fs::exists(lab.out + "/" + edge + ".pem"));
    const auto lab_only = run_ok(lab.sign({"--only", edge, "--lab-public"}));
    CHECK(contains(lab_only.out, "LAB ONLY"));
    CHECK(contains(lab_only.err, "federation partners"));
    CHECK(contains(lab_only.err, "will not trust"));
    CHECK(fs::is_regular_file(lab.out + "/" + edge + ".pem"));
    CHECK(json::parse(read_file(lab.out + "/issued.json"))["certificates"][0]["public_ca_for_lab"] == true);

    // Usage: the two forms do not mix.
    for (const auto& bad : std::vector<std::vector<std::string>>{
             {"ca", "sign", lab.ca, lab.req + "/oauth.global.csr", "--manifest", lab.manifest, "--topology", kTopology, "--out", lab.out},
             {"ca", "sign", lab.ca, "--manifest", lab.manifest, "--topology", kTopology},
             {"ca", "sign", lab.ca, "--topology", kTopology, "--cert", "oauth.global"},
             {"ca", "sign", lab.ca, lab.req + "/oauth.global.csr", "--topology", kTopology, "--cert", "oauth.global", "--lab-public"}}) {
        const auto r = run_guarded(bad);
        INFO(transcript(bad, r));
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "[usage.ca-sign]"));
    }
    const auto unknown = run_guarded(lab.sign({"--only", "front-end.nowhere"}));
    CHECK(unknown.exit_code == 2);
    CHECK(contains(unknown.err, "[usage.unknown-certificate]"));

    // One request replaced by another entry's: names differ; nothing at all is issued.
    const std::string fe1 = lab.req + "/front-end.pool01-contoso-net.fe01-contoso-net.csr";
    write_bytes(fe1, read_file(lab.req + "/oauth.global.csr"));
    const auto ca_before = snapshot(lab.ca);
    const auto out_before = snapshot(lab.out);
    const auto bad = run_guarded(lab.sign());
    INFO(transcript(lab.sign(), bad));
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.err, "[ca.names-differ]"));
    CHECK(contains(bad.err, fe1));
    CHECK(snapshot(lab.ca) == ca_before);
    CHECK(snapshot(lab.out) == out_before);

    // A broken manifest: named, nothing issued.
    write_bytes(lab.manifest, "{\"schema\": \"certtool.csr-manifest/v1\", \"certificates\": [{\"id\": 5}]}");
    const auto broken = run_guarded(lab.sign());
    INFO(transcript(lab.sign(), broken));
    CHECK(broken.exit_code == 2);
    CHECK(contains(broken.err, "[ca.manifest]"));
    CHECK(contains(broken.err, "/certificates/0"));
    CHECK(snapshot(lab.ca) == ca_before);
}
