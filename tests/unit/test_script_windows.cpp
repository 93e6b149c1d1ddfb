// certtool script, the Windows side (issue 13): files Windows PowerShell 2.0
// to 5.1 read as written (CRLF, UTF-8 with a byte order mark), nothing newer
// than PowerShell 2.0, certtool's CA imported first, the service restart, the
// reverse proxy's own wording, the export scripts; and the golden files, one
// set per product and Windows Server a topology can imply.
//
// Goldens: tests/golden/script/<product>-<windows>[-<variant>]/ hold the names
// of the files windows_files gives (files.txt; .cer files left out) and the
// bytes, as certtool writes them, of README.txt and one member per role.
// After an intended change of the scripts, regenerate them with
//   CERTTOOL_UPDATE_GOLDEN=1 build/tests/certtool_unit_tests "[golden]"
// and review the diff (git diff --stat tests/golden/script; git diff -a shows CRLF
// lines). tests/tools/ps-parse (ctest "ps-parse") parses every golden script; the
// rollout test parses every script of every member.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "plan_date.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"
#include "script/script.hpp"
#include "topology/topology.hpp"

namespace {

namespace script = certtool::script;
namespace model = certtool::model;
using certtool::TimePoint;

TimePoint utc(const std::string& text) {
    const auto t = certtool::parse_utc(text);
    REQUIRE(t);
    return *t;
}

model::Plan example_as(const std::string& name, const std::string& product, const std::string& windows_server) {
    std::ifstream in(std::string(CERTTOOL_SOURCE_DIR) + "/templates/examples/" + name + ".json");
    auto doc = nlohmann::ordered_json::parse(in);
    doc["product"] = product;
    if (!windows_server.empty()) doc["windows_server"] = windows_server;
    else doc.erase("windows_server");
    return model::build_plan(certtool::topology::parse(doc.dump(), name + ".json"), {name + ".json", ""}, certtool::test::plan_date());
}

std::string thumbprint_for(std::size_t index) {
    const std::string n = std::to_string(index % 100);
    return std::string(2 - n.size(), '0') + n + "CD" + std::string(36 - n.size(), '0') + n;
}

std::map<std::string, script::NewCertificate> all_pfx(const model::Plan& plan) {
    std::map<std::string, script::NewCertificate> out;
    for (std::size_t i = 0; i < plan.certificates.size(); ++i)
        out[plan.certificates[i].id] = {thumbprint_for(i), utc("2026-11-01T00:00:00Z"), utc("2027-11-01T00:00:00Z"),
                                        "Contoso Issuing CA"};
    return out;
}

// certtool's CA as --ca reads it; the DER is a stand-in (the scripts only name the files).
std::vector<script::CaCertificate> lab_ca() {
    return {{"ca-root.cer", "1111111111111111111111111111111111111111", "Contoso Root CA", true, "root-der"},
            {"ca-intermediate.cer", "2222222222222222222222222222222222222222", "Contoso Issuing CA", false, "intermediate-der"}};
}

// The representative run: the enterprise example (Edge pool, Directors, Front Ends,
// reverse proxy, OAuth), A/V and OAuth staged, the others immediate, certtool's CA.
script::Result enterprise_run(const model::Plan& plan, bool restart) {
    std::map<std::string, script::CurrentCertificate> current;
    current["edge-av.lsedge-contoso-net"] = {utc("2026-12-01T10:00:00Z"), "AA00000000000000000000000000000000000001",
                                             "audit.json: edge01.contoso.net"};
    current["oauth.global"] = {utc("2026-12-10T12:00:00Z"), "", "audit.json: fe01.contoso.net"};
    script::Options o;
    o.at = utc("2026-11-20T00:00:00Z");
    o.topology = "enterprise.json";
    o.ca = lab_ca();
    o.restart_services = restart;
    return script::generate(plan, all_pfx(plan), current, o);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + part.size())) ++n;
    return n;
}

bool is_script(const std::string& name) { return name.size() > 4 && name.substr(name.size() - 4) == ".ps1"; }

