// Numbers in what the command line prints, run in process on certificates
// issued in memory. One count of days everywhere: a certificate that expired
// 367.5 days before the check time shows the same number in verify's table and
// JSON, audit's table and JSON, renew's table and JSON, and the validity
// finding's message. And a count of one is singular ("1 request", not "1 requests").
#include <catch2/catch.hpp>

#include "plan_date.hpp"
#include "temp_dir.hpp"

#include <sys/stat.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "core/time.hpp"
#include "crypto/issue.hpp"
#include "crypto/keys.hpp"
#include "model/plan.hpp"
#include "topology/topology.hpp"

using certtool::test::TempDir;
namespace crypto = certtool::crypto;
using namespace std::chrono_literals;

namespace {

const std::string kTopology = std::string(CERTTOOL_SOURCE_DIR) + "/templates/examples/edge-single-nat.json";
const std::string kExternal = "edge-external.lsedge-contoso-net";
const std::string kAtText = "2027-06-01T12:00:00Z";
const certtool::TimePoint kAt = *certtool::parse_utc(kAtText);

struct Run {
    int exit_code = -1;
    std::string out;
    std::string err;
};

Run certtool_run(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    certtool::cli::Terminal term{out, err, false, false, false};
    Run r;
    r.exit_code = certtool::cli::run(args, term);
    r.out = out.str();
    r.err = err.str();
    return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const certtool::model::Plan& plan() {
    static const certtool::model::Plan p = [] {
        const auto loaded = certtool::topology::load_file(kTopology);
        return certtool::model::build_plan(loaded.topology, loaded.source, certtool::test::plan_date());
    }();
    return p;
}

// A self-signed certificate ending at `not_after` with the names of plan entry
// `id`, or with `sans` when given.
std::string issue_pem(certtool::TimePoint not_after, const std::string& id = kExternal,
                      const std::vector<std::string>& sans = {}) {
    const auto* r = plan().find(id);
    REQUIRE(r != nullptr);
    const auto key = crypto::generate_key({crypto::KeyType::ec, 256});
    crypto::IssueRequest req;
    req.subject.common_name = sans.empty() ? r->common_name : sans.front();
    if (sans.empty())
        for (const auto& san : r->sans) req.dns_names.push_back(san.name);
    else
        req.dns_names = sans;
    req.eku = r->eku;
    req.key_usage = {"digitalSignature"};
    req.crl_urls = {"http://crl.contoso.com/root.crl"};
    req.not_before = not_after - 365 * 24h;
    req.not_after = not_after;
    return crypto::certificate_pem(crypto::issue_certificate(crypto::public_key_der(key), req, {nullptr, &key}));
}

}  // namespace

TEST_CASE("days: whole days left are rounded down, so the sign says whether the time has passed", "[days]") {
    using certtool::whole_days_left;
    CHECK(whole_days_left(kAt, kAt) == 0);
    CHECK(whole_days_left(kAt, kAt + 6h) == 0);
    CHECK(whole_days_left(kAt, kAt - 6h) == -1);
    CHECK(whole_days_left(kAt, kAt + 24h) == 1);
    CHECK(whole_days_left(kAt, kAt - 24h) == -1);
    CHECK(whole_days_left(kAt, kAt - 24h - 1s) == -2);
    CHECK(whole_days_left(kAt, kAt + 367 * 24h + 12h) == 367);
    CHECK(whole_days_left(kAt, kAt - 367 * 24h - 12h) == -368);
}

TEST_CASE("days: a certificate expired 367.5 days ago is -368 days in every output", "[days]") {
    TempDir dir("certtool-days");
    REQUIRE(::mkdir(dir.path("lsedge.contoso.net").c_str(), 0700) == 0);
    const std::string file = dir.file("lsedge.contoso.net/external.pem", issue_pem(kAt - 367 * 24h - 12h));
    const std::string expired = "expired 368 days before the check time";

    SECTION("verify") {
        const auto table = certtool_run({"verify", kTopology, file, "--at", kAtText, "--no-chain"});
        INFO(table.out << table.err);
        CHECK(table.exit_code == 1);
        CHECK(contains(table.out, "(-368 days)"));
        CHECK(contains(table.out, expired));
        const auto json = certtool_run({"verify", kTopology, file, "--at", kAtText, "--no-chain", "--format", "json"});
        INFO(json.out << json.err);
        const auto doc = nlohmann::json::parse(json.out);
        CHECK(doc["results"][0]["days_left"] == -368);
    }
    SECTION("audit") {
        const auto table = certtool_run({"audit", kTopology, "--files", dir.path(), "--at", kAtText, "--no-chain"});
        INFO(table.out << table.err);
        CHECK(table.exit_code == 1);
        CHECK(contains(table.out, "(-368d)"));
        CHECK(contains(table.out, expired));
        const auto json =
            certtool_run({"audit", kTopology, "--files", dir.path(), "--at", kAtText, "--no-chain", "--format", "json"});
        INFO(json.out << json.err);
        const auto doc = nlohmann::json::parse(json.out);
        REQUIRE(doc["observations"].size() == 1);
        CHECK(doc["observations"][0]["days_left"] == -368);
    }
    SECTION("renew") {
        const auto table = certtool_run({"renew", kTopology, "--inventory", dir.path(), "--at", kAtText, "--dry-run"});
        INFO(table.out << table.err);
        CHECK(table.exit_code == 1);
        CHECK(contains(table.out, " -368  expired"));
        const auto json =
            certtool_run({"renew", kTopology, "--inventory", dir.path(), "--at", kAtText, "--dry-run", "--format", "json"});
        INFO(json.out << json.err);
        const auto doc = nlohmann::json::parse(json.out);
        CHECK(doc["due"][0]["id"] == kExternal);
        CHECK(doc["due"][0]["old"]["days_left"] == -368);
    }
}

TEST_CASE("counts: a count of one is singular", "[counts]") {
    TempDir dir("certtool-counts");
    SECTION("csr: 1 request") {
        const auto r = certtool_run({"csr", kTopology, "--out", dir.path("req"), "--only", "edge-external"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK(contains(r.out, "\n1 request in "));
    }
    SECTION("ca sign: 1 SAN") {
        const auto init = certtool_run({"ca", "init", dir.path("ca"), "--key-type", "ec", "--key-bits", "256", "--crl-url", "http://crl.contoso.com/root.crl"});
        REQUIRE(init.exit_code == 0);
        REQUIRE(certtool_run({"csr", kTopology, "--out", dir.path("req"), "--only", "edge-internal"}).exit_code == 0);
        const std::string id = "edge-internal.lsedge-contoso-net";
        const auto r = certtool_run({"ca", "sign", dir.path("ca"), dir.path("req/" + id + ".csr"), "--topology", kTopology,
                                     "--cert", id});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK(contains(r.out, ", 1 SAN, valid until "));
    }
    SECTION("verify: 1 SAN, 1 day, a warning window of 1 day") {
        const std::string soon = dir.file("soon.pem", issue_pem(kAt + 12h, kExternal, {"sip.contoso.com"}));
        const std::string later = dir.file("later.pem", issue_pem(kAt + 36h, kExternal, {"sip.contoso.com"}));
        const auto r = certtool_run({"verify", soon, later, "--name", "sip.contoso.com", "--at", kAtText, "--warn-days", "1",
                                     "--no-chain"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK(contains(r.out, "CN=sip.contoso.com, 1 SAN, expires 2027-06-02 (0 days)"));
        CHECK(contains(r.out, "validity.expiring: expires in less than a day (warning window 1 day)"));
        CHECK(contains(r.out, "CN=sip.contoso.com, 1 SAN, expires 2027-06-03 (1 day)"));
        CHECK(contains(r.out, "\n2 certificates checked: 2 passed, 0 failed\n"));
    }
    SECTION("renew: 1 of 1 certificate") {
        (void)dir.file("external.pem", issue_pem(kAt + 10 * 24h));
        const auto due = certtool_run({"renew", kTopology, "--inventory", dir.path(), "--only", "edge-external", "--at", kAtText,
                                       "--dry-run"});
        INFO(due.out << due.err);
        CHECK(due.exit_code == 1);
        CHECK(contains(due.out, "\n1 of 1 certificate due (dry run: nothing written).\n"));
        const auto none = certtool_run({"renew", kTopology, "--inventory", dir.path(), "--only", "edge-external", "--at", kAtText,
                                        "--within", "1d", "--dry-run"});
        INFO(none.out << none.err);
        CHECK(none.exit_code == 0);
        CHECK(contains(none.out, "Nothing due (1 certificate checked): "));
    }
}
