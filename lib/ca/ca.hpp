// A local certificate authority for internal certificates (Edge internal
// interface, Front End, Director) and labs: `certtool ca init|sign|crl`.
//
// On disk (every file written atomically; keys 0600, never overwritten):
//   DIR/ca.json           certtool.ca/v1: name, the issuing CA's CRL URL and next CRL
//                         number; with an intermediate also the root's (root_crl_url,
//                         root_next_crl_number); what each last CRL was (crl_published)
//   DIR/root.key, root.pem                 the root (self-signed, no CRL distribution point)
//   DIR/intermediate.key, intermediate.pem the issuing CA, when created with one; its
//                                          CRL distribution point is the root's CRL URL
//   DIR/chain.pem         the issuing CA's chain up to the root (for PFX files)
//   DIR/index.json        certtool.ca-index/v1: every certificate issued, and revocations
//   DIR/issued/<serial>.pem
//   DIR/crl/<name>        each CA's latest CRL in DER, <name> the last segment of its URL
//   DIR/crl/<name>.pem    the same CRL in PEM
//   DIR/crl.pem           every CA's latest CRL in one PEM file, the issuing CA's first
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
    std::string crl_url;                     // the issuing CA's CRL URL: `sign` puts it in every leaf
    std::string root_crl_url;                // the root's (only with an intermediate, which carries it);
                                             // "" = derived from crl_url (derived_root_crl_url)
    Secret passphrase;                       // encrypts the CA keys
    TimePoint now = std::chrono::system_clock::now();
};

struct InitResult {
    std::vector<std::string> files;  // what was written, in order
    std::string root_sha256;
    std::string issuing_sha256;
    std::string crl_url;             // the issuing CA's CRL URL ("" none)
    std::string root_crl_url;        // the root's, with an intermediate ("" none)
    bool root_crl_url_derived = false;
};

// Throws InputError: ca.exists (DIR already holds a CA), output.* (unsafe or
// missing directory), usage.crl-url (not an http(s) URL, no file name at its
// end, a root URL without an intermediate, two URLs with the same file name).
InitResult init(const InitOptions& options);

// The file name a CRL URL ends with ("http://pki.contoso.net/pki/lab.crl" ->
// "lab.crl"): `ca crl` writes the CRL under it. nullopt when the URL is not
// http(s), has a query or fragment, or its last segment is empty, starts with a
// dot or holds other characters than letters, digits, '.', '_' and '-'.
std::optional<std::string> crl_file_name(const std::string& url);

// The root's CRL URL when only the issuing CA's is given: the sibling name in
// the same folder, "-root" before the extension ("http://h/p/lab.crl" ->
// "http://h/p/lab-root.crl"; "http://h/p/lab" -> "http://h/p/lab-root").
// `url` must have a crl_file_name.
std::string derived_root_crl_url(const std::string& url);

struct SignOptions {
    std::string dir;
    std::string csr_pem;                    // the request (PEM or DER)
    std::string csr_file;                   // for messages
    const model::CertificateRequirement* requirement = nullptr;  // what the plan says this certificate is
    std::string crl_url;                    // "" = the CA's default
    std::optional<int> days;                // default: the plan certificate's validity_days (model/lifetime.hpp)
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
    std::string certificate_pem;    // the issued certificate
    std::string chain_pem;          // issuing CA up to the root
    std::string intermediates_pem;  // the issuing CA when it is the intermediate ("" when the root issues)
    std::string serial_hex;
    std::string file;               // DIR/issued/<serial>.pem
    NameDifference differences;     // what --accept-name-differences overrode
    TimePoint not_before;
    TimePoint not_after;
    std::string sha256;             // of the certificate
    std::string thumbprint;         // SHA-1, as Windows shows it
};

// Issues a certificate with exactly the plan's subject, SANs (in plan order),
// EKU and key usage for the CSR's public key; the CSR's own names are never
// copied and never dropped silently: if they differ from the plan, throws
// InputError ca.names-differ listing both ways, unless accepted. Also
// ca.no-crl-url, ca.revoked (the intermediate is revoked), key.too-small,
// key.algorithm, csr.invalid, csr.signature, key.wrong-passphrase.
SignResult sign(const SignOptions& options);

struct SignBatchEntry {
    std::string csr_pem;
    std::string csr_file;
    const model::CertificateRequirement* requirement = nullptr;
};

// `sign` for many requests with the options of `common` (its csr_* and
// requirement are not used): every request is checked first, and one that
// fails makes an InputError listing every bad one, nothing issued; then all are
// issued under one lock, with one load of the CA key, in the order given.
std::vector<SignResult> sign_batch(const SignOptions& common, const std::vector<SignBatchEntry>& entries);

NameDifference compare_names(const std::vector<std::string>& csr_names, const model::CertificateRequirement& requirement);

struct CrlOptions {
    std::string dir;
    // Serials (hex, as listed in index.json) to revoke first: a leaf goes into
    // the issuing CA's CRL, the intermediate's own serial into the root's.
    std::vector<std::string> revoke;
    int days = 7;                     // nextUpdate
    bool all = false;                 // write every CRL, due or not
    Secret passphrase;                // for an encrypted CA key
    TimePoint now = std::chrono::system_clock::now();
};

// One CA's CRL. It is due (and written) when none was written yet (or its
// file is gone), when --revoke names a certificate it covers, when its list of
// revocations changed since the last one, when half of the last one's validity
// has passed, or with `all`; else it is left as it is.
struct CrlStatus {
    std::string ca;            // "root" or "intermediate"
    std::string url;           // where it is published ("" when the CA has none)
    std::string file;          // DIR/crl/<name> (DER)
    std::string pem_file;      // DIR/crl/<name>.pem
    bool written = false;
    std::string why;           // why it was due, or until when it is not
    long number = 0;           // of the CRL now in the file (0: none)
    std::size_t revoked = 0;
    TimePoint next_update{};
};

struct CrlResult {
    std::vector<CrlStatus> crls;       // the issuing CA's first, then the root's
    std::string combined_file;         // DIR/crl.pem
    std::vector<std::string> notes;    // e.g. what was derived for a CA made by an older certtool
    bool intermediate_revoked_now = false;
};

// Throws InputError ca.unknown-serial for a serial the CA never issued,
// ca.revoke-root for the root's own serial.
CrlResult crl(const CrlOptions& options);

}  // namespace certtool::ca
