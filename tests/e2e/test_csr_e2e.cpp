// `certtool csr` as the real binary: every request it writes is read back by two
// independent tools (OpenSSL and GnuTLS) and compared with `certtool plan`, and
// the promises about files are checked on disk: modes, reuse of keys, atomic
// writes, refusals that leave the output directory exactly as it was.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cert_lab.hpp"
#include "run_process.hpp"
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
using nlohmann::json;

namespace fs = std::filesystem;

namespace {

const std::string kOpenssl = "/usr/bin/openssl";
const std::string kGnutls = "/usr/bin/certtool";  // GnuTLS's certtool, not ours: always by absolute path
const std::string kEnterprise = source_path("templates/examples/enterprise.json");
const std::string kEdgeSingleNat = source_path("templates/examples/edge-single-nat.json");

// A fresh private directory per test, removed with everything in it afterwards.
using certtool::test::TempDir;

ProcessResult csr(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), "csr");
    return run_certtool(args, env);
}

ProcessResult openssl(const std::vector<std::string>& args) { return run_process(kOpenssl, args); }

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

std::vector<std::string> split(const std::string& text, const std::string& separator) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const auto at = text.find(separator, start);
        out.push_back(trim(text.substr(start, at == std::string::npos ? std::string::npos : at - start)));
        if (at == std::string::npos) return out;
        start = at + separator.size();
    }
}

mode_t mode_of(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
}

ino_t inode_of(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return 0;
    return st.st_ino;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path);
}

// Everything observable about a directory: names, modes, contents (link targets
// for symbolic links). Two equal snapshots: nothing was written, moved or removed.
using Snapshot = std::map<std::string, std::pair<mode_t, std::string>>;

Snapshot snapshot(const std::string& dir) {
    Snapshot out;
    if (!fs::exists(fs::symlink_status(dir))) return out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string path = entry.path().string();
        const std::string content = entry.is_symlink() ? "-> " + fs::read_symlink(entry.path()).string()
                                    : entry.is_regular_file() ? read_file(path)
                                                               : "<not a file>";
        out[entry.path().filename().string()] = {mode_of(path), content};
    }
    return out;
}

std::string listing(const Snapshot& s) {
    std::string out;
    for (const auto& [name, value] : s) out += "  " + name + "\n";
    return out.empty() ? "  (empty)\n" : out;
}

