// Hostile input, end to end: what an attacker, a broken export or a wrong
// path can hand certtool, run against the real binary. Every run has a kill
// guard (a hang fails the test, it never stalls the suite), and every case
// asserts the guard did not fire, the exact exit code, the stable [code] on
// stderr, that the message names the file (or the endpoint), and a bound on
// wall time (and on peak memory where the input is huge or endless).
//
//   1. a 3 GiB sparse file as topology, certificate, request, PKCS#12 and
//      passphrase file; /dev/zero and a FIFO fed forever
//   2. JSON nested 100,000 deep as topology and as renew's audit inventory
//   3. PEM with garbage before, between and after the blocks; PEM all garbage
//   4. DER certificates and requests cut short
//   5. PKCS#12 with a wrong password and with a broken MAC (verify, audit --files)
//   6. a certificate and a request with 10,000 SANs
//   7. TLS servers on loopback that stream handshake data forever, that send
//      one byte per 100 ms (slowloris), and that reset mid-handshake
//
// Fixtures are made at test time (certtool ca/csr/pfx, the openssl CLI).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cert_lab.hpp"
#include "loopback.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"
#include "tls_server.hpp"

using certtool::test::CertLab;
using certtool::test::loopback_block;
using certtool::test::TlsServer;
using certtool::test::kTimeScale;
using certtool::test::contains;
using certtool::test::ProcessResult;
using certtool::test::read_file;
using certtool::test::run_guarded;
using certtool::test::run_openssl;
using certtool::test::run_shell_command;
using certtool::test::shell_quote;
using certtool::test::source_path;
using certtool::test::TempDir;
using certtool::test::transcript;
using certtool::test::write_bytes;
using nlohmann::json;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string kTopology = source_path("templates/examples/edge-single-nat.json");
const std::string kExternal = CertLab::kExternal;
// A refusal of a huge input must not read it into memory (AddressSanitizer alone takes more).
constexpr long kSmallRssKb = (certtool::test::kSanitized ? 512 : 64) * 1024;

// The lab is the same for every test case of this file: made once per process.
CertLab& lab() {
    static CertLab shared("certtool-hostile");
    return shared;
}

const std::string& lab_leaf() {
    static const std::string leaf = lab().issue(kExternal, "external.pem");
    return leaf;
}

const std::string& lab_pass_file() {
    static const std::string file = lab().dir.file("pfx.pass", "Hostile-PFX-pass-91\n");
    return file;
}

const std::string& lab_pfx() {
    static const std::string pfx = lab().pfx(lab().key(kExternal), lab_leaf(), lab().dir / "external.pfx", lab_pass_file());
    return pfx;
}

// Runs certtool (guarded) and asserts an input refusal: exit 2, "[code]" and
// `names` on stderr, nothing on stdout, within `max_ms`.
ProcessResult refused(const std::vector<std::string>& args, const std::string& code, const std::string& names,
                      long max_ms = 5000, const std::vector<std::string>& env = {}) {
    const auto r = run_guarded(args, env);
    INFO(transcript(args, r));
    REQUIRE_FALSE(r.killed);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "[" + code + "]"));
    CHECK(contains(r.err, names));
    CHECK(r.out.empty());
    CHECK(r.elapsed.count() < max_ms * kTimeScale);
    return r;
}

// A file of `size` bytes that uses no disk (ftruncate of a new file).
std::string sparse_file(const TempDir& dir, const std::string& name, off_t size) {
    const std::string path = dir / name;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::ftruncate(fd, size) == 0);
    ::close(fd);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    REQUIRE(st.st_size == size);
    CHECK(st.st_blocks * 512 < (1 << 20));  // sparse: no blocks behind it
    return path;
}

// A FIFO that a thread of this process feeds with `fill` bytes for as long as
// the test runs: a reader never sees its end. The feeder also holds the FIFO
// open for reading, so opening it never blocks and a reader leaving is no SIGPIPE.
class EndlessFifo {
public:
    EndlessFifo(std::string path, char fill) : path_(std::move(path)), fill_(fill) {
        REQUIRE(::mkfifo(path_.c_str(), 0600) == 0);
        fd_ = ::open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
        REQUIRE(fd_ >= 0);
        thread_ = std::thread([this] { feed(); });
    }
    ~EndlessFifo() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        if (fd_ >= 0) ::close(fd_);
    }
    EndlessFifo(const EndlessFifo&) = delete;
    EndlessFifo& operator=(const EndlessFifo&) = delete;

    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] unsigned long long fed() const { return fed_; }

