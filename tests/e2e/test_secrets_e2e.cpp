// Secret hygiene, end to end against the real binary:
//
//   a. key and PFX files are created 0600 (O_CREAT|O_EXCL, read from strace:
//      the final mode alone cannot show a file that was briefly readable) and
//      never chmod-ed: csr, ca init, pfx, renew;
//   b. no passphrase, no line of any private key and no "PRIVATE KEY" in any
//      output of any verb that touches keys or passphrases, in every format,
//      with the right and with a wrong passphrase, from a file and from the
//      environment;
//   c. no verb takes a passphrase on the command line, and one typed there is
//      a usage error that does not echo it;
//   d. a run killed at many points leaves every file old or new, never a mix:
//      csr rewriting keys, requests and INFs; pfx (which never overwrites).
//
// Every run has a kill guard and its exit code is asserted.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
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

using certtool::test::CertLab;
using certtool::test::contains;
using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::run_certtool;
using certtool::test::run_guarded;
using certtool::test::run_openssl;
using certtool::test::RunOptions;
using certtool::test::source_path;
using certtool::test::TempDir;
using certtool::test::transcript;
using nlohmann::json;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string kTopology = source_path("templates/examples/edge-single-nat.json");
const std::string kExternal = CertLab::kExternal;
const std::string kSecret = "Pa55-hygiene-7f3a";
const std::string kWrong = "Wr0ng-hygiene-c41d";
const std::string kVar = "CERTTOOL_HYGIENE_PASS";

CertLab& lab() {
    static CertLab shared("certtool-secrets");
    return shared;
}

mode_t mode_of(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A file that holds a private key: <id>.key, <id>.key.replaced-<time>, CA keys, PFX files.
bool holds_key(const std::string& name) {
    return ends_with(name, ".key") || contains(name, ".key.replaced-") || ends_with(name, ".pfx");
}

// path -> inode of every regular file under `dir` (recursively).
std::map<std::string, ino_t> files_under(const std::string& dir) {
    std::map<std::string, ino_t> out;
    std::error_code ec;
    if (!fs::exists(dir, ec)) return out;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) out[it->path().string()] = st.st_ino;
    }
    return out;
}

std::string command_line(const std::vector<std::string>& args) {
    std::string s = "certtool";
    for (const auto& a : args) s += " " + a;
    return s;
}

