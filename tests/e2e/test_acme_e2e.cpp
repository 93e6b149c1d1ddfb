// certtool acme end to end against real servers on loopback (acme_lab.hpp's
// Lab): Pebble issuing 47-day certificates, validating DNS-01 against Knot DNS
// updated by the shipped hook templates/dns-hook-nsupdate.sh as it is.
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
std::string transcript(const std::vector<std::string>& args, const ProcessResult& r) {
    std::string text = "$ certtool";
    for (const auto& a : args) text += " " + a;
    return text + "\nexit " + std::to_string(r.exit_code) + " after " + std::to_string(r.elapsed.count()) + " ms\n--- stdout\n" + r.out +
           "--- stderr\n" + r.err;
}

std::vector<std::string> acme_args(const Lab& lab, const std::string& req, const std::string& out) {
    std::vector<std::string> args{"acme", source_path(kTopology), "--requests", req, "--out", out, "--format", "json"};
    for (const auto& o : lab.ca_options()) args.push_back(o);
    return args;
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
