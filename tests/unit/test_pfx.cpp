// lib/pfx in process: the CSP name a PFX gets, and PFX files per request of a
// `csr` folder (lib/request's manifest reader, the certificate files looked
// for, the matching of key, certificate and plan entry, what is written).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crypto/issue.hpp"
#include "crypto/keys.hpp"
#include "crypto/pkcs12.hpp"
#include "input_errors.hpp"
#include "inventory/key_file.hpp"
#include "model/product.hpp"
#include "model_fixture.hpp"
#include "pfx/pfx.hpp"
#include "request/requests.hpp"
#include "temp_dir.hpp"

using namespace certtool;
using certtool::test::input_error_code;
using certtool::test::TempDir;

namespace {

using namespace std::chrono_literals;

constexpr const char* kPassword = "unit-Pfx-pass";
const std::string kExternal = "edge-external.lsedge-contoso-net";
const std::string kInternal = "edge-internal.lsedge-contoso-net";

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// A CA (root only), the requests of a plan written by request::write_requests,
// and certificates issued in process for them with the plan's names.
struct Folder {
    TempDir dir{"certtool-unit-pfx"};
    model::Plan plan;
    std::string req = dir / "req";
    std::string issued = dir / "issued";
    crypto::PrivateKey ca_key = crypto::generate_key({crypto::KeyType::ec, 256});
    crypto::Certificate ca;

    explicit Folder(const nlohmann::json& topology = test::edge_single_nat()) : plan(test::plan_of(topology)) {
        crypto::IssueRequest r;
        r.subject.common_name = "Unit Test Root";
        r.is_ca = true;
        r.key_usage = {"keyCertSign", "cRLSign"};
        r.not_before = std::chrono::system_clock::now() - 1h;
        r.not_after = std::chrono::system_clock::now() + 24h * 400;
        ca = crypto::parse_certificate_der(crypto::issue_certificate(crypto::public_key_der(ca_key), r, {nullptr, &ca_key}));
        request::Options options;
        options.out_dir = req;
        options.jobs = 1;
        (void)request::write_requests(plan, options);
        std::filesystem::create_directory(issued);
    }

    // The certificate of `as_id`'s plan entry for the key of `key_id`'s request, as PEM.
    [[nodiscard]] std::string certificate_pem(const std::string& key_id, const std::string& as_id) const {
        const auto key = inventory::read_key_file(req + "/" + key_id + ".key", {}, "test").key;
        const auto& c = *plan.find(as_id);
        crypto::IssueRequest r;
        r.subject.common_name = c.common_name;
        for (const auto& san : c.sans) r.dns_names.push_back(san.name);
        r.eku = c.eku;
        r.key_usage = c.key_usage;
        r.crl_urls = {"http://pki.contoso.net/unit.crl"};
        r.not_before = std::chrono::system_clock::now() - 1h;
        r.not_after = std::chrono::system_clock::now() + 24h * 300;
        return crypto::certificate_pem(crypto::issue_certificate(crypto::public_key_der(key), r, {&ca, &ca_key}));
    }

    std::string issue(const std::string& id, const std::string& file_name = "") const {
        const std::string path = issued + "/" + (file_name.empty() ? id + ".pem" : file_name);
        write(path, certificate_pem(id, id));
        return path;
    }

