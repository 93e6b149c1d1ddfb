// `certtool plan` as the real binary: golden outputs for every example topology,
// and the promises scripts rely on (exit codes, stable bytes, no stray colour).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run_process.hpp"
#include "temp_dir.hpp"

using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::run_certtool;
using certtool::test::source_path;

namespace fs = std::filesystem;

namespace {

// Topologies are passed relative to the source tree, with the binary running
// there, so that "topology.path" in the output is the same on every machine.
const std::string kSourceDir = CERTTOOL_SOURCE_DIR;
const std::string kContract = "tests/topologies/good/contract-example.json";

ProcessResult plan(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), "plan");
    return run_certtool(args, env, kSourceDir);
}

// Relative paths (from the source dir) of the *.json files in a source folder, sorted.
std::vector<std::string> topologies_in(const std::string& folder) {
    std::vector<std::string> out;
    const fs::path dir = source_path(folder);
    if (!fs::is_directory(dir)) return out;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.is_regular_file() && entry.path().extension() == ".json")
            out.push_back(folder + "/" + entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// "" when equal, else the first line that differs, for a readable failure.
std::string first_difference(const std::string& expected, const std::string& actual) {
    if (expected == actual) return "";
    std::istringstream e(expected), a(actual);
    std::string el, al;
    for (int line = 1;; ++line) {
        const bool more_e = static_cast<bool>(std::getline(e, el));
        const bool more_a = static_cast<bool>(std::getline(a, al));
        if (!more_e && !more_a) return "outputs differ only in the final newline";
        if (!more_e || !more_a || el != al) {
            return "first difference at line " + std::to_string(line) + "\n  golden: " +
                   (more_e ? el : "<end of file>") + "\n  actual: " + (more_a ? al : "<end of output>");
        }
    }
}

bool has_error_finding(const nlohmann::json& plan) {
    return std::any_of(plan["findings"].begin(), plan["findings"].end(),
                       [](const nlohmann::json& f) { return f["severity"] == "error"; });
}

bool updating_golden_files() {
    const char* update = std::getenv("CERTTOOL_UPDATE_GOLDEN");
    return update != nullptr && std::string(update) == "1";
}

}  // namespace

TEST_CASE("e2e: plan output matches the golden file for every example and format", "[e2e][golden]") {
    const auto examples = topologies_in("templates/examples");
    if (examples.empty()) WARN("no templates/examples/*.json yet: nothing to compare");

    const std::pair<const char*, const char*> formats[] = {{"table", "table"}, {"json", "json"}, {"markdown", "md"}};
    for (const auto& example : examples) {
        const std::string stem = fs::path(example).stem().string();
        for (const auto& [format, extension] : formats) {
            const std::string golden = "tests/golden/" + stem + "." + extension;
            INFO("certtool plan " << example << " --format " << format << " --at 2026-12-01  vs  " << golden);
            // A fixed --at: the public CAs' maximum lifetime depends on the date (issue 14).
            const auto r = plan({example, "--format", format, "--at", "2026-12-01"});
            CHECK((r.exit_code == 0 || r.exit_code == 1));
            CHECK(r.err.empty());

            if (updating_golden_files()) {
                std::ofstream file(source_path(golden), std::ios::binary | std::ios::trunc);
                file << r.out;
                CHECK(file.good());
                continue;
            }
            if (!fs::exists(source_path(golden))) {
                FAIL_CHECK("golden file " << golden << " does not exist; review the output, then create it with\n"
                           "  CERTTOOL_UPDATE_GOLDEN=1 <build>/tests/certtool_e2e_tests '[golden]'");
                continue;
            }
            const std::string difference = first_difference(read_file(source_path(golden)), r.out);
            INFO(difference);
            CHECK(difference.empty());
        }
    }
}

TEST_CASE("e2e: plan --format json is a certtool.plan/v1 document naming the topology as given", "[e2e]") {
    const auto r = plan({kContract, "--format", "json"});
    CHECK((r.exit_code == 0 || r.exit_code == 1));
    const auto json = nlohmann::json::parse(r.out);
    CHECK(json["schema"] == "certtool.plan/v1");
    CHECK(json["topology"]["path"] == kContract);
    CHECK(json["topology"]["sha256"].get<std::string>().size() == 64);
    CHECK(json["summary"]["certificates"] == json["certificates"].size());
    CHECK(r.out.back() == '\n');
}

TEST_CASE("e2e: two runs of plan give the same bytes in every format", "[e2e]") {
    for (const char* format : {"table", "json", "markdown"}) {
        INFO(format);
        const auto first = plan({kContract, "--format", format, "--reasons"});
        const auto second = plan({kContract, "--format", format, "--reasons"});
        CHECK(first.exit_code == second.exit_code);
        CHECK(first.out == second.out);
        CHECK_FALSE(first.out.empty());
    }
}

