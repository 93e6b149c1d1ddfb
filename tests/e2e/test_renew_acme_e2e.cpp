// The issue-14 proof: public-CA Edge certificates from topology to ACME renewal,
// every step by the real certtool binary against real servers on loopback
// (acme_lab.hpp's Lab: Pebble issuing 47-day certificates, Knot DNS updated by
// the shipped RFC 2136 hook templates/dns-hook-nsupdate.sh with TSIG).
//
//   certtool plan      a 3-member Edge pool (tests/topologies/audit/edge-pool-loopback.json
//                      moved to a free 127.B.C.0/24 block): its external certificate is public
//   certtool csr       keys and requests
//   certtool acme      Pebble issues the public one with exactly the plan's names
//   certtool pfx       --requests/--certs: one PFX per issued certificate
//   certtool script    every member's .ps1 (parsed by tests/tools/ps-parse where installed)
//   openssl s_server   serves what the PFX holds on every endpoint of the certificate
//   certtool audit     --live: every endpoint obtained, the pool agrees; the one
//                      finding of the Lync rules is crl.missing (Pebble puts no CRL
//                      distribution point in), beside chain.eku for Pebble's root
//   certtool renew     --acme, two thirds into the lifetime, with an explicit --within:
//                      orders again, new serial, identical names in plan order; the
//                      internal-CA certificate gets its request, not an order
//   certtool pfx, script on the renewed certificate: the A/V usage is staged with
//                      -Roll at the current certificate's expiry minus 8 hours
//
// Without pebble, knotd, nsupdate, dig, curl or openssl the test says so and passes.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "acme_lab.hpp"
#include "cert_lab.hpp"
#include "daemon.hpp"
#include "loopback.hpp"
#include "run_process.hpp"

using certtool::test::contains;
using certtool::test::high_ports;
using certtool::test::loopback_block;
using certtool::test::LoopbackNeeds;
using certtool::test::OpensslServer;
using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::run_certtool;
using certtool::test::run_process;
using certtool::test::serial_of;
using certtool::test::shell_quote;
using certtool::test::source_path;
using certtool::test::transcript;
using certtool::test::acme::Lab;
using certtool::test::acme::programs;
using certtool::test::acme::run_ok;
using certtool::test::acme::utc_seconds;
using nlohmann::json;

namespace {

constexpr const char* kPublic = "edge-external.lsedge-contoso-net";
constexpr const char* kInternal = "edge-internal.lsedge-contoso-net";
constexpr long kLifetime = certtool::test::acme::kLifetimeSeconds;

std::string utc_text(long seconds, const char* format = "%Y-%m-%dT%H:%M:%SZ") {
    const std::time_t t = seconds;
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buffer[64];
    REQUIRE(std::strftime(buffer, sizeof buffer, format, &tm) > 0);
    return buffer;
}

// The certtool run of a step, with the lab's hook environment; its transcript is kept for failures.
ProcessResult step(const std::vector<std::string>& args, const Lab& lab, std::string& log) {
    auto env = lab.hook_env();
    env.emplace_back("NO_COLOR=1");
    const auto r = run_certtool(args, env);
    log += transcript(args, r) + "\n";
    return r;
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

// The SAN dNSNames of a certificate file, in order, as OpenSSL prints them.
std::string openssl_sans(const std::string& cert) {
    return run_ok(programs().openssl, {"x509", "-in", cert, "-noout", "-ext", "subjectAltName"});
}

std::string expected_sans(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& n : names) text += (text.empty() ? "DNS:" : ", DNS:") + n;
    return text;
}

// The .ps1 files under `dir`.
std::vector<std::string> scripts_in(const std::string& dir) {
    std::vector<std::string> found;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".ps1") found.push_back(e.path().string());
    return found;
}