std::vector<std::string> files_with_suffix(const std::string& dir, const std::string& suffix) {
    std::vector<std::string> out;
    if (!fs::is_directory(dir)) return out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            out.push_back(entry.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> files_with_prefix(const std::string& dir, const std::string& prefix) {
    std::vector<std::string> out;
    if (!fs::is_directory(dir)) return out;
    for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().filename().string().rfind(prefix, 0) == 0) out.push_back(entry.path().string());
    return out;
}

json plan_of(const std::string& topology) {
    const auto r = run_certtool({"plan", topology, "--format", "json"});
    INFO("certtool plan " << topology << "\n" << r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
    return json::parse(r.out);
}

std::vector<std::string> ids_of(const json& plan) {
    std::vector<std::string> ids;
    for (const auto& c : plan["certificates"]) ids.push_back(c["id"]);
    return ids;
}

json load_json(const std::string& path) { return json::parse(read_file(path)); }

void save_json(const std::string& path, const json& document) { write_text(path, document.dump(2) + "\n"); }

// enterprise.json with `members` Front End servers: 11 + members certificates.
std::string big_enterprise(const TempDir& dir, int members) {
    json topology = load_json(kEnterprise);
    json list = json::array();
    for (int i = 1; i <= members; ++i) {
        char fqdn[64];
        std::snprintf(fqdn, sizeof fqdn, "fe%03d.contoso.net", i);
        list.push_back({{"fqdn", fqdn}, {"ip", "10.20." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 10)}});
    }
    topology["sites"][0]["front_end_pools"][0]["members"] = list;
    const std::string path = dir / "big-enterprise.json";
    save_json(path, topology);
    return path;
}

// SHA-256 of the DER SubjectPublicKeyInfo of a key file, as OpenSSL computes it.
std::string openssl_public_key_sha256(const std::string& key_file, const std::string& passin = "") {
    const auto r = run_shell_command(kOpenssl + " pkey -in " + shell_quote(key_file) + (passin.empty() ? "" : " -passin " + shell_quote(passin)) +
                         " -pubout -outform DER | sha256sum");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out.substr(0, 64);
}

// `openssl pkey -text` header: "Private-Key: (2048 bit, 2 primes)" -> 2048.
int openssl_key_bits(const std::string& key_file) {
    const auto r = openssl({"pkey", "-in", key_file, "-noout", "-text"});
    INFO(key_file << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    const auto open = r.out.find("Private-Key: (");
    REQUIRE(open != std::string::npos);
    return std::stoi(r.out.substr(open + 14));
}

bool key_parses(const std::string& key_file) {
    return openssl({"pkey", "-in", key_file, "-noout", "-passin", "pass:"}).exit_code == 0;
}

bool csr_verifies(const std::string& csr_file) {
    const auto r = openssl({"req", "-in", csr_file, "-noout", "-verify"});
    // OpenSSL 3.0 exits 0 even when verification fails: read what it says.
    return r.exit_code == 0 && contains(r.out + r.err, "verify OK") && !contains(lower(r.out + r.err), "failure");
}

bool gnutls_available() {
    static const bool available = ::access(kGnutls.c_str(), X_OK) == 0 &&
                                  contains(lower(run_process(kGnutls, {"--version"}).out), "gnutls");
    return available;
}

// What a tool printed about a request, in the plan's vocabulary.
struct ParsedRequest {
    std::map<std::string, std::string> subject;  // C, ST, L, O, OU, CN
    std::vector<std::string> dns_sans;           // in the order of the extension
    std::set<std::string> eku;                   // serverAuth, clientAuth, or the tool's text if unknown
    std::set<std::string> key_usage;             // digitalSignature, keyEncipherment, ...
    std::string signature_algorithm;
    std::string text;  // everything printed
};

std::string eku_name(const std::string& printed) {
    static const std::map<std::string, std::string> names = {
        {"TLS Web Server Authentication", "serverAuth"}, {"TLS Web Client Authentication", "clientAuth"},
        {"TLS WWW Server", "serverAuth"},                {"TLS WWW Client", "clientAuth"}};
    std::string p = trim(printed);
    if (!p.empty() && p.back() == '.') p.pop_back();
    const auto it = names.find(p);
    return it == names.end() ? "unknown:" + p : it->second;
}

std::string key_usage_name(const std::string& printed) {
    static const std::map<std::string, std::string> names = {{"digital signature", "digitalSignature"},
                                                             {"key encipherment", "keyEncipherment"},
                                                             {"non repudiation", "nonRepudiation"},
                                                             {"key agreement", "keyAgreement"},
                                                             {"data encipherment", "dataEncipherment"}};
    std::string p = lower(trim(printed));
    if (!p.empty() && p.back() == '.') p.pop_back();
    const auto it = names.find(p);
    return it == names.end() ? "unknown:" + p : it->second;
}

ParsedRequest parse_with_openssl(const std::string& csr_file) {
    ParsedRequest parsed;
    const auto text = openssl({"req", "-in", csr_file, "-noout", "-text"});
    INFO(csr_file << "\n" << text.err);
    REQUIRE(text.exit_code == 0);
    parsed.text = text.out;
    const auto lines = lines_of(text.out);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string line = trim(lines[i]);
        const std::string next = i + 1 < lines.size() ? trim(lines[i + 1]) : "";
        if (line.rfind("X509v3 Subject Alternative Name:", 0) == 0) {
            for (const auto& name : split(next, ", ")) {
                if (name.rfind("DNS:", 0) == 0)
                    parsed.dns_sans.push_back(name.substr(4));
                else
                    parsed.dns_sans.push_back("non-DNS:" + name);
            }
        } else if (line.rfind("X509v3 Extended Key Usage:", 0) == 0) {
            for (const auto& usage : split(next, ", ")) parsed.eku.insert(eku_name(usage));
        } else if (line.rfind("X509v3 Key Usage:", 0) == 0) {
            for (const auto& usage : split(next, ", ")) parsed.key_usage.insert(key_usage_name(usage));
        } else if (line.rfind("Signature Algorithm:", 0) == 0) {
            parsed.signature_algorithm = trim(line.substr(20));
        }
    }
    const auto subject = openssl({"req", "-in", csr_file, "-noout", "-subject", "-nameopt", "sep_multiline,utf8"});
    REQUIRE(subject.exit_code == 0);
    for (const auto& line : lines_of(subject.out)) {
        const auto eq = line.find('=');
        if (trim(line) == "subject=" || eq == std::string::npos) continue;
        parsed.subject[trim(line.substr(0, eq))] = line.substr(eq + 1);
    }
    return parsed;
}

// GnuTLS prints the subject as RFC 4514: "CN=a,OU=IT,O=Contoso Ltd,...", commas
// inside values escaped with a backslash.
std::map<std::string, std::string> parse_rfc4514(const std::string& dn) {
    std::map<std::string, std::string> out;
    std::vector<std::string> parts{""};
    for (std::size_t i = 0; i < dn.size(); ++i) {
        if (dn[i] == '\\' && i + 1 < dn.size()) {
            parts.back() += dn[++i];
        } else if (dn[i] == ',') {
            parts.emplace_back();
        } else {
            parts.back() += dn[i];
        }
    }
    for (const auto& part : parts) {
        const auto eq = part.find('=');
        if (eq != std::string::npos) out[part.substr(0, eq)] = part.substr(eq + 1);
    }
    return out;
}

ParsedRequest parse_with_gnutls(const std::string& csr_file) {
    ParsedRequest parsed;
    const auto r = run_process(kGnutls, {"--crq-info", "--infile", csr_file});
    INFO(csr_file << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    parsed.text = r.out;
    enum class Block { none, eku, key_usage } block = Block::none;
    for (const auto& raw : lines_of(r.out)) {
        const std::string line = trim(raw);
        if (line.rfind("Subject:", 0) == 0 && parsed.subject.empty()) {
            parsed.subject = parse_rfc4514(trim(line.substr(8)));
            block = Block::none;
        } else if (line.rfind("DNSname:", 0) == 0) {
            parsed.dns_sans.push_back(trim(line.substr(8)));
        } else if (line.rfind("Key Purpose", 0) == 0) {
            block = Block::eku;
        } else if (line.rfind("Key Usage", 0) == 0) {
            block = Block::key_usage;
        } else if (line.rfind("Signature Algorithm:", 0) == 0) {
            parsed.signature_algorithm = trim(line.substr(20));
            block = Block::none;
        } else if (block != Block::none && !line.empty() && line.back() == '.' && line.find(':') == std::string::npos) {
            if (block == Block::eku) parsed.eku.insert(eku_name(line));
            if (block == Block::key_usage) parsed.key_usage.insert(key_usage_name(line));
        } else {
            block = Block::none;
        }
    }
    return parsed;
}

std::set<std::string> as_set(const json& array) {
    std::set<std::string> out;
    for (const auto& v : array) out.insert(v.get<std::string>());
    return out;
}

std::vector<std::string> as_vector(const json& array) {
    std::vector<std::string> out;
    for (const auto& v : array) out.push_back(v.get<std::string>());
    return out;
}

// Subject, SANs (same names, same order), EKU and key usage as the plan says.
void check_matches_plan(const ParsedRequest& parsed, const json& certificate, const std::string& tool) {
    INFO(tool << " on " << certificate["id"].get<std::string>() << ":\n" << parsed.text);
    const json& subject = certificate["subject"];
    auto printed = [&](const std::string& attribute) {
        const auto it = parsed.subject.find(attribute);
        return it == parsed.subject.end() ? std::string("<absent>") : it->second;
    };
    CHECK(printed("CN") == subject["common_name"].get<std::string>());
    CHECK(printed("O") == subject["organization"].get<std::string>());
    CHECK(printed("C") == subject["country"].get<std::string>());
    if (subject.contains("organizational_unit")) CHECK(printed("OU") == subject["organizational_unit"].get<std::string>());
    if (subject.contains("locality")) CHECK(printed("L") == subject["locality"].get<std::string>());
    if (subject.contains("state")) CHECK(printed("ST") == subject["state"].get<std::string>());
    CHECK(parsed.dns_sans == as_vector(certificate["sans"]));
    CHECK(parsed.eku == as_set(certificate["eku"]));
    CHECK(parsed.key_usage == as_set(certificate["key_usage"]));
    CHECK_FALSE(contains(lower(parsed.text), "rsassapss"));
    CHECK_FALSE(contains(lower(parsed.text), "rsa-pss"));
}

// The full proof for one request: signature, no PSS, and both tools agree with the plan.
void check_request(const std::string& csr_file, const json& certificate) {
    INFO("request " << csr_file);
    CHECK(csr_verifies(csr_file));
    check_matches_plan(parse_with_openssl(csr_file), certificate, "openssl req -text");
    if (gnutls_available()) {
        const auto parsed = parse_with_gnutls(csr_file);
        INFO(parsed.text);
        CHECK(contains(parsed.text, "Self signature: verified"));
        check_matches_plan(parsed, certificate, "GnuTLS certtool --crq-info");
    }
}

const json& certificate_in(const json& plan, const std::string& id) {
    for (const auto& c : plan["certificates"])
        if (c["id"] == id) return c;
    throw std::runtime_error("no certificate " + id + " in the plan");
}

// What a refusal must look like: the exit code, "[code]" and the file on stderr,
// nothing on stdout, the output directory as it was.
void check_refused(const ProcessResult& r, int exit_code, const std::string& code, const std::string& names,
                   const Snapshot& before, const std::string& out_dir) {
    INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
    CHECK(r.exit_code == exit_code);
    CHECK(contains(r.err, "[" + code + "]"));
    CHECK(contains(r.err, names));
    CHECK(r.out.empty());
    const auto after = snapshot(out_dir);
    INFO("before:\n" << listing(before) << "after:\n" << listing(after));
    CHECK(after == before);
}

}  // namespace

TEST_CASE("csr: enterprise.json gives a verified key and request and INF per certificate as planned", "[csr][e2e]") {
    if (!gnutls_available()) WARN("GnuTLS certtool (" << kGnutls << ", package gnutls-bin) is missing: only OpenSSL checks the requests");
    TempDir tmp;
    const std::string out = tmp / "requests";
    const json plan = plan_of(kEnterprise);
    const auto ids = ids_of(plan);
    REQUIRE(ids.size() >= 10);

    const auto r = csr({kEnterprise, "--out", out});
    INFO("stdout:\n" << r.out << "stderr:\n" << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(contains(r.out, std::to_string(ids.size()) + " requests in " + out));

    CHECK(mode_of(out) == 0700);
    std::set<std::string> expected_files{"manifest.json"};
    for (const auto& id : ids) expected_files.insert({id + ".key", id + ".csr", id + ".inf"});
    std::set<std::string> files;
    for (const auto& entry : fs::directory_iterator(out)) files.insert(entry.path().filename().string());
    CHECK(files == expected_files);

    // AOL public IM is on, but the Edge certificate comes from a public CA: public CAs no
    // longer issue Client Authentication, so the request asks for Server Authentication only.
    const json& edge = certificate_in(plan, "edge-external.lsedge-contoso-net");
    CHECK(as_set(edge["eku"]) == std::set<std::string>{"serverAuth"});

    const json manifest = load_json(out + "/manifest.json");
    CHECK(manifest["schema"] == "certtool.csr-manifest/v1");
    CHECK(manifest["plan_sha256"].get<std::string>().size() == 64);
    REQUIRE(manifest["certificates"].size() == ids.size());

    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::string& id = ids[i];
        const json& certificate = plan["certificates"][i];
        INFO("certificate " << id);
        const std::string key = out + "/" + id + ".key";
        const std::string request = out + "/" + id + ".csr";
        const std::string inf = out + "/" + id + ".inf";
        CHECK(mode_of(key) == 0600);
        CHECK((mode_of(request) & 0111) == 0);
        CHECK((mode_of(inf) & 0111) == 0);
        CHECK((mode_of(request) & 0022) == 0);
        CHECK(contains(read_file(key), "-----BEGIN PRIVATE KEY-----"));
        CHECK(openssl_key_bits(key) == 2048);
        check_request(request, certificate);

        // The request carries this key.
        const auto csr_key = run_shell_command(kOpenssl + " req -in " + shell_quote(request) + " -noout -pubkey | " + kOpenssl +
                                   " pkey -pubin -outform DER | sha256sum");
        const std::string key_sha = openssl_public_key_sha256(key);
        CHECK(csr_key.out.substr(0, 64) == key_sha);

        // The INF asks Windows for the same subject names.
        const std::string inf_text = read_file(inf);
        for (const auto& san : certificate["sans"]) CHECK(contains(inf_text, "dns=" + san.get<std::string>()));

        // The manifest, in plan order, names files that exist and the key's hash.
        const json& entry = manifest["certificates"][i];
        CHECK(entry["id"] == id);
        CHECK(entry["sans"] == certificate["sans"]);
        CHECK(contains(entry["subject"].get<std::string>(), "CN=" + certificate["subject"]["common_name"].get<std::string>()));
        for (const char* field : {"key_file", "csr_file", "inf_file"}) {
            INFO(field);
            CHECK(fs::is_regular_file(out + "/" + entry[field].get<std::string>()));
        }
        CHECK(entry["key_file"] == id + ".key");
        CHECK(entry["public_key_sha256"] == key_sha);
        CHECK(entry["key_reused"] == false);
    }
}

TEST_CASE("csr: a second run reuses every key byte for byte and --new-key replaces them keeping the old ones", "[csr][e2e]") {
    TempDir tmp;
    const std::string out = tmp / "requests";
    const auto ids = ids_of(plan_of(kEdgeSingleNat));
    REQUIRE(csr({kEdgeSingleNat, "--out", out}).exit_code == 0);
    const Snapshot first = snapshot(out);
    std::map<std::string, ino_t> csr_inodes;
    for (const auto& id : ids) csr_inodes[id] = inode_of(out + "/" + id + ".csr");

    const auto again = csr({kEdgeSingleNat, "--out", out});
    INFO(again.out << again.err);
    REQUIRE(again.exit_code == 0);
    const Snapshot second = snapshot(out);
    CHECK(second.size() == first.size());
    for (const auto& id : ids) {
        INFO(id);
        CHECK(second.at(id + ".key") == first.at(id + ".key"));
        // Rewritten (a new file renamed into place), and still the same request for the same key.
        CHECK(inode_of(out + "/" + id + ".csr") != csr_inodes[id]);
        CHECK(csr_verifies(out + "/" + id + ".csr"));
    }
    const json reused = load_json(out + "/manifest.json");  // named: a range-for over a temporary's member dangles
    for (const auto& entry : reused["certificates"]) CHECK(entry["key_reused"] == true);
    CHECK(contains(again.out, "reused"));

    const auto renewed = csr({kEdgeSingleNat, "--out", out, "--new-key"});
    INFO(renewed.out << renewed.err);
    REQUIRE(renewed.exit_code == 0);
    const json manifest = load_json(out + "/manifest.json");
    for (const auto& id : ids) {
        INFO(id);
        const std::string key = out + "/" + id + ".key";
        CHECK(read_file(key) != first.at(id + ".key").second);
        CHECK(mode_of(key) == 0600);
        const std::string new_sha = openssl_public_key_sha256(key);
        const auto replaced = files_with_prefix(out, id + ".key.replaced-");
        REQUIRE(replaced.size() == 1);
        CHECK(mode_of(replaced[0]) == 0600);
        CHECK(read_file(replaced[0]) == first.at(id + ".key").second);
        CHECK(openssl_public_key_sha256(replaced[0]) != new_sha);
        // The new request is for the new key.
        const auto csr_key = run_shell_command(kOpenssl + " req -in " + shell_quote(out + "/" + id + ".csr") + " -noout -pubkey | " +
                                   kOpenssl + " pkey -pubin -outform DER | sha256sum");
        CHECK(csr_key.out.substr(0, 64) == new_sha);
        for (const auto& entry : manifest["certificates"])
            if (entry["id"] == id) CHECK(entry["public_key_sha256"] == new_sha);
    }
}

TEST_CASE("csr: --only edge-external writes that certificate and no other", "[csr][e2e]") {
    TempDir tmp;
    const std::string out = tmp / "requests";
    const json plan = plan_of(kEnterprise);
    const auto r = csr({kEnterprise, "--out", out, "--only", "edge-external"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string id = "edge-external.lsedge-contoso-net";
    std::set<std::string> files;
    for (const auto& entry : fs::directory_iterator(out)) files.insert(entry.path().filename().string());
    CHECK(files == std::set<std::string>{id + ".key", id + ".csr", id + ".inf", "manifest.json"});
    check_request(out + "/" + id + ".csr", certificate_in(plan, id));
    const json manifest = load_json(out + "/manifest.json");
    REQUIRE(manifest["certificates"].size() == 1);
    CHECK(manifest["certificates"][0]["id"] == id);
}

TEST_CASE("csr: --only with an unknown id exits 2 naming it and creates nothing", "[csr][e2e]") {
    TempDir tmp;
    const std::string out = tmp / "requests";
    const auto r = csr({kEnterprise, "--out", out, "--only", "edge-externall"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "'edge-externall'"));
    CHECK(contains(r.err, "[usage.unknown-certificate]"));
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(fs::symlink_status(out)));
    CHECK(snapshot(tmp.path()).empty());
}

TEST_CASE("csr: --encrypt-keys writes AES-encrypted PKCS#8 keys and the passphrase goes nowhere else", "[csr][e2e]") {
    TempDir tmp;
    const std::string out = tmp / "requests";
    const std::string secret = "Correct-Horse-Battery-Staple-42";
    const std::string pass_file = tmp / "passphrase";
    write_text(pass_file, secret + "\n");
    const auto ids = ids_of(plan_of(kEdgeSingleNat));

    const auto r = csr({kEdgeSingleNat, "--out", out, "--encrypt-keys", "--passphrase-file", pass_file});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_FALSE(contains(r.out + r.err, secret));
    for (const auto& [name, value] : snapshot(out)) {
        INFO(name);
        CHECK_FALSE(contains(value.second, secret));
    }
    for (const auto& id : ids) {
        INFO(id);
        const std::string key = out + "/" + id + ".key";
        const std::string pem = read_file(key);
        CHECK(contains(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        CHECK(mode_of(key) == 0600);
        CHECK(openssl({"pkey", "-in", key, "-passin", "file:" + pass_file, "-noout"}).exit_code == 0);
        CHECK(openssl({"pkey", "-in", key, "-passin", "pass:wrong", "-noout"}).exit_code != 0);
        // AES-256 (PBES2), as promised.
        const auto info = openssl({"asn1parse", "-in", key});
        CHECK(contains(info.out, "aes-256-cbc"));
        CHECK(csr_verifies(out + "/" + id + ".csr"));
        CHECK(load_json(out + "/manifest.json")["certificates"][0]["key_encrypted"] == true);
    }

    SECTION("a run without the passphrase exits 2 naming the key and changes nothing") {
        const Snapshot before = snapshot(out);
        const auto again = csr({kEdgeSingleNat, "--out", out});
        check_refused(again, 2, "key.encrypted", out + "/" + ids[0] + ".key", before, out);
    }
    SECTION("a run with the passphrase from the environment reuses the encrypted keys") {
        const Snapshot before = snapshot(out);
        const auto again = csr({kEdgeSingleNat, "--out", out, "--passphrase-env", "CERTTOOL_E2E_PASS"},
                               {"CERTTOOL_E2E_PASS=" + secret});
        INFO(again.out << again.err);
        CHECK(again.exit_code == 0);
        CHECK_FALSE(contains(again.out + again.err, secret));
        for (const auto& id : ids) CHECK(snapshot(out).at(id + ".key") == before.at(id + ".key"));
        CHECK(contains(again.out, "reused (encrypted)"));
    }
    SECTION("a wrong passphrase exits 2 naming the key and changes nothing") {
        const Snapshot before = snapshot(out);
        const auto again = csr({kEdgeSingleNat, "--out", out, "--passphrase-env", "CERTTOOL_E2E_PASS"},
                               {"CERTTOOL_E2E_PASS=not-the-passphrase"});
        check_refused(again, 2, "key.wrong-passphrase", out + "/" + ids[0] + ".key", before, out);
    }
}

TEST_CASE("csr: --encrypt-keys with no passphrase source and no terminal exits 2 and creates nothing", "[csr][e2e]") {
    TempDir tmp;
    const std::string out = tmp / "requests";
    RunOptions no_terminal;
    no_terminal.new_session = true;  // no controlling terminal: /dev/tty cannot be opened
    const auto r = run_certtool({"csr", kEdgeSingleNat, "--out", out, "--encrypt-keys"}, {}, "", no_terminal);
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "[passphrase.missing]"));
    CHECK(contains(r.err, "--passphrase-file"));
    CHECK_FALSE(fs::exists(fs::symlink_status(out)));
}

TEST_CASE("csr: --ms-template adds the certificate template extension and the INF attribute", "[csr][e2e]") {
    TempDir tmp;
    const std::string out = tmp / "requests";
    const json plan = plan_of(kEnterprise);
    const auto r = csr({kEnterprise, "--out", out, "--only", "edge-external", "--ms-template", "WebServer"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const std::string id = "edge-external.lsedge-contoso-net";
    const std::string request = out + "/" + id + ".csr";
    const auto parsed = parse_with_openssl(request);
    INFO(parsed.text);
    CHECK(contains(parsed.text, "1.3.6.1.4.1.311.20.2"));
    CHECK(contains(parsed.text, "W.e.b.S.e.r.v.e.r"));  // BMPString "WebServer"
    check_request(request, certificate_in(plan, id));  // the other extensions are unchanged
    if (gnutls_available()) CHECK(contains(run_process(kGnutls, {"--crq-info", "--infile", request}).out, "1.3.6.1.4.1.311.20.2"));
    const std::string inf = read_file(out + "/" + id + ".inf");
    INFO(inf);
    const auto attributes = inf.find("[RequestAttributes]");
    REQUIRE(attributes != std::string::npos);
    CHECK(contains(inf.substr(attributes), "CertificateTemplate = \"WebServer\""));

    // Without the option: no template anywhere.
    const std::string plain = tmp / "plain";
    REQUIRE(csr({kEnterprise, "--out", plain, "--only", "edge-external"}).exit_code == 0);
    CHECK_FALSE(contains(parse_with_openssl(plain + "/" + id + ".csr").text, "1.3.6.1.4.1.311.20.2"));
    CHECK_FALSE(contains(read_file(plain + "/" + id + ".inf"), "CertificateTemplate"));
}

TEST_CASE("csr: --key-bits chooses the RSA size and 1024 needs --allow-weak-keys and never applies to OAuth", "[csr][e2e]") {
    TempDir tmp;
    const json plan = plan_of(kEnterprise);
    const auto ids = ids_of(plan);

    SECTION("4096") {
        const std::string out = tmp / "rsa4096";
        const auto r = csr({kEnterprise, "--out", out, "--key-bits", "4096", "--only", "edge-external,oauth.global"});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        for (const auto& key : files_with_suffix(out, ".key")) {
            INFO(key);
            CHECK(openssl_key_bits(key) == 4096);
        }
        CHECK(files_with_suffix(out, ".key").size() == 2);
        const auto parsed = parse_with_openssl(out + "/edge-external.lsedge-contoso-net.csr");
        CHECK(contains(parsed.text, "Public-Key: (4096 bit)"));
        CHECK(load_json(out + "/manifest.json")["certificates"][0]["key"]["bits"] == 4096);
    }
    SECTION("1024 is refused without --allow-weak-keys") {
        const std::string out = tmp / "weak";
        const auto r = csr({kEnterprise, "--out", out, "--key-bits", "1024"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "[key.too-small]"));
        CHECK(contains(r.err, "--allow-weak-keys"));
        CHECK_FALSE(fs::exists(fs::symlink_status(out)));
    }
    SECTION("1024 with --allow-weak-keys warns and OAuth keeps 2048") {
        const std::string out = tmp / "weak";
        const auto r = csr({kEnterprise, "--out", out, "--key-bits", "1024", "--allow-weak-keys"});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(contains(r.err, "certtool: warning: RSA 1024-bit"));
        for (const auto& id : ids) {
            INFO(id);
            CHECK(openssl_key_bits(out + "/" + id + ".key") == (id == "oauth.global" ? 2048 : 1024));
            CHECK(csr_verifies(out + "/" + id + ".csr"));
        }
    }
    SECTION("an existing 2048-bit key and --key-bits 4096 without --new-key exits 2 naming the key") {
        const std::string out = tmp / "existing";
        REQUIRE(csr({kEnterprise, "--out", out, "--only", "edge-external"}).exit_code == 0);
        const Snapshot before = snapshot(out);
        const auto r = csr({kEnterprise, "--out", out, "--only", "edge-external", "--key-bits", "4096"});
        check_refused(r, 2, "csr.key-mismatch", out + "/edge-external.lsedge-contoso-net.key", before, out);
        CHECK(contains(r.err, "RSA 2048"));
        CHECK(contains(r.err, "RSA 4096"));
    }
}

TEST_CASE("csr: a topology with an ECDSA P-256 policy gives EC keys and ecdsa-with-SHA256 requests", "[csr][e2e]") {
    TempDir tmp;
    json topology = load_json(kEdgeSingleNat);
    topology["policy"] = {{"key_algorithm", "ECDSA"}, {"key_bits", 256}};
    const std::string path = tmp / "ecdsa.json";
    save_json(path, topology);
    const json plan = plan_of(path);
    const std::string out = tmp / "requests";
    const auto r = csr({path, "--out", out});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    for (const auto& certificate : plan["certificates"]) {
        const std::string id = certificate["id"];
        INFO(id);
        CHECK(certificate["key"]["algorithm"] == "ECDSA");
        const std::string key = out + "/" + id + ".key";
        CHECK(mode_of(key) == 0600);
        const auto key_text = openssl({"pkey", "-in", key, "-noout", "-text"});
        CHECK(contains(key_text.out, "Private-Key: (256 bit)"));
        CHECK(contains(key_text.out, "P-256"));
        const auto parsed = parse_with_openssl(out + "/" + id + ".csr");
        CHECK(parsed.signature_algorithm == "ecdsa-with-SHA256");
        CHECK(contains(parsed.text, "id-ecPublicKey"));
        check_request(out + "/" + id + ".csr", certificate);
    }
    // A P-256 key is refused when the plan asks for P-384.
    const Snapshot before = snapshot(out);
    const auto mismatch = csr({path, "--out", out, "--key-bits", "384"});
    check_refused(mismatch, 2, "csr.key-mismatch", out + "/" + plan["certificates"][0]["id"].get<std::string>() + ".key",
                  before, out);
}

TEST_CASE("csr: Skype for Business Server 2015 gets CryptoAPI-provider INFs, and ECDSA is refused as its plan's error (PR3861)",
          "[csr][e2e][product]") {
    TempDir tmp;
    json topology = load_json(kEdgeSingleNat);
    topology["product"] = "skype2015";
    const std::string path = tmp / "skype2015.json";
    save_json(path, topology);
    const std::string out = tmp / "requests";
    const auto r = csr({path, "--out", out});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const json plan = plan_of(path);  // kept alive: the loop iterates into it
    for (const auto& certificate : plan["certificates"]) {
        const std::string id = certificate["id"];
        INFO(id);
        const std::string inf = read_file(out + "/" + id + ".inf");
        CHECK(contains(inf, "; Skype for Business Server 2015 does not support keys in a CNG key storage provider (PR3861)"));
        CHECK(contains(inf, "ProviderName = \"Microsoft RSA SChannel Cryptographic Provider\"\nProviderType = 12\n"));
        CHECK_FALSE(contains(inf, "Key Storage Provider"));
        check_request(out + "/" + id + ".csr", certificate);
    }

    // ECDSA keys live only in CNG key storage providers: an error finding, so nothing is written.
    topology["policy"] = {{"key_algorithm", "ECDSA"}, {"key_bits", 256}};
    const std::string ecdsa = tmp / "skype2015-ecdsa.json";
    save_json(ecdsa, topology);
    const auto refused = csr({ecdsa, "--out", tmp / "ecdsa"});
    INFO(refused.out << refused.err);
    CHECK(refused.exit_code == 2);
    CHECK(contains(refused.err, "[ecdsa-not-in-product]"));
    CHECK(contains(refused.err, "[plan.has-errors]"));
    CHECK_FALSE(fs::exists(tmp / "ecdsa/manifest.json"));
}

TEST_CASE("csr: bad input exits 2 with a stable code naming the file and writes nothing", "[csr][e2e]") {
    TempDir tmp;
    const std::string out = tmp / "requests";
    const auto ids = ids_of(plan_of(kEdgeSingleNat));
    const std::string key = out + "/" + ids[0] + ".key";

    SECTION("an existing file at <id>.key that is not a key") {
        REQUIRE(fs::create_directory(out));
        fs::permissions(out, fs::perms::owner_all);
        write_text(key, "this is not a key\n");
        ::chmod(key.c_str(), 0600);
        const Snapshot before = snapshot(out);
        check_refused(csr({kEdgeSingleNat, "--out", out}), 2, "key.not-a-key", key, before, out);
    }
    SECTION("an existing key file with a truncated PEM") {
        REQUIRE(csr({kEdgeSingleNat, "--out", out}).exit_code == 0);
        const std::string pem = read_file(key);
        write_text(key, pem.substr(0, pem.size() / 2));
        const Snapshot before = snapshot(out);
        const auto r = csr({kEdgeSingleNat, "--out", out});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, key));
        CHECK(snapshot(out) == before);
    }
    SECTION("an output directory other users can write (0777)") {
        REQUIRE(fs::create_directory(out));
        ::chmod(out.c_str(), 0777);
        const Snapshot before = snapshot(out);
        check_refused(csr({kEdgeSingleNat, "--out", out}), 2, "output.unsafe-directory", out, before, out);
    }
    SECTION("a group-writable output directory (0770)") {
        REQUIRE(fs::create_directory(out));
        ::chmod(out.c_str(), 0770);
        const Snapshot before = snapshot(out);
        check_refused(csr({kEdgeSingleNat, "--out", out}), 2, "output.unsafe-directory", out, before, out);
    }
    SECTION("--out under a parent that does not exist") {
        const std::string deep = tmp / "missing-parent/requests";
        const Snapshot before = snapshot(tmp.path());
        check_refused(csr({kEdgeSingleNat, "--out", deep}), 2, "output.missing", deep, before, tmp.path());
    }
    SECTION("--out is a regular file") {
        write_text(out, "a file\n");
        const Snapshot before = snapshot(tmp.path());
        check_refused(csr({kEdgeSingleNat, "--out", out}), 2, "output.not-a-directory", out, before, tmp.path());
    }
    SECTION("--passphrase-file names a missing file") {
        const std::string missing = tmp / "no-such-passphrase";
        const Snapshot before = snapshot(tmp.path());
        const auto r = csr({kEdgeSingleNat, "--out", out, "--encrypt-keys", "--passphrase-file", missing});
        check_refused(r, 2, "passphrase.file.io", missing, before, tmp.path());
    }
    SECTION("--passphrase-env names an unset variable") {
        const Snapshot before = snapshot(tmp.path());
        const auto r = csr({kEdgeSingleNat, "--out", out, "--encrypt-keys", "--passphrase-env", "CERTTOOL_E2E_UNSET_VAR"});
        check_refused(r, 2, "passphrase.env-unset", "CERTTOOL_E2E_UNSET_VAR", before, tmp.path());
    }
    SECTION("a symbolic link at <id>.key to a file that is not a key") {
        REQUIRE(fs::create_directory(out));
        fs::permissions(out, fs::perms::owner_all);
        const std::string target = tmp / "elsewhere.txt";
        write_text(target, "not a key\n");
        fs::create_symlink(target, key);
        const Snapshot before = snapshot(out);
        const Snapshot outside = snapshot(tmp.path());
        // What it does today: it reads through the link (key.not-a-key naming the link), never writes.
        const auto r = csr({kEdgeSingleNat, "--out", out});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK((contains(r.err, "[key.not-a-key]") || contains(r.err, "[output.symlink]")));
        check_refused(r, 2, contains(r.err, "[output.symlink]") ? "output.symlink" : "key.not-a-key", key, before, out);
        CHECK(read_file(target) == "not a key\n");
        CHECK(snapshot(tmp.path()) == outside);
    }
    SECTION("a dangling symbolic link at <id>.key") {
        REQUIRE(fs::create_directory(out));
        fs::permissions(out, fs::perms::owner_all);
        const std::string target = tmp / "would-be-created.key";
        fs::create_symlink(target, key);
        const Snapshot before = snapshot(out);
        const auto r = csr({kEdgeSingleNat, "--out", out});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, key));
        CHECK(snapshot(out) == before);
        CHECK_FALSE(fs::exists(target));  // not created through the link
    }
    SECTION("an unknown option value: --key-bits 1000") {
        const Snapshot before = snapshot(tmp.path());
        check_refused(csr({kEdgeSingleNat, "--out", out, "--key-bits", "1000"}), 2, "usage.key-bits", "1000", before,
                      tmp.path());
    }
    SECTION("a missing topology file") {
        const std::string missing = tmp / "no-such-topology.json";
        const Snapshot before = snapshot(tmp.path());
        const auto r = csr({missing, "--out", out});
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, missing));
        CHECK(snapshot(tmp.path()) == before);
    }
}