private:
    void feed() {
        const std::string chunk(65536, fill_);
        while (!stop_) {
            pollfd p{fd_, POLLOUT, 0};
            if (::poll(&p, 1, 20) <= 0) continue;
            const ssize_t n = ::write(fd_, chunk.data(), chunk.size());
            if (n > 0) fed_ += static_cast<unsigned long long>(n);
        }
    }

    std::string path_;
    char fill_;
    int fd_ = -1;
    std::atomic<bool> stop_{false};
    std::atomic<unsigned long long> fed_{0};
    std::thread thread_;
};

// `openssl x509 -fingerprint -sha256` as lower-case hex without colons.
std::string sha256_of_certificate(const std::string& pem_file) {
    const auto r = run_openssl({"x509", "-in", pem_file, "-noout", "-fingerprint", "-sha256"});
    REQUIRE(r.exit_code == 0);
    std::string hex;
    for (char c : r.out.substr(r.out.find('=') + 1))
        if (std::isxdigit(static_cast<unsigned char>(c))) hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    REQUIRE(hex.size() == 64);
    return hex;
}

json parse_json(const ProcessResult& r) {
    INFO(r.out.substr(0, 2000) << r.err);
    json doc;
    REQUIRE_NOTHROW(doc = json::parse(r.out));
    return doc;
}

}  // namespace

// ---------------------------------------------------------------------------
// 1. Multi-gigabyte and endless input

TEST_CASE("hostile: a 3 GiB sparse file is refused at once in every role, in little memory", "[hostile][e2e]") {
    TempDir tmp("certtool-hostile");
    constexpr off_t kHuge = off_t{3} << 30;
    const std::string topology = sparse_file(tmp, "huge-topology.json", kHuge);
    const std::string cert = sparse_file(tmp, "huge.pem", kHuge);
    const std::string request = sparse_file(tmp, "huge.csr", kHuge);
    const std::string pkcs12 = sparse_file(tmp, "huge.pfx", kHuge);
    const std::string pass = sparse_file(tmp, "huge.pass", kHuge);
    const std::string audit = sparse_file(tmp, "huge-audit.json", kHuge);
    const std::string out = tmp / "out";

    struct Case {
        std::string what, file, code;
        std::vector<std::string> args;
    };
    const std::vector<Case> cases{
        {"topology to plan", topology, "topology.too-large", {"plan", topology}},
        {"certificate to verify against a plan", cert, "verify.too-large", {"verify", kTopology, cert}},
        {"certificate to verify against names", cert, "verify.too-large", {"verify", cert, "--name", "sip.contoso.com"}},
        {"trust anchor file", cert, "trust.too-large", {"verify", kTopology, lab_leaf(), "--trust", cert}},
        {"request to ca sign", request, "csr.too-large",
         {"ca", "sign", lab().ca, request, "--topology", kTopology, "--cert", kExternal, "--out", tmp / "never.pem"}},
        {"PKCS#12 to verify", pkcs12, "verify.too-large", {"verify", kTopology, pkcs12, "--passphrase-file", lab_pass_file()}},
        {"passphrase file of verify", pass, "passphrase.file.too-large",
         {"verify", kTopology, lab_pfx(), "--passphrase-file", pass}},
        {"passphrase file of csr --encrypt-keys", pass, "passphrase.file.too-large",
         {"csr", kTopology, "--out", out, "--encrypt-keys", "--passphrase-file", pass}},
        {"audit JSON as renew inventory", audit, "renew.inventory", {"renew", kTopology, "--inventory", audit, "--out", out}},
    };
    for (const auto& c : cases) {
        INFO("the 3 GiB file as " << c.what);
        const auto r = refused(c.args, c.code, c.file, 5000);
        CHECK(contains(r.err, "larger than the limit"));
        CHECK(r.max_rss_kb < kSmallRssKb);
    }
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(tmp / "never.pem"));

    SECTION("a 3 GiB PKCS#12 file under audit --files is a finding naming it") {
        const std::string files = tmp / "exported";
        fs::create_directories(files + "/lsedge.contoso.net");
        fs::rename(pkcs12, files + "/lsedge.contoso.net/huge.pfx");
        const std::vector<std::string> args{"audit", kTopology, "--files", files, "--passphrase-file", lab_pass_file(),
                                            "--format", "json"};
        const auto r = run_guarded(args);
        INFO(transcript(args, r));
        REQUIRE_FALSE(r.killed);
        CHECK(r.exit_code == 1);
        CHECK(r.elapsed.count() < 5000 * kTimeScale);
        CHECK(r.max_rss_kb < kSmallRssKb);
        bool named = false;
        const json doc = parse_json(r);
        for (const auto& f : doc["findings"])
            if (f.value("code", "") == "files.too-large" && contains(f.value("message", ""), "huge.pfx")) named = true;
        CHECK(named);
    }
}

