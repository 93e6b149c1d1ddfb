// PKCS#12 (PFX) files Windows can import. OpenSSL 3 writes AES-256 + PBKDF2
// with a SHA-256 MAC by default, which Windows Server 2008 R2 / 2012 R2 reject
// as "the password is incorrect"; the legacy profile writes what they accept.
#pragma once

#include <string>
#include <vector>

#include "crypto/certificate.hpp"
#include "crypto/keys.hpp"

namespace certtool::crypto {

enum class Pkcs12Profile {
    legacy,  // PBE-SHA1-3DES for the key bag and the certificate bags, SHA-1 MAC, 2048 iterations
    modern,  // PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for both, SHA-256 MAC, 10000 iterations (Windows Server 2019+)
};

struct Pkcs12Request {
    const PrivateKey* key = nullptr;
    const Certificate* certificate = nullptr;
    std::vector<const Certificate*> chain;  // intermediates (and root, if wanted), leaf's issuer first
    std::string friendly_name;              // shown in the Windows certificate store
    // The key bag's Microsoft CSP Name attribute (1.3.6.1.4.1.311.17.1, a
    // BMPString): the provider Windows imports the key into. "" writes none,
    // and Windows picks its default (a CNG key storage provider on 2012 and later).
    std::string csp_name;
    Pkcs12Profile profile = Pkcs12Profile::legacy;
    int iterations = 0;                     // 0: the profile's default; at most 600000
};

// Builds the PFX (DER bytes). Throws CryptoError: "key.mismatch" (the key
// is not the certificate's), "pfx.chain" (the chain does not lead to the
// certificate: each element must have issued the one before it), "pfx.failed"
// (also for a CSP name that is longer than 255 characters or holds a control
// character or one outside the BMP).
std::string make_pkcs12(const Pkcs12Request& request, const std::string& password);

// What a PFX is made of, as read back (for tests and for `certtool pfx` to
// confirm what it wrote): the algorithm of each bag and of the MAC.
struct Pkcs12Info {
    std::string mac_digest;                 // "sha1", "sha256"
    int mac_iterations = 0;
    std::vector<std::string> bag_schemes;   // e.g. "pbeWithSHA1And3-KeyTripleDES-CBC", "PBES2/aes-256-cbc"
    std::size_t certificates = 0;
    bool has_key = false;
    std::string friendly_name;              // of the key bag ("" if none)
    std::string csp_name;                   // the key bag's Microsoft CSP Name, as UTF-8 ("" if none)
};

// Throws CryptoError "cert.pkcs12-password" / "cert.pkcs12-mac" / "cert.unreadable"
// (also for a CSP Name attribute that is not a string) /
// "cert.pkcs12-iterations" (more work than load_certificates accepts).
Pkcs12Info inspect_pkcs12(std::string_view der, const std::string& password);

}  // namespace certtool::crypto