// A key reached through a link would live outside the protected directory.
TEST_CASE("csr: a symbolic link at <id>.key to a valid key is not followed", "[csr][e2e]") {
    TempDir tmp;
    const std::string out = tmp / "requests";
    const auto ids = ids_of(plan_of(kEdgeSingleNat));
    const std::string first = tmp / "first";
    REQUIRE(csr({kEdgeSingleNat, "--out", first}).exit_code == 0);
    REQUIRE(fs::create_directory(out));
    fs::permissions(out, fs::perms::owner_all);
    const std::string key = out + "/" + ids[0] + ".key";
    fs::create_symlink(first + "/" + ids[0] + ".key", key);
    const Snapshot before = snapshot(out);
    check_refused(csr({kEdgeSingleNat, "--out", out}), 2, "output.symlink", key, before, out);
}

// Every path is checked before the first write, so a refusal leaves the directory as it was.
TEST_CASE("csr: a symbolic link at an output path is refused before anything is written", "[csr][e2e]") {
    TempDir tmp;
    const std::string out = tmp / "requests";
    const auto ids = ids_of(plan_of(kEnterprise));
    REQUIRE(fs::create_directory(out));
    fs::permissions(out, fs::perms::owner_all);
    const std::string target = tmp / "elsewhere";

    SECTION("at the last certificate's .csr") {
        const std::string link = out + "/" + ids.back() + ".csr";
        fs::create_symlink(target, link);
        const Snapshot before = snapshot(out);
        check_refused(csr({kEnterprise, "--out", out}), 2, "output.symlink", link, before, out);
        CHECK_FALSE(fs::exists(target));
    }
    SECTION("at <id>.key with --new-key") {
        REQUIRE(csr({kEdgeSingleNat, "--out", out}).exit_code == 0);
        const std::string key = out + "/" + ids_of(plan_of(kEdgeSingleNat)).back() + ".key";
        fs::rename(key, target);
        fs::create_symlink(target, key);
        const std::string target_before = read_file(target);
        const Snapshot before = snapshot(out);
        check_refused(csr({kEdgeSingleNat, "--out", out, "--new-key"}), 2, "output.symlink", key, before, out);
        CHECK(read_file(target) == target_before);
    }
}

