// Certificate files as the admin keeps them: PEM, DER or PKCS#12 (a PFX with
// its passphrase), alone, in a folder, or in one folder per member FQDN as
// exported from the servers. Every verb that reads such files reads them here,
// so they all agree on the size limit, on which certificate of a file is the
// leaf, and on which entries of a folder count (README "Certificate files").
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/secret.hpp"
#include "crypto/certificate.hpp"

namespace certtool::inventory {

// The one size limit: a certificate file with a whole chain and a key is a few
// KiB; a 3 GiB file or an endless stream is refused after this many bytes.
inline constexpr std::size_t kMaxCertificateFile = 16u << 20;

struct CertificateFile {
    std::string path;
    std::string format;  // "PEM", "DER", "PKCS#12"
    std::vector<crypto::Certificate> certificates;  // in file order; never empty
    std::optional<crypto::PrivateKey> key;          // when the file holds one
    std::size_t leaf = 0;                           // index of the leaf (leaf_index)

    [[nodiscard]] const crypto::Certificate& leaf_certificate() const { return certificates[leaf]; }
    // The certificates besides the leaf, in file order: offered as intermediates.
    [[nodiscard]] std::vector<crypto::Certificate> others() const;
};

// The leaf of a file exported with its chain, in any order: the certificate the
// file's private key belongs to; without one (or when it belongs to none), the
// first that is not a CA; when all are CAs (a CA's own file), the first.
std::size_t leaf_index(const std::vector<crypto::Certificate>& certificates, const crypto::PrivateKey* key);

// Reads `path` (at most kMaxCertificateFile bytes), opening a PKCS#12 file with
// `passphrase`. Throws InputError naming the file: "<code_prefix>.io" or
// "<code_prefix>.too-large" when it cannot be read (the verbs document their own:
// files.io, verify.too-large, ...); else lib/crypto's code, with its message:
// cert.unreadable, cert.empty, cert.pkcs12-password, cert.pkcs12-mac,
// cert.pkcs12-iterations, key.iterations. A PEM file holding only keys,
// requests or CRLs throws NotACertificateFile, an InputError like the others,
// which a reader of whole folders may tell apart.
CertificateFile read_certificate_file(const std::string& path, const Secret& passphrase, const std::string& code_prefix);

class NotACertificateFile : public InputError {
public:
    using InputError::InputError;
};

// A leaf's chain file: "<stem>.chain.pem" beside "<stem>.pem" (as `ca sign
// --manifest` and `acme` write them: the leaf, then the intermediates), when it
// is a regular file (a link to one counts). nullopt for any other path, and
// for a chain file itself.
std::optional<std::string> chain_file_beside(const std::string& path);
// The name of the chain file for a leaf written to `path`: its extension
// replaced by ".chain.pem" ("out/edge.pem" -> "out/edge.chain.pem").
std::string chain_file_for(const std::string& path);

// The two files certtool writes for one issued certificate of the plan, in
// folder `dir`: "<id>.pem" (the leaf) and "<id>.chain.pem" (the leaf, then the
// intermediates). `ca sign --manifest` and `acme` write them; `pfx --certs`,
// `verify` and `audit --files` read them.
struct IssuedFiles {
    std::string certificate;
    std::string chain;
};
IssuedFiles issued_files(const std::string& dir, const std::string& id);

// The files of a listing, less each "<stem>.chain.pem" whose "<stem>.pem" is
// listed too: that one is read with its leaf, not as a certificate of its own.
std::vector<std::string> without_chain_files(const std::vector<std::string>& files);

// Folders: names that start with a dot are hidden and left out. A symbolic link
// counts as what it points to (a link to a file is read as that file, as
// certbot's live/ folder is; a link to a folder is a folder); a link to
// nothing, a FIFO, a device or a socket is left out, so that nothing here
// waits on a stream. Only one level is ever looked into, so links cannot loop.

// The regular files directly in `dir`, as paths (fs::join(dir, name)), in name
// order, less "*.json" (certtool's own indexes and reports beside the
// certificates it wrote: issued.json, manifest.json, acme-state.json,
// renewal.json); nullopt when the folder cannot be read.
std::optional<std::vector<std::string>> files_in(const std::string& dir);

// The names of the folders directly in `dir` (one per member FQDN, as `audit
// --files` and `renew --inventory` take them), in name order; nullopt when the
// folder cannot be read.
std::optional<std::vector<std::string>> member_folders(const std::string& dir);

}  // namespace certtool::inventory
