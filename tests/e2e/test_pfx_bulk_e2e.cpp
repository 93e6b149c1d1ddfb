// `certtool pfx --requests --certs`: one PFX per issued certificate of a `csr`
// run, as the real binary, with the certificates of `certtool ca sign` laid out
// as `ca sign --manifest` writes them (<id>.pem, <id>.chain.pem) and as public
// CAs return them (a PEM bundle <id>.crt, a DER <id>.cer). Every PFX is read
// back by tools that did not write it: `openssl pkcs12` (which names the
// Microsoft CSP Name attribute and shows its value) and GnuTLS's certtool
// (/usr/bin/certtool, not ours: it reads the file and, at debug level 2, names
// the bag attribute it does not know by its OID). Then `certtool script`
// reads the folder unchanged.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
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
using certtool::test::run_guarded;
using certtool::test::run_process;
using certtool::test::run_shell_command;
using certtool::test::shell_quote;
using certtool::test::source_path;
using certtool::test::transcript;
using certtool::test::write_bytes;
using nlohmann::json;

namespace fs = std::filesystem;

namespace {

const std::string kOpenssl = "/usr/bin/openssl";
const std::string kGnutls = "/usr/bin/certtool";  // GnuTLS's certtool, not ours: always by absolute path
const std::string kSchannel = "Microsoft RSA SChannel Cryptographic Provider";
const std::string kCspOid = "Unknown PKCS12 Bag Attribute OID '1.3.6.1.4.1.311.17.1'";
const std::string kPassword = "Bulk-Pfx-Password-7q!";

bool have(const std::string& program) { return ::access(program.c_str(), X_OK) == 0; }

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
    return n;
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

std::string sh_ok(const std::string& command) {
    const auto r = run_shell_command(command);
    INFO("$ " << command << "\nexit " << r.exit_code << "\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

// Every file under a directory, path -> bytes (to show a refusal changed nothing).
std::map<std::string, std::string> snapshot(const std::string& dir) {
    std::map<std::string, std::string> files;
    if (!fs::exists(dir)) return files;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) files[e.path().string()] = read_file(e.path().string());
    return files;
}

std::vector<std::string> plan_ids(const std::string& topology) {
    const auto r = run_guarded({"plan", topology, "--format", "json"});
    INFO(transcript({"plan", topology}, r));
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> ids;
    const json plan = json::parse(r.out);
    for (const auto& c : plan["certificates"]) ids.push_back(c["id"].get<std::string>());
    return ids;
}

// The lab: a CA with an intermediate, the requests of a topology, the PFX password.
struct BulkLab {
    CertLab lab;
    std::vector<std::string> ids = plan_ids(lab.topology);
    std::string issued = lab.dir / "issued";
    std::string pass_file = lab.dir.file("pfx.pass", kPassword + "\n");
    std::vector<ProcessResult> runs;

    explicit BulkLab(const std::string& topology = source_path("templates/examples/edge-single-nat.json"))
        : lab("certtool-pfx-bulk", topology) {
        fs::create_directory(issued);
    }

    [[nodiscard]] std::string intermediate() const { return lab.ca + "/intermediate.pem"; }

    // `ca sign --out issued/<id>.pem` of id's own request: the leaf, and the chain
    // beside it, laid out as `ca sign --manifest` writes them.
    void issue_as_ca_does(const std::string& id) const {
        const std::string leaf = lab.issue(id, "issued/" + id + ".pem");
        CHECK(read_file(issued + "/" + id + ".chain.pem") == read_file(leaf) + read_file(intermediate()));
    }

    ProcessResult pfx(const std::string& out, const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args{"pfx",   "--topology", lab.topology, "--requests",        lab.req,  "--certs",
                                      issued, "--out",      out,          "--passphrase-file", pass_file};
        args.insert(args.end(), extra.begin(), extra.end());
        runs.push_back(run_guarded(args));
        INFO(transcript(args, runs.back()));
        return runs.back();
    }

    // `openssl pkcs12 -info -nodes`: every bag with its attributes, stdout and stderr together.
    [[nodiscard]] std::string openssl_info(const std::string& pfx_file) const {
        return sh_ok(kOpenssl + " pkcs12 -info -nodes -in " + shell_quote(pfx_file) + " -passin file:" + shell_quote(pass_file) + " 2>&1");
    }

    // GnuTLS reads the file; -d 2 makes it name the bag attributes it does not know.
    [[nodiscard]] static std::string gnutls_info(const std::string& pfx_file) {
        const auto g = run_process(kGnutls, {"-d", "2", "--p12-info", "--inder", "--infile", pfx_file, "--password", kPassword});
        INFO("GnuTLS certtool --p12-info " << pfx_file << "\nexit " << g.exit_code << "\n" << g.out << g.err);
        REQUIRE(g.exit_code == 0);
        return g.out + g.err;
    }

    void no_password_in_output() const {
        for (const auto& r : runs) {
            CHECK_FALSE(contains(r.out, kPassword));
            CHECK_FALSE(contains(r.err, kPassword));
        }
    }
};

// What the PFX holds: the issued leaf with the key of its request, the
// intermediate and the root, the id as friendly name, and the CSP name `csp`
// ("" = none) on the key bag alone.
void check_pfx(const BulkLab& b, const std::string& pfx_file, const std::string& id, const std::string& leaf_file, const std::string& csp) {
    INFO("PFX " << pfx_file);
    CHECK(mode_of(pfx_file) == 0600);
    const std::string info = b.openssl_info(pfx_file);
    INFO(info);
    CHECK(contains(info, "MAC: sha1"));  // the legacy profile: the topology runs on Windows Server 2008 R2
    CHECK(count(info, "friendlyName: " + id) == 2);
    CHECK(count(info, "-----BEGIN CERTIFICATE-----") == 3);
    if (csp.empty()) {
        CHECK_FALSE(contains(info, "Microsoft CSP Name"));
    } else {
        CHECK(count(info, "Microsoft CSP Name: " + csp) == 1);
        CHECK(count(info, "Microsoft CSP Name") == 1);
        // It is the key's bag that carries it.
        const std::string key_bag = sh_ok(kOpenssl + " pkcs12 -nodes -nocerts -in " + shell_quote(pfx_file) + " -passin file:" +
                                          shell_quote(b.pass_file) + " 2>&1");
        CHECK(contains(key_bag, "Microsoft CSP Name: " + csp));
    }
    const std::string leaf = sh_ok(kOpenssl + " pkcs12 -nodes -clcerts -nokeys -in " + shell_quote(pfx_file) + " -passin file:" +
                                   shell_quote(b.pass_file) + " | " + kOpenssl + " x509 -noout -fingerprint -sha256");
    CHECK(leaf == sh_ok(kOpenssl + " x509 -in " + shell_quote(leaf_file) + " -noout -fingerprint -sha256"));
    const std::string key = sh_ok(kOpenssl + " pkcs12 -nodes -nocerts -in " + shell_quote(pfx_file) + " -passin file:" +
                                  shell_quote(b.pass_file) + " | " + kOpenssl + " pkey -pubout");
    CHECK(key == sh_ok(kOpenssl + " pkey -in " + shell_quote(b.lab.key(id)) + " -pubout"));
    const std::string chain = sh_ok(kOpenssl + " pkcs12 -nodes -cacerts -nokeys -in " + shell_quote(pfx_file) + " -passin file:" +
                                    shell_quote(b.pass_file));
    CHECK(contains(chain, read_file(b.intermediate())));
    CHECK(contains(chain, read_file(b.lab.root())));

    if (!have(kGnutls)) {
        WARN("GnuTLS's certtool (package gnutls-bin) not found: the PFX is read by OpenSSL only");
        return;
    }
    const std::string g = BulkLab::gnutls_info(pfx_file);
    INFO(g);
    CHECK(contains(g, "Friendly name: " + id));
    CHECK(contains(g, "PKCS #8 Encrypted key"));
    CHECK(count(g, kCspOid) == (csp.empty() ? 0U : 1U));
}

}  // namespace

TEST_CASE("pfx bulk e2e: one PFX per issued certificate of a csr run, the SChannel CSP name on each key bag, missing ones "
          "listed, and script reads the folder",
          "[pfx][e2e][bulk]") {
    if (!have(kOpenssl)) {
        WARN("skipped: " << kOpenssl << " not found (package openssl)");
        return;
    }
    BulkLab b(source_path("templates/examples/enterprise.json"));  // 14 certificates
    REQUIRE(b.ids.size() >= 4);
    const std::string& as_ca = b.ids[0];      // <id>.pem + <id>.chain.pem, as ca sign --manifest writes them
    const std::string& bundle = b.ids[1];     // <id>.crt: leaf and intermediate in one PEM, as a public CA's "full chain"
    const std::string& der = b.ids[2];        // <id>.cer: the leaf alone, DER; its intermediate from --chain
    const std::string& missing = b.ids.back();  // not issued yet
    b.issue_as_ca_does(as_ca);
    const std::string bundle_leaf = b.lab.issue(bundle, "bundle-leaf.pem");
    write_bytes(b.issued + "/" + bundle + ".crt", read_file(bundle_leaf) + read_file(b.intermediate()));
    const std::string der_leaf = b.lab.issue(der, "der-leaf.pem");
    sh_ok(kOpenssl + " x509 -in " + shell_quote(der_leaf) + " -outform DER -out " + shell_quote(b.issued + "/" + der + ".cer"));
    for (std::size_t i = 3; i + 1 < b.ids.size(); ++i) b.issue_as_ca_does(b.ids[i]);
    write_bytes(b.issued + "/index.json", "{}\n");                              // ca sign --manifest's index: not a certificate name
    write_bytes(b.issued + "/stray.pem", read_file(b.lab.root()));             // named after no request

    const std::string out = b.lab.dir / "pfx";
    const auto r = b.pfx(out, {"--chain", b.lab.ca + "/chain.pem"});
    INFO(transcript({"pfx", "--requests", "--certs", "--out", out}, r));
    CHECK(r.exit_code == 1);  // one request has no certificate yet
    CHECK(contains(r.out, "no certificate yet for 1 request"));
    CHECK(contains(r.out, "  " + missing + "\n"));
    CHECK(contains(r.out, "note: stray.pem in " + b.issued + " is named after no request"));
    CHECK_FALSE(contains(r.out, "index.json"));
    CHECK(contains(r.out, std::to_string(b.ids.size() - 1) + " PFX files written to " + out));
    CHECK(count(r.out, "\"" + kSchannel + "\"") == b.ids.size() - 1);
    CHECK_FALSE(fs::exists(out + "/" + missing + ".pfx"));
    CHECK(mode_of(out) == 0700);

    std::map<std::string, std::string> leaves{{as_ca, b.issued + "/" + as_ca + ".pem"}, {bundle, bundle_leaf}, {der, der_leaf}};
    for (std::size_t i = 3; i + 1 < b.ids.size(); ++i) leaves[b.ids[i]] = b.issued + "/" + b.ids[i] + ".pem";
    for (const auto& [id, leaf] : leaves) {
        INFO(id);
        CHECK(contains(r.out, id));
        check_pfx(b, out + "/" + id + ".pfx", id, leaf, kSchannel);
    }
    CHECK(snapshot(out).size() == b.ids.size() - 1);  // the PFX files, no temporaries

    // script reads the folder as it is (lib/script: <pfx>/<id>.pfx).
    const std::vector<std::string> script{"script", b.lab.topology, "--pfx", out, "--out", b.lab.dir / "scripts", "--passphrase-file", b.pass_file};
    const auto s = run_guarded(script);
    INFO(transcript(script, s));
    CHECK(s.exit_code == 0);
    CHECK_FALSE(contains(s.err, "script.pfx"));
    std::string all_scripts;
    for (const auto& [path, text] : snapshot(b.lab.dir / "scripts")) all_scripts += text;
    for (const auto& [id, leaf] : leaves) CHECK(contains(all_scripts, id + ".pfx"));

    // The missing certificate arrives: the existing PFX files are not replaced
    // silently; --only builds the new one; --force replaces, keeping the old.
    const auto before = snapshot(out);
    b.issue_as_ca_does(missing);
    const auto again = b.pfx(out, {"--chain", b.lab.ca + "/chain.pem"});
    CHECK(again.exit_code == 2);
    CHECK(contains(again.err, "[output.exists]"));
    CHECK(contains(again.err, out + "/" + as_ca + ".pfx"));
    CHECK(snapshot(out) == before);
    const auto only = b.pfx(out, {"--chain", b.lab.ca + "/chain.pem", "--only", missing});
    CHECK(only.exit_code == 0);
    check_pfx(b, out + "/" + missing + ".pfx", missing, b.issued + "/" + missing + ".pem", kSchannel);
    const auto forced = b.pfx(out, {"--chain", b.lab.ca + "/chain.pem", "--only", as_ca, "--force"});
    CHECK(forced.exit_code == 0);
    CHECK(contains(forced.out, "kept the previous " + out + "/" + as_ca + ".pfx as " + out + "/" + as_ca + ".pfx.replaced-"));
    std::string kept;
    for (const auto& [path, text] : snapshot(out))
        if (contains(path, as_ca + ".pfx.replaced-")) kept = path;
    REQUIRE_FALSE(kept.empty());
    CHECK(read_file(kept) == before.at(out + "/" + as_ca + ".pfx"));
    CHECK(mode_of(kept) == 0600);
    CHECK(read_file(out + "/" + as_ca + ".pfx") != before.at(out + "/" + as_ca + ".pfx"));
    check_pfx(b, out + "/" + as_ca + ".pfx", as_ca, b.issued + "/" + as_ca + ".pem", kSchannel);
    b.no_password_in_output();
}

TEST_CASE("pfx bulk e2e: --no-csp omits the CSP name and --csp changes it, in both forms", "[pfx][e2e][bulk]") {
    if (!have(kOpenssl)) {
        WARN("skipped: " << kOpenssl << " not found (package openssl)");
        return;
    }
    BulkLab b;
    const std::string id = b.ids[0];
    b.issue_as_ca_does(id);
    const std::string enhanced = "Microsoft Enhanced RSA and AES Cryptographic Provider";

    const auto none = b.pfx(b.lab.dir / "none", {"--chain", b.lab.root(), "--no-csp"});
    CHECK(none.exit_code == 1);  // the other requests have no certificate
    CHECK(contains(none.out, id));
    check_pfx(b, b.lab.dir / ("none/" + id + ".pfx"), id, b.issued + "/" + id + ".pem", "");

    const auto named = b.pfx(b.lab.dir / "named", {"--chain", b.lab.root(), "--csp", enhanced});
    CHECK(named.exit_code == 1);
    CHECK(contains(named.out, "\"" + enhanced + "\""));
    check_pfx(b, b.lab.dir / ("named/" + id + ".pfx"), id, b.issued + "/" + id + ".pem", enhanced);

    const auto both = b.pfx(b.lab.dir / "both", {"--chain", b.lab.root(), "--csp", enhanced, "--no-csp"});
    CHECK(both.exit_code == 2);
    CHECK_FALSE(fs::exists(b.lab.dir / "both"));

    // The one-file form: the same default, the same options, and it says which.
    const auto one = [&](const std::string& out, const std::vector<std::string>& extra) {
        std::vector<std::string> args{"pfx", "--key", b.lab.key(id), "--cert", b.issued + "/" + id + ".chain.pem", "--chain",
                                      b.lab.root(), "--out", out, "--passphrase-file", b.pass_file, "--topology", b.lab.topology};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto r = run_guarded(args);
        INFO(transcript(args, r));
        CHECK(r.exit_code == 0);
        return r.out;
    };
    CHECK(contains(one(b.lab.dir / "one.pfx", {}), "key provider (Microsoft CSP Name): \"" + kSchannel + "\""));
    check_pfx(b, b.lab.dir / "one.pfx", id, b.issued + "/" + id + ".pem", kSchannel);
    CHECK(contains(one(b.lab.dir / "one-none.pfx", {"--no-csp"}), "key provider (Microsoft CSP Name): none"));
    check_pfx(b, b.lab.dir / "one-none.pfx", id, b.issued + "/" + id + ".pem", "");
    CHECK(contains(one(b.lab.dir / "one-named.pfx", {"--csp", enhanced}), "\"" + enhanced + "\""));
    check_pfx(b, b.lab.dir / "one-named.pfx", id, b.issued + "/" + id + ".pem", enhanced);
    b.no_password_in_output();
}

TEST_CASE("pfx bulk e2e: an ECDSA key gets no CSP name by default, and a CryptoAPI provider named for it is refused",
          "[pfx][e2e][bulk]") {
    if (!have(kOpenssl)) {
        WARN("skipped: " << kOpenssl << " not found (package openssl)");
        return;
    }
    certtool::test::TempDir topologies("certtool-pfx-ecdsa");
    auto doc = json::parse(read_file(source_path("templates/examples/edge-single-nat.json")));
    doc["policy"]["key_algorithm"] = "ECDSA";  // Lync Server 2013: the plan allows it (only 2015 cannot use CNG keys)
    BulkLab b(topologies.file("ecdsa.json", doc.dump(2)));
    const std::string id = b.ids[0];
    b.issue_as_ca_does(id);
    REQUIRE(contains(sh_ok(kOpenssl + " pkey -in " + shell_quote(b.lab.key(id)) + " -noout -text"), "NIST CURVE: P-256"));

    const auto r = b.pfx(b.lab.dir / "ec", {"--chain", b.lab.root(), "--only", id});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "note: " + id + ": ECDSA key: no CSP name written"));
    check_pfx(b, b.lab.dir / ("ec/" + id + ".pfx"), id, b.issued + "/" + id + ".pem", "");

    const auto refused = b.pfx(b.lab.dir / "ec-schannel", {"--chain", b.lab.root(), "--only", id, "--csp", kSchannel});
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "[pfx.csp-key]"));
    CHECK(contains(refused.err, b.lab.key(id)));
    CHECK_FALSE(fs::exists(b.lab.dir / "ec-schannel"));

    const std::string ksp = "Microsoft Software Key Storage Provider";
    const auto named = b.pfx(b.lab.dir / "ec-ksp", {"--chain", b.lab.root(), "--only", id, "--csp", ksp});
    CHECK(named.exit_code == 0);
    check_pfx(b, b.lab.dir / ("ec-ksp/" + id + ".pfx"), id, b.issued + "/" + id + ".pem", ksp);
}

