// `certtool ca` and `certtool pfx` as the real binary. What they write is read
// back by tools that did not write it: the OpenSSL CLI (verify, x509, crl,
// pkcs12) and GnuTLS's certtool (/usr/bin/certtool, not ours), and compared
// with `certtool plan`. Refusals are checked to leave every file as it was.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cert_lab.hpp"
#include "run_process.hpp"
#include "syscall_trace.hpp"
#include "temp_dir.hpp"

using certtool::test::contains;
using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::run_certtool;
using certtool::test::run_process;
using certtool::test::run_shell_command;
using certtool::test::shell_quote;
using certtool::test::RunOptions;
using certtool::test::source_path;
using certtool::test::SyscallTrace;
using certtool::test::trace_certtool;
using certtool::test::TempDir;
using nlohmann::json;

namespace fs = std::filesystem;

namespace {

const std::string kOpenssl = "/usr/bin/openssl";
const std::string kGnutls = "/usr/bin/certtool";  // GnuTLS's certtool, not ours: always by absolute path
const std::string kTopology = source_path("templates/examples/edge-dnslb-nat.json");
const std::string kExternal = "edge-external.lsedge-contoso-net";
const std::string kInternal = "edge-internal.lsedge-contoso-net";
const std::string kCrlUrl = "http://pki.contoso.net/lab.crl";

bool have(const std::string& program) { return ::access(program.c_str(), X_OK) == 0; }

// Catch2 v2 has no SKIP: say why and leave the test case (it counts as passed).
#define SKIP_WITHOUT_OPENSSL()                                                          \
    do {                                                                                \
        if (!have(kOpenssl)) {                                                          \
            WARN("skipped: " << kOpenssl << " not found (package openssl)");            \
            return;                                                                     \
        }                                                                               \
    } while (false)


std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string transcript(const std::string& what, const ProcessResult& r) {
    return "$ " + what + "\nexit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

ProcessResult run_ct(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    RunOptions options;
    options.new_session = true;  // no terminal to prompt on, even when the tests run in one
    options.kill_after = std::chrono::seconds(120);
    return run_certtool(args, env, "", options);
}

std::string command_line(const std::vector<std::string>& args) {
    std::string s = "certtool";
    for (const auto& a : args) s += " " + a;
    return s;
}

ProcessResult openssl(const std::vector<std::string>& args) { return run_process(kOpenssl, args); }

// A shell pipeline that must succeed; returns its stdout.
std::string sh_ok(const std::string& command) {
    const auto r = run_shell_command(command);
    INFO(transcript(command, r));
    REQUIRE(r.exit_code == 0);
    return r.out;
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// Every file under a directory, path -> bytes (to show a refusal changed nothing).
std::map<std::string, std::string> snapshot(const std::string& dir) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) files[e.path().string()] = read_file(e.path().string());
    return files;
}

json plan_json(const std::string& topology) {
    const auto r = run_certtool({"plan", topology, "--format", "json"});
    INFO(transcript("certtool plan " + topology + " --format json", r));
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
}

std::vector<std::string> plan_ids(const json& plan) {
    std::vector<std::string> ids;
    for (const auto& c : plan["certificates"]) ids.push_back(c["id"].get<std::string>());
    return ids;
}

const json& plan_entry(const json& plan, const std::string& id) {
    for (const auto& c : plan["certificates"])
        if (c["id"] == id) return c;
    FAIL("no certificate " << id << " in the plan");
    throw std::logic_error("unreachable");
}

// The items of one extension as `openssl x509 -noout -ext NAME` prints them
// ("DNS:a, DNS:b" on the line after the header), in the certificate's order.
std::vector<std::string> extension_items(const std::string& cert, const std::string& name) {
    const auto r = openssl({"x509", "-in", cert, "-noout", "-ext", name});
    INFO(transcript("openssl x509 -in " + cert + " -noout -ext " + name, r));
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> items;
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);  // the header
    for (; std::getline(in, line);) {
        std::stringstream parts(line);
        for (std::string item; std::getline(parts, item, ',');)
            if (!trim(item).empty()) items.push_back(trim(item));
    }
    return items;
}

std::vector<std::string> sans_of(const std::string& cert) {
    std::vector<std::string> names;
    for (const auto& item : extension_items(cert, "subjectAltName")) {
        REQUIRE(item.rfind("DNS:", 0) == 0);
        names.push_back(item.substr(4));
    }
    return names;
}

std::vector<std::string> crl_urls_of(const std::string& cert) {
    std::vector<std::string> urls;
    for (const auto& item : extension_items(cert, "crlDistributionPoints"))
        if (item.rfind("URI:", 0) == 0) urls.push_back(item.substr(4));
    return urls;
}

std::vector<std::string> eku_of(const std::string& cert) {
    std::vector<std::string> ekus;
    for (const auto& item : extension_items(cert, "extendedKeyUsage")) {
        if (item == "TLS Web Server Authentication") ekus.emplace_back("serverAuth");
        else if (item == "TLS Web Client Authentication") ekus.emplace_back("clientAuth");
        else ekus.push_back(item);
    }
    return ekus;
}

std::vector<std::string> strings(const json& array) {
    std::vector<std::string> out;
    for (const auto& s : array) out.push_back(s.get<std::string>());
    return out;
}

// `openssl x509 -serial`: "serial=0A1B..." -> "0A1B..." (upper-case hex).
std::string serial_of(const std::string& cert) {
    const auto r = openssl({"x509", "-in", cert, "-noout", "-serial"});
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.out.rfind("serial=", 0) == 0);
    return trim(r.out.substr(7));
}

std::string fingerprint_of(const std::string& pem_file) {
    const auto r = openssl({"x509", "-in", pem_file, "-noout", "-fingerprint", "-sha256"});
    INFO(transcript("openssl x509 -in " + pem_file + " -fingerprint", r));
    REQUIRE(r.exit_code == 0);
    return trim(r.out);
}

std::size_t count(const std::string& haystack, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++n;
    return n;
}

// The lab: a CA with an issuing intermediate and the plan's requests.
struct Lab {
    TempDir dir{"certtool-ca-e2e"};
    std::string ca = dir / "labca";
    std::string req = dir / "req";