TEST_CASE("csr: a plan with error findings exits 2 and writes nothing unless --force", "[csr][e2e]") {
    TempDir tmp;
    json topology = load_json(kEdgeSingleNat);
    topology["sites"][0]["edge_pools"][0]["external"]["webconf"] = "*.contoso.com";
    const std::string path = tmp / "wildcard-webconf.json";
    save_json(path, topology);
    const json plan = plan_of(path);
    REQUIRE(std::any_of(plan["findings"].begin(), plan["findings"].end(),
                        [](const json& f) { return f["severity"] == "error"; }));

    const std::string out = tmp / "requests";
    const Snapshot before = snapshot(tmp.path());
    const auto r = csr({path, "--out", out});
    check_refused(r, 2, "wildcard-forbidden", path, before, tmp.path());
    CHECK(contains(r.err, "[plan.has-errors]"));
    CHECK(contains(r.err, "--force"));

    const auto forced = csr({path, "--out", out, "--force"});
    INFO(forced.out << forced.err);
    CHECK(forced.exit_code == 0);
    for (const auto& id : ids_of(plan)) {
        CHECK(fs::is_regular_file(out + "/" + id + ".key"));
        CHECK(csr_verifies(out + "/" + id + ".csr"));
    }
}

namespace {

// After a killed run: every file there is whole (keys parse, requests verify,
// the manifest parses); returns key file -> bytes.
std::map<std::string, std::string> check_nothing_partial(const std::string& out) {
    std::map<std::string, std::string> keys;
    if (!fs::exists(out)) return keys;
    for (const auto& entry : fs::directory_iterator(out)) {
        const std::string path = entry.path().string();
        const std::string name = entry.path().filename().string();
        INFO("left by the killed run: " << name);
        if (name.rfind(".certtool-tmp.", 0) == 0) continue;  // a temporary: the next run removes it
        CHECK(entry.is_regular_file());
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".key") == 0) {
            CHECK(mode_of(path) == 0600);
            CHECK(key_parses(path));
            keys[name] = read_file(path);
        } else if (name.find(".key.replaced-") != std::string::npos) {
            CHECK(mode_of(path) == 0600);
            CHECK(key_parses(path));
        } else if (name.size() > 4 && name.compare(name.size() - 4, 4, ".csr") == 0) {
            CHECK(csr_verifies(path));
        } else if (name.size() > 4 && name.compare(name.size() - 4, 4, ".inf") == 0) {
            const std::string inf = read_file(path);
            CHECK(contains(inf, "[NewRequest]"));
            CHECK(contains(inf, "2.5.29.17"));
            CHECK((!inf.empty() && inf.back() == '\n'));
        } else if (name == "manifest.json") {
            CHECK_NOTHROW(json::parse(read_file(path)));
        } else {
            FAIL_CHECK("unexpected file " << name);
        }
    }
    return keys;
}

