// certtool script at the library level: which member gets which PowerShell,
// the exact Set-CsCertificate lines, -Roll staging (rules 3.3) and quoting.
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "plan_date.hpp"
#include "core/diagnostic.hpp"
#include "core/time.hpp"
#include "model/plan.hpp"
#include "script/script.hpp"
#include "topology/topology.hpp"

namespace {

using certtool::parse_utc;
using certtool::TimePoint;
namespace script = certtool::script;
namespace model = certtool::model;

model::Plan example_plan(const std::string& name) {
    const auto loaded = certtool::topology::load_file(std::string(CERTTOOL_SOURCE_DIR) + "/templates/examples/" + name + ".json");
    return model::build_plan(loaded.topology, loaded.source, certtool::test::plan_date());
}

// An example topology as another product (and, if given, another oldest Windows Server).
model::Plan example_plan_as(const std::string& name, const std::string& product, const std::string& windows_server = "") {
    std::ifstream in(std::string(CERTTOOL_SOURCE_DIR) + "/templates/examples/" + name + ".json");
    auto doc = nlohmann::ordered_json::parse(in);
    doc["product"] = product;
    if (!windows_server.empty()) doc["windows_server"] = windows_server;
    const auto topology = certtool::topology::parse(doc.dump(), name + ".json");
    return model::build_plan(topology, {name + ".json", ""}, certtool::test::plan_date());
}

TimePoint utc(const std::string& text) {
    const auto t = parse_utc(text);
    REQUIRE(t);
    return *t;
}

// A made-up, distinct thumbprint per certificate: 40 upper-case hex digits.
std::string thumbprint_for(std::size_t index) {
    const std::string n = std::to_string(index % 100);
    return std::string(2 - n.size(), '0') + n + "AB" + std::string(36 - n.size(), '0') + n;
}

std::map<std::string, script::NewCertificate> all_pfx(const model::Plan& plan) {
    std::map<std::string, script::NewCertificate> out;
    for (std::size_t i = 0; i < plan.certificates.size(); ++i)
        out[plan.certificates[i].id] = {thumbprint_for(i), utc("2026-11-01T00:00:00Z"), utc("2027-11-01T00:00:00Z"), "Contoso Issuing CA"};
    return out;
}

std::string thumb(const std::map<std::string, script::NewCertificate>& pfx, const std::string& id) { return pfx.at(id).thumbprint; }

script::Options options_at(const std::string& at) {
    script::Options o;
    o.at = utc(at);
    o.topology = "enterprise.json";
    return o;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (auto pos = text.find(part); pos != std::string::npos; pos = text.find(part, pos + part.size())) ++n;
    return n;
}

std::string error_code(const std::function<void()>& action) {
    try {
        action();
    } catch (const certtool::InputError& e) {
        return e.diagnostics().front().code;
    }
    return "(no error)";
}

const std::string kAv = "edge-av.lsedge-contoso-net";
const std::string kExternal = "edge-external.lsedge-contoso-net";
const std::string kInternal = "edge-internal.lsedge-contoso-net";
const std::string kOAuth = "oauth.global";
const std::string kFe01 = "front-end.pool01-contoso-net.fe01-contoso-net";

std::string parse_line(const std::string& iso) {
    return "[DateTime]::Parse('" + iso +
           "', [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::AdjustToUniversal).ToLocalTime()";
}

}  // namespace