struct Platform {
    std::string product, windows;  // the topology's tokens; "" = the product's oldest
    std::string golden;            // folder under tests/golden/script
    bool requires_line;            // #Requires -RunAsAdministrator (Windows PowerShell 4.0 and later)
};

// Every product with the Windows Server versions the topology can imply for it,
// at least: Lync 2013 on 2008 R2 (its default) and 2012 R2, Skype for Business
// Server 2015 on 2012 R2, 2019 on 2019, Subscription Edition on 2022.
const std::vector<Platform> kPlatforms{
    {"lync2013", "", "lync2013-2008r2", false},      {"lync2013", "2012r2", "lync2013-2012r2", true},
    {"skype2015", "2012r2", "skype2015-2012r2", true}, {"skype2019", "2019", "skype2019-2019", true},
    {"skypese", "2022", "skypese-2022", true},
};

}  // namespace

TEST_CASE("script windows: text files are written with CRLF and a UTF-8 byte order mark, .cer files as they are",
          "[script][windows]") {
    const auto out = script::windows_files({{"a.ps1", "one\ntwo \xC3\xA9\n"}, {"README.txt", "x\n\ny"}, {"ca-root.cer", "\x30\n\x0a"}});
    CHECK(out.at("a.ps1") == "\xEF\xBB\xBFone\r\ntwo \xC3\xA9\r\n");
    CHECK(out.at("README.txt") == "\xEF\xBB\xBFx\r\n\r\ny");
    CHECK(out.at("ca-root.cer") == "\x30\n\x0a");  // DER bytes untouched
    // A carriage return in rendered text is a bug (it would double up): refused, not written.
    CHECK_THROWS_AS(script::windows_files({{"b.ps1", "one\r\n"}}), std::logic_error);

    const auto plan = example_as("enterprise", "lync2013", "");
    const auto files = script::windows_files(enterprise_run(plan, false).files);
    for (const auto& [name, bytes] : files) {
        if (name.ends_with(".cer")) continue;
        INFO(name);
        CHECK(bytes.rfind("\xEF\xBB\xBF", 0) == 0);
        CHECK(count(bytes, "\n") == count(bytes, "\r\n"));
        CHECK(count(bytes, "\r") == count(bytes, "\r\n"));
    }
}

TEST_CASE("script windows: every script is Windows PowerShell 2.0, on every product and Windows Server", "[script][windows]") {
    // PowerShell 3.0 and later: $PSScriptRoot, [ordered], [pscustomobject], ::new(), -in/-notin,
    // .ForEach()/.Where(); Import-PfxCertificate needs Windows Server 2012 (PKI-2012); #Requires
    // -RunAsAdministrator needs 4.0 (REQUIRES).
    const std::vector<std::string> newer{"$PSScriptRoot", "$PSCommandPath", "Import-PfxCertificate -", "[ordered]",
                                         "[pscustomobject]", "[PSCustomObject]", "::new(", " -in ", " -notin ",
                                         ".ForEach(", ".Where(", "-shl", "-shr", "using namespace", "\nclass ", "\nenum "};
    for (const auto& p : kPlatforms) {
        for (const bool restart : {false, true}) {
            INFO(p.golden << (restart ? " --restart-services" : ""));
            const auto plan = example_as("enterprise", p.product, p.windows);
            const auto result = enterprise_run(plan, restart);
            REQUIRE(result.problems.empty());
            for (const auto& [name, text] : result.files) {
                if (!is_script(name)) continue;
                INFO(name);
                for (const auto& construct : newer) CHECK_FALSE(has(text, construct));
                CHECK(has(text, "#Requires -RunAsAdministrator") == p.requires_line);
                CHECK(has(text, "[Security.Principal.WindowsBuiltInRole]::Administrator") == !p.requires_line);
                CHECK(has(text, "Set-StrictMode -Version Latest\n"));
                // The passphrase: a SecureString from Read-Host or -PfxPassword, given to .NET as one;
                // never turned into text, never on a command line (certutil -p).
                for (const auto* leak : {"ConvertFrom-SecureString", "-AsPlainText", "PtrToString", "SecureStringToBSTR",
                                         "certutil", "GetNetworkCredential"})
                    CHECK_FALSE(has(text, leak));
                if (name.ends_with(".export.ps1") || name.ends_with(".cleanup.ps1")) {
                    CHECK_FALSE(has(text, "$pw"));
                    continue;
                }
                CHECK(has(text, "$scriptDir = Split-Path -Parent $MyInvocation.MyCommand.Definition\n"));
                CHECK(has(text, "[Security.SecureString]$PfxPassword,"));
                CHECK(has(text, "$pw = Read-Host -AsSecureString -Prompt 'Passphrase of the PFX files'"));
                CHECK(has(text, "New-Object Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList $Path, $Password, $storage\n"));
                CHECK(has(text, "$flags = 'MachineKeySet, PersistKeySet'\n"));
                CHECK(has(text, "New-Object Security.Cryptography.X509Certificates.X509Store -ArgumentList 'My', 'LocalMachine'\n"));
            }
        }
    }
}

