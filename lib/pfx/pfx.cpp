#include "pfx/pfx.hpp"

#include <algorithm>

#include "check/check.hpp"
#include "core/diagnostic.hpp"
#include "core/thumbprint.hpp"
#include "fs/safe_file.hpp"
#include "inventory/key_file.hpp"
#include "inventory/inventory.hpp"

namespace certtool::pfx {

namespace {

[[noreturn]] void fail(const std::string& code, const std::string& file, const std::string& message) {
    throw InputError(Diagnostic{code, file, "", 0, 0, message});
}

bool same_name(const crypto::DistinguishedName& a, const crypto::DistinguishedName& b) {
    return a.common_name == b.common_name && a.organization == b.organization && a.organizational_unit == b.organizational_unit &&
           a.locality == b.locality && a.state == b.state && a.country == b.country;
}

}  // namespace

std::vector<crypto::Certificate> order_chain(const crypto::Certificate& leaf, const std::vector<crypto::Certificate>& pool,
                                             const std::string& file) {
    std::vector<crypto::Certificate> ordered;
    std::vector<bool> used(pool.size(), false);
    const crypto::Certificate* current = &leaf;
    // Self-signed is the end; the bound stops a loop of cross-signed names.
    while (!same_name(current->subject, current->issuer) && ordered.size() < pool.size()) {
        std::size_t next = pool.size();
        for (std::size_t i = 0; i < pool.size(); ++i)
            if (!used[i] && pool[i].der != current->der && same_name(pool[i].subject, current->issuer)) {
                next = i;
                break;
            }
        if (next == pool.size()) break;
        used[next] = true;
        ordered.push_back(pool[next]);
        current = &ordered.back();
    }
    for (std::size_t i = 0; i < pool.size(); ++i)
        if (!used[i] && pool[i].der != leaf.der)
            fail("pfx.chain", file,
                 "CN=" + pool[i].subject.common_name + " is not on the path from the certificate (CN=" + leaf.subject.common_name +
                     ") to its root; give only the certificate's own intermediates and root");
    return ordered;
}

crypto::Pkcs12Profile default_profile(const model::Platform& platform) {
    return platform.windows_facts().imports_aes_pfx ? crypto::Pkcs12Profile::modern : crypto::Pkcs12Profile::legacy;
}

Result write_pfx(const Options& o) {
    if (!o.password) fail("passphrase.missing", "", "a PFX needs a password: --passphrase-file FILE or --passphrase-env VAR");
    if (fs::exists(o.out)) fail("output.exists", o.out, "already exists; certtool does not overwrite files");
    const auto certificate_file = inventory::read_certificate_file(o.cert_file, {}, "pfx");
    const crypto::Certificate& leaf = certificate_file.leaf_certificate();
    std::vector<crypto::Certificate> pool = certificate_file.others();
    for (const auto& file : o.chain_files) {
        const auto more = inventory::read_certificate_file(file, {}, "pfx");
        for (const auto& c : more.certificates)
            if (c.der != leaf.der && std::none_of(pool.begin(), pool.end(), [&](const auto& p) { return p.der == c.der; }))
                pool.push_back(c);
    }
    const auto chain = order_chain(leaf, pool, o.chain_files.empty() ? o.cert_file : o.chain_files.front());

    crypto::PrivateKey key;
    try {
        key = inventory::read_key_file(o.key_file, o.key_passphrase, "pfx").key;
    } catch (const crypto::CryptoError& e) {
        fail(e.code(), o.key_file, e.code() == "key.encrypted" ? "the key is encrypted: give --key-passphrase-file or --key-passphrase-env" : e.what());
    }
    if (!crypto::key_matches(key, leaf))
        fail("key.mismatch", o.key_file, "this key does not belong to the certificate in " + o.cert_file + " (CN=" + leaf.subject.common_name + ")");

    Result result;
    result.out = o.out;
    result.friendly_name = o.friendly_name;
    if (result.friendly_name.empty() && o.plan != nullptr)
        if (const auto* r = check::match_requirement(leaf, *o.plan)) result.friendly_name = r->id;
    if (result.friendly_name.empty()) result.friendly_name = leaf.subject.common_name;

    crypto::Pkcs12Request request;
    request.key = &key;
    request.certificate = &leaf;
    for (const auto& c : chain) request.chain.push_back(&c);
    request.friendly_name = result.friendly_name;
    request.profile = o.profile;
    std::string der;
    try {
        der = crypto::make_pkcs12(request, *o.password);
        result.info = crypto::inspect_pkcs12(der, *o.password);
    } catch (const crypto::CryptoError& e) {
        fail(e.code(), o.cert_file, e.what());
    }
    fs::write_file_atomic(o.out, der, {0600, false});
    result.thumbprint = windows_thumbprint(leaf.sha1_thumbprint).value_or(leaf.sha1_thumbprint);
    result.chain_certificates = chain.size();
    return result;
}

}  // namespace certtool::pfx