TEST_CASE("hostile: an endless stream (/dev/zero, a FIFO fed forever) is read only up to the limit", "[hostile][e2e]") {
    TempDir tmp("certtool-hostile");
    const std::string zero = "/dev/zero";
    SECTION("/dev/zero") {
        const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
            {{"plan", zero}, "topology.too-large"},
            {{"verify", kTopology, zero}, "verify.too-large"},
            {{"ca", "sign", lab().ca, zero, "--topology", kTopology, "--cert", kExternal, "--out", tmp / "never.pem"},
             "csr.too-large"},
            {{"verify", kTopology, lab_pfx(), "--passphrase-file", zero}, "passphrase.file.too-large"},
        };
        for (const auto& [args, code] : cases) {
            const auto r = refused(args, code, zero, 5000);
            CHECK(contains(r.err, "larger than the limit"));
            CHECK(r.max_rss_kb < kSmallRssKb);
        }
    }
    SECTION("a FIFO that never ends") {
        EndlessFifo fifo(tmp / "endless.fifo", '[');
        const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
            {{"plan", fifo.path()}, "topology.too-large"},
            {{"verify", kTopology, fifo.path()}, "verify.too-large"},
            {{"verify", fifo.path(), "--name", "sip.contoso.com"}, "verify.too-large"},
        };
        for (const auto& [args, code] : cases) {
            const auto r = refused(args, code, fifo.path(), 5000);
            CHECK(contains(r.err, "larger than the limit"));
            CHECK(r.max_rss_kb < kSmallRssKb);
        }
        CHECK(fifo.fed() >= 3ULL * (16 << 20));  // each run read up to its 16 MiB limit, then stopped
    }
    SECTION("a FIFO nobody writes to reads as empty instead of waiting forever in open()") {
        const std::string fifo = tmp / "silent.fifo";
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        refused({"plan", fifo}, "topology.syntax", fifo, 5000);
        refused({"verify", fifo, "--name", "sip.contoso.com"}, "cert.unreadable", fifo, 5000);
    }
}

// ---------------------------------------------------------------------------
// 2. Deeply nested JSON

TEST_CASE("hostile: JSON nested 100,000 deep is refused as topology and as renew's audit inventory", "[hostile][e2e]") {
    TempDir tmp("certtool-hostile");
    constexpr std::size_t kDeep = 100000;
    const std::string open_only = tmp.file("open.json", std::string(kDeep, '['));
    const std::string balanced = tmp.file("balanced.json", std::string(kDeep, '[') + std::string(kDeep, ']'));
    std::string objects;
    for (std::size_t i = 0; i < kDeep; ++i) objects += "{\"a\":";
    objects += "1" + std::string(kDeep, '}');
    const std::string nested_objects = tmp.file("objects.json", objects);
    // A report whose schema is right, with the nesting inside an observation.
    const std::string inside = tmp.file("inside-audit.json", "{\"schema\":\"certtool.audit/v1\",\"observations\":[{\"x\":" +
                                                                 std::string(kDeep, '[') + std::string(kDeep, ']') + "}]}");
    const std::string out = tmp / "renewals";

    for (const auto& file : {open_only, balanced, nested_objects}) {
        INFO("topology " << file);
        const auto r = refused({"plan", file}, "topology.too-deep", file);
        CHECK(contains(r.err, "nested more than 64 levels"));
    }
    for (const auto& file : {open_only, balanced, nested_objects, inside}) {
        INFO("renew inventory " << file);
        const auto r = refused({"renew", kTopology, "--inventory", file, "--out", out}, "renew.inventory", file);
        CHECK(contains(r.err, "nested more than 64 levels"));
    }
    CHECK_FALSE(fs::exists(out));

    // Shallow but wide: 20 MB of "[]," would build gigabytes of JSON values; it is
    // refused at a million values while parsing, in bounded memory.
    std::string wide = "{\"schema\":\"certtool.audit/v1\",\"observations\":[";
    for (int i = 0; i < 7'000'000; ++i) wide += "[],";
    wide += "[]]}";
    const std::string wide_file = tmp.file("wide-audit.json", wide);
    const auto r = refused({"renew", kTopology, "--inventory", wide_file, "--out", out}, "renew.inventory", wide_file, 10000);
    CHECK(contains(r.err, "more than 1000000 values"));
    CHECK(r.max_rss_kb < kSmallRssKb * 4);
    CHECK_FALSE(fs::exists(out));
}

// ---------------------------------------------------------------------------
// 3. PEM with garbage