std::size_t entries_in(const std::string& dir) {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) ++n;
    return n;
}

// The next run after a kill: completes, reuses every complete key, leaves no temporary.
void check_next_run_recovers(const std::vector<std::string>& args, const std::string& out,
                             const std::map<std::string, std::string>& kept_keys, const std::vector<std::string>& ids) {
    const auto next = csr(args);
    INFO("the run after the kill:\n" << next.out << next.err);
    REQUIRE(next.exit_code == 0);
    CHECK(files_with_prefix(out, ".certtool-tmp.").empty());
    for (const auto& [name, bytes] : kept_keys) {
        INFO(name << " was complete after the kill: it must be reused");
        CHECK(read_file(out + "/" + name) == bytes);
    }
    const json manifest = load_json(out + "/manifest.json");
    REQUIRE(manifest["certificates"].size() == ids.size());
    for (const auto& entry : manifest["certificates"]) {
        const std::string key_file = entry["key_file"];
        CHECK(entry["key_reused"] == (kept_keys.count(key_file) == 1));
        CHECK(key_parses(out + "/" + key_file));
        CHECK(csr_verifies(out + "/" + entry["csr_file"].get<std::string>()));
    }
}

}  // namespace

TEST_CASE("csr: a run killed during key generation leaves no partial file", "[csr][e2e]") {
    TempDir tmp;
    const std::string topology = big_enterprise(tmp, 30);
    const auto ids = ids_of(plan_of(topology));
    REQUIRE(ids.size() >= 40);
    const std::string out = tmp / "requests";

    RunOptions kill_soon;
    kill_soon.kill_after = std::chrono::milliseconds(300);
    const auto killed = run_certtool({"csr", topology, "--out", out, "--key-bits", "4096"}, {}, "", kill_soon);
    REQUIRE(killed.killed);
    REQUIRE(killed.exit_code == -1);  // it was still running: 41 RSA 4096 keys take seconds
    const auto kept = check_nothing_partial(out);

    // The next run completes. Keys written before the kill (none, today: nothing
    // is written before every request is built) are reused; with none there,
    // the next run may use the policy's RSA 2048, which is much quicker.
    std::vector<std::string> next{topology, "--out", out};
    if (!kept.empty()) next.insert(next.end(), {"--key-bits", "4096"});
    check_next_run_recovers(next, out, kept, ids);
}

