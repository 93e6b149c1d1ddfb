// certtool script, end to end: PFX files made by the test CA (in process) from
// certificates it issued for certtool's own requests, then the scripts the
// real binary writes from them.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "run_process.hpp"
#include "test_ca.hpp"

using namespace certtool::test;

namespace {

const std::string kTopology = source_path("templates/examples/edge-single-nat.json");
const std::string kExternal = "edge-external.lsedge-contoso-net";
const std::string kInternal = "edge-internal.lsedge-contoso-net";
const std::string kMember = "lsedge.contoso.net";
const std::string kSecret = "Pfx secret 7e1b";

// A test CA, certtool's requests for the single Edge, the certificates issued
// for them and PFX files of them (friendly name = id) in pfx/.
struct Lab {
    TempDir tmp{"certtool-script"};
    std::string dir = tmp.path();
    TestCa ca{tmp};
    Lab() {
        std::ofstream(dir + "/pass") << kSecret << "\n";
        std::ofstream(dir + "/wrong") << "not the passphrase\n";
        REQUIRE(run_in_process({"csr", kTopology, "--out", dir + "/req"}).exit_code == 0);
        REQUIRE(::mkdir((dir + "/pfx").c_str(), 0700) == 0);
        for (const auto& id : {kExternal, kInternal}) {
            issue(id, id, 365);
            export_pfx(id, id);
        }
    }
    void issue(const std::string& id, const std::string& name, int days) const {
        CertOptions o;
        o.days = days;
        (void)ca.issue(dir + "/req/" + id + ".csr", dir + "/req/" + id + ".key", name, o);
    }
    void export_pfx(const std::string& id, const std::string& file_id) const {
        (void)ca.pfx({dir + "/" + id + ".pem", dir + "/req/" + id + ".key"}, "pfx/" + file_id + ".pfx", kSecret, id);
    }
    // What Windows calls the thumbprint: the SHA-1 fingerprint in upper-case hex.
    std::string thumbprint(const std::string& name) const { return read_certificate(dir + "/" + name + ".pem").sha1; }
    std::time_t not_after(const std::string& name) const { return read_certificate(dir + "/" + name + ".pem").not_after; }
    std::vector<std::string> base(const std::string& out) const {
        return {"script", kTopology, "--pfx", dir + "/pfx", "--out", dir + "/" + out, "--passphrase-file", dir + "/pass"};
    }
};

std::string utc(std::time_t t) {
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return text;
}

// The files certtool wrote; a text file (.ps1, .txt) must start with a UTF-8
// byte order mark and end every line with CRLF, and is given back without them.
std::map<std::string, std::string> files_in(const std::string& dir) {
    std::map<std::string, std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        std::string bytes = read_file(e.path().string());
        const auto ext = e.path().extension().string();
        if (ext == ".ps1" || ext == ".txt") {
            INFO(name);
            CHECK(bytes.rfind("\xEF\xBB\xBF", 0) == 0);
            std::string text;
            for (std::size_t i = 3; i < bytes.size(); ++i) {
                if (bytes[i] == '\n') CHECK(bytes[i - 1] == '\r');
                if (bytes[i] == '\r') {
                    CHECK(i + 1 < bytes.size());
                    CHECK(bytes[i + 1] == '\n');
                    continue;
                }
                text += bytes[i];
            }
            bytes = text;
        }
        out[name] = bytes;
    }
    return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

}  // namespace