// The 64-character base64 lines of a PEM text (every full line of its body).
std::vector<std::string> body_lines(const std::string& pem) {
    std::vector<std::string> out;
    std::istringstream in(pem);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.size() == 64 && line.find_first_not_of(
                                     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") == std::string::npos)
            out.push_back(line);
    }
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------
// a. 0600 from creation

TEST_CASE("secrets: keys and PFX files are created 0600 with O_EXCL and never chmod-ed (csr, ca init, pfx, renew)",
          "[secrets][e2e]") {
    TempDir tmp("certtool-secrets");
    std::string why;
    const bool traced = certtool::test::strace_usable(&why);
    if (!traced)
        WARN("strace is not usable here, so the key modes are checked after each run only, not at creation "
             "(.ci/run installs strace): "
             << why);
    const std::string pass_file = tmp.file("pass", kSecret + "\n");
    const std::vector<std::string> env{kVar + "=" + kSecret};
    const std::string req = tmp / "req";
    const std::string inventory = tmp / "empty-inventory";  // nothing in use: every certificate is due
    const std::string pfx_dir = tmp / "pfx";
    fs::create_directories(inventory);
    fs::create_directories(pfx_dir);
    fs::permissions(pfx_dir, fs::perms::owner_all);

    struct Step {
        std::string what;
        std::vector<std::string> args;
        std::string root;             // where its key files land
        std::size_t new_key_files;    // how many key files it creates
        int exit_code;
    };
    std::vector<Step> steps{
        {"csr", {"csr", kTopology, "--out", req}, req, 2, 0},
        {"csr --new-key (the old keys are kept as .replaced-)", {"csr", kTopology, "--out", req, "--new-key"}, req, 4, 0},
        {"csr --encrypt-keys", {"csr", kTopology, "--out", tmp / "req-enc", "--encrypt-keys", "--passphrase-file", pass_file},
         tmp / "req-enc", 2, 0},
        {"ca init --intermediate",
         {"ca", "init", tmp / "ca", "--intermediate", "--key-bits", "2048", "--crl-url", CertLab::kCrlUrl}, tmp / "ca", 2, 0},
        {"ca init --encrypt-key", {"ca", "init", tmp / "ca-enc", "--key-bits", "2048", "--encrypt-key", "--passphrase-env", kVar},
         tmp / "ca-enc", 1, 0},
        {"renew (new keys)", {"renew", kTopology, "--inventory", inventory, "--out", tmp / "renewals"}, tmp / "renewals", 2, 1},
        {"renew --encrypt-keys",
         {"renew", kTopology, "--inventory", inventory, "--out", tmp / "renewals-enc", "--encrypt-keys", "--passphrase-env", kVar},
         tmp / "renewals-enc", 2, 1},
    };

    const auto run_step = [&](const Step& step, std::size_t n) {
        INFO("step " << n << ": " << step.what);
        const auto before = files_under(step.root);
        certtool::test::SyscallTrace trace;
        ProcessResult r;
        if (traced) {
            trace = certtool::test::trace_certtool(step.args, env, tmp / ("trace-" + std::to_string(n)));
            REQUIRE(trace.available);
            r = trace.result;
        } else {
            r = run_guarded(step.args, env);
        }
        INFO(transcript(step.args, r));
        REQUIRE_FALSE(r.killed);
        REQUIRE(r.exit_code == step.exit_code);
        std::size_t created = 0;
        for (const auto& [path, inode] : files_under(step.root)) {
            const auto was = before.find(path);
            if (was != before.end() && was->second == inode) continue;  // not written by this step
            const std::string name = fs::path(path).filename().string();
            INFO("written: " << path);
            if (traced && name != ".lock") {
                // Whatever certtool writes, it creates exclusively (a planted file is never opened).
                INFO(trace.text);
                REQUIRE(trace.files.count(path) == 1);
                CHECK(trace.files.at(path).exclusive());
            }
            if (!holds_key(name)) continue;
            ++created;
            CHECK(mode_of(path) == 0600);
            if (!traced) continue;
            const auto& c = trace.files.at(path);
            INFO("created as " << c.opened << " with " << c.flags << ", mode " << c.mode);
            CHECK(c.mode == "0600");
            CHECK(trace.chmodded.count(path) == 0);
            CHECK(trace.chmodded.count(c.opened) == 0);
        }
        CHECK(created == step.new_key_files);
        if (traced) {
            INFO("chmod calls:\n" << [&] {
                std::string s;
                for (const auto& line : trace.chmod_calls) s += line + "\n";
                return s;
            }());
            for (const auto& path : trace.chmodded) CHECK_FALSE(holds_key(fs::path(path).filename().string()));
        }
    };
    for (std::size_t i = 0; i < steps.size(); ++i) run_step(steps[i], i);

    // pfx: a certificate from the CA made above, then two PFX files (legacy and modern).
    const std::vector<std::string> sign{"ca", "sign", tmp / "ca", req + "/" + kExternal + ".csr", "--topology", kTopology,
                                        "--cert", kExternal, "--out", tmp / "external.pem"};
    const auto signed_ = run_guarded(sign);
    INFO(transcript(sign, signed_));
    REQUIRE(signed_.exit_code == 0);
    const std::vector<std::string> pfx{"pfx", "--key", req + "/" + kExternal + ".key", "--cert", tmp / "external.pem",
                                       "--chain", tmp / "ca/chain.pem", "--passphrase-file", pass_file, "--topology", kTopology};
    auto legacy = pfx;
    legacy.insert(legacy.end(), {"--out", pfx_dir + "/legacy.pfx"});
    auto modern = pfx;
    modern.insert(modern.end(), {"--out", pfx_dir + "/modern.pfx", "--modern"});
    run_step({"pfx", legacy, pfx_dir, 1, 0}, 100);
    run_step({"pfx --modern", modern, pfx_dir, 1, 0}, 101);
}

// ---------------------------------------------------------------------------
// b. Nothing secret in any output

TEST_CASE("secrets: no passphrase, no private key line and no PRIVATE KEY in any output of any verb", "[secrets][e2e]") {
    TempDir tmp("certtool-secrets");
    const std::string pass = tmp.file("pass", kSecret + "\n");
    const std::string wrong = tmp.file("wrong", kWrong + "\n");
    const std::vector<std::string> right_env{kVar + "=" + kSecret};
    const std::vector<std::string> wrong_env{kVar + "=" + kWrong};
    const std::string req = tmp / "req";
    const std::string ca = tmp / "ca";
    const std::string csr_file = req + "/" + kExternal + ".csr";
    const std::string key_file = req + "/" + kExternal + ".key";
    const std::string leaf = tmp / "external.pem";
    const std::string pfx_dir = tmp / "pfx";  // <id>.pfx, as certtool script wants it
    const std::string pfx = pfx_dir + "/" + kExternal + ".pfx";
    const std::string files = tmp / "exported";  // audit --files and renew --inventory
    fs::create_directories(pfx_dir);
    fs::create_directories(files + "/lsedge.contoso.net");

    std::vector<std::pair<std::string, ProcessResult>> runs;
    const auto run = [&](const std::vector<std::string>& args, const std::vector<std::string>& env, int exit_code,
                         const std::string& code = "") {
        const auto r = run_guarded(args, env);
        INFO(transcript(args, r));
        REQUIRE_FALSE(r.killed);
        CHECK(r.exit_code == exit_code);
        if (!code.empty()) CHECK(contains(r.out + r.err, code));
        runs.emplace_back(command_line(args), r);
        return r;
    };

    // csr: encrypted keys; reused with the passphrase from the environment; refused without it or with a wrong one.
    run({"csr", kTopology, "--out", req, "--encrypt-keys", "--passphrase-file", pass}, {}, 0);
    run({"csr", kTopology, "--out", req, "--passphrase-env", kVar}, right_env, 0);
    run({"csr", kTopology, "--out", req, "--passphrase-env", kVar}, wrong_env, 2, "[key.wrong-passphrase]");
    run({"csr", kTopology, "--out", req, "--passphrase-file", wrong}, {}, 2, "[key.wrong-passphrase]");
    run({"csr", kTopology, "--out", req}, {}, 2, "[key.encrypted]");

    // ca: an encrypted CA; sign and crl with, without and with the wrong passphrase.
    run({"ca", "init", ca, "--intermediate", "--key-bits", "2048", "--crl-url", CertLab::kCrlUrl, "--encrypt-key",
         "--passphrase-env", kVar},
        right_env, 0);
    const std::vector<std::string> sign{"ca", "sign", ca, csr_file, "--topology", kTopology, "--cert", kExternal};
    auto with = [](std::vector<std::string> base, const std::vector<std::string>& more) {
        base.insert(base.end(), more.begin(), more.end());
        return base;
    };
    run(with(sign, {"--out", tmp / "never-1.pem"}), {}, 2, "[key.encrypted]");
    run(with(sign, {"--out", tmp / "never-2.pem", "--passphrase-env", kVar}), wrong_env, 2, "[key.wrong-passphrase]");
    run(with(sign, {"--out", tmp / "never-3.pem", "--passphrase-file", wrong}), {}, 2, "[key.wrong-passphrase]");
    run(with(sign, {"--out", leaf, "--passphrase-file", pass}), {}, 0);
    run({"ca", "crl", ca, "--passphrase-env", kVar}, wrong_env, 2, "[key.wrong-passphrase]");
    run({"ca", "crl", ca, "--passphrase-env", kVar}, right_env, 0);

    // pfx: the encrypted key in, the PFX out, both with the passphrase; wrong key passphrase refused.
    const std::vector<std::string> make_pfx{"pfx", "--key", key_file, "--cert", leaf, "--chain", ca + "/chain.pem",
                                            "--topology", kTopology};
    run(with(make_pfx, {"--out", tmp / "never.pfx", "--passphrase-env", kVar, "--key-passphrase-file", wrong}), right_env, 2,
        "[key.wrong-passphrase]");
    run(with(make_pfx, {"--out", tmp / "never.pfx", "--passphrase-env", kVar}), right_env, 2, "[key.encrypted]");
    run(with(make_pfx, {"--out", pfx, "--passphrase-env", kVar, "--key-passphrase-file", pass}), right_env, 0);
    run(with(make_pfx, {"--out", tmp / "modern.pfx", "--modern", "--passphrase-file", pass, "--key-passphrase-env", kVar}),
        right_env, 0);
    fs::copy_file(pfx, files + "/lsedge.contoso.net/external.pfx");

    // verify: the PFX, and the certificate with its encrypted key, in both formats.
    for (const std::string format : {"table", "json"}) {
        run({"verify", kTopology, pfx, "--passphrase-file", pass, "--trust", ca + "/root.pem", "--format", format}, {}, 0);
        run({"verify", kTopology, pfx, "--passphrase-env", kVar, "--format", format}, wrong_env, 2, "[cert.pkcs12-password]");
        run({"verify", kTopology, pfx, "--passphrase-file", wrong, "--format", format}, {}, 2, "[cert.pkcs12-password]");
        run({"verify", kTopology, leaf, "--key", key_file, "--passphrase-env", kVar, "--no-chain", "--format", format}, right_env,
            0);
        run({"verify", kTopology, leaf, "--key", key_file, "--passphrase-file", wrong, "--format", format}, {}, 2);
    }
    // audit --files with the PFX: every format; the wrong passphrase is a finding (exit 1).
    for (const std::string format : {"table", "json", "junit"}) {
        run({"audit", kTopology, "--files", files, "--passphrase-env", kVar, "--trust", ca + "/root.pem", "--format", format},
            right_env, 1);  // the internal certificate was not exported: files.missing
        run({"audit", kTopology, "--files", files, "--passphrase-file", wrong, "--format", format}, {}, 1, "cert.pkcs12-password");
    }
    // renew: the PFX as inventory, new encrypted keys for what is due.
    for (const std::string format : {"table", "json"}) {
        run({"renew", kTopology, "--inventory", files, "--out", tmp / ("renewals-" + format), "--encrypt-keys", "--passphrase-env",
             kVar, "--format", format},
            right_env, 1);
        run({"renew", kTopology, "--inventory", files, "--out", tmp / "never-renewals", "--passphrase-file", wrong, "--format",
             format},
            {}, 2);
    }
    // script: reads the PFX with the passphrase.
    run({"script", kTopology, "--pfx", pfx_dir, "--out", tmp / "scripts", "--passphrase-file", pass}, {}, 0);
    run({"script", kTopology, "--pfx", pfx_dir, "--out", tmp / "never-scripts", "--passphrase-env", kVar}, wrong_env, 2,
        "[cert.pkcs12-password]");

    // The key material that must never be printed: every key file written, as
    // stored (encrypted) and decrypted, and the key inside the PFX.
    std::vector<std::string> key_pems;
    std::vector<std::string> key_files;
    for (const auto& [path, inode] : files_under(tmp.path()))
        if (ends_with(path, ".key")) key_files.push_back(path);
    REQUIRE(key_files.size() >= 2 + 2 + 2);  // csr, ca, renew (twice)
    for (const auto& path : key_files) {
        INFO(path);
        const std::string stored = read_file(path);
        CHECK(contains(stored, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));  // every key here was written encrypted
        key_pems.push_back(stored);
        const auto clear = run_openssl({"pkey", "-in", path, "-passin", "file:" + pass});
        REQUIRE(clear.exit_code == 0);
        key_pems.push_back(clear.out);
    }
    const auto pfx_key = run_openssl({"pkcs12", "-in", pfx, "-nocerts", "-nodes", "-passin", "file:" + pass});
    REQUIRE(pfx_key.exit_code == 0);
    key_pems.push_back(pfx_key.out);
    std::set<std::string> needles;
    for (const auto& pem : key_pems)
        for (const auto& line : body_lines(pem)) needles.insert(line);
    REQUIRE(needles.size() > 100);

    CHECK(runs.size() >= 38);
    for (const auto& [what, r] : runs) {
        INFO(what);
        const std::string printed = r.out + "\n" + r.err;
        CHECK_FALSE(contains(printed, kSecret));
        CHECK_FALSE(contains(printed, kWrong));
        CHECK_FALSE(contains(printed, "PRIVATE KEY"));
        std::size_t leaked = 0;
        for (const auto& line : needles) leaked += contains(printed, line) ? 1 : 0;
        CHECK(leaked == 0);
    }
    // Nor in any file certtool wrote (scripts, reports, manifests, indexes).
    for (const auto& [path, inode] : files_under(tmp.path())) {
        if (path == pass || path == wrong) continue;
        INFO(path);
        const std::string content = read_file(path);
        CHECK_FALSE(contains(content, kSecret));
        CHECK_FALSE(contains(content, kWrong));
    }
}

// ---------------------------------------------------------------------------
// c. Never from argv

TEST_CASE("secrets: no verb takes a passphrase value on the command line, and one typed there is not echoed", "[secrets][e2e]") {
    TempDir tmp("certtool-secrets");
    const std::string t = kTopology;
    const std::string x = tmp / "nothing-here";
    // Per verb, a command line that parses (the files need not exist: parsing fails first).
    const std::vector<std::vector<std::string>> verbs{
        {"plan", t},
        {"csr", t, "--out", x},
        {"verify", t, x},
        {"audit", t, "--files", x},
        {"renew", t, "--inventory", x, "--out", x},
        {"ca", "init", x},
        {"ca", "sign", x, x, "--topology", t, "--cert", kExternal},
        {"ca", "crl", x},
        {"pfx", "--key", x, "--cert", x, "--out", x, "--passphrase-file", x},
        {"script", t, "--pfx", x, "--out", x},
    };
    const std::set<std::string> allowed{"--passphrase-file", "--passphrase-env", "--key-passphrase-file", "--key-passphrase-env"};
    const std::regex option_re(R"(^\s+(?:-[A-Za-z0-9],)?(--[A-Za-z0-9][A-Za-z0-9-]*))");

    std::set<std::string> seen_allowed;
    for (const auto& verb : verbs) {
        std::vector<std::string> help_args(verb.begin(), verb.begin() + (verb[0] == "ca" ? 2 : 1));
        help_args.emplace_back("--help");
        const auto help = run_guarded(help_args);
        INFO(transcript(help_args, help));
        REQUIRE(help.exit_code == 0);
        std::istringstream lines(help.out);
        for (std::string line; std::getline(lines, line);) {
            std::smatch m;
            if (!std::regex_search(line, m, option_re)) continue;
            const std::string option = m[1];
            std::string lower = option;
            std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (!contains(lower, "pass") && !contains(lower, "secret") && !contains(lower, "pin")) continue;
            INFO(option);
            CHECK(allowed.count(option) == 1);  // a file or an environment variable, never the value itself
            seen_allowed.insert(option);
        }
    }
    CHECK(seen_allowed == allowed);

    const auto before = files_under(tmp.path());
    int n = 0;
    for (const auto& verb : verbs) {
        for (const std::string option : {"--passphrase", "--password", "--pass", "--pfx-password", "--key-password"}) {
            for (const bool attached : {false, true}) {
                const std::string secret = "Argv-Secret-" + std::to_string(++n) + "-x9";
                std::vector<std::string> args = verb;
                if (attached) args.push_back(option + "=" + secret);
                else args.insert(args.end(), {option, secret});
                const auto r = run_guarded(args);
                INFO(transcript(args, r));
                REQUIRE_FALSE(r.killed);
                CHECK(r.exit_code == 2);
                CHECK_FALSE(contains(r.out + r.err, secret));
                CHECK(contains(r.err, option));
                CHECK(contains(r.err, "--passphrase-file"));  // says where a passphrase goes instead
                CHECK(r.out.empty());
            }
        }
    }
    CHECK(files_under(tmp.path()) == before);  // nothing was made
}

// ---------------------------------------------------------------------------
// d. Killed while writing

namespace {

struct Entry {
    std::string content;
    ino_t inode = 0;
    mode_t mode = 0;
};
using DirState = std::map<std::string, Entry>;  // file name -> what it is

DirState read_dir(const std::string& dir) {
    DirState out;
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const std::string path = it->path().string();
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0) continue;
        out[it->path().filename().string()] = {S_ISREG(st.st_mode) ? read_file(path) : "<not a regular file>", st.st_ino,
                                               static_cast<mode_t>(st.st_mode & 07777)};
    }
    return out;
}

