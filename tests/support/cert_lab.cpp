#include "cert_lab.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace certtool::test {

ProcessResult run_guarded(const std::vector<std::string>& args, const std::vector<std::string>& env,
                          std::chrono::milliseconds guard) {
    RunOptions options;
    options.new_session = true;
    options.kill_after = guard;
    return run_certtool(args, env, "", options);
}

ProcessResult run_openssl(const std::vector<std::string>& args) { return run_process(kOpensslCli, args); }

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::string transcript(const std::vector<std::string>& args, const ProcessResult& r) { return transcript("certtool", args, r); }

std::string transcript(const std::string& program, const std::vector<std::string>& args, const ProcessResult& r) {
    std::string s = "$ " + program;
    for (const auto& a : args) s += " " + a;
    s += "\nexit " + std::to_string(r.exit_code) + (r.killed ? " (killed by the test's guard)" : "") + " after " +
         std::to_string(r.elapsed.count()) + " ms (peak RSS " + std::to_string(r.max_rss_kb) + " KiB)\n--- stdout\n" +
         (r.out.size() > 4000 ? r.out.substr(0, 4000) + "\n[... " + std::to_string(r.out.size()) + " bytes]\n" : r.out) +
         "--- stderr\n" + (r.err.size() > 4000 ? r.err.substr(0, 4000) + "\n[... " + std::to_string(r.err.size()) + " bytes]\n" : r.err);
    return s;
}

ProcessResult powershell_parse(const std::string& dir) {
    const std::string node = "/usr/bin/node";
    if (!std::filesystem::exists(node)) {
        ProcessResult skipped;
        skipped.exit_code = kPowerShellParseSkipped;
        skipped.err = "ps-parse: SKIPPED: " + node + " is not installed";
        return skipped;
    }
    const std::vector<std::string> args{std::string(CERTTOOL_SOURCE_DIR) + "/tests/tools/ps-parse/check.mjs", dir};
    const auto r = run_process(node, args);
    UNSCOPED_INFO(transcript(node, args, r));
    return r;
}

ProcessResult openssl_verify_revocation(const std::string& root, const std::vector<std::string>& untrusted,
                                        const std::vector<std::string>& crls, const std::string& leaf) {
    std::vector<std::string> args{"verify", "-crl_check_all", "-CAfile", root};
    for (const auto& f : untrusted) args.insert(args.end(), {"-untrusted", f});
    for (const auto& f : crls) args.insert(args.end(), {"-CRLfile", f});
    args.push_back(leaf);
    const auto r = run_openssl(args);
    UNSCOPED_INFO(transcript(kOpensslCli, args, r));
    return r;
}

ProcessResult gnutls_verify_revocation(const TempDir& scratch, const std::string& root, const std::vector<std::string>& pem_crls,
                                       const std::string& chain_file) {
    std::string crls;
    for (const auto& f : pem_crls) crls += read_file(f);
    const std::string crl_file = scratch.file("gnutls-crls.pem", crls);
    const std::vector<std::string> args{"--verify", "--load-ca-certificate", root, "--load-crl", crl_file, "--infile", chain_file};
    const auto r = run_process(kGnutlsCli, args);
    UNSCOPED_INFO(transcript(kGnutlsCli, args, r));
    return r;
}

void write_bytes(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::string serial_of(const std::string& cert_file) {
    const auto r = run_openssl({"x509", "-in", cert_file, "-noout", "-serial"});
    REQUIRE(r.exit_code == 0);
    REQUIRE(r.out.rfind("serial=", 0) == 0);
    std::string serial = r.out.substr(7);
    while (!serial.empty() && (serial.back() == '\n' || serial.back() == '\r')) serial.pop_back();
    return serial;
}

std::map<std::string, std::string> snapshot(const std::string& dir) {
    std::map<std::string, std::string> files;
    if (!std::filesystem::exists(dir)) return files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
        if (e.is_regular_file()) files[e.path().string()] = read_file(e.path().string());
    return files;
}

CertLab::CertLab(const std::string& prefix, const std::string& topology_file)
    : dir(prefix),
      topology(topology_file.empty() ? source_path("templates/examples/edge-single-nat.json") : topology_file),
      ca(dir / "ca"),
      req(dir / "req") {
    const std::vector<std::string> init{"ca", "init", ca, "--intermediate", "--crl-url", kCrlUrl, "--key-bits", "2048"};
    const auto r = run_guarded(init);
    INFO(transcript(init, r));
    REQUIRE(r.exit_code == 0);
    const std::vector<std::string> requests{"csr", topology, "--out", req};
    const auto c = run_guarded(requests);
    INFO(transcript(requests, c));
    REQUIRE(c.exit_code == 0);
}

std::string CertLab::issue(const std::string& id, const std::string& name) const {
    const std::string out = dir / name;
    const std::vector<std::string> args{"ca", "sign", ca, csr(id), "--topology", topology, "--cert", id, "--out", out};
    const auto r = run_guarded(args);
    INFO(transcript(args, r));
    REQUIRE(r.exit_code == 0);
    return out;
}

std::string CertLab::pfx(const std::string& key_file, const std::string& cert, const std::string& out,
                         const std::string& pass_file, const std::vector<std::string>& extra) const {
    std::vector<std::string> args{"pfx", "--key", key_file, "--cert", cert, "--chain", ca + "/chain.pem", "--out", out,
                                  "--passphrase-file", pass_file, "--topology", topology};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_guarded(args);
    INFO(transcript(args, r));
    REQUIRE(r.exit_code == 0);
    return out;
}

}  // namespace certtool::test