    explicit Lab(bool make_requests = true, std::vector<std::string> init_extra = {}) {
        std::vector<std::string> args{"ca", "init", ca, "--intermediate", "--crl-url", kCrlUrl, "--key-bits", "2048"};
        args.insert(args.end(), init_extra.begin(), init_extra.end());
        const auto init = run_ct(args);
        INFO(transcript(command_line(args), init));
        REQUIRE(init.exit_code == 0);
        if (make_requests) {
            const auto csr = run_ct({"csr", kTopology, "--out", req});
            INFO(transcript("certtool csr", csr));
            REQUIRE(csr.exit_code == 0);
        }
    }

    [[nodiscard]] std::string csr(const std::string& id) const { return req + "/" + id + ".csr"; }
    [[nodiscard]] std::string key(const std::string& id) const { return req + "/" + id + ".key"; }

    ProcessResult sign(const std::string& csr_file, const std::string& id, const std::string& out,
                       std::vector<std::string> extra = {}, const std::vector<std::string>& env = {}) const {
        std::vector<std::string> args{"ca", "sign", ca, csr_file, "--topology", kTopology, "--cert", id, "--out", out};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_ct(args, env);
    }

    // Signs the plan's own request for `id` into `out`; must succeed.
    std::string issue(const std::string& id, const std::string& name) const {
        const std::string out = dir / name;
        const auto r = sign(csr(id), id, out);
        INFO(transcript("certtool ca sign " + csr(id) + " --cert " + id, r));
        REQUIRE(r.exit_code == 0);
        REQUIRE(fs::is_regular_file(out));
        return out;
    }

    [[nodiscard]] json index() const { return json::parse(read_file(ca + "/index.json")); }
};

// Writes the files' contents, one after the other, into dir/name.
std::string dir_file_concat(const TempDir& dir, const std::string& name, const std::vector<std::string>& files) {
    std::string all;
    for (const auto& f : files) all += read_file(f);
    return dir.file(name, all);
}

// Asserts an exit 2 refusal with this code on stderr.
void require_refused(const ProcessResult& r, const std::string& what, const std::string& code) {
    INFO(transcript(what, r));
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "[" + code + "]"));
}

}  // namespace

// ---------------------------------------------------------------------------
// ca init

TEST_CASE("ca e2e: init writes a root and an issuing intermediate, keys 0600 from creation, and never replaces them",
          "[ca][e2e]") {
    SKIP_WITHOUT_OPENSSL();
    TempDir dir("certtool-ca-e2e");
    const std::string ca = dir / "labca";
    const std::vector<std::string> args{"ca", "init", ca, "--intermediate", "--crl-url", kCrlUrl, "--key-bits", "2048"};
    const SyscallTrace trace = trace_certtool(args, {}, dir / "init.trace");
    if (!trace.available) {
        // No strace (or no ptrace): run it plainly and check the final modes only.
        WARN("strace unavailable (" << trace.why << "): the key modes are checked after the run, not at creation");
        const auto r = run_ct(args);
        INFO(transcript(command_line(args), r));
        REQUIRE(r.exit_code == 0);
    } else {
        INFO(transcript(command_line(args), trace.result));
        REQUIRE(trace.result.exit_code == 0);
        for (const char* name : {"root.key", "intermediate.key"}) {
            const std::string path = ca + "/" + std::string(name);
            INFO(name << " in the strace of ca init: " << trace.text);
            REQUIRE(trace.files.count(path) == 1);
            CHECK(trace.files.at(path).mode == "0600");  // the temporary was opened 0600, then renamed into place
            CHECK(trace.files.at(path).exclusive());
            CHECK(trace.chmodded.count(path) == 0);
        }
    }

    for (const char* name : {"root.key", "root.pem", "intermediate.key", "intermediate.pem", "chain.pem", "index.json", "ca.json"})
        CHECK(fs::is_regular_file(ca + "/" + name));
    CHECK(mode_of(ca) == 0700);
    CHECK(mode_of(ca + "/root.key") == 0600);
    CHECK(mode_of(ca + "/intermediate.key") == 0600);
    CHECK(mode_of(ca + "/root.pem") == 0644);
    CHECK(mode_of(ca + "/intermediate.pem") == 0644);
    CHECK(contains(read_file(ca + "/root.key"), "-----BEGIN PRIVATE KEY-----"));

    // The intermediate chains to the root; the root is a self-signed CA; chain.pem is intermediate then root.
    const auto verify = openssl({"verify", "-CAfile", ca + "/root.pem", ca + "/intermediate.pem"});
    INFO(transcript("openssl verify -CAfile root.pem intermediate.pem", verify));
    CHECK(verify.exit_code == 0);
    CHECK(contains(verify.out, "intermediate.pem: OK"));
    CHECK(openssl({"verify", "-CAfile", ca + "/root.pem", ca + "/root.pem"}).exit_code == 0);
    CHECK(read_file(ca + "/chain.pem") == read_file(ca + "/intermediate.pem") + read_file(ca + "/root.pem"));
    const auto bc = extension_items(ca + "/intermediate.pem", "basicConstraints");
    CHECK(std::find(bc.begin(), bc.end(), "CA:TRUE") != bc.end());
    // The intermediate names the root's CRL (derived from --crl-url: a sibling name), the root none.
    CHECK(crl_urls_of(ca + "/intermediate.pem") == std::vector<std::string>{"http://pki.contoso.net/lab-root.crl"});
    CHECK(crl_urls_of(ca + "/root.pem").empty());
    const json config = json::parse(read_file(ca + "/ca.json"));
    CHECK(config["crl_url"] == kCrlUrl);
    CHECK(config["root_crl_url"] == "http://pki.contoso.net/lab-root.crl");
    CHECK(config["issuing"] == "intermediate");
    CHECK(json::parse(read_file(ca + "/index.json"))["issued"].empty());

    // Again, with the same or other options: refused, every file as it was.
    const auto before = snapshot(ca);
    for (const auto& again : std::vector<std::vector<std::string>>{
             args, {"ca", "init", ca, "--key-bits", "2048"}, {"ca", "init", ca, "--name", "Other CA", "--key-type", "ec", "--key-bits", "256"}}) {
        const auto r = run_ct(again);
        require_refused(r, command_line(again), "ca.exists");
        CHECK(snapshot(ca) == before);
    }
    CHECK(read_file(ca + "/root.key") == before.at(ca + "/root.key"));
    CHECK(read_file(ca + "/intermediate.key") == before.at(ca + "/intermediate.key"));

    // Bad usage makes nothing, not even the directory.
    for (const auto& bad : std::vector<std::vector<std::string>>{
             {"ca", "init", dir / "ftp", "--crl-url", "ftp://pki.contoso.net/lab.crl", "--key-bits", "2048"},
             {"ca", "init", dir / "weak", "--key-bits", "1024"}}) {
        const auto r = run_ct(bad);
        INFO(transcript(command_line(bad), r));
        CHECK(r.exit_code == 2);
        CHECK((contains(r.err, "[usage.crl-url]") || contains(r.err, "[usage.key-bits]")));
        CHECK_FALSE(fs::exists(bad[2]));
    }
}