TEST_CASE("hostile: PEM with garbage around the blocks is read, PEM that is all garbage is cert.unreadable", "[hostile][e2e]") {
    CertLab& l = lab();
    TempDir tmp("certtool-hostile");
    const std::string leaf = read_file(lab_leaf());
    const std::string intermediate = read_file(l.ca + "/intermediate.pem");
    static const char kBinary[] = "\x00\x01\xff\xfe binary \x1b[31m\n";
    const std::string binary(kBinary, sizeof kBinary - 1);

    // Leaf, then the issuing intermediate it needs to chain to the root, with
    // text, binary bytes, an unrelated complete PEM block and a stray END line
    // before, between and after.
    const std::string mixed = tmp.file(
        "mixed.pem", "Bag Attributes\n    friendlyName: edge\nsubject=/CN=sip.contoso.com\n" + binary + leaf +
                         "junk between\n-----BEGIN UNRELATED THING-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END UNRELATED THING-----\n" +
                         binary + "-----END CERTIFICATE-----\n" + intermediate + "trailing garbage\n" + binary + "-----");
    const std::vector<std::string> args{"verify", kTopology, mixed, "--trust", l.root(), "--format", "json"};
    const auto r = run_guarded(args);
    INFO(transcript(args, r));
    REQUIRE_FALSE(r.killed);
    CHECK(r.exit_code == 0);
    CHECK(r.elapsed.count() < 5000 * kTimeScale);
    const json doc = parse_json(r);
    REQUIRE(doc["results"].size() == 1);  // the leaf; the intermediate is offered as such
    const json& result = doc["results"][0];
    CHECK(result["source"] == mixed);
    CHECK(result["certificate_id"] == kExternal);
    CHECK(result["passed"] == true);
    CHECK(result["sha256"] == sha256_of_certificate(lab_leaf()));
    CHECK(result["findings"].empty());
    // The intermediate was read from between the garbage: without it there is no chain.
    const std::string alone = tmp.file("leaf-alone.pem", leaf);
    const auto without = run_guarded({"verify", kTopology, alone, "--trust", l.root()});
    INFO(transcript({"verify", kTopology, alone, "--trust", l.root()}, without));
    CHECK(without.exit_code == 1);
    CHECK(contains(without.out, "chain.untrusted"));

    SECTION("all garbage") {
        const std::string text = tmp.file("text.pem", "this is not a certificate\nnor is this\n" + binary);
        const std::string armoured = tmp.file("armoured.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n"
                                                              "-----END CERTIFICATE-----\n");
        std::string random(4096, '\0');
        std::mt19937 rng(20261124);
        for (auto& c : random) c = static_cast<char>(rng() & 0xff);
        const std::string noise = tmp.file("noise.pem", random);
        // An unterminated block is not ignored as garbage: it may be the certificate meant.
        const std::string cut = tmp.file("cut.pem", leaf.substr(0, leaf.size() / 2));
        for (const auto& file : {text, armoured, noise, cut}) {
            INFO(file);
            refused({"verify", kTopology, file}, "cert.unreadable", file);
            refused({"verify", file, "--name", "sip.contoso.com"}, "cert.unreadable", file);
        }
    }
}

// ---------------------------------------------------------------------------
// 4. Truncated DER

TEST_CASE("hostile: a DER certificate or request cut at 1 byte, half and all but one byte is exit 2 naming the file",
          "[hostile][e2e]") {
    CertLab& l = lab();
    TempDir tmp("certtool-hostile");
    REQUIRE(run_openssl({"x509", "-in", lab_leaf(), "-outform", "DER", "-out", tmp / "leaf.der"}).exit_code == 0);
    REQUIRE(run_openssl({"req", "-in", l.csr(kExternal), "-outform", "DER", "-out", tmp / "request.der"}).exit_code == 0);
    const std::string cert_der = read_file(tmp / "leaf.der");
    const std::string csr_der = read_file(tmp / "request.der");
    // Whole, the certificate is read (so the cuts are what is refused).
    CHECK(run_guarded({"verify", kTopology, tmp / "leaf.der", "--no-chain"}).exit_code == 0);

    const std::string index_before = read_file(l.ca + "/index.json");
    for (const std::size_t keep : {std::size_t{1}, cert_der.size() / 2, cert_der.size() - 1}) {
        const std::string file = tmp.file("leaf-" + std::to_string(keep) + ".der", cert_der.substr(0, keep));
        INFO("certificate cut to " << keep << " of " << cert_der.size() << " bytes");
        refused({"verify", kTopology, file}, "cert.unreadable", file);
    }
    for (const std::size_t keep : {std::size_t{1}, csr_der.size() / 2, csr_der.size() - 1}) {
        const std::string file = tmp.file("request-" + std::to_string(keep) + ".der", csr_der.substr(0, keep));
        const std::string out = tmp / ("cut-" + std::to_string(keep) + ".pem");
        INFO("request cut to " << keep << " of " << csr_der.size() << " bytes");
        refused({"ca", "sign", l.ca, file, "--topology", kTopology, "--cert", kExternal, "--out", out}, "csr.invalid", file);
        CHECK_FALSE(fs::exists(out));
    }
    CHECK(read_file(l.ca + "/index.json") == index_before);  // nothing issued
}