TEST_CASE("script e2e: scripts with the PFX thumbprints, A/V staged from a folder of current certificates", "[script][e2e]") {
    Lab lab;
    lab.issue(kExternal, "old-external", 30);  // the certificate deployed now
    REQUIRE(::mkdir((lab.dir + "/current").c_str(), 0700) == 0);
    std::filesystem::copy_file(lab.dir + "/old-external.pem", lab.dir + "/current/old-external.pem");
    std::filesystem::copy_file(lab.dir + "/" + kExternal + ".pem", lab.dir + "/current/new-one-too.pem");  // ignored: the new one

    const auto r = run_certtool(with(lab.base("out"), {"--current", lab.dir + "/current"}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);

    const auto files = files_in(lab.dir + "/out");
    std::vector<std::string> names;
    for (const auto& [name, content] : files) names.push_back(name);
    CHECK(names == std::vector<std::string>{"README.txt", kMember + ".cleanup.ps1", kMember + ".export.ps1", kMember + ".ps1"});

    const std::string external = lab.thumbprint(kExternal);
    const std::string internal = lab.thumbprint(kInternal);
    REQUIRE(external.size() == 40);
    const auto& script = files.at(kMember + ".ps1");
    CHECK(has(script, "$thumbprint = '" + external + "'\n"));
    CHECK(has(script, "Set-CsCertificate -Type 'AccessEdgeExternal','DataEdgeExternal' -Thumbprint '" + external + "' -Confirm:$false\n"));
    CHECK(has(script, "Set-CsCertificate -Type 'AudioVideoAuthentication' -Thumbprint '" + external +
                          "' -Roll -EffectiveDate $effective -Confirm:$false\n"));
    CHECK(has(script, "Set-CsCertificate -Type 'Internal' -Thumbprint '" + internal + "' -Confirm:$false\n"));
    const std::string effective = utc(lab.not_after("old-external") - 8 * 3600);
    CHECK(has(script, "[DateTime]::Parse('" + effective + "', [Globalization.CultureInfo]::InvariantCulture"));
    CHECK(has(script, "Import-PfxToMachineStore (Join-Path $scriptDir 'pfx\\" + kExternal + ".pfx') $thumbprint $pw $true\n"));
    CHECK(has(script, "Read-Host -AsSecureString"));
    CHECK(has(files.at(kMember + ".cleanup.ps1"), "Remove-CsCertificate -Type 'AudioVideoAuthentication' -Previous -Confirm:$false"));
    CHECK(has(files.at(kMember + ".cleanup.ps1"), "'" + utc(lab.not_after("old-external")) + "'"));

    // The table: member, id, thumbprint, usages, staged with the EffectiveDate; the files written.
    CHECK(has(r.out, kMember));
    CHECK(has(r.out, external + "  AudioVideoAuthentication"));
    CHECK(has(r.out, "staged, EffectiveDate " + effective));
    CHECK(has(r.out, lab.dir + "/out/" + kMember + ".ps1"));
    CHECK(has(r.out, lab.dir + "/out/README.txt"));

    // The passphrase is in no output and no file.
    CHECK_FALSE(has(r.out, kSecret));
    CHECK_FALSE(has(r.err, kSecret));
    for (const auto& [name, content] : files) {
        INFO(name);
        CHECK_FALSE(has(content, kSecret));
    }
}

TEST_CASE("script e2e: no current certificate: immediate, said so, passphrase from the environment", "[script][e2e]") {
    Lab lab;
    const auto r = run_certtool({"script", kTopology, "--pfx", lab.dir + "/pfx", "--out", lab.dir + "/out", "--passphrase-env",
                                 "CERTTOOL_TEST_PFX"},
                                {"CERTTOOL_TEST_PFX=" + kSecret});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto files = files_in(lab.dir + "/out");
    CHECK(files.size() == 3);  // the script, its export script and README.txt: no cleanup script
    CHECK(files.count(kMember + ".cleanup.ps1") == 0);
    CHECK(has(files.at(kMember + ".ps1"), "Set-CsCertificate -Type 'AccessEdgeExternal','DataEdgeExternal','AudioVideoAuthentication' -Thumbprint '" +
                                              lab.thumbprint(kExternal) + "' -Confirm:$false"));
    CHECK(has(r.out, "first deployment"));
    CHECK_FALSE(has(r.out + r.err, kSecret));
}

TEST_CASE("script e2e: a PFX that is skipped, and one that is not the plan's certificate", "[script][e2e]") {
    Lab lab;
    std::filesystem::remove(lab.dir + "/pfx/" + kInternal + ".pfx");
    auto r = run_in_process(lab.base("out"));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(has(r.out, "not scripted:\n  " + kInternal));
    CHECK_FALSE(has(read_file(lab.dir + "/out/" + kMember + ".ps1"), "-Type 'Internal'"));
    CHECK(has(read_file(lab.dir + "/out/README.txt"), kInternal));

    // The internal certificate's PFX under the external id.
    lab.export_pfx(kInternal, kExternal + "-tmp");
    std::filesystem::rename(lab.dir + "/pfx/" + kExternal + "-tmp.pfx", lab.dir + "/pfx/" + kExternal + ".pfx");
    r = run_in_process(lab.base("out2"));
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "script.pfx-mismatch"));
    CHECK(has(r.err, kExternal + ".pfx"));
    CHECK_FALSE(std::filesystem::exists(lab.dir + "/out2"));

    // A PFX with the certificate but not its key.
    (void)shell_ok("openssl pkcs12 -export -nokeys -name " + kExternal + " -in " + kExternal + ".pem -passout file:pass -out pfx/" +
                       kExternal + ".pfx",
                   lab.dir);
    r = run_in_process(lab.base("out3"));
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "script.pfx-no-key"));
    CHECK_FALSE(std::filesystem::exists(lab.dir + "/out3"));
}