// tests/tools/ps-parse on `dir` when node and its packages are there; 77 (skipped) otherwise.
int ps_parse(const std::string& dir, std::string& log) {
    const std::string node = certtool::test::find_program("node");
    const std::string checker = source_path("tests/tools/ps-parse/check.mjs");
    if (node.empty() || !std::filesystem::exists(source_path("tests/tools/ps-parse/node_modules"))) return 77;
    const auto r = run_process(node, {checker, dir}, {"NODE_NO_WARNINGS=1"});
    log += transcript(node, {checker, dir}, r);
    return r.exit_code;
}

}  // namespace

TEST_CASE("renew --acme proof: plan, csr, acme (Pebble + Knot), pfx, script, serve, audit --live, renew --acme two thirds in",
          "[proof][acme][e2e]") {
    if (!programs().missing.empty()) {
        WARN("skipped: the renew --acme proof needs real servers; not found: " << programs().missing);
        return;
    }
    Lab lab;
    std::string log;
    const auto& dir = lab.dir;
    const std::string password_file = dir.file("pfx.pass", "Renew-Acme-Proof-7Qp\n");

    // The pool on a free block of its own: hosts 1m (Access), 2m (Web Conferencing), 3m (internal) of members 1..3.
    LoopbackNeeds needs;
    for (int m = 1; m <= 3; ++m)
        for (const int host : {10 + m, 20 + m, 30 + m})
            for (const int port : {443, 5061, 10443, 15061}) needs.host_ports.emplace_back(host, port);
    const std::string block = loopback_block(needs).prefix;
    json topology = json::parse(read_file(source_path("tests/topologies/audit/edge-pool-loopback.json")));
    auto& members = topology["sites"][0]["edge_pools"][0]["members"];
    REQUIRE(members.size() == 3);
    for (std::size_t m = 0; m < members.size(); ++m) {
        const std::string n = std::to_string(m + 1);
        members[m]["external_ips"] = {{"access", block + "1" + n}, {"webconf", block + "2" + n}, {"av", block + "4" + n}};
        members[m]["internal_ip"] = block + "3" + n;
    }
    const std::string topo = dir.file("topology.json", topology.dump(2) + "\n");

    // 1. plan: the external certificate is the public CA's, the internal one the internal CA's.
    const auto planned = step({"plan", topo, "--format", "json"}, lab, log);
    INFO(log);
    REQUIRE(planned.exit_code == 0);
    const json plan = json::parse(planned.out);
    json public_cert;
    for (const auto& c : plan["certificates"]) {
        if (c["id"] == kPublic) public_cert = c;
        if (c["id"] == kInternal) CHECK(c["ca"] != "public");  // "either": an internal CA will do
    }
    REQUIRE(public_cert.is_object());
    REQUIRE(public_cert["ca"] == "public");
    const auto names = public_cert["sans"].get<std::vector<std::string>>();
    REQUIRE(names.size() >= 3);
    const auto usages = public_cert["usages"].dump();
    REQUIRE(contains(usages, "AudioVideoAuthentication"));  // combined: A/V is staged with -Roll

    // 2. csr: every certificate's key and request.
    const std::string req = dir / "req";
    REQUIRE(step({"csr", topo, "--out", req}, lab, log).exit_code == 0);

    // 3. acme: the public one only (the internal one is listed as not ordered).
    const std::string issued = dir / "issued";
    const auto ordered = step(with({"acme", topo, "--requests", req, "--out", issued, "--format", "json"}, lab.ca_options()), lab, log);
    INFO(log << "--- pebble\n" << lab.pebble->log());
    REQUIRE(ordered.exit_code == 1);  // issued, and failing the Lync CDP rule
    const json acme_report = json::parse(ordered.out);
    REQUIRE(acme_report["certificates"].size() == 1);
    const auto& first = acme_report["certificates"][0];
    CHECK(first["outcome"] == "issued");
    CHECK(first["subject"] == public_cert["subject"]["common_name"]);
    CHECK(first["sans"].get<std::vector<std::string>>() == names);  // exactly, in plan order
    CHECK(acme_report["not_ordered"] == json::array({kInternal}));
    const long not_before = utc_seconds(first["not_before_utc"]);
    const long not_after = utc_seconds(first["not_after_utc"]);
    CHECK(not_after - not_before >= kLifetime - 60);
    CHECK(not_after - not_before <= kLifetime);
    const std::string leaf = issued + "/" + kPublic + ".pem";
    CHECK(contains(openssl_sans(leaf), expected_sans(names)));
    const std::string first_serial = serial_of(leaf);
    const std::string first_leaf_bytes = read_file(leaf);

    // 4. pfx straight from the csr and acme folders.
    const std::string pfx = dir / "pfx";
    const auto bundled = step({"pfx", "--requests", req, "--certs", issued, "--out", pfx, "--passphrase-file", password_file, "--topology",
                               topo, "--only", kPublic},
                              lab, log);
    INFO(log);
    REQUIRE(bundled.exit_code == 0);
    const std::string pfx_file = pfx + "/" + kPublic + ".pfx";
    REQUIRE(std::filesystem::is_regular_file(pfx_file));

    // 5. script: every member's PowerShell, parsed where the checker is installed.
    const std::string scripts = dir / "scripts";
    const auto scripted =
        step({"script", topo, "--pfx", pfx, "--out", scripts, "--passphrase-file", password_file, "--only", kPublic}, lab, log);
    INFO(log);
    REQUIRE(scripted.exit_code == 0);
    for (const std::string member : {"edge01.contoso.net", "edge02.contoso.net", "edge03.contoso.net"})
        CHECK(std::filesystem::is_regular_file(scripts + "/" + member + ".ps1"));
    const int parsed = ps_parse(scripts, log);
    if (parsed == 77)
        WARN("ps-parse not installed (npm ci --prefix tests/tools/ps-parse): the scripts were not parsed");
    else
        CHECK(parsed == 0);

    // 6. serve what the PFX holds on every endpoint of the certificate.
    const std::string pkcs12 = programs().openssl + " pkcs12 -in " + shell_quote(pfx_file) + " -passin file:" + shell_quote(password_file);
    const std::string served = dir / "served";
    std::filesystem::create_directories(served);
    for (const auto& [what, flags] : std::vector<std::pair<std::string, std::string>>{
             {"key", " -nodes -nocerts"}, {"pem", " -clcerts -nokeys"}, {"chain.pem", " -cacerts -nokeys"}})
        run_ok("/bin/sh", {"-c", pkcs12 + flags + " -out " + shell_quote(served + "/leaf." + what)});
    CHECK(serial_of(served + "/leaf.pem") == first_serial);
    std::vector<std::unique_ptr<OpensslServer>> servers;
    for (const auto& e : public_cert["endpoints"]) {
        const std::string address = e["address"];
        REQUIRE(address.rfind(block, 0) == 0);
        int port = e["port"].get<int>();
        if (high_ports()) port = port == 443 ? 10443 : port == 5061 ? 15061 : port + 10000;
        servers.push_back(std::make_unique<OpensslServer>(address, port, served + "/leaf.pem", served + "/leaf.key",
                                                          dir / ("s_server-" + address + "-" + std::to_string(port) + ".log"),
                                                          std::vector<std::string>{"-cert_chain", served + "/leaf.chain.pem"}));
    }
    REQUIRE(servers.size() >= 6);

    // 7. audit --live: every endpoint obtained and the pool agrees; Pebble's
    // missing CDP is reported as crl.missing on each, and nothing else of the
    // Lync rules fails (chain.eku: Pebble's root carries an EKU certtool's path rules refuse).
    std::vector<std::string> audit_args{"audit", topo, "--live", "--only", kPublic, "--trust", lab.root, "--format", "json"};
    if (high_ports()) audit_args.insert(audit_args.end(), {"--map-port", "443:10443", "--map-port", "5061:15061"});
    const auto audited = step(audit_args, lab, log);
    INFO(log);
    REQUIRE(audited.exit_code == 1);  // error findings: the CDP
    const std::string audit_file = dir.file("audit.json", audited.out);
    const json audit = json::parse(audited.out);
    REQUIRE(audit["observations"].size() == servers.size());
    for (const auto& o : audit["observations"]) {
        INFO(o.dump(2));
        CHECK(o["obtained"] == true);
        CHECK(o["certificate_id"] == kPublic);
        std::set<std::string> errors;
        for (const auto& f : o["findings"])
            if (f["severity"] == "error") errors.insert(f["code"]);
        CHECK(errors.count("crl.missing") == 1);
        errors.erase("crl.missing");
        errors.erase("chain.eku");
        CHECK(errors.empty());
    }
    for (const auto& f : audit["findings"]) CHECK(f["code"] != "pool.different-certificate");
    CHECK(contains(audited.out, "no CRL distribution point"));
    servers.clear();

    // 8. renew --acme two thirds into the lifetime, --within explicit (16 days:
    // the third left is 15.7): the public certificate is due as expiring and is
    // ordered again; the internal one (not in the audit) gets its request only.
    const std::string renewals = dir / "renewals";
    const auto renew_args = [&](long at, const std::string& within) {
        return with({"renew", topo, "--inventory", audit_file, "--out", renewals, "--at", utc_text(at), "--within", within, "--acme",
                     "--format", "json"},
                    lab.ca_options());
    };
    // A third in, the same window: due only for the CDP finding, not as expiring.
    const long third = not_before + kLifetime / 3;
    const auto early = step(with(renew_args(third, "16d"), {"--dry-run"}), lab, log);
    INFO(log);
    REQUIRE(early.exit_code == 1);
    const json early_report = json::parse(early.out);
    for (const auto& d : early_report["due"]) {
        if (d["id"] != kPublic) continue;
        CHECK_FALSE(contains(d["reasons"].dump(), "expiring"));
        CHECK(d["acme"] == "dry-run");
    }
    CHECK(early_report["acme"]["dry_run"] == true);
    CHECK(early_report["acme"]["result"].is_null());
    CHECK_FALSE(std::filesystem::exists(renewals));
    const auto orders_before = certtool::test::acme::count_in(lab.pebble->log(), "Added order");

    const long two_thirds = not_before + 2 * kLifetime / 3;
    const auto renewed = step(renew_args(two_thirds, "16d"), lab, log);
    INFO(log << "--- pebble\n" << lab.pebble->log());
    REQUIRE(renewed.exit_code == 1);  // the internal-CA request waits, and Pebble's certificate fails the CDP rule
    const json renewal = json::parse(renewed.out);
    const std::string folder = renewals + "/" + utc_text(two_thirds, "%Y-%m-%d");
    CHECK(renewal["folder"] == folder);
    CHECK(read_file(folder + "/renewal.json") == renewed.out);
    std::set<std::string> due;
    for (const auto& d : renewal["due"]) {
        due.insert(d["id"].get<std::string>());
        if (d["id"] == kPublic) {
            CHECK(contains(d["reasons"].dump(), "expiring"));
            CHECK(d["names_added"].empty());
            CHECK(d["names_removed"].empty());
            CHECK(d["acme"] == "issued");
        } else {
            CHECK(d["id"] == kInternal);
            CHECK(d["reasons"] == json::array({"missing"}));
            CHECK(d["acme"] == "not-public");
        }
    }
    CHECK(due == std::set<std::string>{kPublic, kInternal});
    CHECK(renewal["acme"]["to_order"] == json::array({kPublic}));
    CHECK(renewal["acme"]["not_public"] == json::array({kInternal}));
    const auto& again = renewal["acme"]["result"]["certificates"];
    REQUIRE(again.size() == 1);
    CHECK(again[0]["outcome"] == "issued");
    CHECK(again[0]["sans"].get<std::vector<std::string>>() == names);
    CHECK(again[0]["certificate_file"] == folder + "/" + kPublic + ".pem");
    CHECK(certtool::test::acme::count_in(lab.pebble->log(), "Added order") == orders_before + 1);
    const std::string renewed_leaf = folder + "/" + kPublic + ".pem";
    CHECK(serial_of(renewed_leaf) != first_serial);
    CHECK(contains(openssl_sans(renewed_leaf), expected_sans(names)));
    CHECK(std::filesystem::is_regular_file(folder + "/" + kPublic + ".chain.pem"));
    CHECK(std::filesystem::is_regular_file(folder + "/" + kInternal + ".csr"));
    CHECK_FALSE(std::filesystem::exists(folder + "/" + kInternal + ".pem"));
    CHECK(read_file(leaf) == first_leaf_bytes);  // the certificate in use is untouched
    // The account is the one beside the dated folders, 0600, never printed.
    struct stat st {};
    REQUIRE(::stat((renewals + "/acme-account.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    for (const auto& line : certtool::test::acme::secret_lines(renewals + "/acme-account.key")) CHECK_FALSE(contains(log, line));
    CHECK_FALSE(contains(log, lab.tsig_secret));

    // The same day again: the certificate is in place, nothing is ordered; with
    // --force it is ordered again and the previous files are kept beside.
    const auto rerun = step(renew_args(two_thirds, "16d"), lab, log);
    INFO(log);
    REQUIRE(rerun.exit_code == 1);
    CHECK(json::parse(rerun.out)["acme"]["result"]["certificates"][0]["outcome"] == "in place");
    CHECK(certtool::test::acme::count_in(lab.pebble->log(), "Added order") == orders_before + 1);
    const auto forced = step(with(renew_args(two_thirds, "16d"), {"--force"}), lab, log);
    INFO(log);
    REQUIRE(forced.exit_code == 1);
    const json forced_report = json::parse(forced.out);
    const auto& replaced = forced_report["acme"]["result"]["certificates"][0];
    CHECK(replaced["outcome"] == "issued");
    CHECK(replaced["replaced_files"].size() == 2);
    for (const auto& kept : replaced["replaced_files"]) CHECK(std::filesystem::exists(kept.get<std::string>()));
    CHECK(replaced["sans"].get<std::vector<std::string>>() == names);

    // 9. pfx and script take the dated folder as it is; A/V is staged at the
    // current certificate's expiry minus 8 hours, which is after --at.
    const std::string pfx2 = dir / "pfx-renewed";
    REQUIRE(step({"pfx", "--requests", folder, "--certs", folder, "--out", pfx2, "--passphrase-file", password_file, "--topology", topo,
                  "--only", kPublic},
                 lab, log)
                .exit_code == 0);
    const std::string scripts2 = dir / "scripts-renewed";
    const auto staged = step({"script", topo, "--pfx", pfx2, "--out", scripts2, "--passphrase-file", password_file, "--only", kPublic,
                              "--current", audit_file, "--at", utc_text(two_thirds)},
                             lab, log);
    INFO(log);
    REQUIRE(staged.exit_code == 0);
    const std::string effective = utc_text(not_after - 8 * 3600);
    CHECK(utc_seconds(effective) > two_thirds);
    CHECK(contains(staged.out, "AudioVideoAuthentication"));
    CHECK(contains(staged.out, "staged, EffectiveDate " + effective));
    for (const auto& file : scripts_in(scripts2)) {
        if (contains(file, "cleanup") || contains(file, "export")) continue;
        const std::string text = read_file(file);
        CHECK(contains(text, "-Roll -EffectiveDate"));
        CHECK(contains(text, effective));
    }
    const int parsed_again = ps_parse(scripts2, log);
    if (parsed_again != 77) CHECK(parsed_again == 0);
}