TEST_CASE("csr: a run killed while writing leaves whole files and the next run reuses the keys", "[csr][e2e]") {
    TempDir tmp;
    const std::string topology = big_enterprise(tmp, 30);
    const auto ids = ids_of(plan_of(topology));
    REQUIRE(ids.size() >= 40);
    const std::string out = tmp / "requests";

    // Writing starts when the output directory appears: kill it once some, but
    // not all, of the 3 x 41 + 1 files are there.
    RunOptions kill_mid_write;
    kill_mid_write.kill_when = [&] { return entries_in(out) >= 40; };
    const auto killed = run_certtool({"csr", topology, "--out", out}, {}, "", kill_mid_write);
    INFO(killed.out << killed.err);
    REQUIRE(killed.killed);
    const auto kept = check_nothing_partial(out);
    if (fs::exists(out + "/manifest.json"))
        WARN("the run finished writing before SIGKILL arrived: the kill tested nothing this time");
    INFO(kept.size() << " of " << ids.size() << " keys were complete after the kill");
    CHECK_FALSE(kept.empty());  // so that the next run has keys to reuse
    CHECK(kept.size() < ids.size());
    check_next_run_recovers({topology, "--out", out}, out, kept, ids);

    SECTION("killed while replacing keys with --new-key") {
        const Snapshot old = snapshot(out);
        RunOptions kill_on_replace;
        kill_on_replace.kill_when = [&] { return files_with_prefix(out, ids[10] + ".key.replaced-").size() == 1; };
        const auto replacing = run_certtool({"csr", topology, "--out", out, "--new-key"}, {}, "", kill_on_replace);
        INFO(replacing.out << replacing.err);
        REQUIRE(replacing.killed);
        const auto now = check_nothing_partial(out);
        // Every key is either the old one or a new one whose old one is kept beside it.
        for (const auto& id : ids) {
            INFO(id);
            const std::string name = id + ".key";
            REQUIRE(now.count(name) == 1);
            if (now.at(name) != old.at(name).second) {
                const auto replaced = files_with_prefix(out, name + ".replaced-");
                REQUIRE(replaced.size() == 1);
                CHECK(read_file(replaced[0]) == old.at(name).second);
            }
        }
        const auto next = csr({topology, "--out", out});
        INFO(next.out << next.err);
        CHECK(next.exit_code == 0);
        CHECK(files_with_prefix(out, ".certtool-tmp.").empty());
        for (const auto& id : ids) CHECK(read_file(out + "/" + id + ".key") == now.at(id + ".key"));
    }
}

TEST_CASE("csr: no progress output when stderr is not a terminal", "[csr][e2e]") {
    TempDir tmp;
    const auto r = csr({kEnterprise, "--out", tmp / "requests"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_FALSE(contains(r.err, "\r["));
    CHECK_FALSE(contains(r.err, "\x1b"));
    CHECK_FALSE(contains(r.out, "\x1b"));
    CHECK(r.err.empty());
}

TEST_CASE("csr: --help documents the files and the exit codes", "[csr][e2e]") {
    const auto r = run_certtool({"csr", "--help"});
    CHECK(r.exit_code == 0);
    for (const char* text : {"<id>.key", "0600", "<id>.csr", "<id>.inf", "manifest.json", "Exit codes:", "  2  ",
                             "--new-key", "--encrypt-keys", "--ms-template"})
        CHECK(contains(r.out, text));
}