TEST_CASE("script e2e: bad input is exit 2 and writes nothing", "[script][e2e]") {
    static Lab lab;  // one lab for every section: each section writes to its own folder
    SECTION("the wrong passphrase") {
        auto args = lab.base("out-wrong");
        args.back() = lab.dir + "/wrong";
        const auto r = run_in_process(args);
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "cert.pkcs12-password"));
        CHECK_FALSE(has(r.out + r.err, kSecret));
        CHECK_FALSE(std::filesystem::exists(lab.dir + "/out-wrong"));
    }
    SECTION("--lead-hours below the A/V minimum") {
        const auto r = run_in_process(with(lab.base("out-lead"), {"--lead-hours", "4"}));
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "usage.lead-hours"));
        CHECK_FALSE(std::filesystem::exists(lab.dir + "/out-lead"));
    }
    SECTION("an unreadable --current") {
        std::ofstream(lab.dir + "/audit.json") << "{ not json";
        auto r = run_in_process(with(lab.base("out-current"), {"--current", lab.dir + "/audit.json"}));
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "script.current-unreadable"));
        r = run_in_process(with(lab.base("out-current"), {"--current", lab.dir + "/missing.json"}));
        CHECK(r.exit_code == 2);
        CHECK_FALSE(std::filesystem::exists(lab.dir + "/out-current"));
    }
    SECTION("--immediate naming no staged certificate of the plan") {
        auto r = run_in_process(with(lab.base("out-immediate"), {"--immediate", "edge-av.nowhere"}));
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "usage.unknown-certificate"));
        r = run_in_process(with(lab.base("out-immediate"), {"--immediate", kInternal}));
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "usage.immediate"));
        CHECK_FALSE(std::filesystem::exists(lab.dir + "/out-immediate"));
    }
    SECTION("existing output: nothing changed") {
        REQUIRE(run_in_process(lab.base("out-existing")).exit_code == 0);
        std::ofstream(lab.dir + "/out-existing/" + kMember + ".ps1", std::ios::app) << "# edited by the admin\r\n";
        std::filesystem::remove(lab.dir + "/out-existing/README.txt");
        const auto before = files_in(lab.dir + "/out-existing");
        const auto r = run_in_process(lab.base("out-existing"));
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "output.exists"));
        CHECK(files_in(lab.dir + "/out-existing") == before);  // README.txt not written either
    }
}

TEST_CASE("script e2e: too late to stage is exit 1 with nothing written, --immediate forces it", "[script][e2e]") {
    Lab lab;
    const std::string soon = utc(std::time(nullptr) + 4 * 3600);  // the current certificate expires in 4 hours
    std::ofstream(lab.dir + "/audit.json")
        << R"({"schema": "certtool.audit/v1", "observations": [{"certificate_id": ")" << kExternal
        << R"(", "member": "lsedge.contoso.net", "obtained": true, "sha256": "00", "sans": [], "not_after_utc": ")" << soon
        << R"("}]})";
    auto r = run_in_process(with(lab.base("out"), {"--current", lab.dir + "/audit.json"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "too soon to stage"));
    CHECK(has(r.err, "--immediate " + kExternal));
    CHECK_FALSE(std::filesystem::exists(lab.dir + "/out"));

    r = run_in_process(with(lab.base("out"), {"--current", lab.dir + "/audit.json", "--immediate", kExternal}));
    CHECK(r.exit_code == 0);
    CHECK(has(read_file(lab.dir + "/out/" + kMember + ".ps1"), "as --immediate asks"));
}