TEST_CASE("ca e2e: an encrypted CA key signs only with its passphrase, which never appears in any output", "[ca][e2e]") {
    SKIP_WITHOUT_OPENSSL();
    const std::string secret = "Lab-CA-passphrase-7Qx";
    TempDir dir("certtool-ca-e2e");
    const std::string ca = dir / "labca";
    std::vector<ProcessResult> runs;
    const std::vector<std::string> env{"LAB_CA_PASS=" + secret};

    const std::vector<std::string> init_args{"ca", "init", ca, "--intermediate", "--crl-url", kCrlUrl, "--key-bits", "2048",
                                             "--encrypt-key", "--passphrase-env", "LAB_CA_PASS"};
    runs.push_back(run_ct(init_args, env));
    INFO(transcript(command_line(init_args), runs.back()));
    REQUIRE(runs.back().exit_code == 0);
    for (const char* name : {"root.key", "intermediate.key"}) {
        const std::string key = read_file(ca + "/" + std::string(name));
        CHECK(key.rfind("-----BEGIN ENCRYPTED PRIVATE KEY-----", 0) == 0);
        CHECK_FALSE(contains(key, "-----BEGIN PRIVATE KEY-----"));
        CHECK(mode_of(ca + "/" + std::string(name)) == 0600);
        // OpenSSL opens it with the passphrase and not without.
        CHECK(openssl({"pkey", "-in", ca + "/" + std::string(name), "-passin", "pass:" + secret, "-noout"}).exit_code == 0);
        CHECK(openssl({"pkey", "-in", ca + "/" + std::string(name), "-passin", "pass:wrong", "-noout"}).exit_code != 0);
    }
    // --encrypt-key without a passphrase source and no terminal: refused, nothing made.
    const auto no_pass = run_ct({"ca", "init", dir / "other", "--key-bits", "2048", "--encrypt-key"});
    require_refused(no_pass, "ca init --encrypt-key (no passphrase)", "passphrase.missing");
    CHECK_FALSE(fs::exists(dir / "other/root.key"));

    const auto csr = run_ct({"csr", kTopology, "--out", dir / "req", "--only", kInternal});
    REQUIRE(csr.exit_code == 0);
    const std::string request = dir / ("req/" + kInternal + ".csr");
    const auto sign = [&](const std::string& out, std::vector<std::string> extra, const std::vector<std::string>& e) {
        std::vector<std::string> args{"ca", "sign", ca, request, "--topology", kTopology, "--cert", kInternal, "--out", out};
        args.insert(args.end(), extra.begin(), extra.end());
        runs.push_back(run_ct(args, e));
        return runs.back();
    };

    const auto index_before = read_file(ca + "/index.json");
    require_refused(sign(dir / "a.pem", {}, {}), "ca sign without the passphrase", "key.encrypted");
    CHECK_FALSE(fs::exists(dir / "a.pem"));
    require_refused(sign(dir / "a.pem", {"--passphrase-env", "LAB_CA_PASS"}, {"LAB_CA_PASS=not-" + secret}),
                    "ca sign with the wrong passphrase", "key.wrong-passphrase");
    CHECK_FALSE(fs::exists(dir / "a.pem"));
    CHECK(read_file(ca + "/index.json") == index_before);

    const auto good = sign(dir / "a.pem", {"--passphrase-env", "LAB_CA_PASS"}, env);
    INFO(transcript("ca sign --passphrase-env", good));
    REQUIRE(good.exit_code == 0);
    CHECK(openssl({"verify", "-CAfile", ca + "/root.pem", "-untrusted", ca + "/intermediate.pem", dir / "a.pem"}).exit_code == 0);
    const std::string pass_file = dir.file("ca.pass", secret + "\n");
    const auto from_file = sign(dir / "b.pem", {"--passphrase-file", pass_file}, {});
    INFO(transcript("ca sign --passphrase-file", from_file));
    CHECK(from_file.exit_code == 0);

    // ca crl needs it too; refused, the revocation is not recorded either.
    const std::string serial = json::parse(read_file(ca + "/index.json"))["issued"][0]["serial"];
    const auto ca_before = snapshot(ca);
    std::vector<std::string> crl_args{"ca", "crl", ca};
    runs.push_back(run_ct({"ca", "crl", ca, "--revoke", serial}));
    require_refused(runs.back(), "ca crl --revoke without the passphrase", "key.encrypted");
    CHECK(snapshot(ca) == ca_before);
    crl_args.insert(crl_args.end(), {"--passphrase-env", "LAB_CA_PASS"});
    runs.push_back(run_ct(crl_args, env));
    CHECK(runs.back().exit_code == 0);

    for (const auto& r : runs) {
        CHECK_FALSE(contains(r.out, secret));
        CHECK_FALSE(contains(r.err, secret));
    }
}

// ---------------------------------------------------------------------------
// ca sign

