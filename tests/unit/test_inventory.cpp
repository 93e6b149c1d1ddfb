// lib/inventory: one reader for certificate files and one way to list folders
// of them, which audit --files, renew, script, pfx and ca share: the leaf rule,
// PKCS#12 with its passphrase, the size limit and the error codes, symbolic links.
#include <catch2/catch.hpp>

#include "input_errors.hpp"
#include "temp_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "crypto/issue.hpp"
#include "crypto/keys.hpp"
#include "crypto/pkcs12.hpp"
#include "inventory/inventory.hpp"

using certtool::Secret;
using certtool::test::input_error_code;
using certtool::test::TempDir;
namespace crypto = certtool::crypto;
namespace inventory = certtool::inventory;
using namespace std::chrono_literals;

namespace {

crypto::Certificate issue(const crypto::PrivateKey& key, const std::string& name, bool is_ca, const crypto::Issuer& issuer) {
    crypto::IssueRequest r;
    r.subject.common_name = name;
    r.is_ca = is_ca;
    r.key_usage = is_ca ? std::vector<std::string>{"keyCertSign", "cRLSign"}
                        : std::vector<std::string>{"digitalSignature", "keyEncipherment"};
    if (!is_ca) r.dns_names = {name};
    r.not_before = std::chrono::system_clock::now() - 1h;
    r.not_after = std::chrono::system_clock::now() + 24h * 365;
    return crypto::parse_certificate_der(crypto::issue_certificate(crypto::public_key_der(key), r, issuer));
}

// A root, an issuing CA, and two leaves of it (one with its key in hand). Built once.
struct Pki {
    crypto::PrivateKey root_key = crypto::generate_key({crypto::KeyType::ec, 256});
    crypto::PrivateKey ca_key = crypto::generate_key({crypto::KeyType::ec, 256});
    crypto::PrivateKey leaf_key = crypto::generate_key({crypto::KeyType::ec, 256});
    crypto::PrivateKey other_key = crypto::generate_key({crypto::KeyType::ec, 256});
    crypto::Certificate root = issue(root_key, "Contoso Root", true, {nullptr, &root_key});
    crypto::Certificate ca = issue(ca_key, "Contoso Issuing CA", true, {&root, &root_key});
    crypto::Certificate leaf = issue(leaf_key, "sip.contoso.com", false, {&ca, &ca_key});
    crypto::Certificate other = issue(other_key, "webcon.contoso.com", false, {&ca, &ca_key});
};

const Pki& pki() {
    static const Pki p;
    return p;
}

std::string pem(const std::vector<const crypto::Certificate*>& certificates) {
    std::string out;
    for (const auto* c : certificates) out += crypto::certificate_pem(c->der);
    return out;
}

std::vector<std::string> names(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& p : paths) out.push_back(p.substr(p.find_last_of('/') + 1));
    return out;
}

}  // namespace

TEST_CASE("inventory: the leaf is the key's certificate, else the first that is not a CA, else the first", "[inventory]") {
    const auto& p = pki();
    SECTION("the chain in any order, no key: the first certificate that is not a CA") {
        CHECK(inventory::leaf_index({p.root, p.ca, p.leaf, p.other}, nullptr) == 2);
        CHECK(inventory::leaf_index({p.leaf, p.ca, p.root}, nullptr) == 0);
    }
    SECTION("with a key: the certificate it belongs to, wherever it stands") {
        CHECK(inventory::leaf_index({p.ca, p.other, p.leaf}, &p.leaf_key) == 2);
        CHECK(inventory::leaf_index({p.ca, p.other, p.leaf}, &p.root_key) == 1);  // a key of none of them: as without one
    }
    SECTION("only CAs (a CA's own file): the first") { CHECK(inventory::leaf_index({p.ca, p.root}, nullptr) == 0); }

    TempDir dir("certtool-inventory");
    const auto file = dir.file("chain-first.pem", pem({&p.root, &p.ca, &p.leaf}) + crypto::to_pkcs8_pem(p.leaf_key, std::nullopt));
    const auto read = inventory::read_certificate_file(file, {}, "files");
    CHECK(read.path == file);
    CHECK(read.format == "PEM");
    REQUIRE(read.key.has_value());
    CHECK(read.leaf == 2);
    CHECK(read.leaf_certificate().sha256_fingerprint == p.leaf.sha256_fingerprint);
    const auto others = read.others();
    REQUIRE(others.size() == 2);
    CHECK(others[0].sha256_fingerprint == p.root.sha256_fingerprint);
    CHECK(others[1].sha256_fingerprint == p.ca.sha256_fingerprint);
}

