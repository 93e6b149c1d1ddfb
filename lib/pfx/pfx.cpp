#include "pfx/pfx.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>

#include "check/check.hpp"
#include "core/diagnostic.hpp"
#include "core/thumbprint.hpp"
#include "core/time.hpp"
#include "fs/safe_file.hpp"
#include "inventory/inventory.hpp"
#include "inventory/key_file.hpp"
#include "model/product.hpp"
#include "request/requests.hpp"

namespace certtool::pfx {

namespace {

[[noreturn]] void fail(const std::string& code, const std::string& file, const std::string& message) {
    throw InputError(Diagnostic{code, file, "", 0, 0, message});
}

bool same_name(const crypto::DistinguishedName& a, const crypto::DistinguishedName& b) {
    return a.common_name == b.common_name && a.organization == b.organization && a.organizational_unit == b.organizational_unit &&
           a.locality == b.locality && a.state == b.state && a.country == b.country;
}

// The path from the leaf up through `pool` by issuer names, and which of the
// pool's certificates it used.
struct Path {
    std::vector<crypto::Certificate> ordered;
    std::vector<bool> used;
};

Path path_from(const crypto::Certificate& leaf, const std::vector<crypto::Certificate>& pool) {
    Path path{{}, std::vector<bool>(pool.size(), false)};
    const crypto::Certificate* current = &leaf;
    // Self-signed is the end; the bound stops a loop of cross-signed names.
    while (!same_name(current->subject, current->issuer) && path.ordered.size() < pool.size()) {
        std::size_t next = pool.size();
        for (std::size_t i = 0; i < pool.size(); ++i)
            if (!path.used[i] && pool[i].der != current->der && same_name(pool[i].subject, current->issuer)) {
                next = i;
                break;
            }
        if (next == pool.size()) break;
        path.used[next] = true;
        path.ordered.push_back(pool[next]);
        current = &path.ordered.back();
    }
    return path;
}

void add_new(std::vector<crypto::Certificate>& pool, const crypto::Certificate& leaf, const std::vector<crypto::Certificate>& more) {
    for (const auto& c : more)
        if (c.der != leaf.der && std::none_of(pool.begin(), pool.end(), [&](const auto& p) { return p.der == c.der; }))
            pool.push_back(c);
}

std::vector<crypto::Certificate> read_chain_files(const std::vector<std::string>& files) {
    std::vector<crypto::Certificate> pool;
    for (const auto& file : files) {
        const auto more = inventory::read_certificate_file(file, {}, "pfx");
        add_new(pool, crypto::Certificate{}, more.certificates);
    }
    return pool;
}

crypto::PrivateKey load_key(const std::string& file, const Secret& passphrase) {
    try {
        return inventory::read_key_file(file, passphrase, "pfx").key;
    } catch (const crypto::CryptoError& e) {
        fail(e.code(), file,
             e.code() == "key.encrypted" ? "the key is encrypted: give --key-passphrase-file or --key-passphrase-env" : e.what());
    }
}

// A CryptoAPI provider's name says so ("Microsoft Enhanced RSA and AES
// Cryptographic Provider"); a CNG one is a "Key Storage Provider" (WIN-CSP, WIN-KSP).
bool names_cryptoapi_provider(const std::string& name) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find("cryptographic provider") != std::string::npos;
}

struct CspDecision {
    std::string name;  // "" = no attribute
    std::string note;
};

CspDecision decide_csp(const crypto::PrivateKey& key, const Settings& s, const std::string& key_file) {
    const bool ecdsa = key.params().type == crypto::KeyType::ec;
    switch (s.csp) {
        case Csp::none: return {};
        case Csp::named:
            if (ecdsa && names_cryptoapi_provider(s.csp_name))
                fail("pfx.csp-key", key_file,
                     "holds an ECDSA key, which no CryptoAPI provider can hold (WIN-CSP), so Windows cannot import it into '" +
                         s.csp_name + "'; name a key storage provider (e.g. 'Microsoft Software Key Storage Provider') or give --no-csp");
            return {s.csp_name, ""};
        case Csp::by_key: break;
    }
    if (!ecdsa) return {std::string(model::kSchannelProvider), ""};
    // PR3861: Skype for Business Server 2015 cannot use such a key at all (the
    // plan's ecdsa-not-in-product); the other versions take it from a KSP.
    return {"", "ECDSA key: no CSP name written (no CryptoAPI provider holds ECDSA keys, WIN-CSP); Windows imports it into "
                "a CNG key storage provider"};
}

// The PFX in memory, read back; nothing written yet.
struct Built {
    std::string der;
    Result result;
};

Built build(const crypto::PrivateKey& key, const crypto::Certificate& leaf, const std::vector<crypto::Certificate>& chain,
            const std::string& friendly_name, const Settings& s, const std::string& key_file, const std::string& cert_file) {
    Built built;
    Result& result = built.result;
    result.key_file = key_file;
    result.cert_file = cert_file;
    result.friendly_name = friendly_name;
    const CspDecision csp = decide_csp(key, s, key_file);
    result.csp_note = csp.note;

    crypto::Pkcs12Request request;
    request.key = &key;
    request.certificate = &leaf;
    for (const auto& c : chain) request.chain.push_back(&c);
    request.friendly_name = friendly_name;
    request.profile = s.profile;
    request.csp_name = csp.name;
    try {
        built.der = crypto::make_pkcs12(request, *s.password);
        result.info = crypto::inspect_pkcs12(built.der, *s.password);
    } catch (const crypto::CryptoError& e) {
        fail(e.code(), e.code() == "key.mismatch" ? key_file : cert_file, e.what());
    }
    if (result.info.csp_name != csp.name)  // what Windows will read must be what was asked for
        fail("pfx.failed", cert_file, "the PFX reads back with the CSP name '" + result.info.csp_name + "', not '" + csp.name + "'");
    result.thumbprint = windows_thumbprint(leaf.sha1_thumbprint).value_or(leaf.sha1_thumbprint);
    result.chain_certificates = chain.size();
    return built;
}

void check_output(const std::string& out, const Settings& s) {
    if (fs::exists(out) && !s.replace_existing)
        fail("output.exists", out, "already exists; certtool does not overwrite files (--force keeps it as <file>.replaced-<time> and writes a new one)");
}

// Keeps an existing PFX beside the new one (0600: it holds a key).
std::string keep_previous(const std::string& path, const std::string& stamp) {
    if (!fs::exists(path)) return "";
    if (!fs::is_regular_file(path)) fail("output.io", path, "exists and is not a regular file");
    return fs::keep_replaced(path, fs::read_file_bounded(path, inventory::kMaxCertificateFile, "output"), stamp, 0600);
}

std::string now_stamp() { return format_stamp(std::chrono::system_clock::now()); }

// What `certtool script` would refuse (script.pfx-mismatch) is refused here,
// before a PFX is written: a certificate without the plan's names for its id,
// or one that is plainly another id's.
void check_plan_entry(const crypto::Certificate& leaf, const crypto::PrivateKey& key, const model::CertificateRequirement& r,
                      const model::Plan& plan, const std::string& cert_file) {
    check::Context context;
    context.at = leaf.not_before;
    context.check_chain = false;
    context.key = &key;
    std::string missing;
    for (const auto& f : check::check_against_plan(leaf, r, context, cert_file).findings)
        if (f.code == "name.missing") missing += (missing.empty() ? "" : ", ") + f.message.substr(0, f.message.find(' '));
    const std::string holds = "it holds CN=" + leaf.subject.common_name;
    if (!missing.empty())
        fail("pfx.plan-mismatch", cert_file, "is not the plan's certificate " + r.id + ": " + holds + ", without " + missing);
    const auto* best = check::match_requirement(leaf, plan);
    if (best != nullptr && best->id != r.id && leaf.subject.common_name != r.common_name)
        fail("pfx.plan-mismatch", cert_file, "is not the plan's certificate " + r.id + ": " + holds + ", which is the plan's certificate " + best->id);
}

}  // namespace