TEST_CASE("ca e2e: sign issues every certificate of the plan with its names in order, EKU, CRL URL and a random 128-bit serial",
          "[ca][e2e]") {
    SKIP_WITHOUT_OPENSSL();
    Lab lab;
    const json plan = plan_json(kTopology);
    const auto ids = plan_ids(plan);
    REQUIRE(ids == std::vector<std::string>{kExternal, kInternal});

    std::set<std::string> serials;
    std::map<std::string, std::string> issued_by_serial;  // serial (lower hex) -> --out file
    for (const auto& id : ids) {
        const auto& entry = plan_entry(plan, id);
        for (const char* round : {"1", "2"}) {
            const std::string file = lab.issue(id, id + "-" + round + ".pem");
            INFO(id << " round " << round);
            CHECK(mode_of(file) == 0644);

            const auto verify = openssl({"verify", "-CAfile", lab.ca + "/root.pem", "-untrusted", lab.ca + "/intermediate.pem", file});
            INFO(transcript("openssl verify " + file, verify));
            CHECK(verify.exit_code == 0);
            CHECK(contains(verify.out, ": OK"));
            // Leaf, intermediate, root as one file also verifies (the chain file is the right one).
            CHECK(openssl({"verify", "-CAfile", lab.ca + "/root.pem", "-untrusted", lab.ca + "/chain.pem", file}).exit_code == 0);

            CHECK(sans_of(file) == strings(entry["sans"]));  // the plan's names, in plan order
            CHECK(eku_of(file) == strings(entry["eku"]));
            CHECK(crl_urls_of(file) == std::vector<std::string>{kCrlUrl});
            std::vector<std::string> key_usage;
            for (const auto& u : strings(entry["key_usage"]))
                key_usage.push_back(u == "digitalSignature" ? "Digital Signature" : u == "keyEncipherment" ? "Key Encipherment" : u);
            CHECK(extension_items(file, "keyUsage") == key_usage);
            const auto subject = openssl({"x509", "-in", file, "-noout", "-subject", "-nameopt", "RFC2253"});
            CHECK(contains(subject.out, "CN=" + entry["subject"]["common_name"].get<std::string>()));
            CHECK(contains(subject.out, "O=" + entry["subject"]["organization"].get<std::string>()));
            const auto bc = extension_items(file, "basicConstraints");
            CHECK(std::find(bc.begin(), bc.end(), "CA:FALSE") != bc.end());

            // 16 octets, positive (top bit clear), the first octet nonzero: 32 hex digits as
            // OpenSSL prints it, 31 or 32 once a leading zero digit is dropped.
            const std::string serial = serial_of(file);
            CHECK(serial.size() == 32);
            CHECK(std::all_of(serial.begin(), serial.end(), [](unsigned char c) { return std::isxdigit(c) != 0; }));
            const int first = std::stoi(serial.substr(0, 2), nullptr, 16);
            CHECK(first >= 1);
            CHECK(first <= 0x7f);
            const std::string stripped = lower(serial.substr(serial.find_first_not_of('0')));
            CHECK((stripped.size() == 32 || stripped.size() == 31));
            CHECK(serials.insert(lower(serial)).second);  // never the same twice
            issued_by_serial[lower(serial)] = file;

            // certtool verify passes it with the intermediate offered in the same file.
            const std::string bundle = dir_file_concat(lab.dir, id + "-" + round + "-chain.pem",
                                                       {file, lab.ca + "/intermediate.pem"});
            const auto check = run_ct({"verify", kTopology, bundle, "--trust", lab.ca + "/root.pem"});
            INFO(transcript("certtool verify " + bundle + " --trust root.pem", check));
            CHECK(check.exit_code == 0);
        }
    }
    CHECK(serials.size() == 4);

    // index.json lists each issue once, with its id, names, and the copy under issued/.
    const json index = lab.index();
    REQUIRE(index["issued"].size() == 4);
    for (const auto& e : index["issued"]) {
        const std::string serial = e["serial"];
        INFO("index entry " << e.dump());
        REQUIRE(issued_by_serial.count(serial) == 1);
        const std::string file = issued_by_serial[serial];
        CHECK(file.find(e["certificate_id"].get<std::string>()) != std::string::npos);
        CHECK(strings(e["sans"]) == strings(plan_entry(plan, e["certificate_id"])["sans"]));
        CHECK(read_file(lab.ca + "/" + e["file"].get<std::string>()) == read_file(file));
        CHECK_FALSE(e.contains("revoked_at"));
    }
}


namespace {

// A request made by the openssl CLI, not by certtool: its own key, these names.
std::string hand_made_csr(const TempDir& dir, const std::string& name, int bits, const std::string& cn,
                          const std::vector<std::string>& sans) {
    std::string san = "subjectAltName=";
    for (std::size_t i = 0; i < sans.size(); ++i) san += (i ? ",DNS:" : "DNS:") + sans[i];
    sh_ok("cd " + shell_quote(dir.path()) + " && " + kOpenssl + " req -new -newkey rsa:" + std::to_string(bits) + " -nodes -keyout " +
          shell_quote(name + ".key") + " -out " + shell_quote(name + ".csr") + " -subj " + shell_quote("/O=Contoso Ltd/CN=" + cn) +
          " -addext " + shell_quote(san) + " -addext extendedKeyUsage=serverAuth 2>&1");
    return dir / (name + ".csr");
}

std::string public_key_of_csr(const std::string& csr) { return sh_ok(kOpenssl + " req -in " + shell_quote(csr) + " -noout -pubkey"); }
std::string public_key_of_cert(const std::string& cert) { return sh_ok(kOpenssl + " x509 -in " + shell_quote(cert) + " -noout -pubkey"); }
std::string public_key_of_key(const std::string& key) { return sh_ok(kOpenssl + " pkey -in " + shell_quote(key) + " -pubout"); }

}  // namespace