// ---------------------------------------------------------------------------
// 5. PKCS#12: wrong password, broken MAC

TEST_CASE("hostile: a PKCS#12 asking for 2,000,000 iterations is refused before any is computed", "[hostile][e2e]") {
    TempDir tmp("certtool-hostile");
    // Made by openssl: its MAC and both bags each ask for 2,000,000 PBKDF rounds.
    const auto made = run_openssl({"pkcs12", "-export", "-inkey", lab().key(kExternal), "-in", lab_leaf(), "-out",
                                   tmp / "slow.pfx", "-passout", "file:" + lab_pass_file(), "-iter", "2000000"});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    const std::string slow = tmp / "slow.pfx";
    // Refused in well under the time even one such derivation takes.
    const auto r = refused({"verify", kTopology, slow, "--passphrase-file", lab_pass_file()}, "cert.pkcs12-iterations", slow, 1000);
    CHECK(contains(r.err, "2000000 iterations"));
    refused({"verify", slow, "--name", "sip.contoso.com"}, "cert.pkcs12-iterations", slow, 1000);
}

TEST_CASE("hostile: PKCS#12 with a wrong password or a broken MAC, in verify and audit --files, never echoing the password",
          "[hostile][e2e]") {
    CertLab& l = lab();
    TempDir tmp("certtool-hostile");
    const std::string right = read_file(lab_pass_file()).substr(0, read_file(lab_pass_file()).find('\n'));
    const std::string wrong = "Wrong-Password-for-PFX-55";
    const std::string wrong_file = tmp.file("wrong.pass", wrong + "\n");
    const std::string good = tmp / "good.pfx";
    fs::copy_file(lab_pfx(), good);

    // Flip a byte in the middle of the MAC value: the last OCTET STRING at
    // depth 3 of the outer structure (MacData.mac.digest).
    const auto parsed = run_openssl({"asn1parse", "-inform", "DER", "-in", good});
    REQUIRE(parsed.exit_code == 0);
    const std::regex digest_re(R"((\d+):d=3\s+hl=(\d+)\s+l=\s*(\d+)\s+prim:\s+OCTET STRING)");
    long digest_at = -1, digest_length = 0;
    std::istringstream lines(parsed.out);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, digest_re)) {
            digest_at = std::stol(m[1]) + std::stol(m[2]);
            digest_length = std::stol(m[3]);
        }
    }
    INFO(parsed.out);
    REQUIRE(digest_at > 0);
    REQUIRE(digest_length >= 20);
    std::string bytes = read_file(good);
    REQUIRE(static_cast<std::size_t>(digest_at + digest_length) <= bytes.size());
    bytes[static_cast<std::size_t>(digest_at + digest_length / 2)] ^= 0x5a;
    const std::string broken = tmp.file("broken-mac.pfx", bytes);
    // OpenSSL refuses its MAC with the password that opens the original.
    const auto check = run_openssl({"pkcs12", "-in", broken, "-noout", "-passin", "file:" + lab_pass_file()});
    CHECK(check.exit_code != 0);
    CHECK(contains(check.out + check.err, "Mac verify error"));
    CHECK(run_openssl({"pkcs12", "-in", good, "-noout", "-passin", "file:" + lab_pass_file()}).exit_code == 0);

    std::vector<ProcessResult> runs;
    SECTION("verify") {
        runs.push_back(refused({"verify", kTopology, good, "--passphrase-file", wrong_file}, "cert.pkcs12-password", good));
        runs.push_back(refused({"verify", kTopology, good, "--passphrase-env", "HOSTILE_PFX_PASS", "--format", "json"},
                               "cert.pkcs12-password", good, 5000, {"HOSTILE_PFX_PASS=" + wrong}));
        runs.push_back(refused({"verify", kTopology, broken, "--passphrase-file", lab_pass_file()}, "cert.pkcs12-mac", broken));
        runs.push_back(refused({"verify", broken, "--name", "sip.contoso.com", "--passphrase-env", "HOSTILE_PFX_PASS"},
                               "cert.pkcs12-mac", broken, 5000, {"HOSTILE_PFX_PASS=" + right}));
        // And the good file with the right password passes.
        const auto ok = run_guarded({"verify", kTopology, good, "--passphrase-file", lab_pass_file(), "--trust", l.root()});
        CHECK(ok.exit_code == 0);
        runs.push_back(ok);
    }
    SECTION("audit --files") {
        const std::string files = tmp / "exported";
        fs::create_directories(files + "/lsedge.contoso.net");
        fs::copy_file(good, files + "/lsedge.contoso.net/good.pfx");
        fs::copy_file(broken, files + "/lsedge.contoso.net/broken-mac.pfx");
        for (const auto& [pass_file, expected] :
             std::vector<std::pair<std::string, std::set<std::string>>>{{wrong_file, {"cert.pkcs12-password"}},
                                                                        {lab_pass_file(), {"cert.pkcs12-mac"}}}) {
            for (const std::string format : {"json", "table"}) {
                const std::vector<std::string> args{"audit", kTopology, "--files", files, "--passphrase-file", pass_file,
                                                    "--trust", l.root(), "--format", format};
                const auto r = run_guarded(args);
                INFO(transcript(args, r));
                REQUIRE_FALSE(r.killed);
                CHECK(r.exit_code == 1);
                CHECK(r.elapsed.count() < 10000 * kTimeScale);
                runs.push_back(r);
                if (format == "table") {
                    for (const auto& code : expected) CHECK(contains(r.out, code));
                    continue;
                }
                std::map<std::string, std::string> pkcs12_findings;  // code -> message
                const json doc = parse_json(r);
                for (const auto& f : doc["findings"]) {
                    const std::string code = f.value("code", "");
                    if (code.rfind("cert.pkcs12", 0) == 0) pkcs12_findings[code] += f.value("message", "") + "\n";
                }
                for (const auto& code : expected) {
                    INFO(code);
                    REQUIRE(pkcs12_findings.count(code) == 1);
                    if (code == "cert.pkcs12-mac") CHECK(contains(pkcs12_findings[code], "broken-mac.pfx"));
                    else CHECK(contains(pkcs12_findings[code], "good.pfx"));
                }
            }
        }
    }
    for (const auto& r : runs) {
        CHECK_FALSE(contains(r.out + r.err, wrong));
        CHECK_FALSE(contains(r.out + r.err, right));
    }
}