std::vector<crypto::Certificate> order_chain(const crypto::Certificate& leaf, const std::vector<crypto::Certificate>& pool,
                                             const std::string& file) {
    Path path = path_from(leaf, pool);
    for (std::size_t i = 0; i < pool.size(); ++i)
        if (!path.used[i] && pool[i].der != leaf.der)
            fail("pfx.chain", file,
                 "CN=" + pool[i].subject.common_name + " is not on the path from the certificate (CN=" + leaf.subject.common_name +
                     ") to its root; give only the certificate's own intermediates and root");
    return std::move(path.ordered);
}

crypto::Pkcs12Profile default_profile(const model::Platform& platform) {
    return platform.windows_facts().imports_aes_pfx ? crypto::Pkcs12Profile::modern : crypto::Pkcs12Profile::legacy;
}

Result write_pfx(const Options& o) {
    const Settings& s = o.settings;
    if (!s.password) fail("passphrase.missing", "", "a PFX needs a password: --passphrase-file FILE or --passphrase-env VAR");
    check_output(o.out, s);
    const auto certificate_file = inventory::read_certificate_file(o.cert_file, {}, "pfx");
    const crypto::Certificate& leaf = certificate_file.leaf_certificate();
    std::vector<crypto::Certificate> pool = certificate_file.others();
    add_new(pool, leaf, read_chain_files(o.chain_files));
    const auto chain = order_chain(leaf, pool, o.chain_files.empty() ? o.cert_file : o.chain_files.front());

    const crypto::PrivateKey key = load_key(o.key_file, s.key_passphrase);
    if (!crypto::key_matches(key, leaf))
        fail("key.mismatch", o.key_file, "this key does not belong to the certificate in " + o.cert_file + " (CN=" + leaf.subject.common_name + ")");

    std::string friendly_name = o.friendly_name;
    if (friendly_name.empty() && o.plan != nullptr)
        if (const auto* r = check::match_requirement(leaf, *o.plan)) friendly_name = r->id;
    if (friendly_name.empty()) friendly_name = leaf.subject.common_name;

    Built built = build(key, leaf, chain, friendly_name, s, o.key_file, o.cert_file);
    built.result.out = o.out;
    if (s.replace_existing) built.result.replaced = keep_previous(o.out, now_stamp());
    fs::write_file_atomic(o.out, built.der, {0600, s.replace_existing});
    return built.result;
}