TEST_CASE("script windows: Exportable only where the plan says the key is exportable", "[script][windows]") {
    const auto plan = example_as("enterprise", "lync2013", "");
    const auto result = enterprise_run(plan, false);
    for (const auto& inst : result.installations) {
        INFO(inst.member << " " << inst.certificate_id);
        const auto& text = result.files.at(inst.member + ".ps1");
        CHECK(has(text, "Import-PfxToMachineStore (Join-Path $scriptDir 'pfx\\" + inst.certificate_id + ".pfx') $thumbprint $pw $" +
                            (plan.find(inst.certificate_id)->exportable_key ? "true" : "false") + "\n"));
    }
    const auto& fe = result.files.at("fe02.contoso.net.ps1");
    CHECK(has(fe, "$pw $false\n"));  // Front End Default/web: not exportable (C6)
    CHECK(has(fe, "if ($Exportable) { $flags += ', Exportable' }"));
}

TEST_CASE("script windows: --ca imports the root into Root and the intermediate into CA, once, before the certificates",
          "[script][windows]") {
    const auto plan = example_as("enterprise", "lync2013", "");
    const auto result = enterprise_run(plan, false);
    CHECK(result.files.at("ca-root.cer") == "root-der");
    CHECK(result.files.at("ca-intermediate.cer") == "intermediate-der");
    for (const auto& member : result.members()) {
        INFO(member);
        const auto& text = result.files.at(member + ".ps1");
        const auto root = text.find("Import-CaCertificate (Join-Path $scriptDir 'ca-root.cer') "
                                    "'1111111111111111111111111111111111111111' 'Root'\n");
        const auto intermediate = text.find("Import-CaCertificate (Join-Path $scriptDir 'ca-intermediate.cer') "
                                            "'2222222222222222222222222222222222222222' 'CA'\n");
        REQUIRE(root != std::string::npos);
        REQUIRE(intermediate != std::string::npos);
        CHECK(root < intermediate);
        CHECK(intermediate < text.find("Import-PfxToMachineStore (Join-Path"));
        // Idempotent: a thumbprint already in the store is left alone.
        CHECK(has(text, "FindByThumbprint, $Thumbprint, $false).Count -gt 0) {\n            return 'already there'"));
        CHECK(has(text, "#   ca-root.cer\n#   ca-intermediate.cer\n"));
    }
    CHECK(has(result.files.at("README.txt"), "ca-root.cer, ca-intermediate.cer beside the script"));

    // Without --ca: no CA step, no .cer file.
    script::Options o;
    o.at = utc("2026-11-20T00:00:00Z");
    o.topology = "enterprise.json";
    const auto plain = script::generate(plan, all_pfx(plan), {}, o);
    CHECK(plain.files.count("ca-root.cer") == 0);
    CHECK_FALSE(has(plain.files.at("fe01.contoso.net.ps1"), "Import-CaCertificate"));
    // A certificate another CA issued is said, not refused.
    o.ca = lab_ca();
    auto pfx = all_pfx(plan);
    pfx.at("reverse-proxy.rp01").issuer = "Public CA G2";
    const auto mixed = script::generate(plan, pfx, {}, o);
    CHECK(std::any_of(mixed.notes.begin(), mixed.notes.end(), [](const std::string& n) {
        return has(n, "reverse-proxy.rp01: its certificate was issued by CN=Public CA G2, not by the --ca issuing CA CN=Contoso Issuing CA");
    }));
}

