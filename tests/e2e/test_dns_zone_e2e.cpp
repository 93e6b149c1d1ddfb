// `certtool plan --format zone` and `--format dns-powershell` as the real
// binary: every zone of every example, in both views, with an SOA and NS put
// before it, is a zone that Knot's kzonecheck and NSD's nsd-checkzone load; one
// is served by knotd (tests/support/dns_lab) and answers dig as the plan says;
// every script parses as PowerShell; --view and --zone are usage errors where
// they make no sense.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cert_lab.hpp"
#include "daemon.hpp"
#include "dns_lab.hpp"
#include "loopback.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

using namespace certtool::test;
using Catch::Contains;

namespace {

namespace fs = std::filesystem;

const std::string kSourceDir = CERTTOOL_SOURCE_DIR;

ProcessResult plan(std::vector<std::string> args) {
    args.insert(args.begin(), "plan");
    return run_certtool(args, {}, kSourceDir);
}

// Exit 0 or 1 (a plan with error findings is still written), nothing on stderr.
std::string plan_ok(const std::vector<std::string>& args) {
    const auto r = plan(args);
    INFO("certtool plan ... exited " << r.exit_code << "\n" << r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
    REQUIRE(r.err.empty());
    return r.out;
}

std::vector<std::string> examples() {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(kSourceDir + "/templates/examples"))
        if (entry.path().extension() == ".json") out.push_back("templates/examples/" + entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// The zones of a zone-file output, from its $ORIGIN lines.
std::vector<std::string> origins(const std::string& zone_text) {
    std::vector<std::string> out;
    std::istringstream in(zone_text);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("$ORIGIN ", 0) == 0) out.push_back(line.substr(8, line.size() - 9));
    return out;
}

std::size_t record_lines(const std::string& zone_text) {
    std::size_t n = 0;
    std::istringstream in(zone_text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != ';' && line[0] != '$') ++n;
    return n;
}

struct Checkers {
    std::string kzonecheck = find_program("kzonecheck");
    std::string nsd_checkzone = find_program("nsd-checkzone");
    std::string dig = find_program("dig");
};

}  // namespace

TEST_CASE("plan --format zone: every zone of every example, after an SOA and NS, loads in Knot and NSD", "[plan][dns-zone][e2e]") {
    const Checkers tools;
    if (tools.kzonecheck.empty() || tools.nsd_checkzone.empty()) {
        WARN("skipped: the zone check needs kzonecheck (package knot-dnssecutils) and nsd-checkzone (package nsd)");
        return;
    }
    TempDir dir("certtool-zone-e2e");
    std::size_t zones_checked = 0;
    for (const auto& example : examples()) {
        for (const std::string view : {"external", "internal"}) {
            INFO(example << ", " << view << " view");
            const auto all = plan_ok({example, "--format", "zone", "--view", view});
            std::size_t records = 0;
            for (const auto& zone : origins(all)) {
                INFO("zone " << zone);
                const auto one = plan_ok({example, "--format", "zone", "--view", view, "--zone", zone});
                REQUIRE(origins(one) == std::vector<std::string>{zone});
                records += record_lines(one);
                const auto file = dir.file(fs::path(example).stem().string() + "." + view + "." + zone + ".zone",
                                           soa_and_ns(zone, "192.0.2.53") + one);
                const auto knot = run_process(tools.kzonecheck, {"-o", zone, file});
                INFO("kzonecheck:\n" << knot.out << knot.err << "\n" << read_file(file));
                CHECK(knot.exit_code == 0);
                const auto nsd = run_process(tools.nsd_checkzone, {zone, file});
                INFO("nsd-checkzone:\n" << nsd.out << nsd.err);
                CHECK(nsd.exit_code == 0);
                ++zones_checked;
            }
            // Every record of the view is in one of the zones, once.
            const auto json = nlohmann::json::parse(plan_ok({example, "--format", "json"}));
            std::size_t planned = 0;
            for (const auto& r : json["dns"]) planned += r["zone"] == view ? 1 : 0;
            CHECK(records == planned);
            CHECK(record_lines(all) == planned);
        }
    }
    CHECK(zones_checked >= 14);  // seven examples, at least one zone per view
}

TEST_CASE("plan --format zone: a zone served by knotd answers dig as the plan says", "[plan][dns-zone][e2e]") {
    const Checkers tools;
    if (knotd_program().empty() || tools.dig.empty()) {
        WARN("skipped: serving the zone needs knotd (package knot) and dig (package bind9-dnsutils)");
        return;
    }
    const std::string example = "templates/examples/enterprise.json";
    const auto zone_text = plan_ok({example, "--format", "zone", "--zone", "contoso.com"});
    TempDir dir("certtool-zone-knot");
    const auto block = loopback_block({{{53, 5353}}, true});
    const std::string ip = block.address(53);
    KnotServer knot(dir.path(), KnotConfig{ip, 5353, {{"contoso.com", soa_and_ns("contoso.com", ip) + zone_text}}, std::nullopt});

    const auto dig = [&](const std::string& name, const std::string& type) {
        const auto r = run_process(tools.dig, {"+short", "+time=3", "+tries=2", "-p", "5353", "@" + ip, name, type});
        INFO("dig " << name << " " << type << ":\n" << r.out << r.err << "\nknotd:\n" << knot.log());
        REQUIRE(r.exit_code == 0);
        std::multiset<std::string> answers;
        std::istringstream in(r.out);
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) answers.insert(line);
        return answers;
    };
    // What the plan says, from its JSON.
    const auto json = nlohmann::json::parse(plan_ok({example, "--format", "json"}));
    const auto planned = [&](const std::string& name, const std::string& type) {
        std::multiset<std::string> out;
        for (const auto& r : json["dns"]) {
            if (r["zone"] != "external" || r["name"] != name || r["type"] != type) continue;
            const std::string target = r["target"];
            out.insert(type == "SRV" ? std::to_string(r["priority"].get<int>()) + " " + std::to_string(r["weight"].get<int>()) + " " +
                                           std::to_string(r["port"].get<int>()) + " " + target + "."
                                     : target);
        }
        return out;
    };
    const auto srv = planned("_sip._tls.contoso.com", "SRV");
    REQUIRE(srv == std::multiset<std::string>{"0 0 443 sip.contoso.com."});
    CHECK(dig("_sip._tls.contoso.com", "SRV") == srv);
    CHECK(dig("_sipfederationtls._tcp.contoso.com", "SRV") == planned("_sipfederationtls._tcp.contoso.com", "SRV"));
    const auto a = planned("sip.contoso.com", "A");
    REQUIRE(a == std::multiset<std::string>{"131.107.155.10", "131.107.155.11"});
    CHECK(dig("sip.contoso.com", "A") == a);
    CHECK(dig("meet.contoso.com", "A") == planned("meet.contoso.com", "A"));
    // Not in the zone: fabrikam.com's records were not written into it.
    CHECK(dig("sip.fabrikam.com", "A").empty());
}