TEST_CASE("ca e2e: sign refuses a request whose names differ from the plan, and --accept-name-differences issues the plan names",
          "[ca][e2e]") {
    SKIP_WITHOUT_OPENSSL();
    Lab lab(false);
    const json plan = plan_json(kTopology);
    const auto planned = strings(plan_entry(plan, kExternal)["sans"]);
    REQUIRE(planned == std::vector<std::string>{"sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"});

    // Missing sip.fabrikam.com, asking for extra.contoso.com and www.contoso.com besides.
    const std::string differs = hand_made_csr(lab.dir, "differs", 2048, "sip.contoso.com",
                                              {"sip.contoso.com", "webcon.contoso.com", "extra.contoso.com", "www.contoso.com"});
    const auto before = snapshot(lab.ca);
    const std::string out = lab.dir / "differs.pem";
    const auto refused = lab.sign(differs, kExternal, out);
    require_refused(refused, "ca sign differs.csr", "ca.names-differ");
    CHECK(contains(refused.err, "missing sip.fabrikam.com"));
    CHECK(contains(refused.err, "not planned extra.contoso.com"));
    CHECK(contains(refused.err, "not planned www.contoso.com"));
    CHECK(contains(refused.err, "--accept-name-differences"));
    CHECK_FALSE(contains(refused.err, "missing sip.contoso.com"));
    CHECK_FALSE(fs::exists(out));
    CHECK(snapshot(lab.ca) == before);

    const auto accepted = lab.sign(differs, kExternal, out, {"--accept-name-differences"});
    INFO(transcript("ca sign differs.csr --accept-name-differences", accepted));
    REQUIRE(accepted.exit_code == 0);
    CHECK(sans_of(out) == planned);  // none dropped, none of the request's extras, plan order
    CHECK(contains(accepted.err, "sip.fabrikam.com"));
    CHECK(contains(accepted.err, "extra.contoso.com"));
    CHECK(contains(accepted.err, "www.contoso.com"));
    CHECK(public_key_of_cert(out) == public_key_of_csr(differs));  // the request's key, certified
    const auto subject = openssl({"x509", "-in", out, "-noout", "-subject", "-nameopt", "RFC2253"});
    // The plan's subject, not the request's (/O=Contoso Ltd/CN=...): with its locality,
    // and without the OU, which public-CA certificates no longer carry.
    CHECK(contains(subject.out, "L=Redmond"));
    CHECK_FALSE(contains(subject.out, "OU="));
    CHECK(openssl({"verify", "-CAfile", lab.ca + "/root.pem", "-untrusted", lab.ca + "/intermediate.pem", out}).exit_code == 0);
    REQUIRE(lab.index()["issued"].size() == 1);
    CHECK(strings(lab.index()["issued"][0]["sans"]) == planned);

    // The plan's names in another order and case are the same names: issued, in plan order.
    const std::string reordered = hand_made_csr(lab.dir, "reordered", 2048, "SIP.contoso.com",
                                                {"SIP.FABRIKAM.COM", "webcon.contoso.com", "Sip.Contoso.Com"});
    const auto same = lab.sign(reordered, kExternal, lab.dir / "reordered.pem");
    INFO(transcript("ca sign reordered.csr", same));
    CHECK(same.exit_code == 0);
    CHECK(sans_of(lab.dir / "reordered.pem") == planned);
}

TEST_CASE("ca e2e: sign refuses a weak key, garbage, a bad signature, an unknown id, no CRL URL and an existing --out",
          "[ca][e2e]") {
    SKIP_WITHOUT_OPENSSL();
    Lab lab;
    const std::vector<std::string> planned{"sip.contoso.com", "webcon.contoso.com", "sip.fabrikam.com"};
    const std::string weak = hand_made_csr(lab.dir, "weak", 1024, "sip.contoso.com", planned);
    const std::string garbage = lab.dir.file("garbage.csr", "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgcmVxdWVzdA==\n"
                                                            "-----END CERTIFICATE REQUEST-----\n");
    const std::string text = lab.dir.file("text.csr", "this is not a request at all\n");
    // certtool's own request in DER with the last signature octet changed.
    sh_ok(kOpenssl + " req -in " + shell_quote(lab.csr(kExternal)) + " -outform DER -out " + shell_quote(lab.dir / "good.der"));
    std::string der = read_file(lab.dir / "good.der");
    der.back() = static_cast<char>(der.back() ^ 0x01);
    const std::string tampered = lab.dir.file("tampered.der", der);
    const std::string existing = lab.dir.file("existing.pem", "keep me\n");
    sh_ok("cd " + shell_quote(lab.dir.path()) + " && " + kOpenssl + " req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes" +
          " -keyout ec.key -out ec.csr -subj /CN=sip.contoso.com" +
          " -addext subjectAltName=DNS:sip.contoso.com,DNS:webcon.contoso.com,DNS:sip.fabrikam.com 2>&1");
    const std::string ec_csr = lab.dir / "ec.csr";

    struct Case {
        std::string what, csr, id, out, code;
        std::vector<std::string> extra;
    };
    const std::vector<Case> cases{
        {"RSA 1024 request", weak, kExternal, lab.dir / "weak.pem", "key.too-small", {}},
        {"garbage in PEM armour", garbage, kExternal, lab.dir / "garbage.pem", "csr.invalid", {}},
        {"plain text", text, kExternal, lab.dir / "text.pem", "csr.invalid", {}},
        {"tampered signature", tampered, kExternal, lab.dir / "tampered.pem", "csr.signature", {}},
        {"unknown --cert", lab.csr(kExternal), "edge-external.nowhere-contoso-net", lab.dir / "unknown.pem",
         "usage.unknown-certificate", {}},
        {"--crl-url not http", lab.csr(kExternal), kExternal, lab.dir / "ftp.pem", "usage.crl-url", {"--crl-url", "ftp://pki.contoso.net/x.crl"}},
        {"existing --out", lab.csr(kExternal), kExternal, existing, "output.exists", {}},
        {"--out in a missing directory", lab.csr(kExternal), kExternal, lab.dir / "missing/out.pem", "output.missing", {}},
        {"an ECDSA request for an RSA plan", ec_csr, kExternal, lab.dir / "ec.pem", "key.algorithm", {}},
    };
    const auto before = snapshot(lab.ca);
    for (const auto& c : cases) {
        INFO(c.what);
        const auto r = lab.sign(c.csr, c.id, c.out, c.extra);
        require_refused(r, "ca sign " + c.csr + " --cert " + c.id + " --out " + c.out, c.code);
        if (c.out == existing) CHECK(read_file(existing) == "keep me\n");
        else CHECK_FALSE(fs::exists(c.out));
        CHECK(snapshot(lab.ca) == before);  // index.json, issued/, everything as it was
    }

    // A CA made without --crl-url: refused unless sign gives one.
    const std::string bare = lab.dir / "bare";
    REQUIRE(run_ct({"ca", "init", bare, "--key-bits", "2048"}).exit_code == 0);
    const auto bare_before = snapshot(bare);
    const std::vector<std::string> sign_bare{"ca", "sign", bare, lab.csr(kInternal), "--topology", kTopology, "--cert", kInternal,
                                             "--out", lab.dir / "bare.pem"};
    require_refused(run_ct(sign_bare), command_line(sign_bare), "ca.no-crl-url");
    CHECK_FALSE(fs::exists(lab.dir / "bare.pem"));
    CHECK(snapshot(bare) == bare_before);
    auto with_url = sign_bare;
    with_url.insert(with_url.end(), {"--crl-url", "http://crl.contoso.net/bare.crl"});
    const auto ok = run_ct(with_url);
    INFO(transcript(command_line(with_url), ok));
    REQUIRE(ok.exit_code == 0);
    CHECK(crl_urls_of(lab.dir / "bare.pem") == std::vector<std::string>{"http://crl.contoso.net/bare.crl"});
    // Without an intermediate the root issues directly.
    CHECK(openssl({"verify", "-CAfile", bare + "/root.pem", lab.dir / "bare.pem"}).exit_code == 0);

    // And a sign-time URL overrides the CA's default.
    const auto overridden = lab.sign(lab.csr(kInternal), kInternal, lab.dir / "override.pem", {"--crl-url", "http://crl2.contoso.net/x.crl"});
    REQUIRE(overridden.exit_code == 0);
    CHECK(crl_urls_of(lab.dir / "override.pem") == std::vector<std::string>{"http://crl2.contoso.net/x.crl"});
}