// ---------------------------------------------------------------------------
// 6. 10,000 SANs

TEST_CASE("hostile: a certificate and a request with 10,000 SANs get a definite answer in bounded time and output",
          "[hostile][e2e]") {
    CertLab& l = lab();
    TempDir tmp("certtool-hostile");
    constexpr int kNames = 10000;
    std::string config = "[req]\ndistinguished_name = dn\nreq_extensions = ext\nprompt = no\n"
                         "[dn]\nO = Contoso Ltd\nCN = sip.contoso.com\n"
                         "[ext]\nsubjectAltName = @alt\nextendedKeyUsage = serverAuth\n"
                         "keyUsage = critical, digitalSignature, keyEncipherment\n"
                         "[alt]\nDNS.1 = sip.contoso.com\nDNS.2 = webcon.contoso.com\nDNS.3 = sip.fabrikam.com\n";
    for (int i = 4; i <= kNames; ++i) config += "DNS." + std::to_string(i) + " = h" + std::to_string(i) + ".contoso.com\n";
    (void)tmp.file("req.cnf", config);
    (void)tmp.file("cdp.cnf", std::string("crlDistributionPoints = URI:") + CertLab::kCrlUrl + "\n");
    const std::string d = shell_quote(tmp.path());
    const auto made = run_shell_command(
        "cd " + d + " && " + certtool::test::kOpensslCli +
        " req -new -newkey rsa:2048 -nodes -keyout many.key -out many.csr -config req.cnf 2>&1 && " +
        certtool::test::kOpensslCli + " x509 -req -in many.csr -CA " + shell_quote(l.ca + "/root.pem") + " -CAkey " +
        shell_quote(l.ca + "/root.key") + " -set_serial 0x5a17c0de -days 365 -copy_extensions copyall -extfile cdp.cnf -out many.pem 2>&1");
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    const std::string cert = tmp / "many.pem";
    const std::string request = tmp / "many.csr";

    SECTION("verify against the plan") {
        const std::vector<std::string> args{"verify", kTopology, cert, "--trust", l.root()};
        const auto table = run_guarded(args);
        INFO(transcript(args, table));
        REQUIRE_FALSE(table.killed);
        CHECK(table.exit_code == 0);  // every planned name is there; extra names are not a Lync error
        CHECK(table.elapsed.count() < 20000 * kTimeScale);
        CHECK(contains(table.out, "PASS"));
        CHECK(contains(table.out, "10000 SANs"));
        CHECK(table.out.size() < 64 * 1024);  // the table summarises, it does not list 10,000 names

        auto json_args = args;
        json_args.insert(json_args.end(), {"--format", "json"});
        const auto js = run_guarded(json_args);
        INFO(transcript(json_args, js));
        REQUIRE_FALSE(js.killed);
        CHECK(js.exit_code == 0);
        CHECK(js.elapsed.count() < 20000 * kTimeScale);
        const json doc = parse_json(js);
        REQUIRE(doc["results"].size() == 1);
        CHECK(doc["results"][0]["certificate_id"] == kExternal);
        CHECK(doc["results"][0]["passed"] == true);
        REQUIRE(doc["results"][0]["sans"].size() == kNames);
        CHECK(doc["results"][0]["sans"][9999] == "h10000.contoso.com");
    }
    SECTION("verify against names (generic checks)") {
        const std::vector<std::string> args{"verify", cert, "--name", "sip.contoso.com", "--name", "h9999.contoso.com",
                                            "--trust", l.root(), "--format", "json"};
        const auto ok = run_guarded(args);
        INFO(transcript(args, ok));
        REQUIRE_FALSE(ok.killed);
        CHECK(ok.exit_code == 0);
        CHECK(ok.elapsed.count() < 20000 * kTimeScale);
        CHECK(parse_json(ok)["results"][0]["sans"].size() == kNames);
        const std::vector<std::string> missing{"verify", cert, "--name", "h10001.contoso.com", "--trust", l.root()};
        const auto fails = run_guarded(missing);
        INFO(transcript(missing, fails));
        REQUIRE_FALSE(fails.killed);
        CHECK(fails.exit_code == 1);
        CHECK(fails.elapsed.count() < 20000 * kTimeScale);
        CHECK(contains(fails.out, "name.missing"));
        CHECK(contains(fails.out, "h10001.contoso.com"));
    }
    SECTION("ca sign refuses the request with a bounded list of the differences") {
        const std::string index_before = read_file(l.ca + "/index.json");
        const std::string out = tmp / "never.pem";
        const auto r = refused({"ca", "sign", l.ca, request, "--topology", kTopology, "--cert", kExternal, "--out", out},
                               "ca.names-differ", request, 20000);
        CHECK(r.err.size() < 64 * 1024);
        CHECK(contains(r.err, "not planned h4.contoso.com"));
        CHECK(contains(r.err, "and " + std::to_string(kNames - 3 - 20) + " more not planned"));
        CHECK_FALSE(contains(r.err, "h10000.contoso.com"));
        CHECK_FALSE(fs::exists(out));
        CHECK(read_file(l.ca + "/index.json") == index_before);

        // Accepted, it is issued with the plan's three names, and the warnings are bounded too.
        const std::vector<std::string> accept{"ca", "sign", l.ca, request, "--topology", kTopology, "--cert", kExternal,
                                              "--out", out, "--accept-name-differences"};
        const auto issued = run_guarded(accept);
        INFO(transcript(accept, issued));
        REQUIRE_FALSE(issued.killed);
        CHECK(issued.exit_code == 0);
        CHECK(issued.elapsed.count() < 20000 * kTimeScale);
        CHECK(issued.err.size() < 64 * 1024);
        CHECK(contains(issued.err, "left out " + std::to_string(kNames - 3 - 20) + " more names"));
        const auto sans = run_openssl({"x509", "-in", out, "-noout", "-ext", "subjectAltName"});
        CHECK(contains(sans.out, "DNS:sip.contoso.com, DNS:webcon.contoso.com, DNS:sip.fabrikam.com\n"));
    }
}

