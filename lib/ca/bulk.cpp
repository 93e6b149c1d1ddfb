#include "ca/bulk.hpp"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/diagnostic.hpp"
#include "core/time.hpp"
#include "fs/safe_file.hpp"
#include "inventory/inventory.hpp"
#include "report/certreq_inf.hpp"
#include "request/requests.hpp"

namespace certtool::ca {

namespace {

constexpr std::size_t kMaxRequest = 1 << 20;
constexpr std::size_t kMaxIndex = 64u << 20;
constexpr std::size_t kMaxCertificate = 4u << 20;

Diagnostic problem(const std::string& code, const std::string& file, const std::string& message) {
    return Diagnostic{code, file, "", 0, 0, message};
}

std::string public_ca_reason(const model::CertificateRequirement& r) {
    return "the plan gives " + r.id + " (" + model::to_string(r.role) +
           ") to a public CA: federation partners, remote clients and mobile devices trust only public CAs; "
           "--lab-public signs it with this CA for a lab";
}

// issued.json: this run's entries, and those of earlier runs into OUT for other ids, in manifest order.
std::string index_text(const ManifestSignOptions& o, const request::Manifest& manifest, const ManifestSignResult& result) {
    nlohmann::ordered_json doc;
    doc["schema"] = kIssuedSchema;
    doc["ca"] = o.sign.dir;
    doc["manifest"] = manifest.file;
    doc["topology"] = {{"path", o.plan->source.path}, {"sha256", o.plan->source.sha256}};
    std::vector<nlohmann::ordered_json> entries;
    const std::string index_file = fs::join(o.out_dir, "issued.json");
    if (fs::exists(index_file)) {
        const auto old = nlohmann::ordered_json::parse(fs::read_file_bounded(index_file, kMaxIndex, "output"), nullptr, false);
        if (!old.is_discarded() && old.is_object() && old.value("schema", "") == kIssuedSchema && old.contains("certificates") &&
            old["certificates"].is_array())
            for (const auto& e : old["certificates"]) {
                const std::string id = e.is_object() ? e.value("id", "") : "";
                const bool again = std::any_of(result.issued.begin(), result.issued.end(), [&](const ManifestSigned& s) { return s.id == id; });
                if (!id.empty() && !again) entries.push_back(e);
            }
    }
    for (const auto& s : result.issued) {
        const auto* r = o.plan->find(s.id);
        nlohmann::ordered_json sans = nlohmann::ordered_json::array();
        for (const auto& san : r->sans) sans.push_back(san.name);
        entries.push_back({{"id", s.id},
                           {"subject", report::windows_subject(*r)},
                           {"sans", sans},
                           {"serial", s.result.serial_hex},
                           {"not_before", format_datetime(s.result.not_before)},
                           {"not_after", format_datetime(s.result.not_after)},
                           {"sha256", s.result.sha256},
                           {"thumbprint", s.result.thumbprint},
                           {"files", {{"certificate", fs::base_name(s.certificate_file)}, {"chain", fs::base_name(s.chain_file)}}},
                           {"public_ca_for_lab", s.public_ca}});
    }
    const auto rank = [&](const nlohmann::ordered_json& e) {
        const std::string id = e.value("id", "");
        for (std::size_t i = 0; i < manifest.certificates.size(); ++i)
            if (manifest.certificates[i].id == id) return std::make_pair(i, id);
        return std::make_pair(manifest.certificates.size(), id);
    };
    std::stable_sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    doc["certificates"] = entries;
    nlohmann::ordered_json skipped = nlohmann::ordered_json::array();
    for (const auto& s : result.skipped) skipped.push_back({{"id", s.id}, {"reason", s.reason}});
    doc["skipped"] = skipped;
    return doc.dump(2) + "\n";
}

}  // namespace

ManifestSignResult sign_manifest(const ManifestSignOptions& o) {
    // The manifest.json of a csr folder, or the folder.
    const bool folder = std::filesystem::is_directory(o.manifest_file);
    if (!folder && std::filesystem::path(o.manifest_file).filename() != "manifest.json")
        throw InputError(problem("usage.ca-sign", o.manifest_file, "--manifest takes the manifest.json certtool csr wrote, or its folder"));
    const auto manifest = request::read_manifest(folder ? o.manifest_file : fs::parent_of(o.manifest_file), "ca.manifest");
    ManifestSignResult result;

    // Which entries: --only names ids or roles of the manifest; each must be there.
    const auto picked = [&](const request::ManifestEntry& e, const std::string& wanted) { return e.id == wanted || e.role == wanted; };
    std::vector<const request::ManifestEntry*> chosen;
    std::vector<Diagnostic> problems;
    for (const auto& wanted : o.only)
        if (std::none_of(manifest.certificates.begin(), manifest.certificates.end(), [&](const auto& e) { return picked(e, wanted); }))
            problems.push_back(problem("usage.unknown-certificate", o.manifest_file, "--only " + wanted + " is no certificate id or role of this manifest"));
    for (const auto& e : manifest.certificates)
        if (o.only.empty() || std::any_of(o.only.begin(), o.only.end(), [&](const auto& w) { return picked(e, w); })) chosen.push_back(&e);
    if (!problems.empty()) throw InputError(problems);

    // Public-CA entries: skipped, or refused when asked for by name, unless for a lab.
    std::vector<SignBatchEntry> batch;
    std::vector<const request::ManifestEntry*> signing;
    for (const auto* e : chosen) {
        const auto* r = o.plan->find(e->id);
        if (r == nullptr) {
            problems.push_back(problem("usage.unknown-certificate", o.manifest_file,
                                       e->id + " is not a certificate of this topology's plan: was the manifest made from another topology?"));
            continue;
        }
        const bool public_ca = r->ca == model::CaKind::public_ca;
        if (public_ca && !o.lab_public) {
            if (!o.only.empty())
                problems.push_back(problem("usage.public-ca", o.manifest_file, "--only picks " + e->id + ", but " + public_ca_reason(*r)));
            else
                result.skipped.push_back({e->id, public_ca_reason(*r)});
            continue;
        }
        const auto files = inventory::issued_files(o.out_dir, r->id);
        for (const auto& file : {files.certificate, files.chain})
            if (fs::exists(file) && !o.replace)
                problems.push_back(problem("output.exists", file, "already exists; certtool does not overwrite certificates (--force issues again "
                                                                  "and keeps the old file as .replaced-<time>)"));
        if (e->csr_file.empty()) {
            problems.push_back(problem("ca.manifest", manifest.file, e->pointer + " names no csr_file: certtool csr writes one for each request"));
            continue;
        }
        try {
            batch.push_back({fs::read_file_bounded(e->csr_file, kMaxRequest, "csr"), e->csr_file, r});
            signing.push_back(e);
        } catch (const InputError& error) {
            problems.insert(problems.end(), error.diagnostics().begin(), error.diagnostics().end());
        }
    }
    if (!problems.empty()) throw InputError(problems);
    fs::prepare_output_directory(o.out_dir, true);

    // Every request checked first (sign_batch), then issued.
    const auto issued = batch.empty() ? std::vector<SignResult>{} : sign_batch(o.sign, batch);
    const std::string stamp = format_stamp(o.sign.now);
    for (std::size_t i = 0; i < issued.size(); ++i) {
        const auto& r = *batch[i].requirement;
        ManifestSigned s;
        s.id = r.id;
        s.result = issued[i];
        s.public_ca = r.ca == model::CaKind::public_ca;
        const auto files = inventory::issued_files(o.out_dir, r.id);
        s.certificate_file = files.certificate;
        s.chain_file = files.chain;
        const std::string chain = s.result.certificate_pem + s.result.intermediates_pem;
        // The chain first, so that a stopped run never leaves a certificate without its chain.
        for (const auto& [file, text] : {std::pair{s.chain_file, chain}, std::pair{s.certificate_file, s.result.certificate_pem}}) {
            if (fs::exists(file))  // only with replace: checked before anything was issued
                s.replaced_files.push_back(fs::keep_replaced(file, fs::read_file_bounded(file, kMaxCertificate, "output"), stamp, 0644));
            fs::write_file_atomic(file, text, {0644, true});
        }
        result.issued.push_back(std::move(s));
    }
    result.index_file = fs::join(o.out_dir, "issued.json");
    fs::write_file_atomic(result.index_file, index_text(o, manifest, result), {0644, true});
    return result;
}

}  // namespace certtool::ca