TEST_CASE("plan --format dns-powershell: the script of every example and view parses as PowerShell", "[plan][dns-zone][e2e]") {
    TempDir dir("certtool-dns-ps");
    for (const auto& example : examples())
        for (const std::string view : {"external", "internal"}) {
            const auto script = plan_ok({example, "--format", "dns-powershell", "--view", view});
            CHECK(script.find("param([string]$ComputerName = $env:COMPUTERNAME)\n") != std::string::npos);
            (void)dir.file(fs::path(example).stem().string() + "." + view + ".ps1", script);
        }
    // The default view is the internal one.
    CHECK(plan_ok({"templates/examples/enterprise.json", "--format", "dns-powershell"}) ==
          plan_ok({"templates/examples/enterprise.json", "--format", "dns-powershell", "--view", "internal"}));
    const auto parsed = powershell_parse(dir.path());
    if (parsed.exit_code == kPowerShellParseSkipped) WARN("PowerShell parse check skipped: " << parsed.err);
    else CHECK(parsed.exit_code == 0);
}

TEST_CASE("plan --view and --zone: usage errors where they make no sense, and for a zone the view lacks", "[plan][dns-zone][e2e]") {
    const std::string example = "templates/examples/enterprise.json";
    // The default view of --format zone is the external one.
    CHECK(plan_ok({example, "--format", "zone"}) == plan_ok({example, "--format", "zone", "--view", "external"}));
    for (const auto& args : std::vector<std::vector<std::string>>{{example, "--zone", "contoso.com"},
                                                                  {example, "--format", "json", "--view", "internal"},
                                                                  {example, "--format", "markdown", "--zone", ""}}) {
        const auto r = plan(args);
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        CHECK_THAT(r.err, Contains("goes with --format zone or --format dns-powershell"));
        CHECK_THAT(r.err, Contains("[usage.dns-option]"));
    }
    const auto unknown = plan({example, "--format", "zone", "--view", "external", "--zone", "contoso.net"});
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.out.empty());
    CHECK_THAT(unknown.err, Contains("--zone 'contoso.net': the external view has no record in that zone; its zones: contoso.com, "
                                     "fabrikam.com [usage.unknown-zone]"));
    const auto view = plan({example, "--format", "zone", "--view", "outside"});
    CHECK(view.exit_code == 2);
    CHECK(view.out.empty());
    CHECK_THAT(view.err, Contains("--view"));
}