// ---------------------------------------------------------------------------
// ca crl

TEST_CASE("ca e2e: crl revokes an issued serial, OpenSSL reports the certificate revoked, the CRL number increments",
          "[ca][e2e]") {
    SKIP_WITHOUT_OPENSSL();
    Lab lab;
    const std::string revoked = lab.issue(kInternal, "internal.pem");
    const std::string kept = lab.issue(kExternal, "external.pem");
    const std::string serial = serial_of(revoked);  // upper case, as OpenSSL prints it

    const auto first = run_ct({"ca", "crl", lab.ca, "--revoke", serial});
    INFO(transcript("certtool ca crl --revoke " + serial, first));
    REQUIRE(first.exit_code == 0);
    const std::string crl = lab.ca + "/crl.pem";
    REQUIRE(fs::is_regular_file(crl));

    const auto text = openssl({"crl", "-in", crl, "-CAfile", lab.ca + "/chain.pem", "-noout", "-text"});
    INFO(transcript("openssl crl -CAfile chain.pem -noout -text", text));
    REQUIRE(text.exit_code == 0);
    CHECK(contains(text.out + text.err, "verify OK"));  // signed by the issuing CA
    CHECK(contains(text.out, "Serial Number: " + serial));
    CHECK(contains(text.out, "Issuer: CN = certtool Lync CA Issuing CA"));
    CHECK_FALSE(contains(text.out, "Serial Number: " + serial_of(kept)));
    const std::regex number_re(R"(X509v3 CRL Number: *\n *(\d+))");
    std::smatch m;
    REQUIRE(std::regex_search(text.out, m, number_re));
    const long number1 = std::stol(m[1]);
    CHECK(number1 == 1);

    // OpenSSL, checking the CRL: the revoked certificate fails as revoked, the other passes.
    const std::vector<std::string> crl_check{"verify", "-crl_check", "-CRLfile", crl, "-CAfile", lab.ca + "/root.pem",
                                             "-untrusted", lab.ca + "/intermediate.pem"};
    auto args = crl_check;
    args.push_back(revoked);
    const auto bad = openssl(args);
    INFO(transcript("openssl verify -crl_check " + revoked, bad));
    CHECK(bad.exit_code != 0);
    CHECK(contains(bad.out + bad.err, "certificate revoked"));
    args = crl_check;
    args.push_back(kept);
    const auto good = openssl(args);
    INFO(transcript("openssl verify -crl_check " + kept, good));
    CHECK(good.exit_code == 0);

    json index = lab.index();
    for (const auto& e : index["issued"]) CHECK(e.contains("revoked_at") == (e["serial"] == lower(serial)));

    // A second CRL: number 2, the revocation still listed, revoked_at unchanged.
    const auto second = run_ct({"ca", "crl", lab.ca, "--revoke", lower(serial)});
    INFO(transcript("certtool ca crl (second)", second));
    REQUIRE(second.exit_code == 0);
    const auto text2 = openssl({"crl", "-in", crl, "-CAfile", lab.ca + "/chain.pem", "-noout", "-text"});
    REQUIRE(text2.exit_code == 0);
    REQUIRE(std::regex_search(text2.out, m, number_re));
    CHECK(std::stol(m[1]) == number1 + 1);
    CHECK(count(text2.out, "Serial Number: ") == 1);
    CHECK(contains(text2.out, "Serial Number: " + serial));
    CHECK(lab.index() == index);

    // An unknown serial: refused, nothing changes (not even the CRL number).
    const auto before = snapshot(lab.ca);
    const auto unknown = run_ct({"ca", "crl", lab.ca, "--revoke", "0123456789abcdef0123456789abcdef"});
    require_refused(unknown, "certtool ca crl --revoke <never issued>", "ca.unknown-serial");
    CHECK(snapshot(lab.ca) == before);
    const auto mixed = run_ct({"ca", "crl", lab.ca, "--revoke", serial_of(kept), "--revoke", "77"});
    require_refused(mixed, "certtool ca crl --revoke <issued> --revoke <never issued>", "ca.unknown-serial");
    CHECK(snapshot(lab.ca) == before);  // the known one is not revoked either
}

// ---------------------------------------------------------------------------
// pfx

namespace {

struct PfxLab : Lab {
    std::string cert = issue(kExternal, "external.pem");
    std::string password = "Pfx-Password-3xQ!";
    std::string password_file = dir.file("pfx.pass", password + "\n");
    std::vector<ProcessResult> runs;  // every certtool run, to look for the password in its output

    ProcessResult pfx(const std::string& out, std::vector<std::string> extra = {}, const std::string& key_file = "",
                      const std::string& cert_file = "", std::vector<std::string> chain = {},
                      const std::string& topology = kTopology) {
        std::vector<std::string> args{"pfx", "--key", key_file.empty() ? key(kExternal) : key_file,
                                      "--cert", cert_file.empty() ? cert : cert_file, "--out", out,
                                      "--passphrase-file", password_file, "--topology", topology};
        if (chain.empty()) chain = {ca + "/chain.pem"};
        for (const auto& c : chain) {
            if (c == "none") continue;
            args.insert(args.end(), {"--chain", c});
        }
        args.insert(args.end(), extra.begin(), extra.end());
        runs.push_back(run_ct(args));
        return runs.back();
    }

    // `openssl pkcs12 ARGS -in pfx -passin file:P`, stdout and stderr together.
    std::string pkcs12(const std::string& pfx_file, const std::string& args) const {
        return sh_ok(kOpenssl + " pkcs12 -in " + shell_quote(pfx_file) + " -passin file:" + shell_quote(password_file) + " " + args + " 2>&1");
    }