std::vector<std::string> certificate_file_names(const std::string& id) {
    const auto issued = inventory::issued_files("", id);  // what ca sign --manifest and acme write
    return {issued.certificate, id + ".crt", id + ".cer", issued.chain};
}

namespace {

constexpr std::size_t kChainFileName = 3;  // certificate_file_names(id)[3]: <id>.chain.pem

// The id a certificate file of the folder would be for ("" when its name is no certificate's).
std::string id_of_file_name(const std::string& name) {
    constexpr std::array<std::string_view, 4> kSuffixes{".chain.pem", ".pem", ".crt", ".cer"};
    const std::string_view n = name;
    for (const auto suffix : kSuffixes)
        if (n.size() > suffix.size() && n.substr(n.size() - suffix.size()) == suffix) return name.substr(0, n.size() - suffix.size());
    return "";
}

struct Job {
    const request::ManifestEntry* entry = nullptr;
    std::string out;
    Built built;
};

// The certificate, its own chain and the key of one request; nullopt when no
// certificate was issued for it yet.
std::optional<Built> build_one(const request::ManifestEntry& entry, const std::set<std::string>& names, const BulkOptions& o,
                               const std::vector<crypto::Certificate>& common_chain) {
    const auto candidates = certificate_file_names(entry.id);
    std::vector<std::string> found;
    for (std::size_t i = 0; i < kChainFileName; ++i)
        if (names.count(candidates[i]) != 0) found.push_back(fs::join(o.certs_dir, candidates[i]));
    if (found.size() > 1)
        fail("pfx.ambiguous", found[1], "and " + found[0] + " are both certificate files for " + entry.id + "; keep one of them");
    const std::string chain_file = names.count(candidates[kChainFileName]) != 0 ? fs::join(o.certs_dir, candidates[kChainFileName]) : "";
    if (found.empty() && chain_file.empty()) return std::nullopt;
    const std::string cert_file = found.empty() ? chain_file : found.front();

    const auto file = inventory::read_certificate_file(cert_file, {}, "pfx");
    const crypto::Certificate& leaf = file.leaf_certificate();
    std::vector<crypto::Certificate> own = file.others();
    if (!found.empty() && !chain_file.empty()) add_new(own, leaf, inventory::read_certificate_file(chain_file, {}, "pfx").certificates);

    const crypto::PrivateKey key = load_key(entry.key_file, o.settings.key_passphrase);
    if (!crypto::key_matches(key, leaf))
        fail("key.mismatch", cert_file,
             "is not the certificate of the key " + entry.key_file + " (the request " + entry.id + " of " +
                 fs::join(o.requests_dir, "manifest.json") + "); it holds CN=" + leaf.subject.common_name);
    const model::CertificateRequirement* requirement = o.plan->find(entry.id);
    check_plan_entry(leaf, key, *requirement, *o.plan, cert_file);

    // The certificate's own files must hold nothing but its chain; of the
    // chain given for all, what is on its path.
    std::vector<crypto::Certificate> pool = own;
    add_new(pool, leaf, common_chain);
    Path path = path_from(leaf, pool);
    for (std::size_t i = 0; i < own.size(); ++i)
        if (!path.used[i])
            fail("pfx.chain", chain_file.empty() ? cert_file : chain_file,
                 "CN=" + own[i].subject.common_name + " is not on the path from the certificate (CN=" + leaf.subject.common_name +
                     ") to its root");
    return build(key, leaf, path.ordered, entry.id, o.settings, entry.key_file, cert_file);
}

}  // namespace

