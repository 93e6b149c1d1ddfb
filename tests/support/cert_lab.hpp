// A small PKI for end-to-end tests, made at test time by certtool itself: a
// local CA with an issuing intermediate (`certtool ca init`), the requests of
// an example topology (`certtool csr`), certificates signed from them
// (`certtool ca sign`) and PKCS#12 files (`certtool pfx`). Also the helpers
// the hostile-input and secret-hygiene suites share: the openssl CLI, a shell,
// a certtool run with a kill guard, and a transcript for failure messages.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "run_process.hpp"
#include "temp_dir.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define CERTTOOL_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CERTTOOL_TEST_SANITIZED 1
#endif
#endif

namespace certtool::test {

inline const std::string kOpensslCli = "/usr/bin/openssl";
inline const std::string kGnutlsCli = "/usr/bin/certtool";  // GnuTLS's certtool, not ours: always by absolute path

// The tests are built with the same flags as certtool: under AddressSanitizer
// both are, and certtool is slower and bigger. Time and memory bounds scale.
#ifdef CERTTOOL_TEST_SANITIZED
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
inline constexpr long kTimeScale = kSanitized ? 4 : 1;

// Every certtool run of these suites: no terminal (nothing can prompt), and
// SIGKILLed after `guard` so that a hang fails the test instead of the suite.
ProcessResult run_guarded(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                          std::chrono::milliseconds guard = std::chrono::seconds(60));

ProcessResult run_openssl(const std::vector<std::string>& args);

std::string shell_quote(const std::string& s);
bool contains(const std::string& haystack, const std::string& needle);

// "$ certtool ARGS\nexit N after T ms (peak RSS K KiB)\n--- stdout\n...--- stderr\n..."
std::string transcript(const std::vector<std::string>& args, const ProcessResult& r);

// The same for another program ("$ PROGRAM ARGS\nexit N ...").
std::string transcript(const std::string& program, const std::vector<std::string>& args, const ProcessResult& r);

// A chain checked with revocation on at every level, by two implementations
// that are not certtool's: `openssl verify -crl_check_all` with `root` as the
// only anchor, the `untrusted` files as intermediates and the `crls` (PEM or
// DER); GnuTLS's `certtool --verify` with the PEM CRLs joined in one file
// (written into `scratch`) and the chain file (leaf, then intermediates).
// Both UNSCOPED_INFO their transcript.
ProcessResult openssl_verify_revocation(const std::string& root, const std::vector<std::string>& untrusted,
                                        const std::vector<std::string>& crls, const std::string& leaf);
ProcessResult gnutls_verify_revocation(const TempDir& scratch, const std::string& root, const std::vector<std::string>& pem_crls,
                                       const std::string& chain_file);
// What GnuTLS prints for a chain it verified.
inline const std::string kGnutlsVerified = "Chain verification output: Verified.";

// The parse check of generated PowerShell (tests/tools/ps-parse/check.mjs, as
// the ctest "ps-parse" tests run it) on every .ps1 file under `dir`: exit 0
// when all parse, 1 with file:line:column per problem, kPowerShellParseSkipped
// when node or its npm packages are not installed (npm ci --prefix tests/tools/ps-parse).
inline constexpr int kPowerShellParseSkipped = 77;
ProcessResult powershell_parse(const std::string& dir);

// Writes `content` to `path` (binary), replacing it.
void write_bytes(const std::string& path, const std::string& content);

// A certificate file's serial number as `openssl x509 -serial` prints it (upper-case hex).
std::string serial_of(const std::string& cert_file);

// Every regular file under `dir`, path -> bytes (to show that a refusal changed nothing); empty when there is no `dir`.
std::map<std::string, std::string> snapshot(const std::string& dir);

struct CertLab {
    TempDir dir;
    std::string topology;  // edge-single-nat.json unless given
    std::string ca;        // DIR of `certtool ca init --intermediate` (root.pem, intermediate.pem, chain.pem)
    std::string req;       // `certtool csr --out` of the topology (<id>.key, <id>.csr)

    static constexpr const char* kExternal = "edge-external.lsedge-contoso-net";
    static constexpr const char* kInternal = "edge-internal.lsedge-contoso-net";
    static constexpr const char* kCrlUrl = "http://crl.contoso.com/lab.crl";

    explicit CertLab(const std::string& prefix = "certtool-lab", const std::string& topology_file = "");

    [[nodiscard]] std::string csr(const std::string& id) const { return req + "/" + id + ".csr"; }
    [[nodiscard]] std::string key(const std::string& id) const { return req + "/" + id + ".key"; }
    [[nodiscard]] std::string root() const { return ca + "/root.pem"; }

    // `certtool ca sign` of the plan's own request for `id` into dir/<name>; must succeed.
    std::string issue(const std::string& id, const std::string& name) const;
    // `certtool pfx` of `key_file` and `cert` with the CA chain into `out`, PFX password from `pass_file`; must succeed.
    std::string pfx(const std::string& key_file, const std::string& cert, const std::string& out, const std::string& pass_file,
                    const std::vector<std::string>& extra = {}) const;
};

}  // namespace certtool::test
