// lib/inventory's chain files (<stem>.chain.pem beside <stem>.pem) and the
// csr manifest's csr_file, which ca sign --manifest reads.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "input_errors.hpp"
#include "inventory/inventory.hpp"
#include "request/requests.hpp"
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

TEST_CASE("manifest: csr_file is read as a path in the manifest's folder, and must be a file name there", "[request][manifest]") {
    TempDir dir("certtool-manifest-unit");
    (void)dir.file("manifest.json", R"({"schema": "certtool.csr-manifest/v1", "x-later": 1,
        "certificates": [
          {"id": "edge-internal.a", "role": "edge-internal", "csr_file": "edge-internal.a.csr", "key_file": "edge-internal.a.key"},
          {"id": "oauth.global", "role": "oauth", "key_file": "oauth.global.key"}]})");
    const auto m = certtool::request::read_manifest(dir.path(), "ca.manifest");
    REQUIRE(m.certificates.size() == 2);
    CHECK(m.certificates[0].csr_file == dir / "edge-internal.a.csr");
    CHECK(m.certificates[1].csr_file.empty());

    for (const char* csr : {"../elsewhere.csr", "/etc/passwd", ".hidden.csr", ""}) {
        INFO(csr);
        TempDir bad("certtool-manifest-unit");
        (void)bad.file("manifest.json", std::string(R"({"schema": "certtool.csr-manifest/v1", "certificates": [{"id": "a", "key_file": "a.key", "csr_file": ")") +
                                      csr + "\"}]}");
        CHECK(input_error_code([&] { certtool::request::read_manifest(bad.path(), "ca.manifest"); }) == "ca.manifest");
    }
}