TEST_CASE("e2e: plan exits 1 exactly when the plan has an error finding", "[e2e]") {
    auto topologies = topologies_in("templates/examples");
    const auto good = topologies_in("tests/topologies/good");
    topologies.insert(topologies.end(), good.begin(), good.end());
    REQUIRE_FALSE(topologies.empty());
    for (const auto& topology : topologies) {
        INFO(topology);
        const auto r = plan({topology, "--format", "json"});
        const auto json = nlohmann::json::parse(r.out);
        CHECK(r.exit_code == (has_error_finding(json) ? 1 : 0));
        // Filtering the output must not hide the error from the exit code.
        if (!json["certificates"].empty()) {
            const auto only = plan({topology, "--format", "json", "--only", json["certificates"][0]["id"]});
            CHECK(only.exit_code == r.exit_code);
        }
    }
}

TEST_CASE("e2e: plan writes no colour codes to a pipe or under NO_COLOR unless forced", "[e2e]") {
    CHECK(plan({kContract}).out.find('\x1b') == std::string::npos);  // stdout is a pipe here
    CHECK(plan({kContract}, {"NO_COLOR=1"}).out.find('\x1b') == std::string::npos);
    CHECK(plan({kContract, "--color", "never"}).out.find('\x1b') == std::string::npos);
    CHECK(plan({kContract, "--color", "always"}).out.find("\x1b[") != std::string::npos);
    // no-color.org: NO_COLOR changes the default only; an explicit flag wins.
    CHECK(plan({kContract, "--color", "always"}, {"NO_COLOR=1"}).out.find("\x1b[") != std::string::npos);
}

TEST_CASE("e2e: plan given a plan instead of the topology says so in one error", "[e2e]") {
    const auto r = plan({"tests/golden/edge-single-nat.json"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    INFO(r.err);
    CHECK(r.err ==
          "certtool: error: tests/golden/edge-single-nat.json: /schema: this is a certtool.plan/v1 document (a plan); give "
          "the topology (certtool.topology/v1) it was made from [topology.not-a-topology]\n");
}

TEST_CASE("e2e: plan on a missing file exits 2 and names the file on stderr", "[e2e]") {
    const auto r = plan({"no-such-dir/site.json"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("certtool: error: no-such-dir/site.json") != std::string::npos);
}

TEST_CASE("e2e: plan --only with an unknown role or id exits 2", "[e2e]") {
    const auto r = plan({kContract, "--only", "no-such-certificate"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("no-such-certificate") != std::string::npos);
    CHECK(r.err.find("usage.unknown-certificate") != std::string::npos);
}

TEST_CASE("e2e: plan --only edge-external keeps that role and what belongs to it", "[e2e]") {
    const auto r = plan({kContract, "--only", "edge-external", "--format", "json"});
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
    const auto json = nlohmann::json::parse(r.out);
    REQUIRE_FALSE(json["certificates"].empty());
    std::vector<std::string> ids;
    for (const auto& c : json["certificates"]) {
        CHECK(c["role"] == "edge-external");
        ids.push_back(c["id"]);
    }
    for (const auto& record : json["dns"]) {
        INFO(record.dump());
        CHECK(std::find(ids.begin(), ids.end(), record.value("certificate", "")) != ids.end());
    }
    for (const auto& finding : json["findings"]) {
        const std::string certificate = finding.value("certificate", "");
        INFO(finding.dump());
        CHECK((certificate.empty() || std::find(ids.begin(), ids.end(), certificate) != ids.end()));
    }
}

TEST_CASE("plan --out: every format writes the bytes standard output gets, atomically, replacing the last run's", "[plan][e2e][out]") {
    certtool::test::TempDir dir("certtool-plan-out");
    const std::string topology = source_path("templates/examples/enterprise.json");
    const std::string out = dir / "plan.out";
    for (const std::string format : {"table", "json", "markdown", "html", "zone", "dns-powershell"}) {
        INFO(format);
        const auto to_stdout = run_certtool({"plan", topology, "--format", format, "--at", "2026-12-01", "--color", "always"});
        REQUIRE(to_stdout.exit_code == 0);
        const auto to_file = run_certtool({"plan", topology, "--format", format, "--at", "2026-12-01", "--color", "always", "--out", out});
        INFO(to_file.err);
        CHECK(to_file.exit_code == 0);
        CHECK(to_file.out.empty());
        const std::string written = read_file(out);
        if (format == "table") {
            // --color always colours a terminal's table, never a file's.
            CHECK(written.find('\033') == std::string::npos);
            CHECK(to_stdout.out.find('\033') != std::string::npos);
        } else {
            CHECK(written == to_stdout.out);
        }
    }
    // Never through a symlink: the link and its target stay as they were.
    const std::string target = dir / "target.txt";
    { std::ofstream(target) << "keep\n"; }
    std::filesystem::create_symlink(target, dir / "link.out");
    const auto linked = run_certtool({"plan", topology, "--out", dir / "link.out"});
    INFO(linked.err);
    CHECK(linked.exit_code == 2);
    CHECK(linked.err.find("link.out") != std::string::npos);
    CHECK(read_file(target) == "keep\n");
    // A folder that does not exist: exit 2 naming the path, nothing written.
    const auto missing = run_certtool({"plan", topology, "--out", dir / "absent/plan.txt"});
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("absent/plan.txt") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "absent"));
}
