// `certtool pfx`: key + certificate + chain into a PKCS#12 file Windows Server
// 2008 R2 / 2012 R2 can import (or, with the modern profile, 2019 and later),
// one at a time or one per certificate of a `certtool csr` folder.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/secret.hpp"
#include "crypto/pkcs12.hpp"
#include "model/plan.hpp"

namespace certtool::pfx {

// The key bag's Microsoft CSP Name attribute, which tells Windows which
// provider to import the key into.
enum class Csp {
    by_key,  // RSA: the SChannel CryptoAPI provider (model::kSchannelProvider); ECDSA: none (no CryptoAPI provider holds one)
    named,   // Settings::csp_name
    none,    // no attribute: Windows picks its default (a CNG key storage provider on 2012 and later)
};

// What every PFX of a run shares.
struct Settings {
    Secret password;                        // the PFX password (one for all)
    Secret key_passphrase;                  // for encrypted key files
    crypto::Pkcs12Profile profile = crypto::Pkcs12Profile::legacy;
    Csp csp = Csp::by_key;
    std::string csp_name;                   // with Csp::named
    // false: an existing output is refused (output.exists). true (--force): it
    // is kept as <file>.replaced-<UTC time> (0600) and a new one written.
    bool replace_existing = false;
};

struct Options {
    std::string key_file;
    std::string cert_file;                  // the certificate (its leaf as inventory::leaf_index says), maybe with its chain
    std::vector<std::string> chain_files;   // intermediates and root, any order (default: the rest of cert_file)
    std::string out;                        // written 0600 atomically
    std::string friendly_name;              // "" = the plan id (with a plan), else the subject CN
    const model::Plan* plan = nullptr;      // to name the certificate by its plan id
    Settings settings;
};

struct Result {
    std::string id;                         // bulk: the certificate id of the manifest ("" for one file)
    std::string out;
    std::string key_file;
    std::string cert_file;
    std::string friendly_name;
    std::string thumbprint;                 // SHA-1, upper case, as Windows shows it
    std::size_t chain_certificates = 0;     // besides the leaf
    crypto::Pkcs12Info info;                // read back from the bytes written (info.csp_name: the provider named)
    std::string csp_note;                   // why no CSP name was written by default ("" otherwise)
    std::string replaced;                   // where an existing output was kept (replace_existing), "" if none
};

// The profile every server of `platform` imports: modern (AES-256, SHA-256 MAC)
// only when its oldest Windows Server is 2019 or later (WIN-PBES2, DSC-PFX),
// legacy (3DES, SHA-1 MAC) otherwise.
crypto::Pkcs12Profile default_profile(const model::Platform& platform);

// Throws InputError: key.mismatch, pfx.chain (a chain certificate that
// does not lead to the leaf, or a gap), pfx.csp-key (a CryptoAPI provider named
// for an ECDSA key), output.exists, key.*, cert.*. Nothing is written unless
// the whole file could be built and read back.
Result write_pfx(const Options& options);

// One PFX per request of a `certtool csr` folder whose certificate was issued.
struct BulkOptions {
    std::string requests_dir;               // `certtool csr --out`: manifest.json and the keys it names
    // The issued certificates, per id: one of <id>.pem, <id>.crt, <id>.cer (PEM or
    // DER; a PEM may hold the chain after the leaf), and/or <id>.chain.pem (the
    // leaf, then its intermediates), as `certtool ca sign --manifest` writes them.
    std::string certs_dir;
    std::vector<std::string> chain_files;   // for every certificate: those on its path are added (e.g. the root)
    std::string out_dir;                    // <out_dir>/<id>.pfx, what `certtool script --pfx` reads; created 0700
    std::vector<std::string> only;          // roles or ids of the plan; empty = every request of the manifest
    const model::Plan* plan = nullptr;      // required: every certificate is checked against its plan entry
    Settings settings;
};

struct BulkResult {
    std::string manifest_file;
    std::vector<Result> written;            // in manifest order
    std::vector<std::string> missing;       // ids with a request but no certificate in certs_dir (nothing written for them)
    std::vector<std::string> notes;         // files in certs_dir named after no request, ignored
};

// The certificate file names looked for, per id, in this order.
std::vector<std::string> certificate_file_names(const std::string& id);

// Everything is read, matched and built in memory first; then the files are
// written, the new ones all or none. Throws InputError (nothing written):
// pfx.manifest, usage.unknown-certificate (--only), pfx.nothing-to-do (no
// selected request), pfx.not-in-plan (a request whose id the plan does not
// have), pfx.ambiguous (two certificate files for one id), pfx.no-certificates
// (no selected request has a certificate), pfx.plan-mismatch (a certificate
// without the plan's names, or that is another id's), key.mismatch, pfx.chain,
// pfx.csp-key, output.exists (without replace_existing), output.*, key.*, cert.*.
BulkResult write_pfx_folder(const BulkOptions& options);

// The chain ordered from the leaf's issuer upwards, following issuer names;
// certificates not on the path are dropped. Throws InputError pfx.chain when a
// given certificate is on no path from the leaf.
std::vector<crypto::Certificate> order_chain(const crypto::Certificate& leaf, const std::vector<crypto::Certificate>& pool,
                                             const std::string& file);

}  // namespace certtool::pfx