TEST_CASE("script windows: --restart-services stops and starts the services after immediate assignments, with a warning",
          "[script][windows]") {
    const auto plan = example_as("enterprise", "skype2015", "2012r2");
    const auto without = enterprise_run(plan, false);
    const auto with = enterprise_run(plan, true);
    CHECK(without.restarted.empty());
    // Every Lync member with an immediate assignment; not the reverse proxy.
    CHECK(with.restarted == std::vector<std::string>{"edge01.contoso.net", "edge02.contoso.net", "dir01.contoso.net",
                                                     "dir02.contoso.net", "fe01.contoso.net", "fe02.contoso.net",
                                                     "fe03.contoso.net"});
    for (const auto& member : with.restarted) {
        INFO(member);
        const auto& text = with.files.at(member + ".ps1");
        CHECK(count(text, "\n    Stop-CsWindowsService\n") == 1);
        CHECK(count(text, "\n    Start-CsWindowsService\n") == 1);
        CHECK(text.rfind("Set-CsCertificate -") < text.find("Stop-CsWindowsService\n"));
        CHECK(text.find("Stop-CsWindowsService\n") < text.find("Start-CsWindowsService\n"));
        CHECK(has(text, "Write-Warning 'stopping the Skype for Business Server services on this server: signed-in users are "
                        "disconnected and reconnect when they run again'"));
        CHECK(has(text, "# With --restart-services: after assigning, it stops and starts the Skype for Business Server services"));
        CHECK_FALSE(has(without.files.at(member + ".ps1"), "    Stop-CsWindowsService\n"));
    }
    CHECK_FALSE(has(with.files.at("rp01.contoso.com.ps1"), "CsWindowsService"));
    CHECK(has(with.files.at("README.txt"), "WARNING (--restart-services)"));

    // Without the option, the rules' advice (3.7: after AccessEdgeExternal) on the Edge, nowhere else.
    CHECK(has(without.files.at("edge01.contoso.net.ps1"),
              "Write-Host 'Restart the Skype for Business Server services on this server now, so that they use the new "
              "AccessEdgeExternal certificate (rules 3.7): Stop-CsWindowsService, then Start-CsWindowsService. Signed-in users "
              "are disconnected and reconnect.' -ForegroundColor Yellow\n"));
    CHECK_FALSE(has(without.files.at("fe01.contoso.net.ps1"), "Restart the"));
    CHECK(std::count_if(without.notes.begin(), without.notes.end(),
                        [](const std::string& n) { return has(n, "ask for the services to be restarted"); }) == 2);

    // A member whose only assignment is staged (-Roll takes over by itself): no restart.
    script::Options o;
    o.at = utc("2026-11-20T00:00:00Z");
    o.restart_services = true;
    auto only_av = plan;
    std::erase_if(only_av.certificates, [](const model::CertificateRequirement& c) { return c.id != "edge-av.lsedge-contoso-net"; });
    std::map<std::string, script::CurrentCertificate> current;
    current["edge-av.lsedge-contoso-net"] = {utc("2026-12-01T10:00:00Z"), "", "old"};
    const auto staged = script::generate(only_av, all_pfx(only_av), current, o);
    CHECK(staged.restarted.empty());
    CHECK_FALSE(has(staged.files.at("edge01.contoso.net.ps1"), "CsWindowsService"));
}