TEST_CASE("script: enterprise example: one script per member, staged A/V and OAuth, cleanup scripts", "[script]") {
    const auto plan = example_plan("enterprise");
    const auto pfx = all_pfx(plan);
    std::map<std::string, script::CurrentCertificate> current;
    current[kAv] = {utc("2026-12-01T10:00:00Z"), "", "audit.json: edge01.contoso.net"};
    current[kOAuth] = {utc("2026-12-10T12:00:00Z"), "", "audit.json: fe01.contoso.net"};
    const auto result = script::generate(plan, pfx, current, options_at("2026-11-20T00:00:00Z"));
    REQUIRE(result.problems.empty());

    std::vector<std::string> names;
    for (const auto& [name, content] : result.files) names.push_back(name);
    CHECK(names == std::vector<std::string>{
                       "README.txt", "dir01.contoso.net.export.ps1", "dir01.contoso.net.ps1", "dir02.contoso.net.export.ps1",
                       "dir02.contoso.net.ps1", "edge01.contoso.net.cleanup.ps1", "edge01.contoso.net.export.ps1",
                       "edge01.contoso.net.ps1", "edge02.contoso.net.cleanup.ps1", "edge02.contoso.net.export.ps1",
                       "edge02.contoso.net.ps1", "fe01.contoso.net.cleanup.ps1", "fe01.contoso.net.export.ps1",
                       "fe01.contoso.net.ps1", "fe02.contoso.net.export.ps1", "fe02.contoso.net.ps1",
                       "fe03.contoso.net.export.ps1", "fe03.contoso.net.ps1", "rp01.contoso.com.export.ps1",
                       "rp01.contoso.com.ps1"});

    for (const auto& [name, text] : result.files) {
        if (name == "README.txt") continue;
        INFO(name);
        CHECK(has(text, "#Requires -RunAsAdministrator\n"));
        CHECK(has(text, "Set-StrictMode -Version Latest\n"));
        CHECK(has(text, "$ErrorActionPreference = 'Stop'\n"));
        // Every step is a try whose catch names the step and exits 1 (a try with finally closes a store).
        CHECK(count(text, "try {") == count(text, "} catch { Stop-Step $step $_.Exception.Message }") + count(text, "} finally {"));
        CHECK(count(text, "try {") >= 2);
        CHECK(has(text, "exit 1"));
    }

    const auto& edge01 = result.files.at("edge01.contoso.net.ps1");
    CHECK(has(edge01, "Read-Host -AsSecureString"));
    CHECK(has(edge01, "    Import-PfxToMachineStore (Join-Path $scriptDir 'pfx\\edge-av.lsedge-contoso-net.pfx') $thumbprint $pw $true\n"));
    CHECK(has(edge01, "$thumbprint = '" + thumb(pfx, kAv) + "'\n"));
    CHECK(has(edge01, "Set-CsCertificate -Type 'AccessEdgeExternal','DataEdgeExternal' -Thumbprint '" + thumb(pfx, kExternal) +
                          "' -Confirm:$false\n"));
    CHECK(has(edge01, "Set-CsCertificate -Type 'Internal' -Thumbprint '" + thumb(pfx, kInternal) + "' -Confirm:$false\n"));
    // A/V: staged 8 hours before the old certificate's expiry, culture-invariant date.
    CHECK(has(edge01, "$effective = " + parse_line("2026-12-01T02:00:00Z") + "\n"));
    CHECK(has(edge01, "Set-CsCertificate -Type 'AudioVideoAuthentication' -Thumbprint '" + thumb(pfx, kAv) +
                          "' -Roll -EffectiveDate $effective -Confirm:$false\n"));
    CHECK(has(edge01, "@(Get-CsCertificate -Type AudioVideoAuthentication)"));
    CHECK(has(edge01, "@(Get-CsCertificate -Type AccessEdgeExternal)"));
    CHECK(has(edge01, "@(Get-CsCertificate -Type DataEdgeExternal)"));
    CHECK_FALSE(has(edge01, "OAuthTokenIssuer"));
    CHECK(count(edge01, "\n    Set-CsCertificate -") == 3);
    // The same EffectiveDate on every member of the pool (rules 12.3).
    CHECK(has(result.files.at("edge02.contoso.net.ps1"), "$effective = " + parse_line("2026-12-01T02:00:00Z")));

    // OAuth: only on the first Front End, with -Identity Global, 24 hours ahead.
    const auto& fe01 = result.files.at("fe01.contoso.net.ps1");
    CHECK(has(fe01, "$effective = " + parse_line("2026-12-09T12:00:00Z") + "\n"));
    CHECK(has(fe01, "Set-CsCertificate -Identity Global -Type 'OAuthTokenIssuer' -Thumbprint '" + thumb(pfx, kOAuth) +
                        "' -Roll -EffectiveDate $effective -Confirm:$false\n"));
    CHECK(has(fe01, "Set-CsCertificate -Type 'Default','WebServicesInternal','WebServicesExternal' -Thumbprint '" +
                        thumb(pfx, kFe01) + "' -Confirm:$false\n"));
    CHECK(has(fe01, "(Join-Path $scriptDir 'pfx\\front-end.pool01-contoso-net.fe01-contoso-net.pfx') $thumbprint $pw $false\n"));  // not exportable (C6)
    for (const auto* other : {"fe02.contoso.net.ps1", "fe03.contoso.net.ps1", "dir01.contoso.net.ps1", "dir02.contoso.net.ps1"}) {
        INFO(other);
        CHECK_FALSE(has(result.files.at(other), "OAuthTokenIssuer"));
        CHECK_FALSE(has(result.files.at(other), "oauth.global"));
        CHECK_FALSE(has(result.files.at(other), "-Roll"));
    }
    CHECK(has(result.files.at("dir01.contoso.net.ps1"), "Set-CsCertificate -Type 'Default' -Thumbprint '"));
    CHECK(has(result.files.at("dir01.contoso.net.ps1"), "Set-CsCertificate -Type 'WebServicesExternal' -Thumbprint '"));

    // The reverse proxy is no Lync server: import only.
    const auto& rp = result.files.at("rp01.contoso.com.ps1");
    CHECK(has(rp, "'pfx\\reverse-proxy.rp01.pfx'"));
    CHECK_FALSE(has(rp, "\n    Set-CsCertificate -"));
    CHECK_FALSE(has(rp, "Import-Module Lync"));  // no Lync cmdlets needed there
    CHECK(has(edge01, "Import-Module Lync"));

    // Cleanup: after the old expiry, guarded.
    const auto& clean_edge = result.files.at("edge01.contoso.net.cleanup.ps1");
    CHECK(has(clean_edge, "Remove-CsCertificate -Type 'AudioVideoAuthentication' -Previous -Confirm:$false\n"));
    CHECK(has(clean_edge, "[DateTime]::Parse('2026-12-01T10:00:00Z', [Globalization.CultureInfo]::InvariantCulture, "
                          "[Globalization.DateTimeStyles]::AdjustToUniversal)\n"));
    CHECK(has(clean_edge, "if ((Get-Date).ToUniversalTime() -le $oldExpiry) {"));
    CHECK(clean_edge.find("-le $oldExpiry") < clean_edge.find("Remove-CsCertificate -Type"));
    CHECK(has(clean_edge, "#Requires -RunAsAdministrator"));
    const auto& clean_fe = result.files.at("fe01.contoso.net.cleanup.ps1");
    CHECK(has(clean_fe, "Remove-CsCertificate -Identity Global -Type 'OAuthTokenIssuer' -Previous -Confirm:$false\n"));
    CHECK(has(clean_fe, "'2026-12-10T12:00:00Z'"));

    const auto& readme = result.files.at("README.txt");
    CHECK(has(readme, "edge01.contoso.net: run edge01.contoso.net.ps1, then edge01.contoso.net.cleanup.ps1 after 2026-12-01T10:00:00Z"));
    CHECK(has(readme, "edge-av.lsedge-contoso-net: edge01.contoso.net, edge02.contoso.net before 2026-12-01T02:00:00Z"));
    CHECK(has(readme, "replicates it to fe02.contoso.net, fe03.contoso.net, dir01.contoso.net, dir02.contoso.net"));

    // The table's data.
    std::size_t staged = 0;
    for (const auto& inst : result.installations)
        for (const auto& c : inst.commands) staged += c.effective ? 1 : 0;
    CHECK(staged == 3);  // A/V on edge01, edge02; OAuth on fe01
    CHECK(result.skipped.empty());
}