bool is_temporary(const std::string& name) { return name.rfind(".certtool-tmp.", 0) == 0; }

// Files OpenSSL has read whole, by content: each is parsed once however often it is seen.
struct Parsed {
    std::map<std::string, std::string> key_public;   // key PEM -> its public key PEM ("" if OpenSSL cannot read it)
    std::map<std::string, std::string> csr_public;   // CSR PEM -> its public key PEM ("" unless its signature verifies)
    std::map<std::string, std::string> csr_subject;  // CSR PEM -> "subject=..."
    int openssl_runs = 0;

    const std::string& key(const std::string& path, const std::string& content) {
        const auto it = key_public.find(content);
        if (it != key_public.end()) return it->second;
        ++openssl_runs;
        const auto r = run_openssl({"pkey", "-in", path, "-pubout"});
        return key_public[content] = r.exit_code == 0 && contains(r.out, "-----BEGIN PUBLIC KEY-----") ? r.out : "";
    }

    const std::string& csr(const std::string& path, const std::string& content) {
        const auto it = csr_public.find(content);
        if (it != csr_public.end()) return it->second;
        ++openssl_runs;
        const auto r = run_openssl({"req", "-in", path, "-noout", "-verify", "-pubkey", "-subject"});
        // OpenSSL 3.0 exits 0 even when the signature does not verify: read what it says.
        const bool ok = r.exit_code == 0 && contains(r.err, "verify OK") && !contains(r.out + r.err, "failure");
        const auto begin = r.out.find("-----BEGIN PUBLIC KEY-----");
        const auto end = r.out.find("-----END PUBLIC KEY-----");
        const auto subject = r.out.find("subject=");
        csr_subject[content] = subject == std::string::npos ? "" : r.out.substr(subject);
        return csr_public[content] = ok && begin != std::string::npos && end != std::string::npos
                                         ? r.out.substr(begin, end + 25 - begin)
                                         : "";
    }
};