TEST_CASE("script e2e: --ca writes certtool's CA certificates beside the scripts, which import them first", "[script][e2e]") {
    Lab lab;
    REQUIRE(run_in_process({"ca", "init", lab.dir + "/ca", "--intermediate", "--crl-url", "http://pki.contoso.net/crl.pem"})
                .exit_code == 0);
    const auto r = run_certtool(with(lab.base("out"), {"--ca", lab.dir + "/ca"}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto files = files_in(lab.dir + "/out");
    // The .cer files are the CA's certificates in DER, as Windows reads them.
    for (const auto& [cer, pem] : std::map<std::string, std::string>{{"ca-root.cer", "root.pem"}, {"ca-intermediate.cer", "intermediate.pem"}}) {
        INFO(cer);
        REQUIRE(files.count(cer) == 1);
        CHECK(files.at(cer) == shell_ok("openssl x509 -in ca/" + pem + " -outform DER", lab.dir));
        const std::string thumbprint = read_certificate(lab.dir + "/ca/" + pem).sha1;
        CHECK(has(files.at(kMember + ".ps1"), "Import-CaCertificate (Join-Path $scriptDir '" + cer + "') '" + thumbprint + "' '" +
                                                  (cer == "ca-root.cer" ? "Root" : "CA") + "'\n"));
    }
    // The PFX files here come from another test CA: said, not refused.
    CHECK(has(r.out, "not by the --ca issuing CA"));

    SECTION("a folder that is not certtool's CA: exit 2, nothing written") {
        std::filesystem::create_directories(lab.dir + "/not-ca");
        auto bad = run_in_process(with(lab.base("out-bad"), {"--ca", lab.dir + "/not-ca"}));
        CHECK(bad.exit_code == 2);
        CHECK(has(bad.err, "script.ca-folder"));
        CHECK(has(bad.err, "root.pem"));
        // A leaf as root.pem.
        std::filesystem::copy_file(lab.dir + "/" + kExternal + ".pem", lab.dir + "/not-ca/root.pem");
        bad = run_in_process(with(lab.base("out-bad"), {"--ca", lab.dir + "/not-ca"}));
        CHECK(bad.exit_code == 2);
        CHECK(has(bad.err, "is not a CA certificate"));
        // An intermediate another root issued.
        REQUIRE(run_in_process({"ca", "init", lab.dir + "/ca2", "--intermediate", "--name", "Other CA", "--crl-url",
                                "http://pki.contoso.net/crl2.pem"})
                    .exit_code == 0);
        std::filesystem::remove(lab.dir + "/not-ca/root.pem");
        std::filesystem::copy_file(lab.dir + "/ca/root.pem", lab.dir + "/not-ca/root.pem");
        std::filesystem::copy_file(lab.dir + "/ca2/intermediate.pem", lab.dir + "/not-ca/intermediate.pem");
        bad = run_in_process(with(lab.base("out-bad"), {"--ca", lab.dir + "/not-ca"}));
        CHECK(bad.exit_code == 2);
        CHECK(has(bad.err, "was not issued by root.pem"));
        CHECK_FALSE(std::filesystem::exists(lab.dir + "/out-bad"));
    }
}

TEST_CASE("script e2e: --restart-services warns that signed-in users reconnect", "[script][e2e]") {
    Lab lab;
    const auto r = run_certtool(with(lab.base("out"), {"--restart-services"}));
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(has(r.err, "certtool: warning: --restart-services: the scripts of 1 member (lsedge.contoso.net) stop and start the "
                     "services after assigning: signed-in users are disconnected and reconnect."));
    const auto files = files_in(lab.dir + "/out");
    CHECK(has(files.at(kMember + ".ps1"), "\n    Stop-CsWindowsService\n"));
    CHECK(has(files.at("README.txt"), "WARNING (--restart-services)"));

    // Without it: nothing stops, the rules' advice is said.
    const auto plain = run_certtool(lab.base("out-plain"));
    CHECK_FALSE(has(plain.err, "--restart-services"));
    CHECK(has(plain.out, "lsedge.contoso.net: the rules (3.7) ask for the services to be restarted after AccessEdgeExternal"));
    CHECK_FALSE(has(files_in(lab.dir + "/out-plain").at(kMember + ".ps1"), "    Stop-CsWindowsService\n"));
}

TEST_CASE("script e2e: --export-only needs no PFX; --pfx is needed otherwise", "[script][e2e]") {
    Lab lab;
    auto r = run_certtool({"script", kTopology, "--export-only", "--out", lab.dir + "/export-scripts"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const auto files = files_in(lab.dir + "/export-scripts");
    std::vector<std::string> names;
    for (const auto& [name, content] : files) names.push_back(name);
    CHECK(names == std::vector<std::string>{"README.txt", kMember + ".export.ps1"});
    CHECK(has(r.out, "certtool audit " + kTopology + " --files <folder>"));

    r = run_in_process({"script", kTopology, "--out", lab.dir + "/none"});
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "usage.script-pfx"));
    r = run_in_process({"script", kTopology, "--export-only", "--pfx", lab.dir + "/pfx", "--out", lab.dir + "/none"});
    CHECK(r.exit_code == 2);
    r = run_in_process({"script", kTopology, "--export-only", "--restart-services", "--out", lab.dir + "/none"});
    CHECK(r.exit_code == 2);
    CHECK_FALSE(std::filesystem::exists(lab.dir + "/none"));
}

TEST_CASE("script e2e: what an export script writes is what audit --files and script --current read", "[script][e2e]") {
    Lab lab;
    // The file <member>.export.ps1 writes for the certificate in use (an older one of the external
    // certificate): a few lines of text, then the PEM with 64-character lines, CRLF, in
    // export\<member>\<thumbprint>.pem.
    lab.issue(kExternal, "old-external", 30);
    const std::string thumbprint = lab.thumbprint("old-external");
    const std::string base64 = shell_ok("openssl x509 -in old-external.pem -outform DER | openssl base64 -A", lab.dir);
    REQUIRE(base64.size() > 100);
    std::string pem = "Exported by lsedge.contoso.net.export.ps1 from LSEDGE at 2026-12-01T10:00:00Z\r\nThumbprint: " + thumbprint +
                      "\r\nSubject: CN=access.contoso.com\r\nNotAfter: 2027-12-01T10:00:00Z\r\n"
                      "Usages: AccessEdgeExternal, AudioVideoAuthentication, DataEdgeExternal\r\n-----BEGIN CERTIFICATE-----\r\n";
    for (std::size_t i = 0; i < base64.size(); i += 64) pem += base64.substr(i, 64) + "\r\n";
    pem += "-----END CERTIFICATE-----\r\n";
    std::filesystem::create_directories(lab.dir + "/export/" + kMember);
    std::ofstream(lab.dir + "/export/" + kMember + "/" + thumbprint + ".pem", std::ios::binary) << pem;

    const auto audit = run_certtool({"audit", kTopology, "--files", lab.dir + "/export", "--format", "json", "--no-chain"});
    INFO(audit.out << audit.err);
    const auto report = nlohmann::json::parse(audit.out);
    bool seen = false;
    for (const auto& o : report["observations"])
        if (o["certificate_id"] == kExternal && o["member"] == kMember) {
            std::string seen_thumbprint = o["thumbprint"];  // lower case in the report
            for (auto& c : seen_thumbprint) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            seen = seen_thumbprint == thumbprint;
        }
    CHECK(seen);
    for (const auto& f : report["findings"]) {
        CHECK(f["code"] != "cert.unreadable");
        CHECK(f["code"] != "files.unmatched");
    }

    // And as --current: the certificate in use expires, so the new one's A/V usage is staged before that.
    const auto r = run_certtool(with(lab.base("out"), {"--current", lab.dir + "/export"}));
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(has(r.out, "staged, EffectiveDate " + utc(lab.not_after("old-external") - 8 * 3600)));
}
