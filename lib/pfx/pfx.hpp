// `certtool pfx`: key + certificate + chain into a PKCS#12 file Windows Server
// 2008 R2 / 2012 R2 can import (or, with the modern profile, 2019 and later).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/secret.hpp"
#include "crypto/pkcs12.hpp"
#include "model/plan.hpp"

namespace certtool::pfx {

struct Options {
    std::string key_file;
    std::string cert_file;                  // the certificate (its leaf as inventory::leaf_index says), maybe with its chain
    std::vector<std::string> chain_files;   // intermediates and root, any order (default: the rest of cert_file)
    std::string out;                        // never overwritten; written 0600 atomically
    Secret password;                        // the PFX password
    Secret key_passphrase;                  // for an encrypted key file
    crypto::Pkcs12Profile profile = crypto::Pkcs12Profile::legacy;
    std::string friendly_name;              // "" = the plan id (with a plan), else the subject CN
    const model::Plan* plan = nullptr;      // to name the certificate by its plan id
};

struct Result {
    std::string out;
    std::string friendly_name;
    std::string thumbprint;                 // SHA-1, upper case, as Windows shows it
    std::size_t chain_certificates = 0;     // besides the leaf
    crypto::Pkcs12Info info;                // read back from the bytes written
};

// The profile every server of `platform` imports: modern (AES-256, SHA-256 MAC)
// only when its oldest Windows Server is 2019 or later (WIN-PBES2, DSC-PFX),
// legacy (3DES, SHA-1 MAC) otherwise.
crypto::Pkcs12Profile default_profile(const model::Platform& platform);

// Throws InputError: key.mismatch, pfx.chain (a chain certificate that
// does not lead to the leaf, or a gap), output.exists, key.*, cert.*. Nothing
// is written unless the whole file could be built and read back.
Result write_pfx(const Options& options);

// The chain ordered from the leaf's issuer upwards, following issuer names;
// certificates not on the path are dropped. Throws InputError pfx.chain when a
// given certificate is on no path from the leaf.
std::vector<crypto::Certificate> order_chain(const crypto::Certificate& leaf, const std::vector<crypto::Certificate>& pool,
                                             const std::string& file);

}  // namespace certtool::pfx