TEST_CASE("pfx bulk e2e: mixed forms, a swapped certificate, another id's names, a foreign chain, two files for one id, no "
          "certificates, a bad manifest: exit 2 and nothing written",
          "[pfx][e2e][bulk]") {
    if (!have(kOpenssl)) {
        WARN("skipped: " << kOpenssl << " not found (package openssl)");
        return;
    }
    BulkLab b;
    const std::string a = b.ids[0];
    const std::string c = b.ids[1];
    const std::string out = b.lab.dir / "pfx";

    struct Case {
        std::string what, code, names;  // names: a text the error must hold (a file name)
        std::vector<std::string> extra;
    };
    const auto refused = [&](const Case& k) {
        INFO(k.what);
        const auto before = snapshot(b.lab.dir.path());
        const auto r = b.pfx(out, k.extra);
        INFO(transcript({"pfx", k.what}, r));
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "[" + k.code + "]"));
        if (!k.names.empty()) CHECK(contains(r.err, k.names));
        CHECK_FALSE(fs::exists(out));
        CHECK(snapshot(b.lab.dir.path()) == before);
    };

    refused({"no certificate at all", "pfx.no-certificates", b.issued, {}});
    refused({"both forms", "usage.pfx-form", "", {"--key", b.lab.key(a)}});
    refused({"--only an unknown id", "usage.unknown-certificate", "", {"--only", "no-such-id"}});
    {
        const auto r = run_guarded({"pfx", "--requests", b.lab.req, "--certs", b.issued, "--out", out, "--passphrase-file", b.pass_file});
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "[usage.pfx-form]"));
        CHECK(contains(r.err, "--topology"));
        const auto neither = run_guarded({"pfx", "--out", out, "--passphrase-file", b.pass_file});
        CHECK(neither.exit_code == 2);
        CHECK(contains(neither.err, "[usage.pfx-form]"));
    }

    // c's certificate where a's belongs: the key of a's request does not open it.
    write_bytes(b.issued + "/" + a + ".pem", read_file(b.lab.issue(c, "c.pem")));
    refused({"another request's certificate", "key.mismatch", b.lab.key(a), {}});
    CHECK(contains(b.runs.back().err, b.issued + "/" + a + ".pem"));

    // a's key with c's names (ca sign --accept-name-differences issues the plan names of --cert).
    const std::vector<std::string> sign{"ca", "sign", b.lab.ca, b.lab.csr(a), "--topology", b.lab.topology, "--cert", c,
                                        "--accept-name-differences", "--out", b.issued + "/" + a + ".pem"};
    fs::remove(b.issued + "/" + a + ".pem");
    fs::remove(b.issued + "/" + a + ".chain.pem");
    const auto signed_as_c = run_guarded(sign);
    INFO(transcript(sign, signed_as_c));
    REQUIRE(signed_as_c.exit_code == 0);
    refused({"a certificate with another id's names", "pfx.plan-mismatch", b.issued + "/" + a + ".pem", {}});

    // a's own certificate, with another CA's intermediate in its chain file.
    fs::remove(b.issued + "/" + a + ".pem");
    fs::remove(b.issued + "/" + a + ".chain.pem");
    b.issue_as_ca_does(a);
    const std::string other = b.lab.dir / "other-ca";
    REQUIRE(run_guarded({"ca", "init", other, "--intermediate", "--key-bits", "2048", "--name", "Fabrikam Lab CA"}).exit_code == 0);
    const std::string good_chain = read_file(b.issued + "/" + a + ".chain.pem");
    write_bytes(b.issued + "/" + a + ".chain.pem", read_file(b.issued + "/" + a + ".pem") + read_file(other + "/intermediate.pem"));
    refused({"another CA's intermediate in <id>.chain.pem", "pfx.chain", b.issued + "/" + a + ".chain.pem", {}});
    write_bytes(b.issued + "/" + a + ".chain.pem", good_chain);

    // Two certificate files for one id.
    sh_ok(kOpenssl + " x509 -in " + shell_quote(b.issued + "/" + a + ".pem") + " -outform DER -out " + shell_quote(b.issued + "/" + a + ".cer"));
    refused({"<id>.pem and <id>.cer", "pfx.ambiguous", b.issued + "/" + a + ".cer", {}});
    fs::remove(b.issued + "/" + a + ".cer");

    // A manifest that is not one.
    const std::string manifest = b.lab.req + "/manifest.json";
    const std::string good_manifest = read_file(manifest);
    write_bytes(manifest, "{\"schema\": \"certtool.csr-manifest/v1\", \"certificates\": [{\"id\": \"../escape\", \"key_file\": \"k\"}]}");
    refused({"an id that leaves its folder", "pfx.manifest", "/certificates/0/id", {}});
    write_bytes(manifest, "not json");
    refused({"a manifest that is not JSON", "pfx.manifest", manifest, {}});
    write_bytes(manifest, good_manifest);

    // And with all of that undone, it works.
    const auto r = b.pfx(out, {"--chain", b.lab.root(), "--only", a});
    INFO(transcript({"pfx", "--only", a}, r));
    CHECK(r.exit_code == 0);
    check_pfx(b, out + "/" + a + ".pfx", a, b.issued + "/" + a + ".pem", kSchannel);
    b.no_password_in_output();
}
