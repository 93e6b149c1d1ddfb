// `certtool verify` as library work: certificate files read (lib/inventory) and
// checked against their plan entry or against names, spread over the cores.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "check/check.hpp"
#include "core/secret.hpp"
#include "inventory/inventory.hpp"

namespace certtool::check {

struct FileChecks {
    // With a plan: each certificate against the entry `certificate_id` names,
    // else against the entry whose names it carries (plan.no-match when none).
    const model::Plan* plan = nullptr;
    std::string certificate_id;
    // Without a plan: the generic checks.
    GenericRequirement generic;
    // The private key that must belong to every certificate; else a key the
    // file holds (a PFX, or a PEM with its key) is checked.
    const crypto::PrivateKey* key = nullptr;
};

// Offers the intermediates for a file's leaf in `context`: the file's other
// certificates, then those of the chain file beside it
// (inventory::chain_file_beside, read with `code_prefix` as the file), then
// the context's own (--untrusted); `context.intermediates_from` lists where they
// came from, in that order. Throws InputError for an unreadable chain file.
void offer_intermediates(const inventory::CertificateFile& file, const Secret& passphrase, const std::string& code_prefix,
                         Context& context);

// Checks each file (the leaf of each: README "Certificate files"; the file's
// other certificates are offered as intermediates), in the order given, each
// file read with `passphrase` for PKCS#12. A file that cannot be read ends the
// run with its InputError (codes verify.io, verify.too-large, cert.*), the
// first such in file order, as reading them one by one would.
std::vector<Verdict> check_files(const std::vector<std::string>& files, const FileChecks& checks, const Context& context,
                                 const Secret& passphrase);

}  // namespace certtool::check
