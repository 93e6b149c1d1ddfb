// One count of days everywhere: a certificate that expired 367.5 days before
// the check time shows the same number in verify's table and JSON, audit's
// table and JSON, renew's table and JSON, and the validity finding's message.
// Run through the command line in process, on a certificate issued in memory.
#include <catch2/catch.hpp>

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

// The plan's external Edge certificate, self-signed, ending at `not_after`.
std::string external_pem(certtool::TimePoint not_after) {
    const auto loaded = certtool::topology::load_file(kTopology);
    const auto plan = certtool::model::build_plan(loaded.topology, loaded.source);
    const auto* r = plan.find(kExternal);
    REQUIRE(r != nullptr);
    const auto key = crypto::generate_key({crypto::KeyType::ec, 256});
    crypto::IssueRequest req;
    req.subject.common_name = r->common_name;
    for (const auto& san : r->sans) req.dns_names.push_back(san.name);
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
    const std::string file = dir.file("lsedge.contoso.net/external.pem", external_pem(kAt - 367 * 24h - 12h));
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