TEST_CASE("script: Skype for Business Server scripts load SkypeForBusiness and name its shell, Lync Server 2013 loads Lync",
          "[script]") {
    // Issue 11: product "skype2015" changed nothing. The shell and module are L-SHELL (Lync Server 2013)
    // and S-SHELL (Skype for Business Server, a page for every version).
    struct Case {
        std::string product, name, shell, module, cmdlets, other_name, other_shell, other_module;
    };
    const std::vector<Case> cases{
        {"lync2013", "Lync Server 2013", "Lync Server Management Shell", "Import-Module Lync }", "the Lync Server cmdlets",
         "Skype for Business", "Skype for Business Server Management Shell", "Import-Module SkypeForBusiness"},
        {"skype2015", "Skype for Business Server 2015", "Skype for Business Server Management Shell",
         "Import-Module SkypeForBusiness }", "the Skype for Business Server cmdlets", "Lync", "Lync Server Management Shell",
         "Import-Module Lync }"},
        {"skype2019", "Skype for Business Server 2019", "Skype for Business Server Management Shell",
         "Import-Module SkypeForBusiness }", "the Skype for Business Server cmdlets", "Lync", "Lync Server Management Shell",
         "Import-Module Lync }"},
        {"skypese", "Skype for Business Server Subscription Edition", "Skype for Business Server Management Shell",
         "Import-Module SkypeForBusiness }", "the Skype for Business Server cmdlets", "Lync", "Lync Server Management Shell",
         "Import-Module Lync }"},
    };
    for (const auto& k : cases) {
        INFO(k.product);
        const auto plan = example_plan_as("edge-single-nat", k.product);
        const auto pfx = all_pfx(plan);
        std::map<std::string, script::CurrentCertificate> current;
        current[kExternal] = {utc("2027-01-15T08:30:00Z"), "", "old.pem"};  // staged A/V: a cleanup script too
        const auto result = script::generate(plan, pfx, current, options_at("2026-12-01T00:00:00Z"));
        REQUIRE(result.problems.empty());
        const auto& member = result.files.at("lsedge.contoso.net.ps1");
        const auto& cleanup = result.files.at("lsedge.contoso.net.cleanup.ps1");
        const auto& readme = result.files.at("README.txt");
        CHECK(has(member, "the " + k.name + " certificates of lsedge.contoso.net"));
        for (const auto* text : {&member, &cleanup, &readme}) {
            CHECK(has(*text, k.shell));
            CHECK_FALSE(has(*text, k.other_shell));
            CHECK_FALSE(has(*text, k.other_name));
            CHECK_FALSE(has(*text, k.other_module));
        }
        CHECK(has(readme, k.name));
        for (const auto* script_text : {&member, &cleanup}) {
            CHECK(has(*script_text, k.module));
            CHECK(has(*script_text, "$step = 'load " + k.cmdlets + "'"));
        }
    }
}