TEST_CASE("script windows: the reverse proxy script speaks of the proxy and IIS ARR, not of the Lync shell", "[script][windows]") {
    for (const auto& p : kPlatforms) {
        INFO(p.golden);
        const auto plan = example_as("enterprise", p.product, p.windows);
        const auto result = enterprise_run(plan, false);
        const auto& rp = result.files.at("rp01.contoso.com.ps1");
        const std::string product_shell(plan.platform.product_facts().shell);
        CHECK_FALSE(has(rp, "Management Shell"));
        CHECK_FALSE(has(rp, "Import-Module"));
        CHECK_FALSE(has(rp, "Set-CsCertificate -"));
        CHECK_FALSE(has(rp, "Get-CsCertificate"));
        CHECK(has(rp, "imports the reverse proxy certificates of rp01.contoso.com (bind them in the proxy)."));
        CHECK(has(rp, "in an elevated Windows PowerShell, from a folder"));
        CHECK(has(rp, "# - IIS Application Request Routing (ARR)"));
        CHECK(has(rp, "netsh http update sslcert ipport=0.0.0.0:443 certhash="));
        CHECK(has(rp, "Write-Host 'Next, by hand: bind this certificate to the reverse proxy''s HTTPS listener on port 443.'"));
        CHECK(has(rp, "Import-PfxToMachineStore (Join-Path $scriptDir 'pfx\\reverse-proxy.rp01.pfx')"));
        CHECK(has(rp, "'import ca-root.cer (Contoso Root CA) into Cert:\\LocalMachine\\Root'"));  // rules 4 "Trust"
        if (!p.requires_line) {
            // PS-REQ, L-SW: a Lync server has the 3.0 the product requires; the proxy only what Windows ships.
            CHECK(has(rp, "# On Windows Server 2008 R2 with Windows PowerShell 2.0, #Requires cannot demand elevation"));
            CHECK(has(result.files.at("fe01.contoso.net.ps1"),
                      "# On Windows Server 2008 R2 with Windows PowerShell 3.0, #Requires cannot demand elevation"));
        }
        const auto& rp_export = result.files.at("rp01.contoso.com.export.ps1");
        CHECK_FALSE(has(rp_export, "Management Shell"));
        CHECK_FALSE(has(rp_export, "Get-CsCertificate"));
    }
}

TEST_CASE("script windows: README.txt speaks of the reverse proxy only where there is one", "[script][windows]") {
    const auto with_proxy = enterprise_run(example_as("enterprise", "lync2013", ""), false);
    CHECK(has(with_proxy.files.at("README.txt"), "The reverse proxy's script only\nimports"));
    const auto edge = example_as("edge-single-nat", "lync2013", "");
    script::Options o;
    o.at = utc("2026-11-20T00:00:00Z");
    const auto result = script::generate(edge, all_pfx(edge), {}, o);
    REQUIRE(result.problems.empty());
    CHECK_FALSE(has(result.files.at("README.txt"), "reverse proxy"));
}

TEST_CASE("script windows: export scripts write each member's certificates in the audit --files layout, never a key",
          "[script][windows]") {
    const auto plan = example_as("enterprise", "lync2013", "");
    const auto result = enterprise_run(plan, false);
    std::set<std::string> members;
    for (const auto& c : plan.certificates) members.insert(c.install_on.begin(), c.install_on.end());
    for (const auto& member : members) {
        INFO(member);
        REQUIRE(result.files.count(member + ".export.ps1") == 1);
        const auto& text = result.files.at(member + ".export.ps1");
        CHECK(has(text, "$member = '" + member + "'\n"));
        CHECK(has(text, "    $folder = Join-Path $OutDir $member\n"));
        CHECK(has(text, "$file = Join-Path $folder ($certificate.Thumbprint + '.pem')"));
        CHECK(has(text, "$text += ConvertTo-Pem $certificate.RawData\n"));
        CHECK(has(text, "$text += 'Usages: ' + $usageText + \"`r`n\"\n"));
        CHECK(has(text, "[IO.File]::WriteAllText($file, $text, $utf8)"));
        for (const auto* key : {"PrivateKey", ".Export(", "Export-PfxCertificate", "-----BEGIN PRIVATE", "Exportable"})
            CHECK_FALSE(has(text, key));
        const bool proxy = member == "rp01.contoso.com";
        CHECK(has(text, "foreach ($assigned in @(Get-CsCertificate)) {") == !proxy);
        CHECK(has(text, "$usages[$thumbprint] += [string]$assigned.Use") == !proxy);
        CHECK(has(text, "    $planned = @('webext.contoso.com')\n") == proxy);
    }
    CHECK(has(result.files.at("README.txt"), "    certtool audit enterprise.json --files export\n"));

    // --export-only: the export scripts and README.txt, from the plan alone.
    script::Options o;
    o.at = utc("2026-11-20T00:00:00Z");
    o.topology = "enterprise.json";
    o.export_only = true;
    const auto files = script::render_export_scripts(plan, o);
    CHECK(files.size() == members.size() + 1);
    CHECK(files.at("fe01.contoso.net.export.ps1") == result.files.at("fe01.contoso.net.export.ps1"));
    CHECK(has(files.at("README.txt"), "Certificate export scripts for Lync Server 2013"));
    CHECK_FALSE(has(files.at("README.txt"), "What to copy where"));
}

