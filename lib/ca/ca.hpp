// A local certificate authority for internal certificates (Edge internal
// interface, Front End, Director) and labs: `certtool ca init|sign|crl`.
//
// On disk (every file written atomically; keys 0600, never overwritten):
//   DIR/ca.json           certtool.ca/v1: name, default CRL URL, next CRL number
//   DIR/root.key, root.pem                 the root (self-signed)
//   DIR/intermediate.key, intermediate.pem the issuing CA, when created with one
//   DIR/chain.pem         the issuing CA's chain up to the root (for PFX files)
//   DIR/index.json        certtool.ca-index/v1: every certificate issued, and revocations
//   DIR/issued/<serial>.pem
//   DIR/crl.pem           the latest CRL
// Operations that change the index hold an exclusive lock on DIR/.lock.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/secret.hpp"
#include "core/time.hpp"
#include "crypto/keys.hpp"
#include "model/plan.hpp"

namespace certtool::ca {

struct InitOptions {
    std::string dir;
    std::string name = "certtool Lync CA";  // root CN; the intermediate is "<name> Issuing CA"
    bool intermediate = false;
    crypto::KeyParams key{crypto::KeyType::rsa, 4096};
    int root_days = 3650;
    int intermediate_days = 1825;
    std::string crl_url;                     // default CRL distribution point for `sign`
    Secret passphrase;                       // encrypts the CA keys
    TimePoint now = std::chrono::system_clock::now();
};

struct InitResult {
    std::vector<std::string> files;  // what was written, in order
    std::string root_sha256;
    std::string issuing_sha256;
};

// Throws InputError: ca.exists (DIR already holds a CA), output.* (unsafe or
// missing directory), usage.crl-url (not an http(s) URL).
InitResult init(const InitOptions& options);

struct SignOptions {
    std::string dir;
    std::string csr_pem;                    // the request (PEM or DER)
    std::string csr_file;                   // for messages
    const model::CertificateRequirement* requirement = nullptr;  // what the plan says this certificate is
    std::string crl_url;                    // "" = the CA's default
    std::optional<int> days;                // default: the topology policy's validity_days (passed in)
    int policy_days = 365;
    bool accept_name_differences = false;   // issue with the plan's names even if the CSR asks for others
    Secret passphrase;                      // for an encrypted CA key
    TimePoint now = std::chrono::system_clock::now();
};

struct NameDifference {
    std::vector<std::string> missing;  // in the plan, not in the CSR
    std::vector<std::string> extra;    // in the CSR, not in the plan
    [[nodiscard]] bool empty() const { return missing.empty() && extra.empty(); }
};

struct SignResult {
    std::string certificate_pem;  // the issued certificate
    std::string chain_pem;        // issuing CA up to the root
    std::string serial_hex;
    std::string file;             // DIR/issued/<serial>.pem
    NameDifference differences;   // what --accept-name-differences overrode
    TimePoint not_after;
};

// Issues a certificate with exactly the plan's subject, SANs (in plan order),
// EKU and key usage for the CSR's public key; the CSR's own names are never
// copied and never dropped silently: if they differ from the plan, throws
// InputError ca.names-differ listing both ways, unless accepted. Also
// ca.no-crl-url, key.too-small, key.algorithm, csr.invalid, csr.signature, key.wrong-passphrase.
SignResult sign(const SignOptions& options);

NameDifference compare_names(const std::vector<std::string>& csr_names, const model::CertificateRequirement& requirement);

struct CrlOptions {
    std::string dir;
    std::vector<std::string> revoke;  // serials (hex, as listed in index.json) to revoke first
    int days = 7;                     // nextUpdate
    Secret passphrase;                // for an encrypted CA key
    TimePoint now = std::chrono::system_clock::now();
};

struct CrlResult {
    std::string file;  // DIR/crl.pem
    long number = 0;
    std::size_t revoked = 0;
};

// Throws InputError ca.unknown-serial for a serial the CA never issued.
CrlResult crl(const CrlOptions& options);

}  // namespace certtool::ca
