// certtool acme end to end against real servers on loopback: Pebble (the ACME
// test CA, with its own TLS certificate made here, issuing 47-day
// certificates) validating DNS-01 against Knot DNS, an authoritative server
// for contoso.com and fabrikam.com that takes RFC 2136 updates signed with a
// TSIG key, made by the shipped hook templates/dns-hook-nsupdate.sh as it is.
// The topology is templates/examples/enterprise.json: three public-CA
// certificates (Edge external, Edge A/V, reverse proxy; 14 names in all).
// Each test case uses its own random 127.B.C.0/24 block, so copies may run at
// once. Without pebble, knotd, nsupdate, dig or curl the tests say so and pass.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "acme_lab.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::run_certtool;
using certtool::test::run_process;
using certtool::test::source_path;
using certtool::test::TempDir;
using namespace certtool::test;
using namespace certtool::test::acme;
using nlohmann::json;

namespace {

const std::string kTopology = "templates/examples/enterprise.json";
constexpr int kAcmePort = 14000;
constexpr int kManagementPort = 15000;
constexpr int kDnsPort = 5353;
constexpr long kLifetimeSeconds = 47L * 86400;  // certificateValidityPeriod

struct Programs {
    std::string pebble, knotd, nsupdate, dig, curl, openssl, missing;
};

const Programs& programs() {
    static const Programs found = [] {
        Programs p;
        p.pebble = find_program("pebble");
        p.knotd = find_program("knotd");
        p.nsupdate = find_program("nsupdate");
        p.dig = find_program("dig");
        p.curl = find_program("curl");
        p.openssl = find_program("openssl");
        std::vector<std::string> missing;
        if (p.pebble.empty()) missing.emplace_back("pebble (package pebble)");
        if (p.knotd.empty()) missing.emplace_back("knotd (package knot)");
        if (p.nsupdate.empty() || p.dig.empty()) missing.emplace_back("nsupdate and dig (package bind9-dnsutils)");
        if (p.curl.empty()) missing.emplace_back("curl (package curl)");
        if (p.openssl.empty()) missing.emplace_back("openssl (package openssl)");
        for (std::size_t i = 0; i < missing.size(); ++i) p.missing += (i ? ", " : "") + missing[i];
        return p;
    }();
    return found;
}

#define SKIP_WITHOUT_ACME_SERVERS()                                                              \
    do {                                                                                         \
        if (!programs().missing.empty()) {                                                       \
            WARN("skipped: the ACME end-to-end tests need real servers; not found: " << programs().missing); \
            return;                                                                              \
        }                                                                                        \
    } while (false)

std::string run_ok(const std::string& program, const std::vector<std::string>& args, const std::string& cwd = "") {
    const auto r = run_process(program, args, {}, cwd);
    INFO("$ " << program << " ...\n" << r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

std::string transcript(const std::vector<std::string>& args, const ProcessResult& r) {
    std::string text = "$ certtool";
    for (const auto& a : args) text += " " + a;
    return text + "\nexit " + std::to_string(r.exit_code) + " after " + std::to_string(r.elapsed.count()) + " ms\n--- stdout\n" + r.out +
           "--- stderr\n" + r.err;
}

long utc_seconds(const std::string& text) {  // "2026-12-03T16:52:42Z"
    std::tm tm{};
    REQUIRE(::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) != nullptr);
    return static_cast<long>(::timegm(&tm));
}

// Pebble and Knot on 127.B.C.10 and 127.B.C.53, with everything they need in `dir`.
class Lab {
public:
    TempDir dir{"certtool-acme-e2e"};
    std::string prefix = loopback_block({{{10, kAcmePort}, {10, kManagementPort}, {10, kDnsPort}, {53, kAcmePort}, {53, kManagementPort},
                                          {53, kDnsPort}},
                                         true})
                             .prefix;
    std::string ca_ip = prefix + "10";
    std::string dns_ip = prefix + "53";
    std::string tsig_secret;
    std::string tsig_file = dir / "tsig.key";
    std::string pebble_tls = dir / "pebble-tls.pem";
    std::string root = dir / "pebble-root.pem";
    std::unique_ptr<Daemon> knot;
    std::unique_ptr<Daemon> pebble;

    Lab() {
        tsig_secret = run_ok(programs().openssl, {"rand", "-base64", "32"});
        while (!tsig_secret.empty() && tsig_secret.back() == '\n') tsig_secret.pop_back();
        start_knot();
        start_pebble();
    }

    [[nodiscard]] std::string directory_url() const { return "https://" + ca_ip + ":" + std::to_string(kAcmePort) + "/dir"; }

    [[nodiscard]] std::vector<std::string> hook_env() const {
        return {"CERTTOOL_NSUPDATE_SERVER=" + dns_ip, "CERTTOOL_NSUPDATE_PORT=" + std::to_string(kDnsPort),
                "CERTTOOL_NSUPDATE_KEYFILE=" + tsig_file, "CERTTOOL_NSUPDATE_TIMEOUT=5"};
    }

    // TXT values of a name at the authoritative server.
    [[nodiscard]] std::string txt(const std::string& name) const {
        return run_ok(programs().dig, {"+short", "+time=3", "+tries=3", "-p", std::to_string(kDnsPort), "@" + dns_ip, name, "TXT"});
    }

private:
    void start_knot() {
        const std::string base = dir.path();
        std::filesystem::create_directories(base + "/knot/zones");
        std::filesystem::create_directories(base + "/knot/db");
        for (const std::string zone : {"contoso.com", "fabrikam.com"})
            (void)dir.file("knot/zones/" + zone + ".zone", "$ORIGIN " + zone + ".\n$TTL 60\n@ SOA ns1 hostmaster 1 3600 600 86400 60\n@ NS ns1\nns1 A " +
                                                              dns_ip + "\n");
        const std::string conf = dir.file("knot/knot.conf",
                                          "server:\n    listen: " + dns_ip + "@" + std::to_string(kDnsPort) + "\n    rundir: \"" + base +
                                              "/knot\"\n    pidfile: \"" + base + "/knot/knot.pid\"\n"
                                              "log:\n  - target: stderr\n    any: info\n"
                                              "database:\n    storage: \"" + base + "/knot/db\"\n"
                                              "key:\n  - id: acme-update\n    algorithm: hmac-sha256\n    secret: " + tsig_secret + "\n"
                                              "acl:\n  - id: acme-update\n    key: acme-update\n    action: update\n"
                                              "template:\n  - id: default\n    storage: \"" + base + "/knot/zones\"\n    file: \"%s.zone\"\n"
                                              "    zonefile-sync: -1\n    journal-content: changes\n    acl: acme-update\n"
                                              "zone:\n  - domain: contoso.com\n  - domain: fabrikam.com\n");
        (void)dir.file("tsig.key", "key \"acme-update\" {\n  algorithm hmac-sha256;\n  secret \"" + tsig_secret + "\";\n};\n");
        ::chmod(tsig_file.c_str(), 0600);
        knot = std::make_unique<Daemon>("knotd", programs().knotd, std::vector<std::string>{"-c", conf}, dir / "knot.log");
        const bool up = wait_until([&] { return tcp_connects(dns_ip, kDnsPort); }, 15s);
        INFO(knot->log());
        REQUIRE(up);
    }

    void start_pebble() {
        run_ok(programs().openssl, {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                                    dir / "pebble-tls.key", "-out", pebble_tls, "-days", "2", "-subj", "/CN=pebble test listener",
                                    "-addext", "subjectAltName=IP:" + ca_ip});
        const json config = {{"pebble",
                              {{"listenAddress", ca_ip + ":" + std::to_string(kAcmePort)},
                               {"managementListenAddress", ca_ip + ":" + std::to_string(kManagementPort)},
                               {"certificate", pebble_tls},
                               {"privateKey", dir / "pebble-tls.key"},
                               {"httpPort", 5002},
                               {"tlsPort", 5001},
                               {"ocspResponderURL", ""},
                               {"externalAccountBindingRequired", false},
                               {"certificateValidityPeriod", kLifetimeSeconds}}}};
        const std::string conf = dir.file("pebble.json", config.dump(2));
        // NOSLEEP: no random 0-15 s wait before each validation; nonces are
        // still refused 5% of the time (Pebble's default), which certtool retries.
        pebble = std::make_unique<Daemon>("pebble", programs().pebble,
                                          std::vector<std::string>{"-config", conf, "-dnsserver", dns_ip + ":" + std::to_string(kDnsPort)},
                                          dir / "pebble.log", std::vector<std::string>{"PEBBLE_VA_NOSLEEP=1"});
        // Pebble makes a new root at every start: fetch it from the management port.
        const bool up = wait_until(
            [&] {
                return run_process(programs().curl, {"-sf", "--max-time", "2", "--cacert", pebble_tls, "-o", root,
                                                     "https://" + ca_ip + ":" + std::to_string(kManagementPort) + "/roots/0"})
                           .exit_code == 0;
            },
            20s);
        INFO(pebble->log());
        REQUIRE(up);
    }
};

// How often Pebble's log says `what`. It logs every request it handles, and
// "Added order" only for an order it created: a POST to /order-plz refused for
// a bad nonce (5% of them) and retried is one order, not two.
std::size_t count_in(const std::string& log, const std::string& what) {
    std::size_t n = 0;
    for (auto at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) ++n;
    return n;
}

std::vector<std::string> acme_args(const Lab& lab, const std::string& req, const std::string& out) {
    return {"acme",          source_path(kTopology),  "--server",          lab.directory_url(),
            "--ca-bundle",   lab.pebble_tls,          "--requests",        req,
            "--out",         out,                     "--dns-hook",        source_path("templates/dns-hook-nsupdate.sh"),
            "--dns-resolver", lab.dns_ip + ":" + std::to_string(kDnsPort), "--trust", lab.root,
            "--agree-tos",   "--contact",             "mailto:pki@contoso.com", "--timeout", "10",
            "--order-timeout", "60",                  "--format",          "json"};
}

// The plan's public-CA certificates: id -> {CN, SANs}.
std::map<std::string, std::pair<std::string, std::vector<std::string>>> planned_public() {
    const auto r = run_certtool({"plan", source_path(kTopology), "--format", "json"});
    REQUIRE(r.exit_code == 0);
    std::map<std::string, std::pair<std::string, std::vector<std::string>>> out;
    const auto plan = json::parse(r.out);
    for (const auto& c : plan["certificates"])
        if (c["ca"] == "public") out[c["id"]] = {c["subject"]["common_name"], c["sans"].get<std::vector<std::string>>()};
    return out;
}

}  // namespace

TEST_CASE("acme: plan, csr and acme against Pebble and Knot DNS issue 47-day certificates with exactly the plan's names, and a rerun orders nothing") {
    SKIP_WITHOUT_ACME_SERVERS();
    Lab lab;
    const auto planned = planned_public();
    REQUIRE(planned.size() == 3);

    const std::string req = lab.dir / "req";
    const std::string out = lab.dir / "issued";
    // Requests for the public-CA certificates only: the others are never ordered.
    const auto csr = run_certtool({"csr", source_path(kTopology), "--out", req, "--only", "edge-external,edge-av,reverse-proxy"});
    REQUIRE(csr.exit_code == 0);

    const auto args = acme_args(lab, req, out);
    const auto first = run_certtool(args, lab.hook_env());
    INFO(transcript(args, first) << "--- pebble\n" << lab.pebble->log());
    // 1: every certificate was issued, and each fails the Lync CDP rule (Pebble puts none in).
    REQUIRE(first.exit_code == 1);
    CHECK(first.elapsed < 60s * kTimeScale);
    const auto report = json::parse(first.out);
    REQUIRE(report["certificates"].size() == planned.size());
    CHECK(report["account"]["created"] == true);
    CHECK(report["account"]["key_created"] == true);
    CHECK(report["not_ordered"].size() > 0);  // the internal-CA certificates of the plan
    for (const auto& c : report["certificates"]) {
        const std::string id = c["id"];
        INFO(id);
        REQUIRE(planned.count(id) == 1);
        CHECK(c["outcome"] == "issued");
        CHECK(c["subject"] == planned.at(id).first);
        CHECK(c["sans"].get<std::vector<std::string>>() == planned.at(id).second);  // exactly, in plan order
        const long lifetime = utc_seconds(c["not_after_utc"]) - utc_seconds(c["not_before_utc"]);
        CHECK(lifetime >= kLifetimeSeconds - 60);
        CHECK(lifetime <= kLifetimeSeconds);
        std::set<std::string> errors;
        for (const auto& f : c["findings"])
            if (f["severity"] == "error") errors.insert(f["code"]);
        CHECK(errors.count("crl.missing") == 1);
        // Pebble's root carries an EKU extension, which certtool's path rules
        // refuse (x509-limbo webpki); nothing else may fail.
        errors.erase("crl.missing");
        errors.erase("chain.eku");
        CHECK(errors.empty());

        // Independently of certtool: openssl reads the same names and chains the leaf to Pebble's root.
        const std::string leaf = c["certificate_file"];
        const std::string chain = c["chain_file"];
        std::string expected_sans;
        for (const auto& n : planned.at(id).second) expected_sans += (expected_sans.empty() ? "DNS:" : ", DNS:") + n;
        CHECK(run_ok(programs().openssl, {"x509", "-in", leaf, "-noout", "-ext", "subjectAltName"}).find(expected_sans) != std::string::npos);
        CHECK(run_ok(programs().openssl, {"verify", "-CAfile", lab.root, "-untrusted", chain, leaf}).find(": OK") != std::string::npos);
        for (const auto& name : planned.at(id).second) CHECK(lab.txt("_acme-challenge." + name + ".").empty());  // cleanup ran
    }
    CHECK(first.out.find("crl.missing") != std::string::npos);

    // The account key: 0600, never in any output; nor the TSIG secret.
    struct stat st {};
    REQUIRE(::stat((out + "/acme-account.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    for (const auto& line : secret_lines(out + "/acme-account.key")) {
        CHECK(first.out.find(line) == std::string::npos);
        CHECK(first.err.find(line) == std::string::npos);
    }
    CHECK(first.out.find(lab.tsig_secret) == std::string::npos);
    CHECK(first.err.find(lab.tsig_secret) == std::string::npos);

    CHECK(count_in(lab.pebble->log(), "Added order") == planned.size());
    CHECK(count_in(lab.pebble->log(), "Issued certificate serial") == planned.size());

    // A rerun finds every certificate in place and orders nothing: it does not
    // even ask the CA (Pebble logs every request it handles).
    const std::string state_before = read_file(out + "/acme-state.json");
    const std::string log_before = lab.pebble->log();
    const auto second = run_certtool(args, lab.hook_env());
    INFO(transcript(args, second));
    REQUIRE(second.exit_code == 1);
    const auto second_report = json::parse(second.out);
    for (const auto& c : second_report["certificates"]) CHECK(c["outcome"] == "in place");
    CHECK(read_file(out + "/acme-state.json") == state_before);
    CHECK(second_report["account"]["created"] == false);
    CHECK(lab.pebble->log() == log_before);

    // A lost certificate file: the valid order of the earlier run is continued
    // (downloaded again), not ordered anew.
    const std::string id = "reverse-proxy.rp01";
    const auto state = json::parse(state_before);
    std::filesystem::remove(out + "/" + id + ".pem");
    const auto third = run_certtool(args, lab.hook_env());
    INFO(transcript(args, third));
    REQUIRE(third.exit_code == 1);
    const auto third_report = json::parse(third.out);
    for (const auto& c : third_report["certificates"]) {
        if (c["id"] != id) continue;
        CHECK(c["outcome"] == "issued");
        CHECK(c["resumed"] == true);
        CHECK(c["order"] == state["orders"][id]["url"]);
        CHECK(c["sha256"] == state["orders"][id]["certificate_sha256"]);
    }
    CHECK(count_in(lab.pebble->log(), "Added order") == planned.size());

    // --force orders again; the previous files are kept beside the new ones.
    auto forced_args = args;
    forced_args.insert(forced_args.end(), {"--force", "--only", id});
    const auto forced = run_certtool(forced_args, lab.hook_env());
    INFO(transcript(forced_args, forced));
    REQUIRE(forced.exit_code == 1);
    const auto forced_report = json::parse(forced.out);
    REQUIRE(forced_report["certificates"].size() == 1);
    const auto& again = forced_report["certificates"][0];
    CHECK(again["outcome"] == "issued");
    CHECK(again["resumed"] == false);
    CHECK(again["order"] != state["orders"][id]["url"]);
    CHECK(again["replaced_files"].size() == 2);
    CHECK(count_in(lab.pebble->log(), "Added order") == planned.size() + 1);
    for (const auto& kept : again["replaced_files"]) CHECK(std::filesystem::exists(kept.get<std::string>()));
}

TEST_CASE("acme: a certificate not planned for a public CA, named by --only, is refused before anything is sent") {
    SKIP_WITHOUT_ACME_SERVERS();
    TempDir dir{"certtool-acme-only"};
    std::filesystem::create_directory(dir / "req");
    const std::vector<std::string> args = {"acme", source_path(kTopology), "--server", "https://127.0.0.1:9/dir", "--requests", dir / "req",
                                           "--out", dir / "out", "--dns-hook", source_path("templates/dns-hook-nsupdate.sh"),
                                           "--only", "edge-internal.lsedge-contoso-net"};
    const auto r = run_certtool(args);
    INFO(transcript(args, r));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("[acme.not-public]") != std::string::npos);
    CHECK(r.err.find("either CA") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "out"));
}