TEST_CASE("script: on Windows Server 2008 R2 and 2012 the scripts check elevation themselves, without #Requires",
          "[script][product]") {
    // REQUIRES: #Requires -RunAsAdministrator needs Windows PowerShell 4.0. PS-REQ: 2008 R2 ships 2.0, 2012
    // ships 3.0, and the products require 3.0 (L-SW, S15-SRV): such a script would not run at all.
    struct Case {
        std::string product, windows;
        bool requires_line;
    };
    const std::vector<Case> cases{{"lync2013", "", false},        {"lync2013", "2008r2", false}, {"lync2013", "2012", false},
                                  {"skype2015", "", false},       {"lync2013", "2012r2", true},  {"skype2015", "2016", true},
                                  {"skype2019", "", true},        {"skypese", "2022", true}};
    const std::string check = "if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {";
    for (const auto& k : cases) {
        INFO(k.product << " on " << (k.windows.empty() ? "its oldest Windows Server" : k.windows));
        const auto plan = example_plan_as("edge-single-nat", k.product, k.windows);
        std::map<std::string, script::CurrentCertificate> current;
        current[kExternal] = {utc("2027-01-15T08:30:00Z"), "", "old.pem"};
        const auto result = script::generate(plan, all_pfx(plan), current, options_at("2026-12-01T00:00:00Z"));
        REQUIRE(result.problems.empty());
        for (const auto* name : {"lsedge.contoso.net.ps1", "lsedge.contoso.net.cleanup.ps1"}) {
            INFO(name);
            const auto& text = result.files.at(name);
            CHECK(has(text, "#Requires -RunAsAdministrator") == k.requires_line);
            CHECK(has(text, check) == !k.requires_line);
            if (!k.requires_line) {
                // Before anything else is done, and a step like every other: named, exit 1 on failure.
                CHECK(text.find(check) < text.find("$step = 'check that this computer is the member the script is for'"));
                CHECK(has(text, "$step = 'check that the script runs elevated (as administrator)'\n"));
                CHECK(has(text, "throw 'run this script in an elevated " + std::string(plan.platform.product_facts().shell) +
                                    " (Run as administrator)'"));
            }
            CHECK(count(text, "try {") == count(text, "} catch { Stop-Step $step $_.Exception.Message }") + count(text, "} finally {"));
            CHECK(has(text, "[CmdletBinding()]\nparam("));
        }
    }
}