// A certreq INF is whole: it ends where certtool ends it (the last SAN line without '&').
bool inf_is_whole(const std::string& inf) {
    if (inf.empty() || inf.back() != '\n' || !contains(inf, "[NewRequest]") || !contains(inf, "2.5.29.17 = \"{text}\"")) return false;
    const auto last = inf.rfind("_continue_ = \"dns=");
    if (last == std::string::npos) return false;
    const auto eol = inf.find('\n', last);
    const std::string line = inf.substr(last, eol - last);
    return !contains(line, "&\"");
}

// After a csr run (killed or not): every file is whole, and every key, request
// and INF is the one before the run or one this run wrote, consistently.
// Returns how many files the run replaced or added (temporaries aside).
std::size_t check_old_or_new(const std::string& out, const DirState& before, const DirState& now,
                             const std::vector<std::string>& ids, const std::string& locality, bool completed, Parsed& parsed,
                             std::map<std::string, std::set<std::string>>& keys_held) {
    std::size_t changed = 0;
    for (const auto& [name, entry] : now) {
        const auto was = before.find(name);
        if (!is_temporary(name) && (was == before.end() || was->second.inode != entry.inode)) ++changed;
    }
    std::set<std::string> known{"manifest.json"};
    bool any_old_request = false;
    for (const auto& id : ids) {
        INFO(id);
        const std::string key = id + ".key", csr = id + ".csr", inf = id + ".inf";
        known.insert({key, csr, inf});
        REQUIRE(now.count(key) == 1);  // never lost
        REQUIRE(now.count(csr) == 1);
        REQUIRE(now.count(inf) == 1);

        const Entry& k = now.at(key);
        CHECK(k.mode == 0600);
        const std::string key_public = parsed.key(out + "/" + key, k.content);
        CHECK_FALSE(key_public.empty());  // whole: OpenSSL reads it

        // Keys kept by --new-key: each one a key this directory held before, 0600.
        std::set<std::string> kept_publics;
        bool previous_kept = false;
        for (const auto& [name, entry] : now) {
            if (name.rfind(key + ".replaced-", 0) != 0) continue;
            known.insert(name);
            INFO(name);
            CHECK(entry.mode == 0600);
            CHECK(keys_held[id].count(entry.content) == 1);
            kept_publics.insert(parsed.key(out + "/" + name, entry.content));
            if (before.count(key) == 1 && entry.content == before.at(key).content) previous_kept = true;
        }
        if (before.count(key) == 1 && k.content != before.at(key).content) CHECK(previous_kept);  // a new key: the old one is kept
        keys_held[id].insert(k.content);

        const Entry& c = now.at(csr);
        const std::string csr_public = parsed.csr(out + "/" + csr, c.content);
        CHECK_FALSE(csr_public.empty());  // whole: its signature verifies
        const bool new_request = before.count(csr) == 0 || before.at(csr).content != c.content;
        if (new_request) {
            // Written after the key, in the same run: for the key on disk, with this run's subject.
            CHECK(csr_public == key_public);
            CHECK(contains(parsed.csr_subject[c.content], "L = " + locality + ","));
        } else {
            // The previous request: for the key on disk, or for the key it replaced (kept beside it).
            CHECK((csr_public == key_public || kept_publics.count(csr_public) == 1));
            any_old_request = true;
        }
        if (completed) CHECK(csr_public == key_public);

        const Entry& i = now.at(inf);
        CHECK(inf_is_whole(i.content));
        if (before.count(inf) == 0 || before.at(inf).content != i.content) CHECK(contains(i.content, "L=" + locality + ","));
    }

    REQUIRE(now.count("manifest.json") == 1);
    json manifest;
    REQUIRE_NOTHROW(manifest = json::parse(now.at("manifest.json").content));
    CHECK(manifest["certificates"].size() == ids.size());
    if (before.count("manifest.json") == 0 || before.at("manifest.json").content != now.at("manifest.json").content) {
        // Written last: everything it lists is this run's.
        CHECK_FALSE(any_old_request);
        for (const auto& e : manifest["certificates"]) CHECK(contains(e.value("subject", ""), "L=" + locality + ","));
    }
    for (const auto& [name, entry] : now) {
        if (known.count(name) == 1) continue;
        INFO(name);
        CHECK(is_temporary(name));        // nothing else is ever there
        CHECK_FALSE(completed);           // and after a whole run, not even a temporary
    }
    return changed;
}

