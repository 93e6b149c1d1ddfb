// Folders given with a trailing slash, as shell completion types them: every
// path certtool prints or writes joins a folder and a name with one slash
// ("certs/file", never "certs//file"), and a missing output folder whose
// parent exists is created as it is without the slash. The whole chain of
// verbs in one working directory, with relative paths.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cert_lab.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

using certtool::test::contains;
using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::run_certtool;
using certtool::test::source_path;
using certtool::test::TempDir;

namespace {

const std::string kTopology = source_path("templates/examples/edge-single-nat.json");
const std::string kExternal = "edge-external.lsedge-contoso-net";
const std::string kInternal = "edge-internal.lsedge-contoso-net";


// "//" other than in a URL's "scheme://".
bool double_slash(const std::string& text) {
    for (auto at = text.find("//"); at != std::string::npos; at = text.find("//", at + 1))
        if (at == 0 || text[at - 1] != ':') return true;
    return false;
}

}  // namespace

TEST_CASE("paths: folders with a trailing slash give single slashes in every verb's output and files", "[paths][e2e]") {
    TempDir tmp("certtool-paths");
    const std::string dir = tmp.path();
    auto run = [&](const std::vector<std::string>& args) {
        const ProcessResult r = run_certtool(args, {}, dir);
        INFO("certtool " << args.front() << "\n" << r.out << r.err);
        CHECK_FALSE(double_slash(r.out));
        CHECK_FALSE(double_slash(r.err));
        return r;
    };
    auto file_has_no_double_slash = [&](const std::string& name) {
        const std::string text = read_file(dir + "/" + name);
        INFO(name << ":\n" << text);
        CHECK_FALSE(double_slash(text));
    };

    REQUIRE(run({"ca", "init", "ca/", "--crl-url", "http://crl.contoso.com/root.crl"}).exit_code == 0);
    CHECK(contains(run({"ca", "init", "ca2/", "--crl-url", "http://crl.contoso.com/root.crl"}).out, "wrote ca2/root.pem"));
    file_has_no_double_slash("ca/ca.json");
    file_has_no_double_slash("ca/index.json");

    // req/ does not exist yet; its parent (the working directory) does.
    const auto csr = run({"csr", kTopology, "--out", "req/"});
    REQUIRE(csr.exit_code == 0);
    CHECK(contains(csr.out, "manifest req/manifest.json"));
    file_has_no_double_slash("req/manifest.json");

    std::filesystem::create_directory(dir + "/certs");
    for (const auto& id : {kExternal, kInternal})
        REQUIRE(run({"ca", "sign", "ca/", "req/" + id + ".csr", "--topology", kTopology, "--cert", id, "--out",
                     "certs/" + id + ".pem"})
                    .exit_code == 0);
    file_has_no_double_slash("ca/index.json");

    const auto verify = run({"verify", kTopology, "certs/", "--trust", "ca/root.pem"});
    CHECK(verify.exit_code == 0);
    CHECK(contains(verify.out, "PASS  certs/" + kExternal + ".pem"));
    const auto verify_json = run({"verify", kTopology, "certs/", "--trust", "ca/root.pem", "--format", "json"});
    CHECK(contains(verify_json.out, "\"source\": \"certs/" + kExternal + ".pem\""));

    std::ofstream(dir + "/pass") << "Pfx secret 7e1b\n";
    std::filesystem::create_directory(dir + "/pfx");
    REQUIRE(run({"pfx", "--key", "req/" + kExternal + ".key", "--cert", "certs/" + kExternal + ".pem", "--chain", "ca/chain.pem",
                 "--out", "pfx/" + kExternal + ".pfx", "--passphrase-file", "pass", "--topology", kTopology})
                .exit_code == 0);
    const auto script = run({"script", kTopology, "--pfx", "pfx/", "--out", "out/", "--passphrase-file", "pass"});
    CHECK(script.exit_code == 0);
    CHECK(contains(script.out, "out/README.txt"));
    file_has_no_double_slash("out/README.txt");

    const auto renew = run({"renew", kTopology, "--inventory", "certs/", "--out", "renew/", "--within", "400d", "--format", "json"});
    CHECK(renew.exit_code == 1);
    CHECK(contains(renew.out, "\"source\": \"certs/" + kExternal + ".pem\""));
    for (const auto& entry : std::filesystem::directory_iterator(dir + "/renew"))
        file_has_no_double_slash("renew/" + entry.path().filename().string() + "/renewal.json");

    std::filesystem::create_directories(dir + "/exported/lsedge.contoso.net");
    for (const auto& id : {kExternal, kInternal})
        std::filesystem::copy_file(dir + "/certs/" + id + ".pem", dir + "/exported/lsedge.contoso.net/" + id + ".pem");
    const auto audit = run({"audit", kTopology, "--files", "exported/", "--trust", "ca/root.pem", "--format", "json"});
    CHECK(audit.exit_code == 0);
    CHECK(contains(audit.out, "\"source\": \"exported/lsedge.contoso.net/" + kExternal + ".pem\""));
}
