// `certtool ca sign DIR --manifest REQ/manifest.json --out OUT`: every request
// of a `certtool csr` run signed by the local CA in one run.
//
// Into OUT (each file atomically; a file already there with other content is
// refused, or with `replace` kept as <file>.replaced-<UTC>):
//   OUT/<id>.pem        the certificate alone
//   OUT/<id>.chain.pem  the certificate, then the intermediates (never the root)
//   OUT/issued.json     certtool.ca-issued/v1, written last (README `certtool ca`)
#pragma once

#include <string>
#include <vector>

#include "ca/ca.hpp"
#include "model/plan.hpp"

namespace certtool::ca {

struct ManifestSignOptions {
    SignOptions sign;               // dir, crl_url, days, accept_name_differences, passphrase, now
    std::string manifest_file;
    const model::Plan* plan = nullptr;
    std::string out_dir;
    std::vector<std::string> only;  // ids of the manifest; empty = all
    bool lab_public = false;        // also sign the entries the plan gives to a public CA
    bool replace = false;           // issue again over files in OUT (the old ones kept)
};

struct ManifestSigned {
    std::string id;
    SignResult result;
    std::string certificate_file;  // OUT/<id>.pem
    std::string chain_file;        // OUT/<id>.chain.pem
    std::vector<std::string> replaced_files;
    bool public_ca = false;        // the plan wants a public CA: signed for a lab only (lab_public)
};

struct ManifestSkipped {
    std::string id;
    std::string reason;
};

struct ManifestSignResult {
    std::vector<ManifestSigned> issued;
    std::vector<ManifestSkipped> skipped;  // entries the plan gives to a public CA, without lab_public
    std::string index_file;                // OUT/issued.json
};

inline constexpr const char* kIssuedSchema = "certtool.ca-issued/v1";

// Reads the manifest, picks its entries (`only`), leaves out (skipped) those
// the plan gives to a public CA unless lab_public, checks every remaining
// request as `sign` does and that none of its files is in OUT, and only then
// issues them all and writes OUT. Throws InputError before issuing anything:
// the manifest's codes (request/manifest.hpp), usage.unknown-certificate (an
// `only` id the manifest lacks, or a manifest id the plan lacks),
// usage.public-ca (`only` names a public-CA entry without lab_public),
// output.exists (a file in OUT, without replace), output.* (OUT itself), and
// `sign`'s codes, every bad entry listed.
ManifestSignResult sign_manifest(const ManifestSignOptions& options);

}  // namespace certtool::ca
