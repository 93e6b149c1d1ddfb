// One policy for a plan with error findings (README "A plan with errors"),
// verb by verb: the writers refuse (exit 2, nothing written) unless --force,
// the checkers report plan.has-errors, plan exits 1.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "run_process.hpp"
#include "temp_dir.hpp"

using certtool::test::run_certtool;
using certtool::test::source_path;
using certtool::test::TempDir;
using nlohmann::json;

namespace {

const std::string kExternal = "edge-external.lsedge-contoso-net";

// Every path under `dir`, so that a refused run can be shown to have written nothing.
std::set<std::string> listing(const std::string& dir) {
    std::set<std::string> paths;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) paths.insert(e.path().string());
    return paths;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// The single-NAT example with a wildcard web conferencing FQDN: valid input, and
// a plan with one error finding (wildcard-forbidden).
struct BrokenSite {
    TempDir dir{"certtool-plan-policy"};
    std::string topology = dir / "wildcard-webconf.json";
    BrokenSite() {
        json t = json::parse(std::ifstream(source_path("templates/examples/edge-single-nat.json")));
        t["sites"][0]["edge_pools"][0]["external"]["webconf"] = "*.contoso.com";
        std::ofstream(topology) << t.dump(2);
        std::filesystem::create_directory(dir / "empty");
        (void)dir.file("pfx.pass", "secret\n");
        REQUIRE(run_certtool({"csr", source_path("templates/examples/edge-single-nat.json"), "--out", dir / "req"}).exit_code == 0);
        REQUIRE(run_certtool({"ca", "init", dir / "ca", "--crl-url", "http://pki.contoso.net/root.crl"}).exit_code == 0);
        REQUIRE(run_certtool({"ca", "sign", dir / "ca", dir / ("req/" + kExternal + ".csr"), "--topology",
                              source_path("templates/examples/edge-single-nat.json"), "--cert", kExternal, "--out", dir / "external.pem"})
                    .exit_code == 0);
    }
};

}  // namespace

TEST_CASE("plan policy: every verb that writes from a plan with error findings writes nothing and exits 2, unless --force",
          "[policy][e2e]") {
    BrokenSite site;
    const auto& d = site.dir;
    const std::vector<std::vector<std::string>> writers = {
        {"csr", site.topology, "--out", d / "out-csr"},
        {"renew", site.topology, "--inventory", d / "empty", "--out", d / "out-renew"},
        {"renew", site.topology, "--inventory", d / "empty", "--dry-run"},
        {"ca", "sign", d / "ca", d / ("req/" + kExternal + ".csr"), "--topology", site.topology, "--cert", kExternal, "--out",
         d / "out-sign.pem", "--accept-name-differences"},
        {"pfx", "--key", d / ("req/" + kExternal + ".key"), "--cert", d / "external.pem", "--out", d / "out.pfx", "--topology",
         site.topology, "--passphrase-file", d / "pfx.pass"},
        {"script", site.topology, "--pfx", d / "empty", "--out", d / "out-script", "--passphrase-file", d / "pfx.pass"},
        {"acme", site.topology, "--server", "https://127.0.0.1:9/dir", "--requests", d / "req", "--out", d / "out-acme", "--dns-hook",
         source_path("templates/dns-hook-nsupdate.sh")},
    };
    for (const auto& args : writers) {
        const auto before = listing(d.path());
        const auto r = run_certtool(args);
        INFO("certtool " << args[0] << " " << args[1] << "\n" << r.out << r.err);
        CHECK(r.exit_code == 2);
        CHECK(has(r.err, "[wildcard-forbidden]"));
        CHECK(has(r.err, "/sites/0/edge_pools/0/external/webconf"));
        CHECK(has(r.err, "nothing written: the plan has 1 error finding"));
        CHECK(has(r.err, "[plan.has-errors]"));
        CHECK(r.out.empty());
        CHECK(listing(d.path()) == before);

        // --force: past the policy, with the warning (the verb may stop later for its own reasons).
        auto forced_args = args;
        forced_args.push_back("--force");
        const auto forced = run_certtool(forced_args);
        INFO(forced.out << forced.err);
        CHECK(has(forced.err, "going on because of --force [plan.has-errors]"));
        CHECK_FALSE(has(forced.err, "nothing written: the plan has"));
    }
    // Where nothing else stands in the way, --force writes.
    CHECK(std::filesystem::is_regular_file(d / ("out-csr/" + kExternal + ".csr")));
    CHECK(std::filesystem::is_regular_file(d / "out-sign.pem"));
    CHECK(std::filesystem::is_regular_file(d / "out.pfx"));
}

TEST_CASE("plan policy: plan exits 1; verify and audit check anyway and report plan.has-errors", "[policy][e2e]") {
    BrokenSite site;
    const auto& d = site.dir;
    CHECK(run_certtool({"plan", site.topology}).exit_code == 1);

    const auto verify = run_certtool({"verify", site.topology, d / "external.pem", "--trust", d / "ca/root.pem", "--cert", kExternal,
                                      "--format", "json"});
    INFO(verify.out << verify.err);
    const auto doc = json::parse(verify.out);
    REQUIRE(doc["findings"].size() == 1);
    CHECK(doc["findings"][0]["code"] == "plan.has-errors");
    CHECK(doc["findings"][0]["severity"] == "warning");
    CHECK(has(doc["findings"][0]["message"].get<std::string>(), "wildcard-forbidden"));
    CHECK(doc["results"].size() == 1);

    const auto table = run_certtool({"verify", site.topology, d / "external.pem", "--trust", d / "ca/root.pem", "--cert", kExternal});
    CHECK(has(table.out, "warning plan.has-errors"));

    std::filesystem::create_directories(d / ("files/" + std::string("lsedge01.contoso.net")));
    const auto audit = run_certtool({"audit", site.topology, "--files", d / "files", "--format", "json"});
    INFO(audit.out << audit.err);
    const auto report = json::parse(audit.out);
    bool found = false;
    for (const auto& f : report["findings"]) found = found || f["code"] == "plan.has-errors";
    CHECK(found);

    // A plan without errors says nothing of the kind.
    const auto clean = run_certtool({"verify", source_path("templates/examples/edge-single-nat.json"), d / "external.pem", "--trust",
                                     d / "ca/root.pem", "--cert", kExternal, "--format", "json"});
    CHECK(json::parse(clean.out)["findings"].empty());
}