// ---------------------------------------------------------------------------
// 7. Hostile TLS servers on loopback

namespace {

// A one-member Edge pool (edge-single-nat.json) moved to a free random
// 127.B.C.0/24 block (loopback.hpp): Access on .1 (ports 443 and 5061), Web
// Conferencing on .2 (443), the internal interface on .3 (5061), A/V on .4 (not
// served). The planned ports are mapped to two random high ports, on which the
// hostile server (tls_server.hpp) listens at all four endpoints.
struct LivePool {
    TempDir dir{"certtool-hostile-live"};
    std::string prefix;  // "127.B.C."
    int https = 0, sip = 0;
    std::string topology = dir / "topology.json";

    LivePool() {
        std::mt19937 random{std::random_device{}()};
        std::uniform_int_distribution<int> port(20000, 59999);
        https = port(random);
        do sip = port(random);
        while (sip == https);
        prefix = loopback_block({{{1, https}, {1, sip}, {2, https}, {3, sip}}}).prefix;
        json t = json::parse(read_file(kTopology));
        auto& member = t["sites"][0]["edge_pools"][0]["members"][0];
        member["external_ips"]["access"] = prefix + "1";
        member["external_ips"]["webconf"] = prefix + "2";
        member["internal_ip"] = prefix + "3";
        member["external_ips"]["av"] = prefix + "4";
        (void)dir.file("topology.json", t.dump(2) + "\n");
    }

    [[nodiscard]] std::vector<std::pair<std::string, int>> listeners() const { return listeners(prefix, https, sip); }

    static std::vector<std::pair<std::string, int>> listeners(const std::string& p, int h, int s) {
        return {{p + "1", h}, {p + "1", s}, {p + "2", h}, {p + "3", s}};
    }