TEST_CASE("script: --lead-hours raises the lead, never below the minimums", "[script]") {
    const auto plan = example_plan("enterprise");
    const auto pfx = all_pfx(plan);
    std::map<std::string, script::CurrentCertificate> current;
    current[kAv] = {utc("2026-12-01T10:00:00Z"), "", ""};
    current[kOAuth] = {utc("2026-12-10T12:00:00Z"), "", ""};
    auto options = options_at("2026-11-20T00:00:00Z");
    options.lead_hours = 12;
    auto result = script::generate(plan, pfx, current, options);
    CHECK(has(result.files.at("edge01.contoso.net.ps1"), parse_line("2026-11-30T22:00:00Z")));
    CHECK(has(result.files.at("fe01.contoso.net.ps1"), parse_line("2026-12-09T12:00:00Z")));  // OAuth keeps 24 h
    options.lead_hours = 48;
    result = script::generate(plan, pfx, current, options);
    CHECK(has(result.files.at("edge01.contoso.net.ps1"), parse_line("2026-11-29T10:00:00Z")));
    CHECK(has(result.files.at("fe01.contoso.net.ps1"), parse_line("2026-12-08T12:00:00Z")));

    CHECK(error_code([] { script::validate_lead_hours(4); }) == "usage.lead-hours");
    CHECK(error_code([] { script::validate_lead_hours(7); }) == "usage.lead-hours");
    CHECK(error_code([] { script::validate_lead_hours(8); }) == "(no error)");
    CHECK(error_code([] { script::validate_lead_hours(24); }) == "(no error)");
}

TEST_CASE("script: staging A/V and OAuth of one certificate uses the longest lead", "[script]") {
    auto plan = example_plan("enterprise");
    for (auto& c : plan.certificates)
        if (c.id == kAv) c.usages = {"AudioVideoAuthentication", "OAuthTokenIssuer"};
    const auto pfx = all_pfx(plan);
    std::map<std::string, script::CurrentCertificate> current;
    current[kAv] = {utc("2026-12-01T10:00:00Z"), "", ""};
    const auto result = script::generate(plan, pfx, current, options_at("2026-11-20T00:00:00Z"));
    REQUIRE(result.problems.empty());
    const auto& edge01 = result.files.at("edge01.contoso.net.ps1");
    CHECK(count(edge01, "$effective = " + parse_line("2026-11-30T10:00:00Z")) == 2);  // 24 h, not 8 h
    CHECK_FALSE(has(edge01, "2026-12-01T02:00:00Z"));
    CHECK(has(edge01, "Set-CsCertificate -Identity Global -Type 'OAuthTokenIssuer' -Thumbprint '" + thumb(pfx, kAv) + "' -Roll"));
    const auto& edge02 = result.files.at("edge02.contoso.net.ps1");
    CHECK(has(edge02, "$effective = " + parse_line("2026-11-30T10:00:00Z")));
    CHECK_FALSE(has(edge02, "OAuthTokenIssuer"));
}

TEST_CASE("script: the combined Edge external certificate: Access and WebConf now, A/V staged", "[script]") {
    const auto plan = example_plan("edge-single-nat");
    const auto pfx = all_pfx(plan);
    const std::string t = thumb(pfx, kExternal);

    SECTION("with the current certificate known") {
        std::map<std::string, script::CurrentCertificate> current;
        current[kExternal] = {utc("2027-01-15T08:30:00Z"), "AA00000000000000000000000000000000000001", "old.pem"};
        const auto result = script::generate(plan, pfx, current, options_at("2026-12-01T00:00:00Z"));
        REQUIRE(result.problems.empty());
        const auto& s = result.files.at("lsedge.contoso.net.ps1");
        CHECK(has(s, "Set-CsCertificate -Type 'AccessEdgeExternal','DataEdgeExternal' -Thumbprint '" + t + "' -Confirm:$false\n"));
        CHECK(has(s, "$effective = " + parse_line("2027-01-15T00:30:00Z") + "\n"));
        CHECK(has(s, "Set-CsCertificate -Type 'AudioVideoAuthentication' -Thumbprint '" + t +
                         "' -Roll -EffectiveDate $effective -Confirm:$false\n"));
        CHECK(s.find("-Type 'AccessEdgeExternal','DataEdgeExternal'") < s.find("-Type 'AudioVideoAuthentication' -Thumbprint"));
        CHECK(count(s, "Import-PfxToMachineStore (Join-Path") == 2);  // external and internal, each once
        CHECK(has(s, "AA00000000000000000000000000000000000001"));  // the old thumbprint, in a comment
        const auto& cleanup = result.files.at("lsedge.contoso.net.cleanup.ps1");
        CHECK(has(cleanup, "Remove-CsCertificate -Type 'AudioVideoAuthentication' -Previous -Confirm:$false\n"));
        CHECK_FALSE(has(cleanup, "AccessEdgeExternal"));
    }
    SECTION("without a current certificate: first deployment, immediately, said so") {
        const auto result = script::generate(plan, pfx, {}, options_at("2026-12-01T00:00:00Z"));
        REQUIRE(result.problems.empty());
        const auto& s = result.files.at("lsedge.contoso.net.ps1");
        CHECK(has(s, "# no current certificate known (first deployment): assigned immediately, without -Roll\n"));
        CHECK(has(s, "Set-CsCertificate -Type 'AccessEdgeExternal','DataEdgeExternal','AudioVideoAuthentication' -Thumbprint '" + t +
                         "' -Confirm:$false\n"));
        CHECK_FALSE(has(s, "-Roll -EffectiveDate"));
        CHECK(result.files.count("lsedge.contoso.net.cleanup.ps1") == 0);
        REQUIRE(result.notes.size() == 2);
        CHECK(has(result.notes.front(), kExternal + ": no current certificate known (first deployment)"));
        // Access Edge assigned at once: the rules (3.7) ask for a restart, which is said, not done.
        CHECK(has(result.notes.back(), "lsedge.contoso.net: the rules (3.7) ask for the services to be restarted after AccessEdgeExternal"));
        CHECK(has(result.files.at("README.txt"), "Nothing is staged with -Roll, so there is no cleanup script."));
    }
}