BulkResult write_pfx_folder(const BulkOptions& o) {
    const Settings& s = o.settings;
    if (o.plan == nullptr) throw std::logic_error("write_pfx_folder needs the plan");
    if (!s.password) fail("passphrase.missing", "", "a PFX needs a password: --passphrase-file FILE or --passphrase-env VAR");
    BulkResult result;
    const request::Manifest manifest = request::read_manifest(o.requests_dir, "pfx.manifest");
    result.manifest_file = manifest.file;

    std::set<std::string> selected_ids;
    if (!o.only.empty())
        for (const auto& c : model::select_certificates(*o.plan, o.only).certificates) selected_ids.insert(c.id);
    std::vector<const request::ManifestEntry*> entries;
    for (const auto& e : manifest.certificates)
        if (o.only.empty() || selected_ids.count(e.id) != 0) entries.push_back(&e);
    if (entries.empty())
        fail("pfx.nothing-to-do", manifest.file,
             o.only.empty() ? "lists no request" : "lists no request for the certificates --only selects");
    for (const auto* e : entries)
        if (o.plan->find(e->id) == nullptr)
            fail("pfx.not-in-plan", manifest.file,
                 e->pointer + ": the request " + e->id + " is for no certificate of the plan of " + o.plan->source.path +
                     " (was the topology changed since certtool csr?); leave it out with --only");

    const auto files = inventory::files_in(o.certs_dir);
    if (!files) fail("pfx.io", o.certs_dir, "--certs: no such folder, or it cannot be read");
    std::set<std::string> names;
    for (const auto& f : *files) names.insert(fs::base_name(f));

    // The output folder is checked before the work: a folder others can write is refused now.
    if (fs::exists(o.out_dir)) {
        fs::prepare_output_directory(o.out_dir, false);
        fs::remove_stale_temporaries(o.out_dir);
    } else if (!fs::exists(fs::parent_of(o.out_dir))) {
        fail("output.missing", o.out_dir, "neither the output directory nor its parent " + fs::parent_of(o.out_dir) + " exists");
    }
    std::vector<Diagnostic> existing;
    for (const auto* e : entries) {
        const std::string out = fs::join(o.out_dir, e->id + ".pfx");
        bool has_certificate = false;
        for (const auto& n : certificate_file_names(e->id)) has_certificate = has_certificate || names.count(n) != 0;
        if (!has_certificate || !fs::exists(out)) continue;
        if (!s.replace_existing)
            existing.push_back({"output.exists", out, "", 0, 0,
                                "already exists; certtool does not overwrite files (--force keeps it as <file>.replaced-<time> "
                                "and writes a new one; --only leaves it out)"});
        else if (!fs::is_regular_file(out))  // a link or a folder is never replaced, nor followed
            existing.push_back({"output.io", out, "", 0, 0, "exists and is not a regular file; move it away"});
    }
    if (!existing.empty()) throw InputError(std::move(existing));

    const std::vector<crypto::Certificate> common_chain = read_chain_files(o.chain_files);
    std::vector<Job> jobs;
    for (const auto* e : entries) {
        auto built = build_one(*e, names, o, common_chain);
        if (!built) {
            result.missing.push_back(e->id);
            continue;
        }
        jobs.push_back({e, fs::join(o.out_dir, e->id + ".pfx"), std::move(*built)});
    }
    if (jobs.empty())
        fail("pfx.no-certificates", o.certs_dir,
             "holds no certificate for the " + std::to_string(entries.size()) +
                 (entries.size() == 1 ? " request" : " requests") + " of " + manifest.file +
                 " (looked for <id>.pem, <id>.crt, <id>.cer and <id>.chain.pem)");

    std::set<std::string> ids;
    for (const auto& e : manifest.certificates) ids.insert(e.id);
    for (const auto& name : names) {
        const std::string id = id_of_file_name(name);
        if (!id.empty() && ids.count(id) == 0)
            result.notes.push_back(name + " in " + o.certs_dir + " is named after no request of " + manifest.file + "; ignored");
    }

    // Built and read back, every one: now write. The new files all or none;
    // then those that replace a file, each kept first.
    if (!fs::exists(o.out_dir)) fs::prepare_output_directory(o.out_dir, true);
    std::map<std::string, std::string> fresh;
    for (const auto& job : jobs)
        if (!fs::exists(job.out)) fresh[job.entry->id + ".pfx"] = job.built.der;
    fs::write_new_files(o.out_dir, fresh, 0600);
    const std::string stamp = now_stamp();
    for (auto& job : jobs) {
        job.built.result.id = job.entry->id;
        job.built.result.out = job.out;
        if (fresh.count(job.entry->id + ".pfx") == 0) {
            job.built.result.replaced = keep_previous(job.out, stamp);
            fs::write_file_atomic(job.out, job.built.der, {0600, true});
        }
        result.written.push_back(std::move(job.built.result));
    }
    return result;
}

}  // namespace certtool::pfx