json plan_of(const std::string& topology) {
    const auto r = run_guarded({"plan", topology, "--format", "json"});
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
}

}  // namespace

TEST_CASE("secrets: csr killed at many points while rewriting keys, requests and INFs leaves each file old or new, never a mix",
          "[secrets][kill][e2e]") {
    TempDir tmp("certtool-secrets");
    // enterprise.json with ECDSA keys: key generation is instant, so the
    // kills land in the writing of its 34 files rather than in RSA key generation.
    json topology = json::parse(read_file(source_path("templates/examples/enterprise.json")));
    topology["policy"]["key_algorithm"] = "ECDSA";
    topology["policy"]["key_bits"] = 256;
    const std::string topology_file = tmp / "topology.json";
    // The locality marks which run wrote a request (public-CA subjects carry no OU).
    const auto with_locality = [&](const std::string& locality) {
        topology["organization"]["locality"] = locality;
        certtool::test::write_bytes(topology_file, topology.dump(2) + "\n");
    };
    with_locality("Redmond-0");
    std::vector<std::string> ids;
    const json plan = plan_of(topology_file);
    for (const auto& c : plan["certificates"]) ids.push_back(c["id"]);
    REQUIRE(ids.size() >= 10);
    const std::string out = tmp / "requests";
    const auto first = run_guarded({"csr", topology_file, "--out", out});
    INFO(transcript({"csr", topology_file, "--out", out}, first));
    REQUIRE(first.exit_code == 0);

    Parsed parsed;
    std::map<std::string, std::set<std::string>> keys_held;
    DirState before = read_dir(out);
    check_old_or_new(out, {}, before, ids, "Redmond-0", true, parsed, keys_held);
    // A run rewrites each request and INF and the manifest; with --new-key also each key and its kept copy.
    const auto files_of_run = [&](bool new_key) { return (new_key ? 4 : 2) * ids.size() + 1; };

    // 12 kills at times spread over 0-300 ms, 12 kills after the k-th file of
    // the run is in place (k spread over the run's files), a whole run after every 8;
    // every run changes the subject (L), every other one also makes new keys.
    constexpr int kTimed = 12, kCounted = 12;
    std::time_t last_new_key = 0;  // --new-key names the kept key by the second: one such run per second
    int killed = 0, mid_write = 0, whole_runs = 0;
    std::ostringstream log;
    for (int i = 0; i < kTimed + kCounted; ++i) {
        const std::string locality = "Redmond-" + std::to_string(i + 1);
        with_locality(locality);
        const bool new_key = i % 2 == 1 && std::time(nullptr) > last_new_key;
        std::vector<std::string> args{"csr", topology_file, "--out", out};
        if (new_key) args.emplace_back("--new-key");
        RunOptions options;
        options.new_session = true;
        std::string how;
        if (i < kTimed) {
            options.kill_after = std::chrono::milliseconds(1 + i * 299 / (kTimed - 1));
            how = "killed at " + std::to_string(options.kill_after.count()) + " ms";
        } else {
            const std::size_t k = 1 + static_cast<std::size_t>(i - kTimed) * (files_of_run(new_key) - 2) / (kCounted - 1);
            options.kill_after = 60s;  // the guard
            options.kill_when = [&, k] {
                std::size_t written = 0;
                std::error_code ec;
                for (auto it = fs::directory_iterator(out, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
                    const std::string name = it->path().filename().string();
                    if (is_temporary(name)) continue;
                    struct stat st {};
                    if (::lstat(it->path().c_str(), &st) != 0) continue;
                    const auto was = before.find(name);
                    if (was == before.end() || was->second.inode != st.st_ino) ++written;
                }
                return written >= k;
            };
            how = "killed after " + std::to_string(k) + " files";
        }
        const auto r = run_certtool(args, {}, "", options);
        if (new_key) last_new_key = std::time(nullptr);
        INFO("run " << i << " (" << how << (new_key ? ", --new-key" : "") << ")\n" << transcript(args, r));
        if (!r.killed) {
            REQUIRE(r.exit_code == 0);
            ++whole_runs;
        } else {
            ++killed;
            REQUIRE(r.elapsed < 59s);  // killed by the test's plan, never by the guard
        }
        const DirState now = read_dir(out);
        const std::size_t changed = check_old_or_new(out, before, now, ids, locality, !r.killed, parsed, keys_held);
        const std::size_t expected = files_of_run(new_key);
        if (r.killed && changed > 0 && changed < expected) ++mid_write;
        log << "run " << i << ": " << how << (new_key ? ", --new-key" : "") << (r.killed ? ", killed" : ", completed")
            << ", " << changed << " of " << expected << " files replaced\n";
        before = now;

        if (i % 8 == 7 || i == kTimed + kCounted - 1) {
            // The next whole run completes, removes the temporaries, and leaves every request matching its key.
            const std::vector<std::string> whole{"csr", topology_file, "--out", out};
            const auto w = run_guarded(whole);
            INFO(transcript(whole, w));
            REQUIRE(w.exit_code == 0);
            const DirState after = read_dir(out);
            check_old_or_new(out, before, after, ids, locality, true, parsed, keys_held);
            before = after;
        }
    }
    INFO(log.str() << parsed.openssl_runs << " files read by OpenSSL");
    CHECK(killed >= kCounted - 2);
    CHECK(mid_write >= kCounted / 2);  // most counted kills landed between two files of one run
    WARN(log.str());
}

TEST_CASE("secrets: pfx never overwrites a PFX, and a pfx killed while writing leaves none or a whole one", "[secrets][kill][e2e]") {
    CertLab& l = lab();
    const std::string leaf = l.issue(kExternal, "kill-external.pem");
    TempDir tmp("certtool-secrets");
    const std::string pass = tmp.file("pass", kSecret + "\n");
    const std::string dir = tmp / "pfx";
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all);
    const std::string existing = l.pfx(l.key(kExternal), leaf, dir + "/existing.pfx", pass);
    const std::string existing_bytes = read_file(existing);

    const std::vector<std::string> base{"pfx", "--key", l.key(kExternal), "--cert", leaf, "--chain", l.ca + "/chain.pem",
                                        "--passphrase-file", pass, "--topology", l.topology};
    auto over = base;
    over.insert(over.end(), {"--out", existing});
    const auto refused = run_guarded(over);
    INFO(transcript(over, refused));
    REQUIRE_FALSE(refused.killed);
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "[output.exists]"));
    CHECK(contains(refused.err, existing));
    CHECK(read_file(existing) == existing_bytes);

    constexpr int kTimed = 12, kAtTemporary = 6;
    int whole = 0, absent = 0, temporaries = 0, caught = 0;
    for (int i = 0; i < kTimed + kAtTemporary; ++i) {
        const std::string out = dir + "/kill-" + std::to_string(i) + ".pfx";
        auto args = base;
        args.insert(args.end(), {"--out", out});
        RunOptions options;
        options.new_session = true;
        if (i < kTimed) {
            options.kill_after = std::chrono::milliseconds(1 + i * 299 / (kTimed - 1));
        } else {
            // The moment the temporary exists: between its creation and the rename.
            options.kill_after = 60s;
            options.kill_when = [&] {
                std::error_code ec;
                for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
                    if (is_temporary(it->path().filename().string())) return true;
                return false;
            };
        }
        const auto r = run_certtool(args, {}, "", options);
        INFO("run " << i << "\n" << transcript(args, r));
        REQUIRE(r.elapsed < 59s);  // never the guard
        if (!r.killed) CHECK(r.exit_code == 0);
        if (i >= kTimed && r.killed && !fs::exists(out)) ++caught;
        if (fs::exists(out)) {
            ++whole;
            CHECK(mode_of(out) == 0600);
            const auto check = run_openssl({"pkcs12", "-in", out, "-noout", "-passin", "file:" + pass});
            INFO(check.out << check.err);
            CHECK(check.exit_code == 0);  // whole: its MAC verifies
        } else {
            ++absent;
            CHECK(r.killed);
        }
        for (const auto& [name, entry] : read_dir(dir)) {
            if (!is_temporary(name)) continue;
            INFO(name);
            CHECK(entry.mode == 0600);  // a half-written PFX is readable by nobody else
            ++temporaries;
            fs::remove(dir + "/" + name);
        }
        CHECK(read_file(existing) == existing_bytes);
    }
    CHECK(whole + absent == kTimed + kAtTemporary);
    CHECK(caught >= 1);  // at least one kill landed between the temporary's creation and its rename
    WARN("pfx killed " << kTimed + kAtTemporary << " times: " << whole << " whole PFX files, " << absent << " absent, "
                       << temporaries << " temporaries left behind (pfx does not remove them on its next run)");
}