TEST_CASE("script: too late to stage is refused, --immediate forces it", "[script]") {
    const auto plan = example_plan("enterprise");
    const auto pfx = all_pfx(plan);
    std::map<std::string, script::CurrentCertificate> current;
    current[kAv] = {utc("2026-12-01T10:00:00Z"), "", "audit.json: edge02.contoso.net"};

    // 5 hours before the expiry, an 8-hour lead is impossible.
    auto result = script::generate(plan, pfx, current, options_at("2026-12-01T05:00:00Z"));
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems.front().certificate == kAv);
    CHECK(has(result.problems.front().message, "too soon to stage"));
    CHECK(has(result.problems.front().message, "--immediate " + kAv));
    CHECK(has(result.problems.front().message, "audit.json: edge02.contoso.net"));
    CHECK(result.files.empty());

    // Exactly at the EffectiveDate is already too late.
    result = script::generate(plan, pfx, current, options_at("2026-12-01T02:00:00Z"));
    CHECK(result.problems.size() == 1);
    result = script::generate(plan, pfx, current, options_at("2026-12-01T01:59:59Z"));
    CHECK(result.problems.empty());

    auto options = options_at("2026-12-01T05:00:00Z");
    options.immediate = {kAv};
    result = script::generate(plan, pfx, current, options);
    REQUIRE(result.problems.empty());
    const auto& s = result.files.at("edge01.contoso.net.ps1");
    CHECK(has(s, "Set-CsCertificate -Type 'AudioVideoAuthentication' -Thumbprint '" + thumb(pfx, kAv) + "' -Confirm:$false\n"));
    CHECK(has(s, "as --immediate asks"));
    CHECK(result.files.count("edge01.contoso.net.cleanup.ps1") == 0);
}

TEST_CASE("script: a certificate without a PFX is skipped and listed", "[script]") {
    const auto plan = example_plan("enterprise");
    auto pfx = all_pfx(plan);
    pfx.erase("reverse-proxy.rp01");
    pfx.erase(kOAuth);
    const auto result = script::generate(plan, pfx, {}, options_at("2026-11-20T00:00:00Z"));
    REQUIRE(result.skipped.size() == 2);
    CHECK(result.files.count("rp01.contoso.com.ps1") == 0);
    CHECK_FALSE(has(result.files.at("fe01.contoso.net.ps1"), "OAuthTokenIssuer"));
    CHECK(has(result.files.at("README.txt"), "  reverse-proxy.rp01: no reverse-proxy.rp01.pfx in the PFX folder\n"));
}