    struct Run {
        ProcessResult result;
        std::vector<std::string> args;
    };

    // certtool audit --live on the pool, the planned ports mapped to the server's.
    Run audit(const std::vector<std::string>& extra) const {
        std::vector<std::string> args{"audit",      topology, "--live", "--map-port", "443:" + std::to_string(https),
                                      "--map-port", "5061:" + std::to_string(sip)};
        args.insert(args.end(), extra.begin(), extra.end());
        return {run_guarded(args), args};
    }
};

// Every one of the four endpoints ends with exactly `code`; returns the observations.
json check_every_endpoint(const LivePool& pool, const LivePool::Run& run, const std::string& code) {
    INFO(transcript(run.args, run.result));
    REQUIRE_FALSE(run.result.killed);
    CHECK(run.result.exit_code == 1);
    const json doc = parse_json(run.result);
    REQUIRE(doc["observations"].size() == 4);
    std::set<std::string> sources;
    for (const auto& o : doc["observations"]) {
        INFO(o.dump());
        CHECK(o["obtained"] == false);
        CHECK(o["passed"] == false);
        REQUIRE(o["findings"].size() == 1);
        CHECK(o["findings"][0]["code"] == code);
        CHECK(o["findings"][0]["severity"] == "error");
        CHECK_FALSE(o["findings"][0].value("message", "").empty());
        CHECK(o["member"] == "lsedge.contoso.net");
        const std::string source = o.value("source", "");
        CHECK(source.rfind(pool.prefix, 0) == 0);  // names the endpoint's address
        sources.insert(source);
    }
    CHECK(sources.size() == 4);
    CHECK(doc["summary"]["failed"] == 4);
    return doc;
}

}  // namespace

TEST_CASE("hostile: a TLS server streaming handshake data forever ends as tls.too-much-data", "[hostile][live][e2e]") {
    LivePool pool;
    SECTION("a Certificate message within the limit, continued forever") {
        TlsServer server(TlsServer::Behaviour::endless_handshake, pool.listeners());
        const auto run = pool.audit({"--format", "json", "--timeout", "10"});
        check_every_endpoint(pool, run, "tls.too-much-data");
        CHECK(run.result.elapsed.count() < 10000 * kTimeScale);  // cut off by the byte limit, not by the 10 s timeout
        CHECK(server.accepted() >= 4);
        CHECK(run.result.max_rss_kb < kSmallRssKb);
    }
    SECTION("a Certificate message announced at 16 MiB") {
        TlsServer server(TlsServer::Behaviour::huge_certificate, pool.listeners());
        const auto run = pool.audit({"--format", "json", "--timeout", "10"});
        check_every_endpoint(pool, run, "tls.too-much-data");
        CHECK(run.result.elapsed.count() < 10000 * kTimeScale);
        CHECK(server.accepted() >= 4);
    }
}

TEST_CASE("hostile: a TLS server sending one byte per 100 ms ends as tls.handshake-timeout within --timeout",
          "[hostile][live][e2e]") {
    LivePool pool;
    TlsServer server(TlsServer::Behaviour::slowloris, pool.listeners());
    constexpr long kTimeoutMs = 2000;
    const auto run = pool.audit({"--format", "json", "--timeout", "2"});
    const json doc = check_every_endpoint(pool, run, "tls.handshake-timeout");
    CHECK(run.result.elapsed.count() >= kTimeoutMs - 100);  // the trickle kept it waiting up to the timeout...
    CHECK(run.result.elapsed.count() < (kTimeoutMs + 3000) * kTimeScale);  // ...and not longer: the timeout is not per byte
    for (const auto& o : doc["observations"]) CHECK(o.value("elapsed_ms", 0L) < kTimeoutMs + 1000);
    CHECK(server.accepted() >= 4);
}

TEST_CASE("hostile: a TLS server resetting the connection after the ClientHello is tls.reset", "[hostile][live][e2e]") {
    LivePool pool;
    TlsServer server(TlsServer::Behaviour::reset, pool.listeners());
    const auto run = pool.audit({"--format", "json", "--timeout", "5"});
    check_every_endpoint(pool, run, "tls.reset");
    CHECK(run.result.elapsed.count() < 5000 * kTimeScale);
    CHECK(server.accepted() >= 4);

    // The table names the member, the service and the endpoint.
    const auto table = pool.audit({"--format", "table", "--color", "never", "--timeout", "5"});
    INFO(transcript(table.args, table.result));
    REQUIRE_FALSE(table.result.killed);
    CHECK(table.result.exit_code == 1);
    CHECK(contains(table.result.out, "tls.reset"));
    CHECK(contains(table.result.out, "lsedge.contoso.net"));
    CHECK(contains(table.result.out, pool.prefix + "1"));
}
