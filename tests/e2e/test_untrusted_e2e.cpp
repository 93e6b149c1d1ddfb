// Intermediates as intermediates: `verify` and `audit --files` take them from
// `--untrusted FILE` or from the `<stem>.chain.pem` beside a leaf `<stem>.pem`
// (as `ca sign --manifest` writes them), never as trust anchors, and say where
// they came from.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cert_lab.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

using certtool::test::CertLab;
using certtool::test::contains;
using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::run_guarded;
using certtool::test::TempDir;
using certtool::test::transcript;
using certtool::test::write_bytes;
using nlohmann::json;

namespace fs = std::filesystem;

namespace {

ProcessResult run(const std::vector<std::string>& args, int expected) {
    const auto r = run_guarded(args);
    INFO(transcript(args, r));
    CHECK(r.exit_code == expected);
    return r;
}

bool has_code(const json& findings, const std::string& prefix) {
    for (const auto& f : findings)
        if (f["code"].get<std::string>().rfind(prefix, 0) == 0) return true;
    return false;
}

}  // namespace

TEST_CASE("untrusted e2e: verify builds the chain with --untrusted or the chain file beside the leaf, never trusting them",
          "[verify][untrusted][e2e]") {
    CertLab lab("certtool-untrusted-e2e");
    const std::string leaf = lab.issue(CertLab::kExternal, "external.pem");
    const std::string intermediate = lab.ca + "/intermediate.pem";
    // ca sign --out wrote external.chain.pem beside it: the leaf alone first.
    REQUIRE(fs::remove(lab.dir / "external.chain.pem"));

    // The leaf alone with the root: no path to the root.
    const auto alone = run({"verify", lab.topology, leaf, "--trust", lab.root(), "--format", "json"}, 1);
    CHECK(has_code(json::parse(alone.out)["results"][0]["findings"], "chain."));

    // --untrusted gives the intermediate: it passes, and says so.
    const auto given = run({"verify", lab.topology, leaf, "--trust", lab.root(), "--untrusted", intermediate}, 0);
    CHECK(contains(given.out, "intermediates from --untrusted " + intermediate + " (1)"));
    const auto given_json = run({"verify", lab.topology, leaf, "--trust", lab.root(), "--untrusted", intermediate, "--format", "json"}, 0);
    CHECK(json::parse(given_json.out)["results"][0]["intermediates_from"] ==
          json::array({"--untrusted " + intermediate + " (1)"}));

    // Untrusted is not trusted: the intermediate and root offered as intermediates, another CA as the anchor: fails.
    const std::string other = lab.dir / "other";
    REQUIRE(run_guarded({"ca", "init", other, "--key-bits", "2048"}).exit_code == 0);
    const auto not_anchor =
        run({"verify", lab.topology, leaf, "--trust", other + "/root.pem", "--untrusted", lab.ca + "/chain.pem", "--format", "json"}, 1);
    CHECK(has_code(json::parse(not_anchor.out)["results"][0]["findings"], "chain."));
    // A file --untrusted cannot read: a usage error naming it.
    const auto missing = run({"verify", lab.topology, leaf, "--trust", lab.root(), "--untrusted", lab.dir / "nope.pem"}, 2);
    CHECK(contains(missing.err, lab.dir / "nope.pem"));

    // <stem>.chain.pem beside <stem>.pem: read with the leaf, without any option.
    const std::string folder = lab.dir / "issued";
    fs::create_directory(folder);
    const std::string id = CertLab::kExternal;
    write_bytes(folder + "/" + id + ".pem", read_file(leaf));
    write_bytes(folder + "/" + id + ".chain.pem", read_file(leaf) + read_file(intermediate));
    const auto beside = run({"verify", lab.topology, folder + "/" + id + ".pem", "--trust", lab.root()}, 0);
    CHECK(contains(beside.out, folder + "/" + id + ".chain.pem beside it (1)"));
    // The folder: one certificate, the chain file read with its leaf, not on its own.
    const auto whole = run({"verify", lab.topology, folder, "--trust", lab.root()}, 0);
    CHECK(contains(whole.out, "1 certificate checked"));
    // A chain file alone (no leaf file beside it) is still a certificate file of its own.
    fs::remove(folder + "/" + id + ".pem");
    const auto chain_only = run({"verify", lab.topology, folder, "--trust", lab.root()}, 0);
    CHECK(contains(chain_only.out, "1 certificate checked"));
    CHECK(contains(chain_only.out, id + ".chain.pem itself (1)"));
}

TEST_CASE("untrusted e2e: audit --files reads the chain file beside a leaf and --untrusted", "[audit][untrusted][e2e]") {
    CertLab lab("certtool-untrusted-e2e");
    const std::string leaf = lab.issue(CertLab::kExternal, "external.pem");
    const std::string internal = lab.issue(CertLab::kInternal, "internal.pem");
    const std::string intermediate = lab.ca + "/intermediate.pem";
    const std::string files = lab.dir / "exported";
    const std::string member = files + "/lsedge.contoso.net";
    fs::create_directories(member);
    write_bytes(member + "/external.pem", read_file(leaf));
    write_bytes(member + "/external.chain.pem", read_file(leaf) + read_file(intermediate));
    write_bytes(member + "/internal.pem", read_file(internal));  // no chain file: needs --untrusted

    const std::vector<std::string> base{"audit", lab.topology, "--files", files, "--trust", lab.root(), "--format", "json"};
    const auto without = run(base, 1);
    const json report = json::parse(without.out);
    REQUIRE(report["observations"].size() == 2);  // the chain file is not an observation of its own
    for (const auto& o : report["observations"]) {
        INFO(o.dump());
        if (o["source"] == member + "/external.pem") {
            CHECK(o["passed"] == true);
            CHECK(o["intermediates_from"] == json::array({member + "/external.chain.pem beside it (1)"}));
        } else {
            CHECK(o["source"] == member + "/internal.pem");
            CHECK(o["passed"] == false);
            CHECK(has_code(o["findings"], "chain."));
        }
    }
    auto with = base;
    with.insert(with.end(), {"--untrusted", intermediate});
    const auto passed = run(with, 0);
    const json report_with = json::parse(passed.out);  // held: a range-for over a temporary's member reads freed memory
    REQUIRE(report_with["observations"].size() == 2);
    for (const auto& o : report_with["observations"]) CHECK(o["passed"] == true);
    auto table = with;
    table.resize(table.size() - 4);
    table.insert(table.end(), {"--untrusted", intermediate});
    const auto text = run(table, 0);
    CHECK(contains(text.out, "intermediates from " + member + "/external.chain.pem beside it (1); --untrusted " + intermediate + " (1)"));
}