TEST_CASE("script: values from the topology are quoted for PowerShell", "[script]") {
    CHECK(script::ps_quote("plain") == "'plain'");
    CHECK(script::ps_quote("o'brien") == "'o''brien'");
    CHECK(script::ps_quote("''") == "''''''");
    CHECK(script::ps_quote("$(Remove-Item C:\\) `n \"x\"") == "'$(Remove-Item C:\\) `n \"x\"'");
    CHECK(script::ps_quote("a\xE2\x80\x99" "b") == "'a\xE2\x80\x99\xE2\x80\x99" "b'");  // U+2019 ends a '...' string too
    CHECK(script::ps_quote("a\xE2\x80\x9C" "b") == "'a\xE2\x80\x9C" "b'");              // U+201C does not

    auto plan = example_plan("enterprise");
    for (auto& c : plan.certificates)
        if (c.id == "reverse-proxy.rp01") c.id = "reverse-proxy.o'brien";
    const auto pfx = all_pfx(plan);
    const auto result = script::generate(plan, pfx, {}, options_at("2026-11-20T00:00:00Z"));
    const auto& rp = result.files.at("rp01.contoso.com.ps1");
    CHECK(has(rp, "(Join-Path $scriptDir 'pfx\\reverse-proxy.o''brien.pfx')"));
    CHECK(has(rp, "$step = 'import pfx\\reverse-proxy.o''brien.pfx into Cert:\\LocalMachine\\My'"));
    // Every quote in the id is doubled wherever it is inside a string literal.
    const std::regex single_quote_run("reverse-proxy\\.o('+)brien");
    for (auto it = std::sregex_iterator(rp.begin(), rp.end(), single_quote_run); it != std::sregex_iterator(); ++it) {
        const auto line_start = rp.rfind('\n', static_cast<std::size_t>(it->position())) + 1;
        const bool in_comment = rp.compare(line_start, 1, "#") == 0;
        CHECK((*it)[1].length() == (in_comment ? 1 : 2));
    }

    // A newline in an id could end a comment and start code: refused.
    for (auto& c : plan.certificates)
        if (c.id == "reverse-proxy.o'brien") c.id = "reverse-proxy.x\nRemove-Item C:\\";
    CHECK(error_code([&] { script::generate(plan, pfx, {}, options_at("2026-11-20T00:00:00Z")); }) == "script.unsafe-name");
}

TEST_CASE("script: current expiries from a certtool.audit/v1 document", "[script]") {
    const auto plan = example_plan("enterprise");
    // As certtool audit writes them: an observation with a certificate has its sha256 and sans too.
    const std::string doc = R"({"schema": "certtool.audit/v1", "observations": [
        {"certificate_id": "edge-av.lsedge-contoso-net", "member": "edge01.contoso.net", "not_after_utc": "2026-12-02T10:00:00Z",
         "thumbprint": "aa00000000000000000000000000000000000001", "obtained": true, "sha256": "01", "sans": []},
        {"certificate_id": "edge-av.lsedge-contoso-net", "member": "edge02.contoso.net", "not_after_utc": "2026-12-01T10:00:00Z",
         "thumbprint": "aa00000000000000000000000000000000000002", "obtained": true, "sha256": "02", "sans": []},
        {"certificate_id": "oauth.global", "member": "fe01.contoso.net", "obtained": false},
        {"certificate_id": "not.in.plan", "member": "x", "not_after_utc": "2026-01-01T00:00:00Z", "obtained": true, "sha256": "03",
         "sans": []},
        {"certificate_id": "", "member": "edge01.contoso.net", "not_after_utc": "2026-01-01T00:00:00Z", "obtained": true,
         "sha256": "04", "sans": []}]})";
    const auto current = script::current_from_audit_json(doc, "audit.json", plan);
    REQUIRE(current.size() == 1);
    const auto& av = current.at(kAv);
    CHECK(av.not_after == utc("2026-12-01T10:00:00Z"));  // the earliest member
    CHECK(av.thumbprint == "AA00000000000000000000000000000000000002");
    CHECK(av.source == "audit.json: edge02.contoso.net");

    const auto code = [&](const std::string& text) {
        return error_code([&] { script::current_from_audit_json(text, "x.json", plan); });
    };
    CHECK(code("not json") == "script.current-unreadable");
    CHECK(code(R"({"schema": "certtool.plan/v1"})") == "script.current-unreadable");
    CHECK(code(R"({"schema": "certtool.audit/v1", "observations": [{"certificate_id": "oauth.global", "not_after_utc": "soon"}]})") ==
          "script.current-unreadable");
}