    void no_password_in_output() const {
        for (const auto& r : runs) {
            CHECK_FALSE(contains(r.out, password));
            CHECK_FALSE(contains(r.err, password));
        }
    }
};

std::vector<long> iteration_counts(const std::string& info) {
    std::vector<long> counts;
    const std::regex re(R"(Iteration (\d+))");
    for (auto it = std::sregex_iterator(info.begin(), info.end(), re); it != std::sregex_iterator(); ++it)
        counts.push_back(std::stol((*it)[1]));
    return counts;
}

// The PFX holds exactly this leaf, this key and both chain certificates.
void check_contents(PfxLab& lab, const std::string& pfx_file) {
    const std::string leaf = lab.pkcs12(pfx_file, "-nodes -clcerts -nokeys");
    CHECK(count(leaf, "-----BEGIN CERTIFICATE-----") == 1);
    CHECK(sh_ok(kOpenssl + " pkcs12 -in " + shell_quote(pfx_file) + " -passin file:" + shell_quote(lab.password_file) +
                " -nodes -clcerts -nokeys | " + kOpenssl + " x509 -noout -fingerprint -sha256") == fingerprint_of(lab.cert) + "\n");
    CHECK(sh_ok(kOpenssl + " pkcs12 -in " + shell_quote(pfx_file) + " -passin file:" + shell_quote(lab.password_file) +
                " -nodes -nocerts | " + kOpenssl + " pkey -pubout") == public_key_of_key(lab.key(kExternal)));
    const std::string chain = lab.pkcs12(pfx_file, "-nodes -cacerts -nokeys");
    CHECK(count(chain, "-----BEGIN CERTIFICATE-----") == 2);
    CHECK(contains(chain, read_file(lab.ca + "/intermediate.pem")));
    CHECK(contains(chain, read_file(lab.ca + "/root.pem")));
    // Windows shows the friendly name: the plan id, on the certificate and the key.
    const std::string all = lab.pkcs12(pfx_file, "-nodes");
    CHECK(count(all, "friendlyName: " + kExternal) == 2);
    // A wrong password is refused by OpenSSL.
    const auto wrong = run_shell_command(kOpenssl + " pkcs12 -in " + shell_quote(pfx_file) + " -passin pass:wrong-password -nodes -info");
    CHECK(wrong.exit_code != 0);
}

}  // namespace

TEST_CASE("pfx e2e: the default PFX is 3DES with a SHA-1 MAC as Windows Server 2008 R2 and 2012 R2 need, read by OpenSSL and GnuTLS",
          "[pfx][e2e]") {
    SKIP_WITHOUT_OPENSSL();
    PfxLab lab;
    const std::string out = lab.dir / "edge-external.pfx";
    const auto r = lab.pfx(out);
    INFO(transcript("certtool pfx --out " + out, r));
    REQUIRE(r.exit_code == 0);
    CHECK(mode_of(out) == 0600);
    CHECK(contains(r.out, kExternal));
    CHECK(contains(r.out, "2 chain certificates"));

    const std::string info = lab.pkcs12(out, "-info -noout");
    INFO(info);
    CHECK(contains(info, "MAC: sha1"));
    CHECK(contains(info, "PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC"));
    CHECK(contains(info, "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"));
    CHECK_FALSE(contains(info, "PBES2"));
    CHECK_FALSE(contains(info, "RC2"));
    const auto iterations = iteration_counts(info);
    CHECK(iterations.size() == 3);  // MAC, certificates, key
    for (const long n : iterations) {
        CHECK(n >= 1);
        CHECK(n <= 600000);
    }
    check_contents(lab, out);

    if (!have(kGnutls)) {
        WARN("GnuTLS's certtool (package gnutls-bin) not found: the PFX is read by OpenSSL only");
    } else {
        const auto g = run_process(kGnutls, {"--p12-info", "--inder", "--infile", out, "--password", lab.password});
        INFO(transcript("certtool (GnuTLS) --p12-info", g));
        CHECK(g.exit_code == 0);
        const std::string text = g.out + g.err;
        CHECK(contains(text, "MAC: SHA1"));
        CHECK(count(text, "Schema: PKCS12-3DES-SHA1") == 2);  // the certificate bag and the key
        CHECK_FALSE(contains(text, "PBES2"));
        CHECK(contains(text, "Friendly name: " + kExternal));
        CHECK(contains(text, "PKCS #8 Encrypted key"));
        const auto wrong = run_process(kGnutls, {"--p12-info", "--inder", "--infile", out, "--password", "wrong-password"});
        CHECK(wrong.exit_code != 0);
    }

    // The chain may also come in the certificate file itself.
    const std::string bundle = dir_file_concat(lab.dir, "bundle.pem", {lab.cert, lab.ca + "/chain.pem"});
    const auto from_bundle = lab.pfx(lab.dir / "bundle.pfx", {}, "", bundle, {"none"});
    INFO(transcript("certtool pfx --cert bundle.pem", from_bundle));
    REQUIRE(from_bundle.exit_code == 0);
    check_contents(lab, lab.dir / "bundle.pfx");
    lab.no_password_in_output();
}

TEST_CASE("pfx e2e: --modern writes PBES2 AES-256-CBC with a SHA-256 MAC", "[pfx][e2e]") {
    SKIP_WITHOUT_OPENSSL();
    PfxLab lab;
    const std::string out = lab.dir / "modern.pfx";
    const auto r = lab.pfx(out, {"--modern"});
    INFO(transcript("certtool pfx --modern", r));
    REQUIRE(r.exit_code == 0);
    CHECK(mode_of(out) == 0600);
    const std::string info = lab.pkcs12(out, "-info -noout");
    INFO(info);
    CHECK(contains(info, "MAC: sha256"));
    CHECK(contains(info, "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC"));
    CHECK(contains(info, "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"));
    CHECK_FALSE(contains(info, "TripleDES"));
    for (const long n : iteration_counts(info)) CHECK(n <= 600000);
    check_contents(lab, out);
    if (have(kGnutls)) {
        const auto g = run_process(kGnutls, {"--p12-info", "--inder", "--infile", out, "--password", lab.password});
        INFO(transcript("certtool (GnuTLS) --p12-info", g));
        CHECK(g.exit_code == 0);
        CHECK(contains(g.out + g.err, "MAC: SHA256"));
        CHECK(count(g.out + g.err, "Schema: PBES2-AES256-CBC") == 2);
        CHECK_FALSE(contains(g.out + g.err, "PKCS12-3DES-SHA1"));
    }
    lab.no_password_in_output();
}