TEST_CASE("inventory: PKCS#12 opens with its passphrase; a wrong or missing one is cert.pkcs12-password", "[inventory]") {
    const auto& p = pki();
    crypto::Pkcs12Request request;
    request.key = &p.leaf_key;
    request.certificate = &p.leaf;
    request.chain = {&p.ca, &p.root};
    request.friendly_name = "edge-external.lsedge-contoso-net";
    TempDir dir("certtool-inventory");
    const auto file = dir.file("edge.pfx", crypto::make_pkcs12(request, "s3cret-Pfx"));

    const auto read = inventory::read_certificate_file(file, Secret(std::string("s3cret-Pfx")), "files");
    CHECK(read.format == "PKCS#12");
    REQUIRE(read.key.has_value());
    CHECK(read.leaf_certificate().sha256_fingerprint == p.leaf.sha256_fingerprint);
    CHECK(read.others().size() == 2);

    std::string named;
    CHECK(input_error_code([&] { (void)inventory::read_certificate_file(file, Secret(std::string("wrong")), "files"); }, &named) ==
          "cert.pkcs12-password");
    CHECK(named == file);
    CHECK(input_error_code([&] { (void)inventory::read_certificate_file(file, {}, "files"); }) == "cert.pkcs12-password");
}

TEST_CASE("inventory: one size limit; unreadable files keep the caller's codes and the reader's", "[inventory]") {
    TempDir dir("certtool-inventory");
    std::string named;
    SECTION("larger than 16 MiB: <prefix>.too-large, however the file looks") {
        const auto big = dir.path("big.pem");
        REQUIRE(::truncate(dir.file("big.pem", "").c_str(), static_cast<off_t>(inventory::kMaxCertificateFile) + 1) == 0);
        CHECK(input_error_code([&] { (void)inventory::read_certificate_file(big, {}, "files"); }, &named) == "files.too-large");
        CHECK(named == big);
        CHECK(input_error_code([&] { (void)inventory::read_certificate_file(big, {}, "verify"); }) == "verify.too-large");
        CHECK(input_error_code([&] { (void)inventory::read_certificate_file(dir.path("absent.pem"), {}, "files"); }) == "files.io");
    }
    SECTION("not a certificate: cert.unreadable naming the file") {
        const auto garbage = dir.file("garbage.pem", "this is not a certificate\n");
        CHECK(input_error_code([&] { (void)inventory::read_certificate_file(garbage, {}, "files"); }, &named) == "cert.unreadable");
        CHECK(named == garbage);
    }
    SECTION("a PEM file with only a key: not a certificate file, which a folder reader may pass over") {
        const auto key = dir.file("edge.key", crypto::to_pkcs8_pem(pki().leaf_key, std::nullopt));
        bool told_apart = false;
        try {
            (void)inventory::read_certificate_file(key, {}, "files");
        } catch (const inventory::NotACertificateFile& e) {
            told_apart = true;
            CHECK(e.diagnostics().front().file == key);
            CHECK((e.diagnostics().front().code == "cert.empty" || e.diagnostics().front().code == "cert.unreadable"));
        }
        CHECK(told_apart);
    }
}

TEST_CASE("inventory: folders list regular files and folders, links as what they point to, hidden names and the rest left out",
          "[inventory]") {
    TempDir dir("certtool-inventory");
    TempDir elsewhere("certtool-inventory-target");
    const std::string root = dir.path("exported");
    std::filesystem::create_directories(root + "/edge01.contoso.net");
    (void)dir.file("exported/b.pem", "b");
    (void)dir.file("exported/a.pem", "a");
    (void)dir.file("exported/.hidden.pem", "hidden");
    (void)dir.file("exported/edge01.contoso.net/edge.pfx", "pfx");
    std::filesystem::create_directories(root + "/.git");
    // certbot's live/ folder links to archive/: a link to a file is that file.
    std::filesystem::create_symlink(elsewhere.file("cert1.pem", "linked"), root + "/linked.pem");
    // A member's export kept on another disk: a link to a folder is a folder (one level: links cannot loop).
    std::filesystem::create_directories(elsewhere.path("edge02"));
    (void)elsewhere.file("edge02/edge.pem", "edge02");
    std::filesystem::create_directory_symlink(elsewhere.path("edge02"), root + "/edge02.contoso.net");
    std::filesystem::create_directory_symlink(root, root + "/edge01.contoso.net/loop");
    // Neither a file nor a folder: never opened, so nothing waits on a stream.
    std::filesystem::create_symlink(dir.path("nowhere"), root + "/dangling.pem");
    REQUIRE(::mkfifo((root + "/stream.pem").c_str(), 0600) == 0);

    const auto files = inventory::files_in(root);
    REQUIRE(files.has_value());
    CHECK(*files == std::vector<std::string>{root + "/a.pem", root + "/b.pem", root + "/linked.pem"});
    const auto folders = inventory::member_folders(root);
    REQUIRE(folders.has_value());
    CHECK(*folders == std::vector<std::string>{"edge01.contoso.net", "edge02.contoso.net"});
    CHECK(names(*inventory::files_in(root + "/edge02.contoso.net")) == std::vector<std::string>{"edge.pem"});
    CHECK(names(*inventory::files_in(root + "/edge01.contoso.net")) == std::vector<std::string>{"edge.pfx"});
    CHECK(*inventory::member_folders(root + "/edge01.contoso.net") == std::vector<std::string>{"loop"});  // listed, never walked

    CHECK_FALSE(inventory::files_in(dir.path("absent")).has_value());
    CHECK_FALSE(inventory::member_folders(root + "/a.pem").has_value());
}
