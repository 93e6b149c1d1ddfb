// The trust anchors and the system store, and the decodes a run reuses: a
// trust anchor is decoded once per process, an issuer's public key once per
// distinct key.
#include <botan/certstor_system.h>
#include <botan/data_src.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "crypto/botan_path.hpp"
#include "crypto/digest.hpp"

namespace certtool::crypto::chain {

// Decoding a certificate with Botan 2 is not cheap (a self-signed one has its
// signature checked, which sets up the RSA key's Montgomery parameters), and
// the same trust anchors, and mostly the same intermediates, come with every
// validate_chain call of a run: each one is decoded once per process and
// shared. The parsed objects are never modified, so they are shared between
// threads too. Bounded, so that a long-running caller with ever new
// certificates cannot grow it without limit.
std::shared_ptr<const Botan::X509_Certificate> cached_certificate(const std::string& der) {
    constexpr std::size_t kMaxCachedCertificates = 1024;
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const Botan::X509_Certificate>> cache;  // null: unreadable
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto it = cache.find(der);
        if (it != cache.end()) return it->second;
    }
    std::shared_ptr<const Botan::X509_Certificate> parsed;
    try {
        Botan::DataSource_Memory source(reinterpret_cast<const uint8_t*>(der.data()), der.size());
        parsed = std::make_shared<const Botan::X509_Certificate>(source);
    } catch (const std::exception&) {
        // An unreadable certificate is of no use on a path.
    }
    const std::lock_guard<std::mutex> lock(mutex);
    if (cache.size() < kMaxCachedCertificates) cache.emplace(der, parsed);
    return parsed;
}

// The system store (/etc/ssl/certs), read and decoded once per process; null
// when this machine has none.
const Botan::Certificate_Store* system_store() {
    static const std::unique_ptr<const Botan::Certificate_Store> store = []() -> std::unique_ptr<const Botan::Certificate_Store> {
        try {
            return std::make_unique<const Botan::System_Certificate_Store>();
        } catch (const std::exception&) {
            return nullptr;
        }
    }();
    return store.get();
}

// Hashed once per process too: the anchor ends every path returned.
std::string certificate_sha256(const std::string& der) {
    constexpr std::size_t kMaxKept = 1024;
    static std::mutex mutex;
    static std::map<std::string, std::string> known;
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto it = known.find(der);
        if (it != known.end()) return it->second;
    }
    std::string hash = sha256_hex(der);
    const std::lock_guard<std::mutex> lock(mutex);
    if (known.size() < kMaxKept) known.emplace(der, hash);
    return hash;
}

// The public key of `c`, as c.subject_public_key() gives it, decoded once per
// process for each distinct SubjectPublicKeyInfo and shared (a decoded key is
// never modified, so threads share it too): decoding an RSA key makes Botan 2
// set up its Montgomery parameters, which costs more than the signature check
// it is wanted for, and the same CA keys come with every validation of a run.
// Bounded like the anchors; a key that cannot be decoded is not kept, so it
// fails again, with the same exception, each time.
std::shared_ptr<const Botan::Public_Key> cached_public_key(const Botan::X509_Certificate& c) {
    constexpr std::size_t kMaxCachedKeys = 4096;
    static std::mutex mutex;
    static std::map<std::vector<uint8_t>, std::shared_ptr<const Botan::Public_Key>, std::less<>> cache;
    // Mostly the same issuer from one path to the next: each thread keeps
    // the last key it was given, compared by content.
    thread_local std::vector<uint8_t> last_spki;
    thread_local std::shared_ptr<const Botan::Public_Key> last_key;
    const std::vector<uint8_t>& spki = c.subject_public_key_info();
    if (last_key && last_spki == spki) return last_key;
    std::shared_ptr<const Botan::Public_Key> key;
    {
        const std::lock_guard<std::mutex> lock(mutex);
        const auto it = cache.find(spki);
        if (it != cache.end()) key = it->second;
    }
    if (!key) {
        key.reset(c.subject_public_key());
        if (!key) return key;
        const std::lock_guard<std::mutex> lock(mutex);
        if (cache.size() < kMaxCachedKeys) cache.emplace(spki, key);
    }
    last_spki = spki;
    last_key = key;
    return key;
}

}  // namespace certtool::crypto::chain