namespace {

const std::filesystem::path kGoldenRoot = std::filesystem::path(CERTTOOL_SOURCE_DIR) / "tests/golden/script";

std::string read_bytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// The version is not part of a golden: "certtool 0.1.0 from" is stored as "certtool VERSION from".
std::string without_version(std::string text) {
    const std::string from = std::string("certtool ") + CERTTOOL_VERSION + " from", to = "certtool VERSION from";
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) text.replace(pos, from.size(), to);
    return text;
}

// The golden holds every file's name (files.txt) and the bytes of README.txt
// and of one member per role (the first Director, Edge and Front End server and
// the reverse proxy): the other members' scripts are the same text for other
// names, and ps-parse and the rollout test read them all.
const std::set<std::string> kGoldenMembers{"dir01.contoso.net", "edge01.contoso.net", "fe01.contoso.net", "rp01.contoso.com"};

bool golden_keeps_bytes(const std::string& name) {
    if (name == "README.txt") return true;
    for (const auto& member : kGoldenMembers)
        if (name.rfind(member + ".", 0) == 0) return true;
    return false;
}

void compare_with_golden(const std::string& folder, const std::map<std::string, std::string>& files) {
    const auto dir = kGoldenRoot / folder;
    std::map<std::string, std::string> expected;
    std::string listing;
    for (const auto& [name, bytes] : script::windows_files(files)) {
        if (name.ends_with(".cer")) continue;
        listing += name + "\n";
        if (golden_keeps_bytes(name)) expected[name] = without_version(bytes);
    }
    expected["files.txt"] = listing;
    if (std::getenv("CERTTOOL_UPDATE_GOLDEN") != nullptr) {
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        for (const auto& [name, bytes] : expected) std::ofstream(dir / name, std::ios::binary) << bytes;
    }
    std::set<std::string> on_disk;
    for (const auto& e : std::filesystem::directory_iterator(dir)) on_disk.insert(e.path().filename().string());
    std::set<std::string> names;
    for (const auto& [name, bytes] : expected) names.insert(name);
    CHECK(on_disk == names);
    for (const auto& [name, bytes] : expected) {
        INFO(folder << "/" << name << ": differs from the golden (regenerate: CERTTOOL_UPDATE_GOLDEN=1 certtool_unit_tests \"[golden]\")");
        CHECK(read_bytes(dir / name) == bytes);
    }
}

}  // namespace

TEST_CASE("script windows: golden files for each product and Windows Server", "[script][windows][golden]") {
    for (const auto& p : kPlatforms) {
        INFO(p.golden);
        const auto plan = example_as("enterprise", p.product, p.windows);
        const auto result = enterprise_run(plan, false);
        REQUIRE(result.problems.empty());
        compare_with_golden(p.golden, result.files);
    }
    // The option that changes the member scripts, on the oldest platform. (--export-only writes the
    // export scripts of the sets above, and a README.txt the test of export scripts checks.)
    compare_with_golden("lync2013-2008r2-restart-services", enterprise_run(example_as("enterprise", "lync2013", ""), true).files);
}