    [[nodiscard]] pfx::BulkOptions options(const std::string& out) const {
        pfx::BulkOptions o;
        o.requests_dir = req;
        o.certs_dir = issued;
        o.chain_files = {dir.file("root.pem", crypto::certificate_pem(ca.der))};
        o.out_dir = out;
        o.plan = &plan;
        o.settings.password = Secret(std::string(kPassword));
        return o;
    }
};

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("request: read_manifest reads what write_requests wrote, and names the file and pointer of a bad one",
          "[pfx][request]") {
    Folder f;
    const auto manifest = request::read_manifest(f.req, "pfx.manifest");
    REQUIRE(manifest.certificates.size() == 2);
    CHECK(manifest.file == f.req + "/manifest.json");
    CHECK(manifest.certificates[0].id == kExternal);
    CHECK(manifest.certificates[0].role == "edge-external");
    CHECK(manifest.certificates[0].key_file == f.req + "/" + kExternal + ".key");
    CHECK(manifest.certificates[0].public_key_sha256.size() == 64);
    CHECK(manifest.certificates[1].pointer == "/certificates/1");

    const auto code_for = [&](const std::string& text, std::string* file = nullptr) {
        write(f.req + "/manifest.json", text);
        return input_error_code([&] { (void)request::read_manifest(f.req, "pfx.manifest"); }, file);
    };
    std::string file;
    CHECK(code_for("not json", &file) == "pfx.manifest");
    CHECK(file == f.req + "/manifest.json");
    CHECK(code_for(R"({"schema": "certtool.plan/v1", "certificates": []})") == "pfx.manifest");
    CHECK(code_for(R"({"schema": "certtool.csr-manifest/v1"})") == "pfx.manifest");
    CHECK(code_for(R"({"schema": "certtool.csr-manifest/v1", "certificates": [{"id": "a"}]})") == "pfx.manifest");
    CHECK(code_for(R"({"schema": "certtool.csr-manifest/v1", "certificates": [{"id": "../a", "key_file": "k"}]})") == "pfx.manifest");
    CHECK(code_for(R"({"schema": "certtool.csr-manifest/v1", "certificates": [{"id": ".a", "key_file": "k"}]})") == "pfx.manifest");
    CHECK(code_for(R"({"schema": "certtool.csr-manifest/v1", "certificates": [{"id": "a", "key_file": "k"}, {"id": "a", "key_file": "l"}]})") ==
          "pfx.manifest");
    // A key kept elsewhere (renew --reuse-key) is named by its path.
    write(f.req + "/manifest.json", R"({"schema": "certtool.csr-manifest/v1", "certificates": [{"id": "a", "key_file": "/keys/a.key"}]})");
    CHECK(request::read_manifest(f.req, "pfx.manifest").certificates.at(0).key_file == "/keys/a.key");
    std::filesystem::remove(f.req + "/manifest.json");
    CHECK(input_error_code([&] { (void)request::read_manifest(f.req, "pfx.manifest"); }) == "pfx.manifest");
}

TEST_CASE("pfx: per request, <id>.pfx with the SChannel CSP name for each issued certificate; the others are missing",
          "[pfx]") {
    Folder f;
    f.issue(kInternal);
    const std::string out = f.dir / "pfx";
    const auto result = pfx::write_pfx_folder(f.options(out));
    REQUIRE(result.written.size() == 1);
    CHECK(result.missing == std::vector<std::string>{kExternal});
    const auto& w = result.written[0];
    CHECK(w.id == kInternal);
    CHECK(w.out == out + "/" + kInternal + ".pfx");
    CHECK(w.key_file == f.req + "/" + kInternal + ".key");
    CHECK(w.cert_file == f.issued + "/" + kInternal + ".pem");
    CHECK(w.friendly_name == kInternal);
    CHECK(w.chain_certificates == 1);  // the root, from chain_files
    CHECK(w.info.csp_name == model::kSchannelProvider);
    CHECK(mode_of(w.out) == 0600);
    const auto info = crypto::inspect_pkcs12(read(w.out), kPassword);
    CHECK(info.csp_name == model::kSchannelProvider);
    CHECK(info.friendly_name == kInternal);
    CHECK(info.certificates == 2);
    CHECK(std::filesystem::exists(out + "/" + kExternal + ".pfx") == false);

    // --no-csp and --csp.
    auto o = f.options(f.dir / "none");
    o.settings.csp = pfx::Csp::none;
    CHECK(crypto::inspect_pkcs12(read(pfx::write_pfx_folder(o).written.at(0).out), kPassword).csp_name.empty());
    o = f.options(f.dir / "named");
    o.settings.csp = pfx::Csp::named;
    o.settings.csp_name = "Microsoft Enhanced RSA and AES Cryptographic Provider";
    CHECK(crypto::inspect_pkcs12(read(pfx::write_pfx_folder(o).written.at(0).out), kPassword).csp_name == o.settings.csp_name);
}

TEST_CASE("pfx: per request, the files looked for, and what is refused before anything is written", "[pfx]") {
    Folder f;
    CHECK(pfx::certificate_file_names("x") == std::vector<std::string>{"x.pem", "x.crt", "x.cer", "x.chain.pem"});
    const std::string out = f.dir / "pfx";
    std::string file;
    const auto refused = [&](const pfx::BulkOptions& o) {
        const std::string code = input_error_code([&] { (void)pfx::write_pfx_folder(o); }, &file);
        CHECK_FALSE(std::filesystem::exists(out));
        return code;
    };
    CHECK(refused(f.options(out)) == "pfx.no-certificates");

    // The certificate of the other request: the key does not open it.
    write(f.issued + "/" + kExternal + ".crt", f.certificate_pem(kInternal, kInternal));
    CHECK(refused(f.options(out)) == "key.mismatch");
    CHECK(file == f.issued + "/" + kExternal + ".crt");
    // The right key, another id's names.
    write(f.issued + "/" + kExternal + ".crt", f.certificate_pem(kExternal, kInternal));
    CHECK(refused(f.options(out)) == "pfx.plan-mismatch");
    // Two files for one id.
    write(f.issued + "/" + kExternal + ".crt", f.certificate_pem(kExternal, kExternal));
    f.issue(kExternal, kExternal + ".cer");
    CHECK(refused(f.options(out)) == "pfx.ambiguous");
    std::filesystem::remove(f.issued + "/" + kExternal + ".cer");
    // --only picks by id or role; an unknown one is a usage error.
    auto o = f.options(out);
    o.only = {"no-such-role"};
    CHECK(refused(o) == "usage.unknown-certificate");
    o.only = {"edge-internal"};
    CHECK(refused(o) == "pfx.no-certificates");  // edge-internal has no certificate yet
    // A manifest entry the plan does not have.
    auto other = test::edge_single_nat();
    other["sites"][0]["edge_pools"][0]["fqdn"] = "edge9.contoso.net";
    other["sites"][0]["edge_pools"][0]["members"][0]["fqdn"] = "edge9.contoso.net";
    const model::Plan changed = test::plan_of(other);
    o = f.options(out);
    o.plan = &changed;
    CHECK(refused(o) == "pfx.not-in-plan");

    // With an existing PFX: refused, unless replace_existing keeps it beside the new one.
    o = f.options(out);
    REQUIRE(pfx::write_pfx_folder(o).written.size() == 1);
    const std::string first = read(out + "/" + kExternal + ".pfx");
    CHECK(input_error_code([&] { (void)pfx::write_pfx_folder(o); }) == "output.exists");
    CHECK(read(out + "/" + kExternal + ".pfx") == first);
    o.settings.replace_existing = true;
    const auto replaced = pfx::write_pfx_folder(o);
    REQUIRE(replaced.written.size() == 1);
    CHECK(contains(replaced.written[0].replaced, out + "/" + kExternal + ".pfx.replaced-"));
    CHECK(read(replaced.written[0].replaced) == first);
    CHECK(mode_of(replaced.written[0].replaced) == 0600);
    CHECK(read(out + "/" + kExternal + ".pfx") != first);
    // A link where the PFX was is neither followed nor replaced, even then.
    const std::string target = f.dir.file("target", "keep me");
    std::filesystem::remove(out + "/" + kExternal + ".pfx");
    std::filesystem::create_symlink(target, out + "/" + kExternal + ".pfx");
    CHECK(input_error_code([&] { (void)pfx::write_pfx_folder(o); }) == "output.io");
    CHECK(read(target) == "keep me");
    CHECK(std::filesystem::is_symlink(out + "/" + kExternal + ".pfx"));
}

TEST_CASE("pfx: an ECDSA key gets no CSP name by default, and no CryptoAPI provider by name", "[pfx]") {
    auto topology = test::edge_single_nat();
    topology["policy"] = {{"key_algorithm", "ECDSA"}};
    Folder f(topology);
    f.issue(kExternal);
    auto o = f.options(f.dir / "ec");
    const auto result = pfx::write_pfx_folder(o);
    REQUIRE(result.written.size() == 1);
    CHECK(result.written[0].info.csp_name.empty());
    CHECK(contains(result.written[0].csp_note, "ECDSA"));
    o = f.options(f.dir / "ec-named");
    o.settings.csp = pfx::Csp::named;
    o.settings.csp_name = std::string(model::kSchannelProvider);
    std::string file;
    CHECK(input_error_code([&] { (void)pfx::write_pfx_folder(o); }, &file) == "pfx.csp-key");
    CHECK(file == f.req + "/" + kExternal + ".key");
    o.settings.csp_name = "Microsoft Software Key Storage Provider";
    CHECK(pfx::write_pfx_folder(o).written.at(0).info.csp_name == "Microsoft Software Key Storage Provider");
}
