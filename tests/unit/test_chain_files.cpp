// lib/inventory's chain files (<stem>.chain.pem beside <stem>.pem) and
// lib/request's reading of the csr manifest.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "input_errors.hpp"
#include "inventory/inventory.hpp"
#include "request/manifest.hpp"
#include "temp_dir.hpp"

using certtool::test::input_error_code;
using certtool::test::TempDir;
namespace inventory = certtool::inventory;

TEST_CASE("inventory: the chain file beside a leaf, and listings without the chain files of listed leaves", "[inventory]") {
    TempDir dir("certtool-chain-unit");
    const std::string leaf = dir.file("edge.pem", "x");
    const std::string chain = dir.file("edge.chain.pem", "x");
    const std::string alone = dir.file("lonely.pem", "x");
    const std::string der = dir.file("edge.cer", "x");
    std::filesystem::create_directory(dir / "folder.chain.pem");
    const std::string folder_leaf = dir.file("folder.pem", "x");

    CHECK(inventory::chain_file_beside(leaf) == chain);
    CHECK_FALSE(inventory::chain_file_beside(chain));        // a chain file has none
    CHECK_FALSE(inventory::chain_file_beside(alone));        // none there
    CHECK_FALSE(inventory::chain_file_beside(der));          // only <stem>.pem
    CHECK_FALSE(inventory::chain_file_beside(folder_leaf));  // a folder is no chain file

    const std::vector<std::string> listed{chain, leaf, alone, dir / "other.chain.pem"};
    CHECK(inventory::without_chain_files(listed) == std::vector<std::string>{leaf, alone, dir / "other.chain.pem"});
}

TEST_CASE("manifest: csr's manifest read with paths beside it; a broken one names what is wrong", "[request][manifest]") {
    TempDir dir("certtool-manifest-unit");
    const std::string good = dir.file("manifest.json", R"({"schema": "certtool.csr-manifest/v1",
        "topology": {"path": "site.json", "sha256": "ab"}, "plan_sha256": "cd", "x-later": 1,
        "certificates": [
          {"id": "edge-internal.a", "role": "edge-internal", "csr_file": "edge-internal.a.csr", "key_file": "edge-internal.a.key",
           "public_key_sha256": "01", "future_field": true},
          {"id": "oauth.global", "role": "oauth", "csr_file": "oauth.global.csr", "key_file": "/keys/oauth.key"}]})");
    const auto m = certtool::request::read_manifest(good);
    CHECK(m.topology_path == "site.json");
    REQUIRE(m.certificates.size() == 2);
    CHECK(m.certificates[0].csr_file == dir / "edge-internal.a.csr");
    CHECK(m.certificates[0].key_file == dir / "edge-internal.a.key");
    CHECK(m.certificates[1].key_file == "/keys/oauth.key");
    CHECK(m.certificates[1].role == "oauth");

    for (const char* text : {"not json", "[]", R"({"schema": "certtool.plan/v1", "certificates": []})",
                             R"({"schema": "certtool.csr-manifest/v1"})",
                             R"({"schema": "certtool.csr-manifest/v1", "certificates": [{"id": "a"}]})",
                             R"({"schema": "certtool.csr-manifest/v1", "certificates": [{"id": "a", "csr_file": "a.csr"}, {"id": "a", "csr_file": "b.csr"}]})"}) {
        INFO(text);
        const std::string bad = dir.file("bad.json", text);
        CHECK(input_error_code([&] { certtool::request::read_manifest(bad); }) == "manifest.invalid");
    }
    CHECK(input_error_code([&] { certtool::request::read_manifest(dir / "missing.json"); }) == "manifest.io");
}