TEST_CASE("pfx e2e: the topology's windows_server picks the default: AES from Windows Server 2019, else 3DES, --modern and "
          "--legacy decide", "[pfx][e2e][product]") {
    SKIP_WITHOUT_OPENSSL();
    PfxLab lab;
    // The same deployment as another product on another Windows Server (WIN-PBES2, DSC-PFX).
    const auto topology = [&](const std::string& name, const std::string& product, const std::string& windows) {
        auto doc = json::parse(read_file(kTopology));
        doc["product"] = product;
        if (!windows.empty()) doc["windows_server"] = windows;
        return lab.dir.file(name, doc.dump(2));
    };
    const std::string on2019 = topology("skype2015-2019.json", "skype2015", "2019");
    const std::string on2016 = topology("skype2019.json", "skype2019", "");  // its oldest: 2016

    const auto is_modern = [&](const std::string& file) {
        const std::string info = lab.pkcs12(file, "-info -noout");
        INFO(info);
        const bool modern = contains(info, "MAC: sha256") && contains(info, "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC");
        const bool legacy = contains(info, "MAC: sha1") && contains(info, "Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC");
        CHECK(modern != legacy);
        return modern;
    };
    struct Case {
        std::string what, topology;
        std::vector<std::string> extra;
        bool modern;
        std::string says;
    };
    const std::vector<Case> cases{
        {"windows_server 2019", on2019, {}, true, "the topology's oldest Windows Server is Windows Server 2019"},
        {"windows_server 2019 --legacy", on2019, {"--legacy"}, false, "--legacy"},
        {"skype2019 on its oldest, 2016", on2016, {}, false, "the topology's oldest Windows Server is Windows Server 2016"},
        {"skype2019 on 2016 --modern", on2016, {"--modern"}, true, "--modern"},
        {"lync2013 on its oldest, 2008 R2", kTopology, {}, false, "the topology's oldest Windows Server is Windows Server 2008 R2"},
    };
    int n = 0;
    for (const auto& c : cases) {
        INFO(c.what);
        const std::string out = lab.dir / ("p" + std::to_string(n++) + ".pfx");
        const auto r = lab.pfx(out, c.extra, "", "", {}, c.topology);
        INFO(transcript("certtool pfx --topology " + c.topology, r));
        REQUIRE(r.exit_code == 0);
        CHECK(is_modern(out) == c.modern);
        CHECK(contains(r.out, c.says));
        check_contents(lab, out);
    }
    // One or the other.
    const auto both = lab.pfx(lab.dir / "both.pfx", {"--modern", "--legacy"}, "", "", {}, on2019);
    CHECK(both.exit_code == 2);
    CHECK_FALSE(fs::exists(lab.dir / "both.pfx"));
    lab.no_password_in_output();
}

TEST_CASE("pfx e2e: a wrong key, another CA's chain, an existing --out or a locked key write nothing", "[pfx][e2e]") {
    SKIP_WITHOUT_OPENSSL();
    PfxLab lab;
    // Other CAs: one with the same names as ours (other keys), one named differently.
    const std::string twin = lab.dir / "twin";
    const std::string other = lab.dir / "other";
    REQUIRE(run_ct({"ca", "init", twin, "--intermediate", "--key-bits", "2048"}).exit_code == 0);
    REQUIRE(run_ct({"ca", "init", other, "--intermediate", "--key-bits", "2048", "--name", "Fabrikam Lab CA"}).exit_code == 0);
    const std::string existing = lab.dir.file("existing.pfx", "keep me\n");
    const std::string key_secret = "Key-Passphrase-9Zt";
    sh_ok(kOpenssl + " pkcs8 -topk8 -v2 aes-256-cbc -in " + shell_quote(lab.key(kExternal)) + " -out " + shell_quote(lab.dir / "locked.key") +
          " -passout pass:" + key_secret);
    const std::string key_pass_file = lab.dir.file("key.pass", key_secret + "\n");

    struct Case {
        std::string what, out, code, key, cert;
        std::vector<std::string> chain, extra;
    };
    const std::vector<Case> cases{
        {"the internal certificate's key", lab.dir / "a.pfx", "key.mismatch", lab.key(kInternal), "", {}, {}},
        {"a chain of another CA with the same names", lab.dir / "b.pfx", "pfx.chain", "", "", {twin + "/chain.pem"}, {}},
        {"a chain of another CA", lab.dir / "c.pfx", "pfx.chain", "", "", {other + "/chain.pem"}, {}},
        {"our chain plus another CA's root", lab.dir / "d.pfx", "pfx.chain", "", "", {lab.ca + "/chain.pem", other + "/root.pem"}, {}},
        {"an existing --out", existing, "output.exists", "", "", {}, {}},
        {"an encrypted key without --key-passphrase-*", lab.dir / "e.pfx", "key.encrypted", lab.dir / "locked.key", "", {}, {}},
        {"an encrypted key with the wrong passphrase", lab.dir / "f.pfx", "key.wrong-passphrase", lab.dir / "locked.key", "", {},
         {"--key-passphrase-file", lab.password_file}},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        const auto listing_before = snapshot(lab.dir.path());
        const auto r = lab.pfx(c.out, c.extra, c.key, c.cert, c.chain);
        require_refused(r, "certtool pfx (" + c.what + ")", c.code);
        if (c.out == existing) CHECK(read_file(existing) == "keep me\n");
        CHECK(snapshot(lab.dir.path()) == listing_before);  // no PFX, no temporary left behind
    }

    // With its passphrase the encrypted key goes in, and the PFX holds the same key.
    const auto unlocked = lab.pfx(lab.dir / "g.pfx", {"--key-passphrase-file", key_pass_file}, lab.dir / "locked.key");
    INFO(transcript("certtool pfx --key locked.key --key-passphrase-file", unlocked));
    REQUIRE(unlocked.exit_code == 0);
    check_contents(lab, lab.dir / "g.pfx");
    for (const auto& r : lab.runs) {
        CHECK_FALSE(contains(r.out, key_secret));
        CHECK_FALSE(contains(r.err, key_secret));
    }
    lab.no_password_in_output();
}
